"""`handbook build` reports its stages: one log line per stage when stderr is a file or pipe, a
live display and a table of times on a terminal. No duration is asserted, only the report."""

from __future__ import annotations

import os
import pty
import re
import subprocess
from pathlib import Path

import pytest

from conftest import HANDBOOK, ROOT, make_project, run_handbook

pytestmark = pytest.mark.slow

# The search index is written once the PDF layouts are done (issue 24: bounded memory).
STAGES = [
    "load + validate",
    "review",
    "render",
    "site",
    "search index",
    "cards",
    "PDFs",
    "publish",
]
TIME = r"[0-9]+\.[0-9]{2} s"
OPEN_SITE = "site/index.html"
OPEN_BOOK = "site/pdf/handbook.pdf"


@pytest.mark.own_pdf_cache
def test_log_lines_name_every_stage_with_its_time(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project", "small")
    result = run_handbook("build", "--today", "2026-05-20", cwd=project)
    assert result.returncode == 0, result.stderr
    # stdout is the build summary (issue 12), then a last line that says what to open.
    assert result.stdout.startswith("Summary:\n")
    assert result.stdout.endswith(f"Built 2 policies. Open {OPEN_SITE} · book: {OPEN_BOOK}\n")
    assert (project / OPEN_SITE).is_file() and (project / OPEN_BOOK).is_file()
    assert "  policies: 2 published, 0 drafts (not published), 0 retired\n" in result.stdout
    assert "  reviews: 1 overdue, 1 due soon\n" in result.stdout
    assert "  changes: no edition published yet" in result.stdout
    assert "  book: site/pdf/handbook.pdf\n" in result.stdout
    logged = [line for line in result.stderr.splitlines() if line.startswith("handbook: ")]
    assert [line.split(": ")[1] for line in logged] == [*STAGES, "total"]
    for line in logged:
        assert re.fullmatch(rf"handbook: [^:]+: {TIME}( \(.*\))?", line), line
    search = next(line for line in logged if line.startswith("handbook: search index:"))
    assert re.search(r"\(([0-9]+) entries\)$", search), search
    pdfs = next(line for line in logged if line.startswith("handbook: PDFs:"))
    assert pdfs.endswith("(3 documents: 3 rendered, 0 unchanged from the cache; book joined again)")
    # The warnings stay compiler style, one per line, between the stage lines.
    assert any(": warning: review overdue" in line for line in result.stderr.splitlines())

    again = run_handbook("build", "--today", "2026-05-20", cwd=project)
    assert again.returncode == 0, again.stderr
    assert (
        "(3 documents: 0 rendered, 3 unchanged from the cache; book unchanged from the cache)"
        in again.stderr
    )


def test_a_failed_build_prints_its_errors_and_no_stage_lines(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project", "small")
    source = project / "policies" / "phone-response.yaml"
    source.write_text(source.read_text().replace("title:", "tittle:", 1))
    result = run_handbook("build", cwd=project)
    assert result.returncode == 1
    assert not any(line.startswith("handbook: ") for line in result.stderr.splitlines())
    assert result.stderr.splitlines()[-1].endswith("; nothing was published")


@pytest.mark.own_pdf_cache
def test_on_a_terminal_the_build_ends_with_a_table_of_stage_times(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project", "small")
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "TERM": "xterm", "COLUMNS": "120"}
    environment.pop("SOURCE_DATE_EPOCH", None)
    environment.pop("NO_COLOR", None)
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [*HANDBOOK, "build", "--today", "2026-05-20"],
        cwd=project,
        env=environment,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=terminal,
    )
    os.close(terminal)
    shown = b""
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # The terminal closed: the build has exited.
            break
        if not chunk:
            break
        shown += chunk
    stdout, _ = process.communicate(timeout=600)
    os.close(controller)
    assert process.returncode == 0, shown.decode(errors="replace")
    assert stdout.decode().startswith("Summary:\n")
    assert stdout.decode().endswith(f"Built 2 policies. Open {OPEN_SITE} · book: {OPEN_BOOK}\n")
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", shown.decode("utf-8", errors="replace"))
    table = text[text.rindex("Build time by stage") :]
    for stage in [*STAGES, "total"]:
        assert re.search(rf"^ *{re.escape(stage)} +{TIME}", table, re.MULTILINE), (stage, table)
    assert "3 documents: 3 rendered, 0 unchanged from the cache" in table
    # On a terminal the stages are shown live, not as log lines.
    assert "handbook: site:" not in text
