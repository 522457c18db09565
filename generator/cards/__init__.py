"""Desk reference cards: what goes on each card, card and sheet geometry, and the card PDFs.

Python decides the content (points, review line, QR code) and the geometry (card sizes, how cards
are imposed on a sheet, where the crop marks go); `templates/cards/` lays them out and
`generator.pdf` renders them. Each card is laid out once: that render is the card's PDF, says
whether each side fits, and its pages are placed on the print sheets.

The modules, lowest first (each imports only those above it):

- `geometry`: paper and card sizes, each card size's spacing, imposing cards on a sheet, crop
  marks; pure arithmetic in millimetres.
- `qr`: the QR code to a policy's page as inline SVG; the one module that imports segno.
- `paths`: where the card PDFs and print sheets are published in the site.
- `content`: what a card says (`CardView`, `card_view`): its points, contacts, review and
  edition lines.
- `sheets`: which card side sits where on each page of a print sheet.
- `listing`: the site's "Desk cards" page.
- `build`: the cards stage of a build: card and frame documents and PDF jobs, fitting and
  checking each side, the plan for the PDF pool, writing the card PDFs and sheets.

This package re-exports what the pipeline and the tests use.
"""

from .build import CARD_JOB_PREFIX, CardPlan, card_failures, finish_cards, plan_cards
from .content import card_contacts, derived_points, review_line
from .geometry import CARD_SIZES, SHEET_SIZES, impose
from .listing import cards_page
from .sheets import sheet_pages

__all__ = [
    "CARD_JOB_PREFIX",
    "CARD_SIZES",
    "SHEET_SIZES",
    "CardPlan",
    "card_contacts",
    "card_failures",
    "cards_page",
    "derived_points",
    "finish_cards",
    "impose",
    "plan_cards",
    "review_line",
    "sheet_pages",
]
