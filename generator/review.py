"""The annual review rules: next review date and status per policy. Pure: `today` is passed in."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from .errors import ErrorList
from .model import Handbook, Policy, Status, latest_day


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


@dataclass(frozen=True)
class PolicyReview:
    """One policy's review state on a given day."""

    policy: Policy
    status: ReviewStatus
    last_reviewed: dt.date | None
    cycle_start: dt.date | None
    next_review: dt.date | None
    days_overdue: int

    @property
    def days_left(self) -> int:
        """Days until the next review (negative when overdue)."""
        return -self.days_overdue


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


def add_months(start: dt.date, months: int) -> dt.date:
    """`start` plus whole months, clamped to the month's last day (Feb 29 + 12 months = Feb 28)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return dt.date(year, month, day)


def cycle_start(policy: Policy) -> dt.date | None:
    """The date the current review cycle runs from: last review, else the latest lifecycle date."""
    if policy.last_reviewed is not None:
        return policy.last_reviewed
    candidates: list[dt.date] = [
        latest_day(approval.date) for approval in policy.approvals if approval.date is not None
    ]
    for value in (policy.effective, policy.renumbered, policy.adopted):
        if value is not None:
            candidates.append(value)
    if isinstance(policy.issued, dt.date):
        candidates.append(policy.issued)
    return max(candidates) if candidates else None


def review_policy(
    policy: Policy, today: dt.date, default_cycle_months: int, due_soon_days: int
) -> PolicyReview:
    """Compute one policy's next review date and status on `today`."""
    start = cycle_start(policy)
    cycle = policy.review.cycle_months or default_cycle_months
    if policy.review.next_due is not None:
        next_review: dt.date | None = policy.review.next_due
    elif start is not None:
        next_review = add_months(start, cycle)
    else:
        next_review = None
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
    return PolicyReview(policy, status, policy.last_reviewed, start, next_review, days_overdue)


def review_handbook(handbook: Handbook, today: dt.date, real_today: dt.date) -> ReviewReport:
    """Review every policy on `today`; dates after `real_today` are typos and fail the build."""
    errors = ErrorList()
    defaults = handbook.settings.review
    reviews = []
    for policy in handbook.policies:
        origin = handbook.origins[policy.id]
        future_checks: list[tuple[dt.date | None, tuple[str | int, ...]]] = [
            (policy.last_reviewed, ("last_reviewed",)),
            (policy.effective, ("effective",)),
            (policy.adopted, ("adopted",)),
            (policy.renumbered, ("renumbered",)),
        ]
        for index, approval in enumerate(policy.approvals):
            if approval.date is not None:
                # A month-only date is in the future only if the whole month is.
                first = approval.date if isinstance(approval.date, dt.date) else None
                if first is None:
                    first = dt.date(approval.date.year, approval.date.month, 1)
                future_checks.append((first, ("approvals", index, "date")))
        for value, path in future_checks:
            if value is not None and value > real_today:
                errors.extend(
                    [origin.error(f"{value} is in the future (today is {real_today})", *path)]
                )
        no_start = cycle_start(policy) is None and policy.review.next_due is None
        if policy.status is not Status.RETIRED and no_start:
            errors.extend(
                [
                    origin.error(
                        "no date to start the review cycle from: give last_reviewed, "
                        "effective, an approval date or adopted",
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
