"""The annual review rules: next review date and status per policy. Pure: `today` is passed in."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum

from .errors import ErrorList, SourceError
from .model import Handbook, Origin, Policy, RevisionKind, Status, YearMonth, latest_day


class ReviewStatus(StrEnum):
    """Where a policy stands against its review date."""

    CURRENT = "current"
    DUE_SOON = "due-soon"
    OVERDUE = "overdue"
    RETIRED = "retired"
    DRAFT = "draft"


URGENCY = {
    ReviewStatus.OVERDUE: 0,
    ReviewStatus.DUE_SOON: 1,
    ReviewStatus.CURRENT: 2,
    ReviewStatus.DRAFT: 3,
    ReviewStatus.RETIRED: 4,
}
CHECKED = frozenset({ReviewStatus.CURRENT, ReviewStatus.DUE_SOON, ReviewStatus.OVERDUE})
"""Statuses of policies whose review is checked: active ones. Drafts and retired are not."""

FAIL_ON = ("overdue", "due-soon", "never")
"""The values of `--fail-on` and handbook.yaml `review.fail_on`."""

MAX_CYCLE_MONTHS = 60


@dataclass(frozen=True)
class PolicyReview:
    """One policy's review state on a given day."""

    policy: Policy
    status: ReviewStatus
    last_reviewed: dt.date | None
    cycle_start: dt.date | None
    next_review: dt.date | None
    days_overdue: int
    basis: tuple[str | int, ...] = ()
    """The field the next review date comes from, e.g. ("review", "next_due")."""

    @property
    def days_left(self) -> int:
        """Days until the next review (negative when overdue)."""
        return -self.days_overdue

    @property
    def checked(self) -> bool:
        """Whether this policy's review is checked (it is active, not a draft or retired)."""
        return self.status in CHECKED


@dataclass(frozen=True)
class ReviewReport:
    """The review register for the whole handbook on `today`."""

    today: dt.date
    reviews: tuple[PolicyReview, ...]

    def for_policy(self, policy_id: str) -> PolicyReview:
        """The review state of one policy."""
        for review in self.reviews:
            if review.policy.id == policy_id:
                return review
        raise KeyError(policy_id)

    def with_status(self, status: ReviewStatus) -> list[PolicyReview]:
        """The reviews with one status, most urgent first."""
        return [review for review in self.reviews if review.status is status]

    def counts(self) -> dict[ReviewStatus, int]:
        """How many policies have each status."""
        return {status: len(self.with_status(status)) for status in ReviewStatus}

    def checked(self) -> list[PolicyReview]:
        """The reviews of active policies, most urgent first."""
        return [review for review in self.reviews if review.checked]

    def summary(self) -> str:
        """One line such as '2 overdue, 0 due soon, 3 current' (drafts and retired when any)."""
        counts = self.counts()
        text = (
            f"{counts[ReviewStatus.OVERDUE]} overdue, {counts[ReviewStatus.DUE_SOON]} due soon, "
            f"{counts[ReviewStatus.CURRENT]} current"
        )
        for status in (ReviewStatus.DRAFT, ReviewStatus.RETIRED):
            if counts[status]:
                text += f", {counts[status]} {status.value} (not checked)"
        return text

    def fails(self, fail_on: str) -> bool:
        """Whether the review gate `fail_on` (overdue, due-soon or never) fails on this report."""
        counts = self.counts()
        if fail_on == "overdue":
            return counts[ReviewStatus.OVERDUE] > 0
        if fail_on == "due-soon":
            return counts[ReviewStatus.OVERDUE] + counts[ReviewStatus.DUE_SOON] > 0
        if fail_on == "never":
            return False
        raise ValueError(f"unknown fail_on value {fail_on!r}")


def add_months(start: dt.date, months: int) -> dt.date:
    """`start` plus whole months, clamped to the month's last day (Feb 29 + 12 months = Feb 28)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return dt.date(year, month, day)


def _start_candidates(policy: Policy) -> list[tuple[dt.date, tuple[str | int, ...]]]:
    """Lifecycle dates a never-reviewed policy's cycle may start from, in the issue's order."""
    candidates: list[tuple[dt.date, tuple[str | int, ...]]] = []
    for index, approval in enumerate(policy.approvals):
        if approval.date is not None:
            # "Approved April 2025" may mean April 30: the later reading never flags early.
            candidates.append((latest_day(approval.date), ("approvals", index, "date")))
    for name in ("effective", "renumbered", "issued", "adopted"):
        value = getattr(policy, name)
        if isinstance(value, dt.date):  # `issued: unknown` gives no date.
            candidates.append((value, (name,)))
    return candidates


def cycle_basis(policy: Policy) -> tuple[dt.date, tuple[str | int, ...]] | None:
    """The date the current review cycle runs from and the field it comes from, if any.

    A substantive revision approves the policy as it now stands, so it restarts the cycle
    as a review does: the later of the two counts.
    """
    revised = [
        (entry.date, ("revision_history", index, "date"))
        for index, entry in enumerate(policy.revision_history)
        if entry.kind is RevisionKind.SUBSTANTIVE
    ]
    if policy.last_reviewed is not None:
        reviewed = (policy.last_reviewed, ("last_reviewed",))
        return max([reviewed, *revised], key=lambda candidate: candidate[0])
    candidates = _start_candidates(policy)
    if revised:
        # Latest first; on a tie the lifecycle field named in the order stays the basis.
        return max([*candidates, *revised], key=lambda candidate: candidate[0])
    if not candidates:
        return None
    latest = max(date for date, _ in candidates)
    # On a tie the first field in the order names the basis.
    return next(candidate for candidate in candidates if candidate[0] == latest)


def cycle_start(policy: Policy) -> dt.date | None:
    """The date the current review cycle runs from: last review, else the latest lifecycle date."""
    basis = cycle_basis(policy)
    return basis[0] if basis else None


def review_policy(
    policy: Policy, today: dt.date, default_cycle_months: int, due_soon_days: int
) -> PolicyReview:
    """Compute one policy's next review date and status on `today`."""
    basis = cycle_basis(policy)
    cycle = policy.review.cycle_months
    if cycle is None:
        cycle = default_cycle_months
    next_review: dt.date | None
    field: tuple[str | int, ...]
    if policy.review.next_due is not None:
        next_review, field = policy.review.next_due, ("review", "next_due")
    elif basis is not None:
        next_review, field = add_months(basis[0], cycle), basis[1]
    else:
        next_review, field = None, ()
    days_overdue = (today - next_review).days if next_review is not None else 0
    if policy.status is Status.RETIRED:
        status = ReviewStatus.RETIRED
    elif policy.status is Status.DRAFT:
        status = ReviewStatus.DRAFT
    elif days_overdue > 0:
        status = ReviewStatus.OVERDUE
    elif -days_overdue <= due_soon_days:
        status = ReviewStatus.DUE_SOON
    else:
        status = ReviewStatus.CURRENT
    return PolicyReview(
        policy,
        status,
        policy.last_reviewed,
        basis[0] if basis else None,
        next_review,
        days_overdue,
        field,
    )


