"""How a build shows its progress: a line per stage in logs, a live display on a terminal.

The only module that imports rich.
"""

from __future__ import annotations

import os
import threading
import time
from typing import TextIO


class LineProgress:
    """One line per finished stage with its time, for logs and pipes (stderr not a terminal).

    A stage that fails prints nothing, so a failed build's stderr is its errors alone.
    """

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream
        self.began = time.perf_counter()
        self.started: dict[str, float] = {}
        self.seconds: dict[str, float] = {}
        self.counts: dict[str, tuple[int, int]] = {}
        self.notes: dict[str, str] = {}

    def start(self, stage: str) -> None:
        """Note when `stage` began."""
        self.started.setdefault(stage, time.perf_counter())

    def count(self, stage: str, total: int, done: int) -> None:
        """Note how many documents `stage` has and how many came from the cache."""
        self.counts[stage] = (total, done)

    def advance(self, stage: str) -> None:
        """Nothing to show per document in a log."""

    def note(self, stage: str, text: str) -> None:
        """Note what else the stage did; shown after its documents."""
        self.notes[stage] = text

    def finish(self, stage: str) -> None:
        """Record the stage's time and log it."""
        self.seconds[stage] = time.perf_counter() - self.started[stage]
        if self.stream is not None:
            print(
                f"handbook: {stage}: {self.seconds[stage]:.2f} s{self.detail(stage)}",
                file=self.stream,
            )

    def detail(self, stage: str) -> str:
        """What a counted stage did: documents rendered and taken from the cache (pages built
        and taken from the published site)."""
        if stage not in self.counts:
            return f" ({self.notes[stage]})" if stage in self.notes else ""
        total, cached = self.counts[stage]
        rendered = total - cached
        if stage == "site":
            return f" ({total} pages: {rendered} rebuilt, {cached} unchanged)"
        note = f"; {self.notes[stage]}" if stage in self.notes else ""
        return f" ({total} documents: {rendered} rendered, {cached} unchanged from the cache{note})"

    def total(self) -> float:
        """Seconds since the build began."""
        return time.perf_counter() - self.began

    def close(self, *, summary: bool) -> None:
        """End of the build: the total time, when it succeeded."""
        if summary and self.stream is not None:
            print(f"handbook: total: {self.total():.2f} s", file=self.stream)


class LiveProgress(LineProgress):
    """On a terminal: a line per stage that updates while it runs, then a table of times."""

    def __init__(self) -> None:
        super().__init__(None)
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            Progress,
            SpinnerColumn,
            TaskID,
            TextColumn,
            TimeElapsedColumn,
        )

        self.console = Console(stderr=True)
        self.display = Progress(
            SpinnerColumn(),
            TextColumn("{task.description:<16}"),
            BarColumn(),
            TextColumn("{task.fields[detail]}"),
            TimeElapsedColumn(),
            console=self.console,
            transient=True,
            auto_refresh=False,
        )
        self.tasks: dict[str, TaskID] = {}
        # The PDF workers are forked while the display runs. Rich's own refresh thread could be
        # halfway through a write to the terminal at that moment, and the child would inherit
        # the stream's lock held; our thread refreshes under a lock that a fork waits for.
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.refresher = threading.Thread(target=self._refresh, daemon=True)
        os.register_at_fork(before=self.lock.acquire, after_in_parent=self.lock.release)

    def _refresh(self) -> None:
        while not self.stopping.wait(0.1):
            with self.lock:
                self.display.refresh()

    def start(self, stage: str) -> None:
        """Show the stage as running."""
        super().start(stage)
        if stage not in self.tasks:
            if not self.tasks:
                with self.lock:
                    self.display.start()
                self.refresher.start()
            self.tasks[stage] = self.display.add_task(stage, total=None, detail="")

    def count(self, stage: str, total: int, done: int) -> None:
        """Show a bar of documents for the stage."""
        super().count(stage, total, done)
        self.display.update(
            self.tasks[stage], total=total, completed=done, detail=f"{done}/{total}"
        )

    def advance(self, stage: str) -> None:
        """One more document is done."""
        task = self.display.tasks[self.tasks[stage]]
        self.display.update(
            task.id, advance=1, detail=f"{int(task.completed) + 1}/{int(task.total or 0)}"
        )

    def finish(self, stage: str) -> None:
        """Mark the stage done; its elapsed time stops."""
        super().finish(stage)
        task = self.display.tasks[self.tasks[stage]]
        total = task.total or 1
        self.display.update(task.id, total=total, completed=total)

    def close(self, *, summary: bool) -> None:
        """Stop the display; after a successful build, print the time of every stage."""
        self.stopping.set()
        if self.refresher.is_alive():
            self.refresher.join()
        with self.lock:
            self.display.stop()
        if not summary:
            return
        from rich.table import Table

        table = Table(title="Build time by stage", title_justify="left", box=None)
        table.add_column("stage")
        table.add_column("time", justify="right")
        table.add_column("")
        for stage, seconds in self.seconds.items():
            note = self.detail(stage).strip(" ()")
            if stage == "PDFs":
                note = f"{note}; in worker processes alongside the site and cards".lstrip("; ")
            table.add_row(stage, f"{seconds:.2f} s", note)
        table.add_row("total", f"{self.total():.2f} s", "", style="bold")
        self.console.print(table)


def use_live_progress(stream: TextIO) -> bool:
    """A live display only for a person at a terminal, never in logs or dumb terminals."""
    return stream.isatty() and os.environ.get("TERM") != "dumb"
