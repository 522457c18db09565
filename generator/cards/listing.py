"""The site's "Desk cards" page: the card PDFs a build makes and the print sheets, listed
through the renderer's one Jinja environment (no library of its own).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..render import Renderer
from .content import derived_points, review_line
from .geometry import CARD_SIZES, SHEET_SIZES, impose
from .paths import card_path, sheet_path


@dataclass(frozen=True)
class CardEntry:
    """One card on the "Desk cards" page."""

    policy_id: str
    policy_title: str
    number: str | None
    card_title: str
    url: str
    review_line: str


@dataclass(frozen=True)
class SheetEntry:
    """One print sheet on the "Desk cards" page."""

    label: str
    url: str
    per_sheet: int
    pages: int


@dataclass(frozen=True)
class CardListing:
    """What the "Desk cards" page lists: every card PDF and the print sheets."""

    size_label: str
    sheet_names: str
    entries: tuple[CardEntry, ...]
    sheets: tuple[SheetEntry, ...]


def cards_page(renderer: Renderer) -> str:
    """The site's "Desk cards" page (Markdown): every card PDF and the print sheets."""
    return render_cards_page(renderer, card_listing(renderer))


def card_listing(renderer: Renderer) -> CardListing:
    """The cards a build makes for the published policies, for the "Desk cards" page."""
    handbook = renderer.handbook
    size = CARD_SIZES[handbook.settings.card_size]
    reviews = {review.policy.id: review for review in renderer.report.reviews}
    entries = []
    for policy in renderer.published():
        title = (policy.card.title if policy.card else None) or (
            policy.title if policy.card else derived_points(policy)[0]
        )
        entries.append(
            CardEntry(
                policy_id=policy.id,
                policy_title=policy.title,
                number=policy.number,
                card_title=title,
                url=card_path(policy.id),
                review_line=review_line(reviews.get(policy.id))[0],
            )
        )
    sheets = []
    for key, sheet in SHEET_SIZES.items():
        layout = impose(size, sheet)
        sheet_count = math.ceil(len(entries) / layout.per_sheet)
        sheets.append(SheetEntry(sheet.label, sheet_path(key), layout.per_sheet, 2 * sheet_count))
    return CardListing(
        size_label=size.label,
        sheet_names=" or ".join(sheet.label for sheet in SHEET_SIZES.values()),
        entries=tuple(entries),
        sheets=tuple(sheets),
    )


def render_cards_page(renderer: Renderer, listing: CardListing) -> str:
    """The site's "Desk cards" page: every card PDF and the two print sheets."""
    return renderer.render("cards.md.j2", listing=listing)
