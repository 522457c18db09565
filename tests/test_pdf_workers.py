"""A build killed with kill -9 takes its PDF worker processes with it: nothing is left running
on a shared server, holding memory, after an interrupted `make build`."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import psutil
import pytest

from conftest import HANDBOOK, ROOT

pytestmark = [pytest.mark.slow, pytest.mark.own_pdf_cache]


def test_workers_end_when_the_build_is_killed(small_project: Path) -> None:
    build = subprocess.Popen(
        [*HANDBOOK, "build"],
        cwd=small_project,
        env={**os.environ, "PYTHONPATH": str(ROOT), "NO_MKDOCS_2_WARNING": "1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    parent = psutil.Process(build.pid)
    workers: list[psutil.Process] = []
    for _ in range(600):  # Until the pool has started, or the build ended without one.
        workers = parent.children()
        if workers or build.poll() is not None:
            break
        time.sleep(0.05)
    assert workers, "the build finished before its PDF workers could be seen"
    os.kill(build.pid, signal.SIGKILL)
    build.wait()
    gone, alive = psutil.wait_procs(workers, timeout=30)
    assert alive == [], f"workers outlived the build: {[p.pid for p in alive]}"
    assert len(gone) == len(workers)
