"""Stopping a build (issue 23): Ctrl-C, a closed terminal or `kill` end it with one line and no
traceback, as the person sees it in the terminal, and publish nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import psutil
import pytest

from conftest import HANDBOOK, ROOT, make_project, tree_digest

pytestmark = [pytest.mark.slow, pytest.mark.own_pdf_cache]


def _hear_ctrl_c() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.parametrize(
    ("stop", "status", "last_line"),
    [
        (signal.SIGINT, 130, "handbook: interrupted; nothing was published"),
        (signal.SIGTERM, 143, "handbook: stopped by SIGTERM; nothing was published"),
    ],
    ids=["ctrl-c", "kill"],
)
def test_a_stopped_build_ends_with_one_line_and_no_traceback(
    stop: signal.Signals, status: int, last_line: str, tmp_path: Path
) -> None:
    # The sample handbook with an empty PDF cache: the PDF workers are busy when it arrives.
    project = make_project(tmp_path / "project", None)
    (project / "site").mkdir()
    (project / "site" / "index.html").write_text("the last good site", encoding="utf-8")
    before = tree_digest(project / "site")
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    environment.pop("SOURCE_DATE_EPOCH", None)
    # A session of its own, as a terminal's foreground job: the signal reaches every process
    # of the build (its PDF workers too), as Ctrl-C in a terminal does.
    build = subprocess.Popen(
        [*HANDBOOK, "build", "--today", "2026-11-27"],
        cwd=project,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        # A shell's background job ignores Ctrl-C, and a child inherits that: the build must
        # hear it as a terminal's foreground job does.
        preexec_fn=_hear_ctrl_c,
    )
    assert build.stderr is not None
    seen = []
    for line in build.stderr:  # The PDF workers start after rendering ...
        seen.append(line)
        if line.startswith("handbook: render:"):
            break
    # ... and the signal arrives as soon as one exists, while it still imports WeasyPrint:
    # a worker that took Ctrl-C then printed a 25-line traceback.
    parent = psutil.Process(build.pid)
    while not parent.children() and build.poll() is None:
        time.sleep(0.01)
    os.killpg(build.pid, stop)
    rest, errors = build.communicate(timeout=120)
    stderr = "".join(seen) + errors
    assert build.returncode == status, stderr
    assert "Traceback" not in stderr + rest
    assert errors.splitlines()[-1] == last_line
    assert [line for line in errors.splitlines() if not line.startswith("handbook: ")] == []
    assert tree_digest(project / "site") == before
    assert not list(project.glob(".site-build-*"))