def future_date_errors(policy: Policy, origin: Origin, real_today: dt.date) -> list[SourceError]:
    """Review, approval and lifecycle dates after the real current date: typos such as 2052."""
    checks: list[tuple[dt.date | YearMonth | str | None, tuple[str | int, ...]]] = [
        (policy.last_reviewed, ("last_reviewed",)),
        (policy.effective, ("effective",)),
        (policy.renumbered, ("renumbered",)),
        (policy.issued, ("issued",)),
        (policy.adopted, ("adopted",)),
    ]
    checks += [
        (approval.date, ("approvals", index, "date"))
        for index, approval in enumerate(policy.approvals)
    ]
    checks += [
        (entry.date, ("revision_history", index, "date"))
        for index, entry in enumerate(policy.revision_history)
    ]
    errors = []
    for value, path in checks:
        # A month-only date is in the future only if the whole month is.
        earliest = value.first_day() if isinstance(value, YearMonth) else value
        if isinstance(earliest, dt.date) and earliest > real_today:
            errors.append(
                origin.error(
                    f"{value} is in the future (today is {real_today}); check the year", *path
                )
            )
    return errors


def review_handbook(handbook: Handbook, today: dt.date, real_today: dt.date) -> ReviewReport:
    """Review every policy on `today`; dates after `real_today` are typos and fail the build.

    `today` only moves the day statuses are computed for; the typo guard always uses the real
    date, so `--today 2025-05-02` answers "what was due on that day?" without false errors.
    """
    errors = ErrorList()
    defaults = handbook.settings.review
    reviews = []
    for policy in handbook.policies:
        origin = handbook.origins[policy.id]
        future = future_date_errors(policy, origin, real_today)
        if future:
            # A typo such as 9999 has no review to compute (its next review has no year).
            errors.extend(future)
            continue
        cycle = policy.review.cycle_months
        if cycle is not None and not 1 <= cycle <= MAX_CYCLE_MONTHS:
            # The model refuses these already; kept here so the rules stand on their own.
            errors.extend(
                [
                    origin.error(
                        f"review cycle must be 1 to {MAX_CYCLE_MONTHS} months, got {cycle}",
                        "review",
                        "cycle_months",
                    )
                ]
            )
            continue
        unstartable = cycle_basis(policy) is None and policy.review.next_due is None
        if policy.status is Status.ACTIVE and unstartable:
            errors.extend(
                [
                    origin.error(
                        "no date to start the review cycle from: give last_reviewed, an "
                        "approval date, effective, renumbered, issued or adopted",
                        "id",
                    )
                ]
            )
            continue
        reviews.append(review_policy(policy, today, defaults.cycle_months, defaults.due_soon_days))
    errors.raise_if_any()
    ordered = sorted(
        reviews,
        key=lambda review: (
            URGENCY[review.status],
            review.next_review or dt.date.max,
            review.policy.id,
        ),
    )
    return ReviewReport(today, tuple(ordered))


def owner_label(policy: Policy) -> str:
    """Who answers for the review: `review.owner`, else the policy owner's name and title."""
    if policy.review.owner:
        return policy.review.owner
    owner = policy.owner
    parts = [part for part in (owner.name, owner.title) if part]
    if parts:
        return ", ".join(parts)
    return owner.email or owner.phone or "no owner named"


def owner_clause(policy: Policy) -> str:
    """The owner as a sentence names them: 'owner Dana Reyes', or 'owner not stated in the source'.

    A label that already speaks of the owner (a source that names none) is not prefixed again.
    """
    label = owner_label(policy)
    if _NO_OWNER.match(label):
        return label[0].lower() + label[1:]
    return f"owner {label}"


_NO_OWNER = re.compile(r"(?:no owner|owner not)\b", re.IGNORECASE)
