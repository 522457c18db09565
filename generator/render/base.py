"""What every page of a handbook shares: its options, its policies' views, its template renders.

`BaseRenderer` holds one handbook, its review report and its published editions, with one Jinja
environment (generator/render/environment.py). The site pages (pages.py), the version pages
(editions.py) and the print views (printing.py) are all made through it. No library of its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..changes import Changes, Edition, PolicyVersion, compare, policy_versions
from ..model import Handbook, Policy, Status
from ..obligations import Requirement, acknowledge_link, current_requirements
from ..review import PolicyReview, ReviewReport, ReviewStatus
from ..text import format_date, slugify
from ..views import (
    STATUS_LABELS,
    AcknowledgeNotice,
    PolicyView,
    next_review_note,
    policy_tags,
    review_banner,
    standard_groups,
)
from .environment import make_environment


@dataclass(frozen=True)
class SiteOptions:
    """What varies between site builds of the same handbook."""

    include_drafts: bool = False
    pdf_links: bool = False
    card_links: bool = False


class BaseRenderer:
    """One handbook's policy views and template renders, with one Jinja environment."""

    def __init__(
        self,
        handbook: Handbook,
        report: ReviewReport,
        options: SiteOptions,
        history: Sequence[Edition] = (),
    ) -> None:
        self.handbook = handbook
        self.report = report
        self.options = options
        self.history = list(history)
        self._versions: dict[str, list[PolicyVersion]] = {}
        self._requirements: dict[str, Requirement] | None = None
        self._whats_new: Changes | None = None
        self._changed_ids: set[str] | None = None
        self.environment = make_environment(handbook.root / "templates")

    def published(self) -> list[Policy]:
        """Policies that appear in the navigation: active, plus drafts when asked for."""
        return [
            policy
            for policy in self.handbook.policies
            if policy.status is Status.ACTIVE
            or (policy.status is Status.DRAFT and self.options.include_drafts)
        ]

    def retired(self) -> list[Policy]:
        """Retired policies, listed on the archive page only."""
        return [p for p in self.handbook.policies if p.status is Status.RETIRED]

    def view(self, policy: Policy) -> PolicyView:
        """Prepare one policy for its page."""
        try:
            review: PolicyReview | None = self.report.for_policy(policy.id)
        except KeyError:
            review = None
        status = review.status if review else ReviewStatus.CURRENT
        known = {p.id: p for p in self.handbook.policies}
        in_print = policy.status is not Status.RETIRED
        return PolicyView(
            policy=policy,
            review=review,
            status_label=STATUS_LABELS[status],
            status_class=status.value,
            standard_groups=standard_groups(policy),
            related=[known[r] for r in policy.related if r in known],
            url=f"{policy.id}/",
            # PDFs and cards are made for published policies only, not for retired ones.
            pdf_url=f"pdf/{policy.id}.pdf" if self.options.pdf_links and in_print else None,
            card_url=f"pdf/cards/{policy.id}.pdf" if self.options.card_links and in_print else None,
            category_slug=slugify(policy.category),
            banner=review_banner(policy, review),
            # A retired page is off the navigation; its tags would lead back to it.
            tags=[] if policy.status is Status.RETIRED else policy_tags(policy),
            versions=self.versions_of(policy.id),
            acknowledgement=self.acknowledge_notice(policy),
            next_review_note=next_review_note(review, self.handbook.settings.review.cycle_months),
        )

    def render(self, template: str, **context: Any) -> str:
        """Render one template with the handbook-wide context added (`context` may replace
        `edition_label`, as a policy's own PDF does with its own)."""
        shared: dict[str, Any] = {
            "handbook": self.handbook,
            "settings": self.handbook.settings,
            "report": self.report,
            "labels": STATUS_LABELS,
            "edition_label": self.edition_label(),
            "review_summary": self.report.summary(),
        }
        return self.environment.get_template(template).render({**shared, **context})

    # ---- acknowledgements (issue 26)

    def acknowledge_notice(self, policy: Policy) -> AcknowledgeNotice | None:
        """That this version must be acknowledged, when a form is set up (acknowledge_url) and
        a published edition requires it; a revision not yet published shows nothing."""
        template = self.handbook.settings.acknowledge_url
        if template is None or policy.status is not Status.ACTIVE:
            return None
        if self._requirements is None:
            self._requirements = current_requirements(self.history)
        requirement = self._requirements.get(policy.id)
        if requirement is None or requirement.version != policy.version:
            return None
        who = (
            "everyone"
            if requirement.departments is None
            else "staff of " + ", ".join(requirement.departments)
        )
        version = f"Version {requirement.version}" if requirement.version else "This version"
        text = f"{version} must be acknowledged by {who} (edition {requirement.edition})."
        return AcknowledgeNotice(text, acknowledge_link(template, requirement))

    # ---- editions (issue 12)

    def versions_of(self, policy_id: str) -> list[PolicyVersion]:
        """A policy's published versions, oldest first (computed once per renderer)."""
        if policy_id not in self._versions:
            self._versions[policy_id] = policy_versions(self.history, policy_id)
        return self._versions[policy_id]

    def whats_new(self) -> Changes:
        """The current sources against the latest edition; when nothing changed since, that
        edition against the one before. No edition yet: nothing to compare."""
        if self._whats_new is None:
            self._whats_new = self._compare_latest()
        return self._whats_new

    def edition_label(self, policy_id: str | None = None) -> str:
        """The edition readers see, as footers, running heads and the book's cover name it:
        'Edition 2026-12, 7 December 2026', and ', with changes not yet published' when the
        handbook changed since. With `policy_id`, as that policy's own pages and PDF name it:
        the suffix only when that policy changed (or was added) since, so a one-word edit
        changes the pages and PDFs of that policy only, not those of every other one."""
        if not self.history:
            return "Not yet published as an edition"
        latest = self.history[-1]
        label = f"Edition {latest.name}, {format_date(latest.date)}"
        changed = self._changed_since_latest()
        if (policy_id in changed) if policy_id is not None else changed:
            return f"{label}, with changes not yet published"
        return label

    def _changed_since_latest(self) -> set[str]:
        # Only changes since the latest edition count: when nothing changed since, what's new
        # compares the editions before it (new_name set), and those are published.
        if self._changed_ids is None:
            changes = self.whats_new()
            self._changed_ids = (
                {change.policy_id for change in changes.policies}
                if changes.new_name is None
                else set()
            )
        return self._changed_ids

    def card_edition_label(self, policy_id: str) -> str:
        """The edition as a desk card's one short footer line names it: 'Edition 2026-12 of
        2026-12-07' (ISO, as the card's review date), or, for a policy changed since, 'Changes
        after edition 2026-12'."""
        if not self.history:
            return "Not yet published as an edition"
        latest = self.history[-1]
        if policy_id in self._changed_since_latest():
            return f"Changes after edition {latest.name}"
        return f"Edition {latest.name} of {latest.date.isoformat()}"

    def _compare_latest(self) -> Changes:
        if not self.history:
            return Changes(None, None, [])
        latest = self.history[-1]
        if latest.handbook is None:
            return Changes(latest.name, None, [])
        since = compare(latest.handbook, self.handbook, latest.name, None)
        if since.policies:
            return since
        # An edition that recorded no change (published before `publish` refused those) never
        # hides the latest real change: look further back for it.
        newer = latest
        for before in reversed(self.history[:-1]):
            if before.handbook is None or newer.handbook is None:
                return Changes(before.name, newer.name, [])
            changes = compare(before.handbook, newer.handbook, before.name, newer.name)
            if changes.policies:
                return changes
            newer = before
        previous = self.history[-2].name if len(self.history) >= 2 else None
        return Changes(previous, latest.name, [])
