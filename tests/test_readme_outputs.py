"""What the README shows a command printing is what it prints (issue 23).

tests/test_readme_commands.py runs every command of the README's ```sh blocks; this file runs
the commands whose output the README shows, on a fresh copy of the project with the sample
handbook, and compares line for line:

- a plain ``` block that starts with `$ command`: the command's whole standard output;
- the `--json` register, the build's review warning, the message for a change with no history
  entry and the warnings for an unfinished draft: the lines the README quotes.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
from pathlib import Path

import pytest
from test_readme_commands import README, SHELL_ENVIRONMENT, fresh_copy

from conftest import PINOLE
from generator.cli.report import review_warnings
from generator.prepare import prepare

pytestmark = pytest.mark.slow

TEXT = README.read_text(encoding="utf-8")


def plain_blocks(text: str) -> list[tuple[int, list[str]]]:
    """Every ``` block without a language: its README line and its lines."""
    return [
        (text.count("\n", 0, match.start()) + 1, match[1].splitlines())
        for match in re.finditer(r"^```\n(.*?)^```$", text, re.MULTILINE | re.DOTALL)
    ]


def quoted_lines(prefix: str) -> list[str]:
    """The README lines (in any block, indented or not) that start with `prefix`."""
    return [line.strip() for line in TEXT.splitlines() if line.strip().startswith(prefix)]


def shell(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`command` in a new shell, as a person at a terminal runs it (no make variables)."""
    return subprocess.run(
        ["bash", "-c", command],
        cwd=cwd,
        env={**SHELL_ENVIRONMENT, "HOME": str(cwd)},
        capture_output=True,
        text=True,
        timeout=600,
    )


SHOWN = [(line, body) for line, body in plain_blocks(TEXT) if body and body[0].startswith("$ ")]


def test_the_readme_shows_command_outputs() -> None:
    assert [body[0] for _, body in SHOWN] == ["$ .venv/bin/handbook check --today 2026-11-27"]


@pytest.mark.parametrize(("line", "body"), SHOWN, ids=[f"README.md:{line}" for line, _ in SHOWN])
def test_a_shown_output_is_what_the_command_prints(
    line: int, body: list[str], tmp_path: Path
) -> None:
    project = fresh_copy(tmp_path / "project")
    result = shell(body[0][2:], project)
    assert "Traceback" not in result.stderr
    assert result.stdout.splitlines() == body[1:], f"README.md:{line}"


def test_the_json_register_shown_is_how_check_json_begins(tmp_path: Path) -> None:
    block = re.search(r"^```json\n(\{\"today\".*?)^```$", TEXT, re.MULTILINE | re.DOTALL)
    assert block is not None
    shown = json.loads(block[1])
    project = fresh_copy(tmp_path / "project")
    result = shell(".venv/bin/handbook check --json --today 2026-11-27 --fail-on never", project)
    assert result.returncode == 0, result.stderr
    printed = json.loads(result.stdout)
    assert shown["today"] == printed["today"]
    assert shown["policies"] == printed["policies"][: len(shown["policies"])]


def test_the_review_warning_shown_is_what_build_prints(tmp_path: Path) -> None:
    """The build prints these warnings with `review_warnings`, before it builds anything."""
    shown = quoted_lines(f"policies/{PINOLE}.yaml:19: warning: review")
    assert len(shown) == 1
    project = fresh_copy(tmp_path / "project")
    printed = review_warnings(prepare(project, dt.date(2026, 11, 27)))
    assert shown[0] in printed


def test_the_unexplained_change_shown_is_what_check_prints(tmp_path: Path) -> None:
    shown = quoted_lines(f"policies/{PINOLE}.yaml:78: standard 8, target: changed")
    assert len(shown) == 1
    project = fresh_copy(tmp_path / "project")
    # The README's publish command first, as the README tells it.
    published = shell(
        'make publish EDITION=2026-12 DATE=2026-12-07 SUMMARY="Desk cards cite the rules they '
        'come from."',
        project,
    )
    assert published.returncode == 0, published.stderr
    pinole = project / "policies" / f"{PINOLE}.yaml"
    lines = pinole.read_text(encoding="utf-8").splitlines(keepends=True)
    assert lines[77] == "          within: 2\n"
    lines[77] = "          within: 3\n"
    pinole.write_text("".join(lines), encoding="utf-8")
    result = shell(".venv/bin/handbook check", project)
    assert result.returncode == 1
    assert shown[0] in result.stderr.splitlines()


def test_the_draft_warnings_shown_are_what_make_check_prints(tmp_path: Path) -> None:
    shown = quoted_lines("policies/phone-lines.yaml")
    assert len(shown) == 2
    project = fresh_copy(tmp_path / "project")
    new = shell('make new ID=phone-lines TITLE="Phone Lines"', project)
    assert new.returncode == 0, new.stderr
    result = shell("make check", project)
    printed = result.stderr.splitlines()
    assert shown[0] == printed[0]
    assert shown[1] in printed
