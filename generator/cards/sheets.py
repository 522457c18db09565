"""The pages of the print sheets: which card side sits where on which page, fronts and backs
alternating for a duplex printer. No library.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from .content import CardView
from .geometry import Mark, SheetLayout


@dataclass(frozen=True)
class PlacedCard:
    """One card side on a sheet page."""

    card: CardView
    x_mm: float
    y_mm: float


@dataclass(frozen=True)
class SheetPage:
    """One printed page of a sheet: the fronts, or the backs, of up to `per_sheet` cards."""

    side: Literal["front", "back"]
    number: int
    total: int
    cards: tuple[PlacedCard, ...]
    marks: tuple[Mark, ...]


def sheet_pages(cards: Sequence[CardView], layout: SheetLayout) -> list[SheetPage]:
    """Front and back pages, alternating, so a duplex printer prints each back behind its front."""
    groups = [cards[i : i + layout.per_sheet] for i in range(0, len(cards), layout.per_sheet)]
    pages: list[SheetPage] = []
    for number, group in enumerate(groups, start=1):
        for side in ("front", "back"):
            placed = tuple(
                PlacedCard(card, *layout.position(index, side)) for index, card in enumerate(group)
            )
            # Marks on the fronts only: the backs are the same grid, and a slightly misaligned
            # duplex would print a second set just beside the first.
            marks = layout.marks if side == "front" else ()
            pages.append(SheetPage(side, number, len(groups), placed, marks))
    return pages
