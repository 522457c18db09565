"""The worker pool: a batch of PDF jobs rendered in worker processes (each importing WeasyPrint
once, and dying with the build that started it), or taken from the cache."""

from __future__ import annotations

import concurrent.futures
import contextlib
import ctypes
import ctypes.util
import gc
import multiprocessing
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from .cache import PdfCache
from .common import PdfError, RenderedPdf, ResourceRefused
from .jobs import PdfBatchFailed, PdfFailure, PdfJob, _render_job
from .layout import _stylesheet, _weasyprint


def _linux_libc() -> ctypes.CDLL | None:
    """The C library on Linux (for prctl and malloc_trim); None elsewhere."""
    libc_name = ctypes.util.find_library("c")
    if libc_name is None or not sys.platform.startswith("linux"):
        return None
    return ctypes.CDLL(libc_name, use_errno=True)


def _die_with_parent() -> None:
    """Ask Linux to end this worker when the build that started it dies, even by kill -9;
    a worker would otherwise wait forever on a queue nobody writes to."""
    libc = _linux_libc()
    if libc is None:
        return
    pr_set_pdeathsig = 1
    libc.prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
    if os.getppid() == 1:  # The parent died before the request took effect.
        os._exit(1)


# Ctrl-C reaches every process of the terminal's group: a worker must leave it to the build,
# which stops the pool and says so in one line. A worker that took it would print a traceback.
_STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}


def _start_worker(stylesheets: tuple[Path, ...], root: Path) -> None:
    """Pool initializer: import WeasyPrint and parse the shared CSS once per worker process."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Whatever handlers the worker was started with, here the default ends it.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGHUP, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)
    _die_with_parent()
    _weasyprint()
    for path in stylesheets:
        # A refused stylesheet is reported by the job itself, with the document's name.
        with contextlib.suppress(ResourceRefused):
            _stylesheet(path, root)


# What one worker may grow to while laying out the largest documents (the book's front matter
# of 1,000 policies took about 250 MB), and what the rest of the build needs (at 1,000
# policies: the build's own process about 500 MB beside the workers; after them, Pagefind's
# indexer about 750 MB and the book's join about 850 MB, one after the other).
WORKER_MEMORY = 512 * 2**20
BUILD_MEMORY = 1536 * 2**20


def available_memory() -> int | None:
    """Bytes of memory the system can give without swapping (MemAvailable), if it says."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def release_freed_memory() -> None:
    """Hand memory this process has freed back to the system, where the C library allows it
    (glibc keeps what pikepdf freed for reuse: 350 MB after the card sheets of 1,000 cards,
    which would otherwise sit under the book's join, the build's largest step)."""
    gc.collect()
    libc = _linux_libc()
    if libc is None:
        return
    with contextlib.suppress(AttributeError):  # Not glibc (musl has no malloc_trim).
        libc.malloc_trim(0)


def worker_count(cpus: int, available: int | None) -> int:
    """How many layout workers to start: one per core, but no more than the memory left after
    the rest of the build fits (at least one); the cores alone when the memory is unknown."""
    if available is None:
        return max(1, cpus)
    return max(1, min(cpus, (available - BUILD_MEMORY) // WORKER_MEMORY))


class PdfBatch:
    """PDF jobs rendered in worker processes while the caller does other work (the site).

    Jobs whose inputs are unchanged since the last build come from the cache; the rest go to a
    pool of worker processes sized to the cores and the memory left (`worker_count`), each
    importing WeasyPrint once.
    """

    def __init__(
        self, jobs: Sequence[PdfJob], cache: PdfCache | None, workers: int | None = None
    ) -> None:
        self.jobs = list(jobs)
        self.cache = cache
        self.results: dict[str, RenderedPdf] = {}
        self.keys: dict[str, str] = {}
        pending: list[PdfJob] = []
        for job in self.jobs:
            if cache is not None:
                self.keys[job.name] = cache.key(job)
                hit = cache.get(self.keys[job.name], job.root)
                if hit is not None:
                    self.results[job.name] = hit
                    continue
            pending.append(job)
        self.rendered = [job.name for job in pending]
        self.pool: concurrent.futures.ProcessPoolExecutor | None = None
        self.futures: dict[str, concurrent.futures.Future[RenderedPdf | PdfError]] = {}
        if not pending:
            return
        size = min(workers or worker_count(os.cpu_count() or 1, available_memory()), len(pending))
        stylesheets = tuple(dict.fromkeys(s for job in pending for s in job.stylesheets))
        # Spawned, not forked: a forked worker would start as big as this process (the model,
        # every rendered page), and each worker's copy counts in the build's memory. A fresh
        # one imports this package and WeasyPrint only.
        self.pool = concurrent.futures.ProcessPoolExecutor(
            max_workers=size,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
            initargs=(stylesheets, pending[0].root),
        )
        # The workers are started by the first submits. Stop signals wait until they exist, so a
        # Ctrl-C meanwhile reaches only this process; each worker then ignores it (above).
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
        try:
            # The biggest documents first (the book), so no worker is left with it at the end.
            for job in sorted(pending, key=lambda j: len(j.html), reverse=True):
                self.futures[job.name] = self.pool.submit(_render_job, job)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)

    def wait(self) -> dict[str, RenderedPdf]:
        """Every job's PDF by name; raises `PdfBatchFailed` listing every failed job."""
        failures: list[PdfFailure] = []
        by_name = {job.name: job for job in self.jobs}
        for name, future in self.futures.items():
            outcome = future.result()
            if isinstance(outcome, PdfError):
                failures.append(PdfFailure(by_name[name], outcome))
                continue
            self.results[name] = outcome
            if self.cache is not None:
                self.cache.put(self.keys[name], outcome, by_name[name].root)
        if failures:
            self.close()
            raise PdfBatchFailed(failures)
        return {job.name: self.results[job.name] for job in self.jobs}

    def forget(self) -> None:
        """Let go of every rendered PDF (the caller has written them), so their bytes do not
        stay in memory for the rest of the build."""
        self.results.clear()
        self.futures.clear()

    def close(self) -> None:
        """Stop the workers (cancelling what has not started)."""
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None
