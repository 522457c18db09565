"""What the commands print: review table and warnings, build summary, the preview's messages.

Plain text and ANSI colours only; no library of its own.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from ..model import Handbook
    from ..prepare import Prepared
    from ..review import PolicyReview, ReviewReport

_COLOURS = {
    "overdue": "\033[1;31m",
    "due-soon": "\033[33m",
    "current": "\033[32m",
    "draft": "\033[2m",
    "retired": "\033[2m",
}
_RESET = "\033[0m"


def use_colour(stream: TextIO) -> bool:
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


def review_table(report: ReviewReport, *, colour: bool) -> str:
    """The review table, most urgent first, with aligned plain-text columns."""
    from ..review import owner_label

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


def via_make() -> bool:
    """True when a `make` target of ours ran the command: messages then name what HR typed."""
    return os.environ.get("HANDBOOK_VIA_MAKE") == "1"


def as_typed(make: str, direct: str) -> str:
    """The command as the person typed it: the `make` form through make, else the flags."""
    return make if via_make() else direct


def draft_warnings(handbook: Handbook) -> list[str]:
    """A draft's problems as warnings at file:line, then one line per draft saying what follows."""
    lines = []
    counts: dict[str, int] = {}
    for warning in handbook.warnings:
        where = f"{warning.path}:{warning.line}" if warning.line > 0 else warning.path
        what = f"{warning.field}: {warning.message}" if warning.field else warning.message
        lines.append(f"{where}: warning: {what}")
        counts[warning.path] = counts.get(warning.path, 0) + 1
    strict = as_typed("make check STRICT=1", "handbook check --strict")
    for path, count in counts.items():
        these = "1 problem above is" if count == 1 else f"{count} problems above are"
        errors = "it is an error" if count == 1 else "they are errors"
        lines.append(
            f"{path}: warning: a draft, left out until its {these} fixed; {errors} once its "
            f"status is active (and with {strict})"
        )
    return lines


def review_warnings(prepared: Prepared) -> list[str]:
    """Compiler-style warnings for overdue and due-soon policies, pointing at the date's line."""
    from ..review import ReviewStatus, owner_clause

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


def build_summary(prepared: Prepared, site_dir: Path, recorded: Path | None) -> str:
    """What the build made: policies by status, reviews, changes since the edition, outputs."""
    from ..changes import compare, policy_counts
    from ..review import ReviewStatus

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
        if changes.policies:
            # Readers see edition NAME in footers, running heads and cards until the next one.
            lines.append(
                f"  changes since edition {latest.name} ({latest.date}), not yet published: "
                f'{changes.summary()} (make publish EDITION=NAME SUMMARY="...")'
            )
        else:
            lines.append(f"  edition {latest.name} ({latest.date}): no changes since")
    elif stored:
        lines.append(
            f"  changes since edition {stored[-1].name}: cannot compare; {stored[-1].problem}"
        )
    else:
        lines.append("  changes: no edition published yet (make publish EDITION=NAME)")
    lines.append(f"  site: {shown(site_dir)}/index.html")
    lines.append(f"  book: {shown(site_dir / 'pdf' / 'handbook.pdf')}")
    lines.append(f"  policy PDFs and desk cards: {shown(site_dir / 'pdf')}/")
    lines.append(f"  review register: {shown(site_dir / 'reviews.json')}, reviews.ics")
    lines.append(f"  what's new: {shown(site_dir / 'whats-new')}/index.html")
    if recorded is not None:
        lines.append(f"  edition recorded: {shown(recorded)}/")
    return "Summary:\n" + "\n".join(lines)


class PreviewOutput:
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


def shown(path: Path) -> str:
    """The path as a person typed it: relative to the current folder when it is inside it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
