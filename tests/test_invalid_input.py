"""The bad-input catalogue: each file in fixtures/invalid/ fails with exactly its expected lines,
exits non-zero, prints no traceback, and leaves the last good site/ byte-identical."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES, built_once, make_project, run_handbook, tree_digest

INVALID = FIXTURES / "invalid"
# A policy case is copied into policies/ beside the good ones; a case under handbook/ replaces
# policies/handbook.yaml.
CASES = sorted(path.stem for path in INVALID.glob("*.yaml")) + sorted(
    f"handbook/{path.stem}" for path in (INVALID / "handbook").glob("*.yaml")
)


def install_case(case: str, project: Path) -> None:
    """Put the bad file of `case` where HR would have written it."""
    if case.startswith("handbook/"):
        shutil.copy(INVALID / f"{case}.yaml", project / "policies" / "handbook.yaml")
    else:
        shutil.copy(INVALID / f"{case}.yaml", project / "policies" / f"{case}.yaml")


@pytest.fixture(scope="module")
def built_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    def build(folder: Path) -> Path:
        project = make_project(folder / "project", "small")
        result = run_handbook("build", cwd=project)
        assert result.returncode == 0, result.stderr
        return project

    return built_once(tmp_path_factory, "invalid-input", build)


@pytest.mark.parametrize("case", CASES)
def test_bad_input_is_reported_and_nothing_is_published(
    case: str, built_project: Path, tmp_path: Path
) -> None:
    project = tmp_path / "project"
    shutil.copytree(built_project, project, symlinks=True)
    before = tree_digest(project / "site")
    install_case(case, project)
    expected = (INVALID / f"{case}.expected").read_text(encoding="utf-8").splitlines()

    result = run_handbook("build", cwd=project)

    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.splitlines()
    assert lines[:-1] == expected
    files = "1 file" if len({line.split(":")[0] for line in expected}) == 1 else "2 files"
    noun = "error" if len(expected) == 1 else "errors"
    assert lines[-1] == f"{len(expected)} {noun} in {files}; nothing was published"
    assert tree_digest(project / "site") == before
    assert not list(project.glob(".site-build-*"))


def test_errors_of_all_files_are_reported_together(small_project: Path) -> None:
    for case in ("date-format", "unknown-field", "tab-indent"):
        shutil.copy(FIXTURES / "invalid" / f"{case}.yaml", small_project / "policies")
    result = run_handbook("check", cwd=small_project)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert lines[-1] == "4 errors in 3 files; nothing was published"
    assert lines[:-1] == sorted(lines[:-1])
    assert [line.split(":")[0] for line in lines[:-1]] == [
        "policies/date-format.yaml",
        "policies/tab-indent.yaml",
        "policies/unknown-field.yaml",
        "policies/unknown-field.yaml",
    ]


PARSER_JARGON = ("mapping values", "block mapping", "expected key", "while parsing", "scalar")


def test_no_expected_message_speaks_the_parsers_jargon() -> None:
    for expected in sorted(INVALID.rglob("*.expected")):
        text = expected.read_text(encoding="utf-8")
        for phrase in PARSER_JARGON:
            assert phrase not in text, f"{expected.name}: {phrase!r}"
