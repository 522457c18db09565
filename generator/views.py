"""The model shaped for pages: a policy's view, its review banner, tags and status labels.

Below both rendering (generator/render/) and search (generator/search.py): both read a policy
through its `PolicyView`. Plain Python, no third-party library: the views know nothing of Jinja.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from .changes import PolicyVersion
from .model import Person, Policy, Standard, StandardGroup, Status
from .review import PolicyReview, ReviewStatus
from .text import format_date, slugify

STATUS_LABELS = {
    ReviewStatus.CURRENT: "Current",
    ReviewStatus.DUE_SOON: "Review due soon",
    ReviewStatus.OVERDUE: "Review overdue",
    ReviewStatus.RETIRED: "Retired",
    ReviewStatus.DRAFT: "Draft",
}


@dataclass(frozen=True)
class ReviewBanner:
    """The notice at the top of a policy page that is not simply current."""

    status: str
    title: str
    message: str
    contact: str
    owner: Person

    def as_meta(self) -> dict[str, str | None]:
        """The banner as page front matter, for the theme override that shows it."""
        return {
            "status": self.status,
            "title": self.title,
            "message": self.message,
            "contact": self.contact,
            "name": ", ".join(n for n in (self.owner.name, self.owner.title) if n) or None,
            "email": self.owner.email,
            "phone": self.owner.phone,
            "tel": self.owner.phone.replace(" ", "") if self.owner.phone else None,
        }


@dataclass(frozen=True)
class AcknowledgeNotice:
    """That the version on a page must be acknowledged (issue 26), and where: never by whom."""

    text: str
    url: str | None


@dataclass(frozen=True)
class PolicyView:
    """Everything a policy page shows, prepared for the template."""

    policy: Policy
    review: PolicyReview | None
    status_label: str
    status_class: str
    standard_groups: list[tuple[str, str, list[tuple[str, Standard]]]]
    related: list[Policy]
    url: str
    pdf_url: str | None
    card_url: str | None
    category_slug: str
    banner: ReviewBanner | None = None
    tags: list[str] = field(default_factory=list)
    # ---- editions (issue 12): the published versions, and the way back to the site root.
    versions: list[PolicyVersion] = field(default_factory=list)
    base: str = "../"
    # ---- acknowledgements (issue 26)
    acknowledgement: AcknowledgeNotice | None = None
    # How the next review date was found, when the handbook computed it rather than a source
    # stating it: "by this handbook's 12-month review cycle; the source sets none".
    next_review_note: str | None = None


def next_review_note(review: PolicyReview | None, default_cycle_months: int) -> str | None:
    """Says that a next review date is the handbook's arithmetic, not a source's fact; None when
    `review.next_due` states it."""
    if review is None or review.next_review is None or review.basis == ("review", "next_due"):
        return None
    cycle = review.policy.review.cycle_months or default_cycle_months
    return f"by this handbook's {cycle}-month review cycle; the source sets none"


def _days(count: int) -> str:
    return f"{count} day" if count == 1 else f"{count} days"


def _how_long(days: int) -> str:
    """A span as people say it: '73 days', 'about 7 months', 'over 8 years'."""
    if days < 90:
        return _days(days)
    if days < 730:
        return f"about {round(days / 30.44)} months"
    return f"over {days // 365} years"


def who_to_ask(policy: Policy) -> Person:
    """Whom a page notice sends readers to: the owner, else the policy's first contact."""
    # A source may name no owner but a contact for questions (Pinole names only HR).
    if policy.owner.name is None and policy.contacts:
        contact = policy.contacts[0]
        return Person(name=contact.name, email=contact.email, phone=contact.phone)
    return policy.owner


def review_banner(policy: Policy, review: PolicyReview | None) -> ReviewBanner | None:
    """The page notice for a policy that is overdue, due soon, retired or a draft; else None."""
    asked = who_to_ask(policy)
    owner = asked.name or asked.title or "the policy owner"
    if policy.status is Status.RETIRED:
        return ReviewBanner(
            "retired",
            "Retired",
            "This policy is retired and no longer applies. It is kept for the record.",
            "Questions:",
            asked,
        )
    if policy.status is Status.DRAFT:
        return ReviewBanner(
            "draft",
            "Draft",
            "This policy is a draft. It is not in force until it is approved and published.",
            "Comments to:",
            asked,
        )
    if review is None or review.next_review is None:
        return None
    due = format_date(review.next_review)
    if review.status is ReviewStatus.OVERDUE:
        return ReviewBanner(
            "overdue",
            "Review overdue",
            f"This policy was due for its annual review on {due} and has been overdue for "
            f"{_how_long(review.days_overdue)}. Parts of it may be out of date: before relying on "
            f"it, check with {owner}.",
            "Contact:",
            asked,
        )
    if review.status is ReviewStatus.DUE_SOON:
        when = "today" if review.days_left == 0 else f"in {_days(review.days_left)}"
        return ReviewBanner(
            "due-soon",
            "Review due soon",
            f"This policy is due for its annual review on {due} ({when}). "
            f"Questions about it go to {owner}.",
            "Contact:",
            asked,
        )
    return None


def policy_tags_audience(policy: Policy) -> list[str]:
    """The applies_to tags of a policy, escaped as in `policy_tags`."""
    return [html.escape(name, quote=True) for name in policy.applies_to if name]


def policy_tags(policy: Policy) -> list[str]:
    """Tag names for the tags plugin: department and who the policy applies to, HTML-escaped
    because Material prints tag names into the page unescaped."""
    department = [html.escape(policy.department, quote=True)] if policy.department else []
    return list(dict.fromkeys(department + policy_tags_audience(policy)))


def standard_groups(policy: Policy) -> list[tuple[str, str, list[tuple[str, Standard]]]]:
    """Standards grouped for display, each with a stable anchor (standard-3, ...)."""
    groups: list[tuple[str, str, list[tuple[str, Standard]]]] = []
    loose: list[tuple[str, Standard]] = []
    number = 0
    for entry in policy.standards:
        if isinstance(entry, StandardGroup):
            items = []
            for standard in entry.standards:
                number += 1
                items.append((f"standard-{number}", standard))
            groups.append((entry.title, slugify(entry.title), items))
        else:
            number += 1
            loose.append((f"standard-{number}", entry))
    if loose:
        groups.insert(0, ("", "standards", loose))
    return groups
