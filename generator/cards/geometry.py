"""Card and sheet geometry: paper sizes, each card size's spacing, how cards are imposed on a
sheet, and where the crop marks go. Pure arithmetic in millimetres; no library.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

PT_PER_MM = 72 / 25.4


# --------------------------------------------------------------------------- sizes


@dataclass(frozen=True)
class PaperSize:
    """A card or sheet size, portrait, in millimetres."""

    key: str
    label: str
    width_mm: float
    height_mm: float


CARD_SIZES = {
    "a6": PaperSize("a6", "A6 card (105 by 148 mm)", 105.0, 148.0),
    "4x6": PaperSize("4x6", "4 by 6 inch index card", 101.6, 152.4),
    "3x5": PaperSize("3x5", "3 by 5 inch index card", 76.2, 127.0),
}
SHEET_SIZES = {
    "letter": PaperSize("letter", "US Letter", 215.9, 279.4),
    "a4": PaperSize("a4", "A4", 210.0, 297.0),
}


@dataclass(frozen=True)
class CardGeometry:
    """The spacing of one card size: the frame inset from the cut edge, padding, QR size."""

    size: PaperSize
    inset_mm: float
    border_mm: float
    padding_mm: float
    qr_mm: float
    footer_gap_mm: float

    @property
    def content_margin_mm(self) -> float:
        """From the card's cut edge to its text: the page margin of the measuring layout."""
        return self.inset_mm + self.border_mm + self.padding_mm


GEOMETRY = {
    "a6": CardGeometry(CARD_SIZES["a6"], 3.0, 0.3, 4.0, 21.0, 3.0),
    "4x6": CardGeometry(CARD_SIZES["4x6"], 3.0, 0.3, 4.0, 21.0, 3.0),
    "3x5": CardGeometry(CARD_SIZES["3x5"], 2.5, 0.3, 3.0, 17.0, 2.0),
}


# --------------------------------------------------------------------------- imposition


@dataclass(frozen=True)
class Mark:
    """One crop mark: a hairline from (x1, y1) to (x2, y2), millimetres from the top left."""

    x1: float
    y1: float
    x2: float
    y2: float


@dataclass(frozen=True)
class SheetLayout:
    """How cards of one size sit on one sheet: a centred grid of abutting cards."""

    sheet: PaperSize
    card: PaperSize
    columns: int
    rows: int
    left_mm: float
    top_mm: float
    marks: tuple[Mark, ...]

    @property
    def per_sheet(self) -> int:
        """How many cards one sheet holds."""
        return self.columns * self.rows

    def position(self, index: int, side: Literal["front", "back"]) -> tuple[float, float]:
        """Top-left corner (mm) of the card in slot `index` on the front or the back page.

        Backs mirror the column order: a sheet flipped on its long edge puts the back of the
        card in column 1 behind column `columns`, and the grid is centred, so they line up.
        """
        row, column = divmod(index, self.columns)
        if side == "back":
            column = self.columns - 1 - column
        return (
            round(self.left_mm + column * self.card.width_mm, 3),
            round(self.top_mm + row * self.card.height_mm, 3),
        )


# Crop marks stand off the cards by MARK_GAP and run MARK_LENGTH into a margin when the margin
# is wide enough to print in (printers leave 4-6 mm at the paper edge unprinted). Otherwise they
# run INNER_MARK_LENGTH along the cut line itself, inside the cards' blank edge, where the cut
# removes them. A block edge closer than NO_CUT to the paper edge needs no cut at all.
MARK_GAP = 2.0
MARK_LENGTH = 6.0
MARGIN_FOR_OUTER_MARKS = 10.0
INNER_MARK_LENGTH = 10.0
NO_CUT = 1.0


def impose(card: PaperSize, sheet: PaperSize) -> SheetLayout:
    """Lay cards out on a sheet: as many as fit, abutting (one cut between two), centred."""
    columns = math.floor(sheet.width_mm / card.width_mm + 1e-9)
    rows = math.floor(sheet.height_mm / card.height_mm + 1e-9)
    if columns < 1 or rows < 1:
        raise ValueError(f"a {card.label} card does not fit on {sheet.label} paper")
    block_width, block_height = columns * card.width_mm, rows * card.height_mm
    left = (sheet.width_mm - block_width) / 2
    top = (sheet.height_mm - block_height) / 2
    right, bottom = left + block_width, top + block_height
    marks: list[Mark] = []
    for column in range(columns + 1):
        x = left + column * card.width_mm
        outer = column in (0, columns)
        if outer and left < NO_CUT:
            continue
        marks.extend(_cut_marks(x, top, bottom, top, vertical=True))
    for row in range(rows + 1):
        y = top + row * card.height_mm
        outer = row in (0, rows)
        if outer and top < NO_CUT:
            continue
        marks.extend(_cut_marks(y, left, right, left, vertical=False))
    rounded = tuple(
        Mark(round(m.x1, 3), round(m.y1, 3), round(m.x2, 3), round(m.y2, 3)) for m in marks
    )
    return SheetLayout(sheet, card, columns, rows, round(left, 3), round(top, 3), rounded)


def _cut_marks(at: float, start: float, end: float, margin: float, *, vertical: bool) -> list[Mark]:
    """The two marks at the ends of one cut line (x = at, or y = at) across a block."""
    if margin >= MARGIN_FOR_OUTER_MARKS:
        length = min(MARK_LENGTH, margin - MARK_GAP - 3.0)
        spans = [
            (start - MARK_GAP - length, start - MARK_GAP),
            (end + MARK_GAP, end + MARK_GAP + length),
        ]
    else:
        spans = [(start, start + INNER_MARK_LENGTH), (end - INNER_MARK_LENGTH, end)]
    if vertical:
        return [Mark(at, a, at, b) for a, b in spans]
    return [Mark(a, at, b, at) for a, b in spans]
