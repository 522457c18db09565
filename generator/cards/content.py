"""What a card says: the card view of one policy (its `card:` block, or points derived from its
standards), its contacts, review and edition lines. No library: the QR code comes from `qr`.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model import (
    Contact,
    Handbook,
    Policy,
    Settings,
    Standard,
    StandardGroup,
    Status,
)
from ..render import format_target, revision_note
from ..review import PolicyReview, ReviewStatus
from .geometry import CardGeometry
from .qr import qr_svg

# A derived card lists at most this many points before the layout is even asked.
DERIVED_POINTS_LIMIT = 10


@dataclass(frozen=True)
class CardView:
    """Everything one card shows, prepared for the card templates."""

    policy_id: str
    number_label: str | None
    department: str | None
    policy_title: str
    title: str
    # The card's own title repeats the policy's (letter case aside): show the policy title once.
    title_is_policy_title: bool
    points: tuple[str, ...]
    more: int
    back_title: str | None
    back_points: tuple[str, ...]
    say: tuple[str, ...]
    avoid: tuple[str, ...]
    contacts: tuple[Contact, ...]
    edition_line: str
    review_line: str
    review_state: str
    url: str | None
    url_display: str | None
    qr_svg: str | None
    derived: bool
    draft: bool


def policy_page_url(site_url: str, policy_id: str) -> str:
    """The intranet address of a policy's page: site_url + '<id>/'."""
    return f"{site_url.rstrip('/')}/{policy_id}/"


def review_line(review: PolicyReview | None) -> tuple[str, str]:
    """The card's review text and state, e.g. ('Review due 2027-01-03', 'current')."""
    if review is None or review.next_review is None:
        return "Review date not set", "none"
    due = review.next_review.isoformat()
    if review.status is ReviewStatus.OVERDUE:
        return f"Review overdue since {due}", "overdue"
    if review.status is ReviewStatus.DUE_SOON:
        return f"Review due {due}", "due-soon"
    return f"Review due {due}", "current"


def edition_line(policy: Policy, edition: str) -> str:
    """The edition readers see and the policy's latest revision: 'Edition 2026-12 of 2026-12-07
    · Version 1.0'."""
    # The same revision note as the footer of the policy's printed pages.
    return " · ".join(part for part in (edition, revision_note(policy)) if part)


def derived_points(policy: Policy) -> tuple[str, list[str]]:
    """A title and points for a policy without a `card:` block, from its standards first.

    Standards with a deadline come first: the numbers a clerk needs are the reason for a card.
    """
    standards: list[Standard] = []
    for entry in policy.standards:
        standards.extend(entry.standards if isinstance(entry, StandardGroup) else [entry])
    if standards:
        timed = [s for s in standards if s.target is not None]
        untimed = [s for s in standards if s.target is None]
        points = []
        for standard in timed + untimed:
            target = format_target(standard.target)
            text = standard.commitment.rstrip(".")
            if target and target.lower() not in text.lower():
                text = f"{text}: {target}"
            points.append(f"{text}.")
        return "Service standards", points
    for procedure in policy.procedures:
        return procedure.title, [step.text for step in procedure.steps]
    if policy.principles:
        return "Principles", [principle.text for principle in policy.principles]
    rules = [item.rule for group in policy.guidelines for item in group.items]
    if rules:
        return "Guidelines", rules
    return "In brief", [policy.summary]


def card_contacts(policy: Policy, settings: Settings) -> tuple[Contact, ...]:
    """Whom a policy's card names: its `card:` contacts, else its own, else (only when
    handbook.yaml says they apply to every policy) the handbook-wide ones."""
    if policy.card is not None and policy.card.contacts is not None:
        return tuple(policy.card.contacts)
    if policy.contacts:
        return tuple(policy.contacts)
    # One handbook may hold several organizations' policies: another's office is no contact.
    if settings.contacts_apply_to_every_policy:
        return tuple(settings.contacts)
    return ()


def card_view(
    policy: Policy,
    review: PolicyReview | None,
    handbook: Handbook,
    site_url: str | None,
    geometry: CardGeometry,
    edition: str,
) -> CardView:
    """The card of one policy: its `card:` block, or one derived from standards and contacts."""
    card = policy.card
    if card is not None:
        title = card.title or policy.title
        points = list(card.points)
        derived = False
    else:
        title, points = derived_points(policy)
        derived = True
    more = 0
    if derived and len(points) > DERIVED_POINTS_LIMIT:
        more = len(points) - DERIVED_POINTS_LIMIT
        points = points[:DERIVED_POINTS_LIMIT]
    contacts = card_contacts(policy, handbook.settings)
    text, state = review_line(review)
    url = policy_page_url(site_url, policy.id) if site_url else None
    return CardView(
        policy_id=policy.id,
        number_label=f"Policy {policy.number}" if policy.number else None,
        department=policy.department,
        policy_title=policy.title,
        title=title,
        title_is_policy_title=title.casefold() == policy.title.casefold(),
        points=tuple(points),
        more=more,
        back_title=card.back.title if card is not None and card.back is not None else None,
        back_points=tuple(card.back.points) if card is not None and card.back else (),
        say=tuple(card.say) if card is not None else (),
        avoid=tuple(card.avoid) if card is not None else (),
        contacts=contacts,
        edition_line=edition_line(policy, edition),
        review_line=text,
        review_state=state,
        url=url,
        url_display=url.split("://", 1)[-1] if url else None,
        qr_svg=qr_svg(url, geometry.qr_mm) if url else None,
        derived=derived,
        draft=policy.status is Status.DRAFT,
    )
