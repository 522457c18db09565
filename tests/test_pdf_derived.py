"""Card sheets are not placed again when nothing on them changed (issue 24): the sheet made from
the same frame, cards and places is taken from `.cache/pdf/`. The cached bytes are checked
before use, like every cached render."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import make_project, run_handbook

EPOCH = "1795000000"


def sheet_files(project: Path) -> dict[str, int]:
    """The cached PDFs with their inodes: a file written again gets a new one."""
    return {path.name: path.stat().st_ino for path in (project / ".cache" / "pdf").glob("*.pdf")}


@pytest.mark.own_pdf_cache
def test_sheets_are_placed_again_only_when_a_card_on_them_changed(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project", "small")
    env = {"SOURCE_DATE_EPOCH": EPOCH}
    assert run_handbook("build", "--today", "2026-11-27", cwd=project, env=env).returncode == 0
    sheets = project / "site" / "pdf" / "cards"
    letter = (sheets / "sheet-letter.pdf").read_bytes()
    first = sheet_files(project)
    # Front matter, two policy PDFs, two cards, two sheet frames, the two sheets made, and the
    # book joined from them.
    assert len(first) == 10
    path = project / "policies" / "phone-response.yaml"
    text = path.read_text(encoding="utf-8")
    # The summary is not on the policy's desk card: its PDF changes, no card does.
    assert text.count("\nsummary: ") == 1
    path.write_text(text.replace("\nsummary: ", "\nsummary: In short, ", 1), encoding="utf-8")
    second = run_handbook("build", "--today", "2026-11-27", cwd=project, env=env)
    assert second.returncode == 0, second.stderr
    assert "cards: " in second.stderr and "(4 documents: 0 rendered, 4 unchanged" in second.stderr
    kept = sheet_files(project)
    # Only the policy's own PDF was made again, and the book joined with it; every other
    # cached file, the two sheets included, is the very file the first build wrote.
    assert len(set(first) - set(kept)) == 2
    assert all(kept[name] == inode for name, inode in first.items() if name in kept)
    assert (sheets / "sheet-letter.pdf").read_bytes() == letter
