"""The benchmark machinery runs end to end at N = 3, so `make bench` cannot rot. No timing is
asserted: speed is measured by `make bench`, never by a test."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

pytestmark = pytest.mark.slow


def run_bench(*arguments: str, timeout: int) -> subprocess.CompletedProcess[str]:
    """Run `python -m benchmarks.run` from the project root."""
    return subprocess.run(
        [sys.executable, "-m", "benchmarks.run", *arguments],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_bench_runs_and_writes_both_results(tmp_path: Path) -> None:
    out = tmp_path / "out"
    completed = run_bench(
        "--sizes",
        "3",
        "--runs",
        "1",
        "--no-peers",
        "--work",
        str(tmp_path / "work"),
        "--out",
        str(out),
        timeout=600,
    )
    assert completed.returncode == 0, completed.stderr
    table = (out / "results.md").read_text(encoding="utf-8")
    for row in (
        "| load + validate + review |",
        "| site alone |",
        "| full build |",
        "| rebuild after one edit |",
        "| our book alone |",
        "| plain mkdocs build |",
        "| plain WeasyPrint book |",
        # HR's case (issue 24): with an edition published, then with policies added since.
        "| full build, edition present |",
        "| rebuild after one edit, edition present |",
        "| full build, 5 % added since the edition |",
        "| rebuild after one edit, 5 % added since the edition |",
    ):
        assert row in table
    assert "| N = 3 |" in table
    assert "- N = 3: 5 % added since the edition: 1 of 4 policies added" in table
    # Every target is listed, and none can be judged from N = 3 alone.
    # (The Targets section only: the hand-written findings after it may hold tables too.)
    targets = table.split("## Targets\n", 1)[1].split("\n## ", 1)[0]
    assert targets.count("| — |") == 15
    assert "## The targets, honestly" in table
    # The first search in Chromium, ours and Material's lunr, at the largest size.
    search = table.split("## Search: first result in Chromium", 1)[1]
    assert "| 3 | Pagefind, per rule (ours) |" in search
    assert "| 3 | Material lunr |" in search
    assert (out / "results.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")

    # The report can be rewritten from the saved figures without measuring again.
    (out / "results.md").unlink()
    rewritten = run_bench(
        "--report-only",
        "--work",
        str(tmp_path / "work"),
        "--out",
        str(out),
        timeout=120,
    )
    assert rewritten.returncode == 0, rewritten.stderr
    assert (out / "results.md").read_text(encoding="utf-8") == table
