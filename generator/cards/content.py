"""What a card says: the card view of one policy (its `card:` block, or points derived from its
standards), its contacts, review and edition lines. No library: the QR code comes from `qr`.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model import (
    Card,
    CardPhrase,
    CardPoint,
    Contact,
    Handbook,
    Policy,
    Rule,
    Settings,
    Status,
    figures,
    policy_rules,
)
from ..model.rules import phrase_texts
from ..render import format_target, revision_note
from ..review import PolicyReview, ReviewStatus
from .geometry import CardGeometry
from .qr import QrCodes

# A derived card lists at most this many points before the layout is even asked.
DERIVED_POINTS_LIMIT = 10


@dataclass(frozen=True)
class CardLine:
    """One point or phrase of a card: its words and, in small print, the rules it comes from."""

    text: str
    # "Std 8", "In person 5": where an employee looks the point up (None: the card's own note).
    ref: str | None = None
    # The cited rule's own sub-points, listed under it ("The greeting should include: ...").
    points: tuple[str, ...] = ()


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
    points: tuple[CardLine, ...]
    more: int
    back_title: str | None
    back_points: tuple[CardLine, ...]
    say: tuple[CardLine, ...]
    avoid: tuple[CardLine, ...]
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


def derived_points(policy: Policy) -> tuple[str, list[CardLine]]:
    """A title and points for a policy without a `card:` block, each citing its rule; from its
    standards first.

    Standards with a deadline come first: the numbers a clerk needs are the reason for a card.
    """
    rules = list(policy_rules(policy).values())
    standards = [r for r in rules if r.address.startswith("standard-")]
    if standards:
        timed = [r for r in standards if r.target is not None]
        untimed = [r for r in standards if r.target is None]
        return "Service standards", [_standard_line(rule) for rule in timed + untimed]
    steps = [r for r in rules if r.path[:2] == ("procedures", 0)]
    if steps:
        return policy.procedures[0].title, [_line(r) for r in steps]
    principles = [r for r in rules if r.address.startswith("principle-")]
    if principles:
        return "Principles", [_line(r) for r in principles]
    if rules:
        return "Guidelines", [_line(r) for r in rules]
    # No rules to cite (a source known only by its contents): the summary, as the card's note.
    return "In brief", [CardLine(policy.summary)]


def _line(rule: Rule) -> CardLine:
    return CardLine(rule.card_text, rule.label)


def _standard_line(rule: Rule) -> CardLine:
    text = rule.card_text.rstrip(".")
    target = format_target(rule.target)
    # The target is added only when the text states no limit of its own: "Return voicemail
    # within one business day: within 1 business day." says one fact twice.
    if target and not figures(text) and target.lower() not in text.lower():
        text = f"{text}: {target}"
    return CardLine(f"{text}.", rule.label)


def _standards_left_out(card: Card, rules: dict[str, Rule]) -> int:
    """How many of its policy's standards a card that lists standards leaves out: the card says
    so ("and 1 more"), so that a reader never takes part of the standards for all of them."""
    points = card.points + (card.back.points if card.back else [])
    cited = {address for point in points for address in point.cites}
    standards = {address for address in rules if address.startswith("standard-")}
    return len(standards - cited) if cited & standards else 0


def _sub_points(rule: Rule) -> tuple[str, ...]:
    # A short form stands for the whole rule, unless it is a lead-in to the rule's points
    # ("To provide accurate information, we:").
    if rule.short is None or rule.short.rstrip().endswith(":"):
        return rule.points
    return ()


def card_lines(points: list[CardPoint], rules: dict[str, Rule]) -> list[CardLine]:
    """The card lines of cited points: each rule's short form or text, or the point's own words
    (for a point joining several rules), with the references in small print."""
    lines: list[CardLine] = []
    for point in points:
        if point.note is not None:
            lines.append(CardLine(point.note))
            continue
        cited = [rules[a] for a in point.cites if a in rules]
        refs = ", ".join(rule.label for rule in cited) or None
        if point.text is not None:
            lines.append(CardLine(point.text, refs))
        else:
            lines.extend(CardLine(rule.card_text, rule.label, _sub_points(rule)) for rule in cited)
    return lines


def phrase_lines(kind: str, phrases: list[CardPhrase], rules: dict[str, Rule]) -> list[CardLine]:
    """Phrases to say or avoid, each with the guideline it comes from in small print."""
    lines: list[CardLine] = []
    for phrase in phrases:
        rule = rules.get(phrase.rule or "")
        ref = rule.label if rule is not None else None
        lines.extend(CardLine(text, ref) for text in phrase_texts(kind, phrase, rules))
    return lines


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
    qr_codes: QrCodes,
) -> CardView:
    """The card of one policy: its `card:` block, or one derived from standards and contacts."""
    card = policy.card
    rules = policy_rules(policy)
    if card is not None:
        title = card.title or policy.title
        points = card_lines(card.points, rules)
        derived = False
    else:
        title, points = derived_points(policy)
        derived = True
    more = 0 if card is None else _standards_left_out(card, rules)
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
        back_points=(
            tuple(card_lines(card.back.points, rules)) if card is not None and card.back else ()
        ),
        say=tuple(phrase_lines("say", card.say, rules)) if card is not None else (),
        avoid=tuple(phrase_lines("avoid", card.avoid, rules)) if card is not None else (),
        contacts=contacts,
        edition_line=edition_line(policy, edition),
        review_line=text,
        review_state=state,
        url=url,
        url_display=url.split("://", 1)[-1] if url else None,
        qr_svg=qr_codes.svg(url, geometry.qr_mm) if url else None,
        derived=derived,
        draft=policy.status is Status.DRAFT,
    )
