"""The `handbook` command: parses arguments, calls the pipeline, prints, exits. Nothing more."""

from __future__ import annotations

import argparse
import datetime as dt
import errno
import logging
import os
import re
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from .errors import BuildFailed

if TYPE_CHECKING:
    from collections.abc import Callable

    from .editions import EditionRequest
    from .pipeline import Prepared
    from .review import PolicyReview, ReviewReport

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 70


def _date_argument(text: str) -> dt.date:
    # Python's fromisoformat also takes 20261127 and 2026-W48-5; people mean YYYY-MM-DD only.
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        raise argparse.ArgumentTypeError(f"expected a date (YYYY-MM-DD), got {text!r}")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a real date") from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="handbook",
        description="Build and check a policy handbook from YAML policy files.",
    )
    parser.add_argument(
        "--project", type=Path, default=Path("."), help="project folder (default: current)"
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    build = commands.add_parser("build", help="validate, check reviews, build site and PDFs")
    build.add_argument("--today", type=_date_argument, help="compute reviews for this day")
    build.add_argument("--drafts", action="store_true", help="publish draft policies too")
    build.add_argument("--site-dir", type=Path, help="output folder (default: PROJECT/site)")
    build.add_argument("--site-url", help="intranet address of the site (overrides handbook.yaml)")
    build.add_argument(
        "--fail-on",
        choices=["overdue", "due-soon", "never"],
        help="fail the build on overdue or due-soon reviews (default from handbook.yaml: never)",
    )

    check = commands.add_parser("check", help="validate and print the review table")
    check.add_argument("--today", type=_date_argument, help="compute reviews for this day")
    check.add_argument(
        "--fail-on",
        choices=["overdue", "due-soon", "never"],
        default="overdue",
        help="exit 1 when a policy is in this state or worse (default: overdue)",
    )
    check.add_argument("--json", action="store_true", help="print the review register as JSON")

    reviewed = commands.add_parser(
        "reviewed", help="record that a policy was reviewed (sets last_reviewed, adds history)"
    )
    reviewed.add_argument("policy_id", metavar="POLICY-ID", help="the policy's id (file name)")
    reviewed.add_argument(
        "--on", type=_date_argument, help="the day of the review (default: today)"
    )
    reviewed.add_argument(
        "--note", help='revision history summary (default: "Reviewed, no change.")'
    )

    publish = commands.add_parser(
        "publish", help="build the site and record it as a published edition in editions/"
    )
    publish.add_argument("--edition", required=True, metavar="NAME", help="the edition's name")
    publish.add_argument("--date", type=_date_argument, help="the edition's date (default: today)")
    publish.add_argument(
        "--summary", default="", help="what this edition changes (required, one sentence)"
    )
    publish.add_argument("--site-dir", type=Path, help="output folder (default: PROJECT/site)")
    publish.add_argument(
        "--site-url", help="intranet address of the site (overrides handbook.yaml)"
    )

    new = commands.add_parser("new", help="start a new policy file in policies/")
    new.add_argument("policy_id", metavar="ID", help="the new policy's id (its file name)")
    new.add_argument("--title", required=True, help="the policy's title")
    new.add_argument("--category", help="its navigation section (default: the first one)")

    commands.add_parser("schema", help="regenerate the JSON Schemas in schema/")
    serve = commands.add_parser("serve", help="live-reloading preview of the site")
    serve.add_argument("--dev-addr", default="127.0.0.1:8000", help="address to serve on")
    return parser


def _setup_logging(verbose: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    mkdocs_logger = logging.getLogger("mkdocs")
    mkdocs_logger.handlers[:] = [handler]
    mkdocs_logger.setLevel(logging.INFO if verbose else logging.WARNING)
    mkdocs_logger.propagate = False


def main(argv: list[str] | None = None) -> int:
    """Run the `handbook` command line and return its exit status."""
    # Material 9.7+ prints a long MkDocs 2.0 notice on every run; it would bury our own output.
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    arguments = _parser().parse_args(argv)
    root = arguments.project.resolve()
    _setup_logging(verbose=False)
    try:
        if arguments.command == "build":
            return _build(root, arguments)
        if arguments.command == "check":
            return _check(root, arguments)
        if arguments.command == "reviewed":
            return _reviewed(root, arguments)
        if arguments.command == "publish":
            return _publish(root, arguments)
        if arguments.command == "new":
            return _new(root, arguments)
        if arguments.command == "schema":
            return _schema(root)
        if arguments.command == "serve":
            return _serve(root, arguments)
    except BuildFailed as failure:
        print(failure.report(), file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("handbook: interrupted; nothing was published", file=sys.stderr)
        return 130
    except Exception as error:  # A bug of ours, not bad input: say so, briefly.
        if arguments.debug:
            traceback.print_exc()
        print(
            f"handbook: internal error: {type(error).__name__}: {error}\n"
            "nothing was published; run with --debug for details and report it",
            file=sys.stderr,
        )
        return EXIT_INTERNAL
    return EXIT_USAGE


def _build(root: Path, arguments: argparse.Namespace) -> int:
    from .pipeline import build, prepare
    from .render import SiteOptions

    progress = _LiveProgress() if _use_live_progress(sys.stderr) else _LineProgress(sys.stderr)
    built = False
    edition = getattr(arguments, "edition_request", None)
    staged: list[Path] = []
    try:
        prepared = prepare(root, arguments.today, progress=progress, edition=edition)
        fail_on = arguments.fail_on or prepared.handbook.settings.review.fail_on
        for warning in _review_warnings(prepared):
            print(warning, file=sys.stderr)
        if prepared.report.fails(fail_on):
            print(
                f"handbook: review gate failed (fail on {fail_on}): "
                f"{prepared.report.summary()}; nothing was published",
                file=sys.stderr,
            )
            return EXIT_FAILED
        site_dir = (arguments.site_dir or root / "site").resolve()
        build(
            prepared,
            site_dir,
            options=SiteOptions(include_drafts=arguments.drafts),
            site_url=arguments.site_url,
            progress=progress,
            before_publish=_edition_stager(prepared, edition, staged),
        )
        built = True
    finally:
        progress.close(summary=built)
        if not built:
            _discard_staged(staged)
    recorded = None
    if edition is not None:
        from .editions import commit_edition

        recorded = commit_edition(staged[0], root, edition.name)
    count = len(prepared.handbook.policies)
    print(_build_summary(prepared, site_dir, recorded))
    # The last line says what to open, since a person reads a build's output from the bottom.
    print(
        f"Built {count} policies. Open {_shown(site_dir / 'index.html')}"
        f" · book: {_shown(site_dir / 'pdf' / 'handbook.pdf')}"
    )
    return EXIT_OK


# --------------------------------------------------------------------------- editions


def _publish(root: Path, arguments: argparse.Namespace) -> int:
    """`handbook publish`: refuse a bad request before anything runs, then build and record."""
    from .editions import EditionRefused, EditionRequest, check_request
    from .model import load_handbook
    from .pipeline import real_today

    today = real_today(load_handbook(root))
    request = EditionRequest(arguments.edition, arguments.date or today, arguments.summary)
    try:
        check_request(root, request, today)
    except EditionRefused as refusal:
        print(f"handbook publish: {refusal}; nothing was changed", file=sys.stderr)
        return EXIT_FAILED
    arguments.edition_request = request
    arguments.today = None
    arguments.drafts = False
    arguments.fail_on = None
    return _build(root, arguments)


def _edition_stager(
    prepared: Prepared, request: EditionRequest | None, staged: list[Path]
) -> Callable[[Path], None] | None:
    """The step that writes the edition from the finished build, before the site is swapped."""
    if request is None:
        return None
    from .changes import policy_counts
    from .editions import PolicyEntry, stage_edition
    from .model import Status

    def stage(build_dir: Path) -> None:
        handbook = prepared.handbook
        entries = [
            PolicyEntry(
                id=policy.id,
                title=policy.title,
                number=policy.number,
                status=policy.status.value,
                version=policy.version,
                source=f"policies/{policy.id}.yaml",
                pdf=f"pdf/{policy.id}.pdf" if policy.status is Status.ACTIVE else None,
            )
            for policy in handbook.policies
        ]
        counts = policy_counts(handbook)
        staged.append(stage_edition(handbook.root, request, entries, counts, build_dir / "pdf"))

    return stage


def _discard_staged(staged: list[Path]) -> None:
    from .editions import discard_staged

    for folder in staged:
        discard_staged(folder)


def _new(root: Path, arguments: argparse.Namespace) -> int:
    """`handbook new`: write a policy file with the required fields and placeholders."""
    from .load import PLACEHOLDER
    from .model import load_handbook
    from .record import new_policy_text

    policy_id = arguments.policy_id
    if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", policy_id):
        print(
            f"handbook new: {policy_id!r} is not a policy id: use lower-case letters, digits and "
            "single hyphens (for example phone-response); nothing was written",
            file=sys.stderr,
        )
        return EXIT_FAILED
    path = root / "policies" / f"{policy_id}.yaml"
    if path.exists():
        print(f"handbook new: {_shown(path)} already exists; nothing was written", file=sys.stderr)
        return EXIT_FAILED
    category = arguments.category
    if category is None:
        categories = load_handbook(root).categories()
        category = categories[0] if categories else f"{PLACEHOLDER} the navigation section"

    text = new_policy_text(policy_id, arguments.title, category, real_today_of(root))
    path.write_text(text, encoding="utf-8")
    print(f"Wrote {_shown(path)}: fill in each 'FILL IN:' value; `handbook check` lists them")
    return EXIT_OK


def real_today_of(root: Path) -> dt.date:
    """Today's date in the handbook's time zone (the machine's, if the handbook does not load)."""
    from .model import load_handbook
    from .pipeline import real_today

    try:
        return real_today(load_handbook(root))
    except BuildFailed:
        return dt.date.today()


def _build_summary(prepared: Prepared, site_dir: Path, recorded: Path | None) -> str:
    """What the build made: policies by status, reviews, changes since the edition, outputs."""
    from .changes import compare, policy_counts
    from .review import ReviewStatus

    counts = policy_counts(prepared.handbook)
    reviews = prepared.report.counts()
    lines = [
        f"  policies: {counts['published']} published, {counts['drafts']} "
        f"{'draft' if counts['drafts'] == 1 else 'drafts'} (not published), "
        f"{counts['retired']} retired",
        f"  reviews: {reviews[ReviewStatus.OVERDUE]} overdue, "
        f"{reviews[ReviewStatus.DUE_SOON]} due soon",
    ]
    history = prepared.history
    stored = [edition for edition in history if edition.manifest is not None]
    if recorded is not None and history:
        edition = history[-1]
        before = stored[-1] if stored else None
        if before is not None and before.handbook is not None:
            changes = compare(before.handbook, prepared.handbook, before.name, edition.name)
            lines.append(
                f"  edition {edition.name} ({edition.date}): {changes.summary()} "
                f"since edition {before.name}"
            )
        else:
            lines.append(f"  edition {edition.name} ({edition.date}): the first edition")
    elif stored and stored[-1].handbook is not None:
        latest = stored[-1]
        changes = compare(latest.handbook, prepared.handbook, latest.name, None)
        lines.append(f"  changes since edition {latest.name} ({latest.date}): {changes.summary()}")
    elif stored:
        lines.append(
            f"  changes since edition {stored[-1].name}: cannot compare; {stored[-1].problem}"
        )
    else:
        lines.append("  changes: no edition published yet (make publish EDITION=NAME)")
    lines.append(f"  site: {_shown(site_dir)}/index.html")
    lines.append(f"  book: {_shown(site_dir / 'pdf' / 'handbook.pdf')}")
    lines.append(f"  policy PDFs and desk cards: {_shown(site_dir / 'pdf')}/")
    lines.append(f"  review register: {_shown(site_dir / 'reviews.json')}, reviews.ics")
    lines.append(f"  what's new: {_shown(site_dir / 'whats-new')}/index.html")
    if recorded is not None:
        lines.append(f"  edition recorded: {_shown(recorded)}/")
    return "Summary:\n" + "\n".join(lines)


# --------------------------------------------------------------------------- build progress


class _LineProgress:
    """One line per finished stage with its time, for logs and pipes (stderr not a terminal).

    A stage that fails prints nothing, so a failed build's stderr is its errors alone.
    """

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream
        self.began = time.perf_counter()
        self.started: dict[str, float] = {}
        self.seconds: dict[str, float] = {}
        self.counts: dict[str, tuple[int, int]] = {}

    def start(self, stage: str) -> None:
        """Note when `stage` began."""
        self.started.setdefault(stage, time.perf_counter())

    def count(self, stage: str, total: int, done: int) -> None:
        """Note how many documents `stage` has and how many came from the cache."""
        self.counts[stage] = (total, done)

    def advance(self, stage: str) -> None:
        """Nothing to show per document in a log."""

    def finish(self, stage: str) -> None:
        """Record the stage's time and log it."""
        self.seconds[stage] = time.perf_counter() - self.started[stage]
        if self.stream is not None:
            print(
                f"handbook: {stage}: {self.seconds[stage]:.2f} s{self.detail(stage)}",
                file=self.stream,
            )

    def detail(self, stage: str) -> str:
        """What a counted stage did: documents rendered and taken from the cache."""
        if stage not in self.counts:
            return ""
        total, cached = self.counts[stage]
        rendered = total - cached
        return f" ({total} documents: {rendered} rendered, {cached} unchanged from the cache)"

    def total(self) -> float:
        """Seconds since the build began."""
        return time.perf_counter() - self.began

    def close(self, *, summary: bool) -> None:
        """End of the build: the total time, when it succeeded."""
        if summary and self.stream is not None:
            print(f"handbook: total: {self.total():.2f} s", file=self.stream)


class _LiveProgress(_LineProgress):
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


def _use_live_progress(stream: TextIO) -> bool:
    """A live display only for a person at a terminal, never in logs or dumb terminals."""
    return stream.isatty() and os.environ.get("TERM") != "dumb"


def _check(root: Path, arguments: argparse.Namespace) -> int:
    from .pipeline import prepare

    prepared = prepare(root, arguments.today)
    report = prepared.report
    if arguments.json:
        from .register import register_json

        sys.stdout.write(register_json(report))
    else:
        print(f"Reviews on {report.today} ({prepared.handbook.settings.timezone})\n")
        print(_review_table(report, colour=_use_colour(sys.stdout)))
        print(f"\n{report.summary()}")
    return EXIT_FAILED if report.fails(arguments.fail_on) else EXIT_OK


def _reviewed(root: Path, arguments: argparse.Namespace) -> int:
    from .model import load_handbook
    from .pipeline import prepare, real_today
    from .record import RecordRefused, record_review

    handbook = load_handbook(root)
    today = real_today(handbook)
    on = arguments.on or today
    try:
        recorded = record_review(handbook, arguments.policy_id, on, arguments.note, today)
    except RecordRefused as refusal:
        print(f"handbook reviewed: {refusal}; nothing was changed", file=sys.stderr)
        return EXIT_FAILED
    print(f"Recorded a review of {recorded.policy_id} on {on} in {_shown(recorded.path)}:")
    print(f"  last_reviewed: {on}")
    print(f"  revision_history: + {on}, review, {recorded.summary}")
    if recorded.dropped_next_due is not None:
        print(f"  review.next_due {recorded.dropped_next_due} removed: the review passed it")
    if not recorded.layout_kept:
        print(
            "handbook reviewed: the file's layout could not be kept exactly; check its diff",
            file=sys.stderr,
        )
    review = prepare(root, today).report.for_policy(recorded.policy_id)
    print(f"Next review {review.next_review}: {review.status.value}")
    return EXIT_OK


# --------------------------------------------------------------------------- review output

_COLOURS = {
    "overdue": "\033[1;31m",
    "due-soon": "\033[33m",
    "current": "\033[32m",
    "draft": "\033[2m",
    "retired": "\033[2m",
}
_RESET = "\033[0m"


def _use_colour(stream: TextIO) -> bool:
    """Colour only for a person at a terminal, and never when NO_COLOR is set (no-color.org)."""
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return stream.isatty()


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _days_text(review: PolicyReview) -> str:
    if not review.checked or review.next_review is None:
        return "not checked"
    if review.days_overdue > 0:
        return f"{review.days_overdue} overdue"
    if review.days_overdue == 0:
        return "due today"
    return f"{review.days_left} left"


def _review_table(report: ReviewReport, *, colour: bool) -> str:
    """The review table, most urgent first, with aligned plain-text columns."""
    from .review import owner_label

    header = ("STATUS", "NUMBER", "TITLE", "OWNER", "LAST REVIEWED", "NEXT REVIEW", "DAYS")
    rows = [
        (
            review.status.value,
            review.policy.number or "-",
            _clip(review.policy.title, 44),
            _clip(owner_label(review.policy), 30),
            str(review.last_reviewed) if review.last_reviewed else "never",
            str(review.next_review) if review.next_review else "-",
            _days_text(review),
        )
        for review in report.reviews
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = []
    for index, row in enumerate([header, *rows]):
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=True)]
        if colour and index > 0:
            cells[0] = f"{_COLOURS[row[0]]}{cells[0]}{_RESET}"
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def _review_warnings(prepared: Prepared) -> list[str]:
    """Compiler-style warnings for overdue and due-soon policies, pointing at the date's line."""
    from .review import ReviewStatus, owner_clause

    warnings = []
    for review in prepared.report.reviews:
        if review.status not in (ReviewStatus.OVERDUE, ReviewStatus.DUE_SOON):
            continue
        policy = review.policy
        origin = prepared.handbook.origins[policy.id]
        line = origin.line_of(*review.basis)
        if review.status is ReviewStatus.OVERDUE:
            what = f"review overdue by {review.days_overdue} days (was due {review.next_review})"
        elif review.days_left == 0:
            what = f"review due today ({review.next_review})"
        else:
            what = f"review due in {review.days_left} days ({review.next_review})"
        warnings.append(
            f"{origin.path}:{line}: warning: {what}: {policy.title}; {owner_clause(policy)}"
        )
    return warnings


def _schema(root: Path) -> int:
    from .model import json_schemas

    folder = root / "schema"
    folder.mkdir(exist_ok=True)
    for name, text in json_schemas().items():
        (folder / name).write_text(text, encoding="utf-8")
        print(f"wrote {_shown(folder / name)}")
    return EXIT_OK


class _PreviewOutput:
    """The preview's address, then its errors as they come and go, in the terminal."""

    def ready(self, url: str) -> None:
        """Say where the preview is."""
        print(f"Preview at {url} (Ctrl-C stops it); it reloads when you save a file", flush=True)

    def failed(self, report: str) -> None:
        """Show the errors, as a build would."""
        print(report, file=sys.stderr, flush=True)

    def fixed(self) -> None:
        """Say that the errors are gone."""
        print("The errors are fixed; the preview shows the sources again", flush=True)


def _serve(root: Path, arguments: argparse.Namespace) -> int:
    from .site import serve

    try:
        serve(root, arguments.dev_addr, _PreviewOutput())
    except OSError as error:
        if error.errno not in (errno.EADDRINUSE, errno.EADDRNOTAVAIL, errno.EACCES):
            raise
        print(
            f"handbook serve: cannot serve on {arguments.dev_addr}: {error.strerror}; is another"
            " preview running? Stop it, or pass another address (--dev-addr 127.0.0.1:8001)",
            file=sys.stderr,
        )
        return EXIT_FAILED
    return EXIT_OK


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


if __name__ == "__main__":
    sys.exit(main())
