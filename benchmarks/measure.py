"""Wall time and peak memory (RSS of the whole process tree) of one command."""

from __future__ import annotations

import os
import statistics
import subprocess
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import psutil


@dataclass(frozen=True)
class Measurement:
    """One command's wall time in seconds and peak tree RSS in bytes."""

    seconds: float
    peak_rss: int


def _tree_rss(process: psutil.Process) -> int:
    total = 0
    try:
        members = [process, *process.children(recursive=True)]
    except psutil.Error:
        return 0
    for member in members:
        try:
            total += member.memory_info().rss
        except psutil.Error:
            continue
    return total


def run_measured(
    command: Sequence[str], cwd: Path, env: dict[str, str] | None = None
) -> Measurement:
    """Run `command`, sampling the RSS of it and its children every 20 ms."""
    environment = {
        **os.environ,
        "NO_MKDOCS_2_WARNING": "1",
        "PYTHONPATH": str(Path(__file__).resolve().parent.parent),
        **(env or {}),
    }
    started = time.perf_counter()
    process = subprocess.Popen(
        list(command),
        cwd=cwd,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    peak = 0
    stop = threading.Event()
    watched = psutil.Process(process.pid)

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, _tree_rss(watched))
            stop.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, stderr = process.communicate()
    elapsed = time.perf_counter() - started
    stop.set()
    sampler.join()
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({process.returncode}):\n{stderr}")
    return Measurement(elapsed, peak)


def median(measurements: Sequence[Measurement]) -> Measurement:
    """The median time and the largest peak of repeated runs."""
    return Measurement(
        statistics.median(m.seconds for m in measurements),
        max(m.peak_rss for m in measurements),
    )
