"""The Make targets as HR uses them: `make help` lists them, `make reviewed` says what it needs."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import yaml
from test_readme_commands import SHELL_ENVIRONMENT, fresh_copy

from generator.model import load_handbook


def make(*arguments: str, cwd: Path, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    """`make` as a person runs it: a new shell's environment, in `cwd`."""
    return subprocess.run(
        ["make", *arguments],
        cwd=cwd,
        env={**SHELL_ENVIRONMENT, "HOME": str(cwd)},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_make_help_lists_every_documented_target_with_its_comment(tmp_path: Path) -> None:
    project = fresh_copy(tmp_path / "project")
    makefile = (project / "Makefile").read_text(encoding="utf-8")
    documented = re.findall(r"^([a-z][a-z0-9_-]*):.*?## (.*)$", makefile, re.MULTILINE)
    assert {"build", "check", "reviewed", "serve", "test", "help"} <= {t for t, _ in documented}

    result = make("help", cwd=project)
    assert result.returncode == 0, result.stderr
    listed = [line.split(None, 2)[1:] for line in result.stdout.splitlines()[1:]]
    assert listed == [[target, text] for target, text in documented]
    # Helper targets without a `## ` comment stay out of the list; make echoes no commands.
    assert "install" not in result.stdout and "awk" not in result.stdout
    assert result.stderr == ""


def test_make_reviewed_without_an_id_says_what_it_needs_and_changes_nothing(
    tmp_path: Path,
) -> None:
    project = fresh_copy(tmp_path / "project")
    before = {path: path.read_bytes() for path in (project / "policies").iterdir()}
    result = make("reviewed", cwd=project)
    # make's own rule: a failed target exits 2, after its one line of its own (README).
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert lines[0] == (
        'make reviewed: say which policy: make reviewed ID=<policy-id> [ON=YYYY-MM-DD] [NOTE="..."]'
    )
    assert len(lines) == 2 and re.fullmatch(
        r"make: \*\*\* \[Makefile:\d+: reviewed\] Error 1", lines[1]
    )
    assert {path: path.read_bytes() for path in (project / "policies").iterdir()} == before


def test_make_reviewed_records_a_review_with_the_note_as_typed(tmp_path: Path) -> None:
    project = fresh_copy(tmp_path / "project")
    note = "Checked: the 2026 \"ordinance\" and O'Brien's notes."
    result = make(
        "reviewed", "ID=pinole-customer-service", "ON=2026-11-20", f"NOTE={note}", cwd=project
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].startswith("Recorded a review of pinole-customer-service")
    recorded = yaml.safe_load(
        (project / "policies" / "pinole-customer-service.yaml").read_text(encoding="utf-8")
    )
    assert str(recorded["last_reviewed"]) == "2026-11-20"
    # The sample's latest entry is dated 2026-12-07: the review goes before it, in date order.
    history = recorded["revision_history"]
    assert [str(entry["date"]) for entry in history] == sorted(str(e["date"]) for e in history)
    reviews = [entry for entry in history if str(entry["date"]) == "2026-11-20"]
    assert [(entry["kind"], entry["summary"]) for entry in reviews] == [("review", note)]


def test_make_new_writes_any_title_as_typed_in_a_file_that_loads(tmp_path: Path) -> None:
    project = fresh_copy(tmp_path / "project")
    title = "Ask \"Why?\": #1 rule — naïve café's 50% & O'Brien {draft} [x] - \\ end:"
    result = make("new", "ID=why-rules", f"TITLE={title}", "CATEGORY=Training", cwd=project)
    assert result.returncode == 0, result.stderr
    path = project / "policies" / "why-rules.yaml"
    written = path.read_text(encoding="utf-8")
    assert yaml.safe_load(written)["title"] == title
    # Filled in, the file is a valid policy that the handbook loads with the title as typed.
    placeholders = re.findall(r'"FILL IN: [^"]*"', written)
    assert len(placeholders) == 4
    for placeholder in placeholders:
        written = written.replace(placeholder, "Filled in.")
    path.write_text(written, encoding="utf-8")
    check = subprocess.run(
        [str(project / ".venv" / "bin" / "handbook"), "check", "--fail-on", "never"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert check.returncode == 0, check.stderr
    policy = load_handbook(project).policy("why-rules")
    assert (policy.title, policy.category, policy.status.value) == (title, "Training", "draft")
