"""A bug of ours, not bad input: `handbook: internal error: ...`, exit 70, and the traceback only
with `--debug` (README, "The error format"). The bug is a real one, not a mock: a page template
that names a value the renderer never passes (templates are code, shipped with the generator)."""

from __future__ import annotations

from pathlib import Path

from conftest import run_handbook, tree_digest

BUILD = ("build", "--today", "2026-05-20")
MESSAGE = [
    "handbook: internal error: UndefinedError: 'no_such_value' is undefined",
    "nothing was published; run with --debug for details and report it",
]


def break_the_policy_template(project: Path) -> None:
    template = project / "templates" / "policy.md.j2"
    template.write_text("# {{ no_such_value }}\n", encoding="utf-8")


def test_a_bug_exits_70_with_one_message_and_no_traceback(small_project: Path) -> None:
    first = run_handbook(*BUILD, cwd=small_project)
    assert first.returncode == 0, first.stderr
    before = tree_digest(small_project / "site")
    break_the_policy_template(small_project)

    result = run_handbook(*BUILD, cwd=small_project)

    assert result.returncode == 70
    assert result.stderr.splitlines()[-2:] == MESSAGE
    assert "Traceback" not in result.stderr
    assert "Built " not in result.stdout
    assert tree_digest(small_project / "site") == before
    assert sorted(p.name for p in small_project.glob(".site-*")) == []


def test_debug_shows_the_traceback_then_the_same_message(small_project: Path) -> None:
    break_the_policy_template(small_project)

    result = run_handbook("--debug", *BUILD, cwd=small_project)

    assert result.returncode == 70
    lines = result.stderr.splitlines()
    assert "Traceback (most recent call last):" in lines
    # The traceback ends at the exception, then the user's two lines follow it.
    traceback_end = lines.index(MESSAGE[0]) - 1
    assert lines[traceback_end] == "jinja2.exceptions.UndefinedError: 'no_such_value' is undefined"
    assert lines[-2:] == MESSAGE
    assert not (small_project / "site").exists()
