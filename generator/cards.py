"""Desk reference cards: what goes on each card, card and sheet geometry, and the card PDFs.

Python decides the content (points, review line, QR code) and the geometry (card sizes, how cards
are imposed on a sheet, where the crop marks go); `templates/cards/` lays them out and
`generator/pdf.py` renders them. Each card is laid out once: that render is the card's PDF, says
whether each side fits (where its text ends, against where its footer begins: counting
characters would guess, the layout knows), and its pages are placed on the print sheets.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

import segno

from .errors import BuildFailed, SourceError
from .model import (
    Contact,
    Handbook,
    Policy,
    Settings,
    Standard,
    StandardGroup,
    Status,
)
from .pdf import (
    PdfCache,
    PdfError,
    PdfFailure,
    PdfJob,
    PdfMetadata,
    Placement,
    RenderedPdf,
    impose_pages,
    source_date,
)
from .render import Renderer, format_target, inline_markdown, revision_note
from .review import PolicyReview, ReviewStatus

log = logging.getLogger("handbook.cards")

CARDS_DIR = Path("pdf") / "cards"
STYLESHEET = Path("templates") / "cards" / "cards.css"
PT_PER_MM = 72 / 25.4
# A derived card lists at most this many points before the layout is even asked.
DERIVED_POINTS_LIMIT = 10


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


# --------------------------------------------------------------------------- content


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


def qr_svg(url: str, size_mm: float) -> str:
    """A QR code for `url` as inline SVG vector art, `size_mm` square (quiet zone included)."""
    code = segno.make(url, error="m", micro=False)
    # The title is the figure's alternative text in the tagged PDF (PDF/UA-1 requires one).
    svg: str = code.svg_inline(
        scale=1,
        border=2,
        omitsize=True,
        dark="#000",
        light="#fff",
        svgclass="card-qr",
        title=f"QR code linking to {url}",
    )
    return svg.replace("<svg ", f'<svg width="{size_mm}mm" height="{size_mm}mm" ', 1)


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
    """The handbook edition and the policy's latest revision: '2026 edition · Version 1.0'."""
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
        edition_line=edition_line(policy, handbook.settings.edition),
        review_line=text,
        review_state=state,
        url=url,
        url_display=url.split("://", 1)[-1] if url else None,
        qr_svg=qr_svg(url, geometry.qr_mm) if url else None,
        derived=derived,
        draft=policy.status is Status.DRAFT,
    )


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


# --------------------------------------------------------------------------- building


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


@dataclass(frozen=True)
class CardsBuilt:
    """The files the cards stage wrote, relative to the site folder, and its warnings."""

    files: tuple[str, ...]
    warnings: tuple[str, ...]


def card_path(policy_id: str) -> str:
    """Where a policy's card PDF is published, relative to the site folder."""
    return (CARDS_DIR / f"{policy_id}.pdf").as_posix()


def sheet_path(sheet_key: str) -> str:
    """Where a print sheet is published, relative to the site folder."""
    return (CARDS_DIR / f"sheet-{sheet_key}.pdf").as_posix()


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


# --------------------------------------------------------------------------- card templates
# What goes on a card and where it sits on a sheet is decided above; these functions only put it
# through the card templates (templates/cards/), with the renderer's one Jinja environment.


def _card_markdown(policy_urls: Mapping[str, str]) -> Callable[[str], str]:
    def convert(text: str) -> str:
        return inline_markdown(text, policy_urls)

    return convert


def render_card_document(
    renderer: Renderer,
    card: CardView,
    geometry: CardGeometry,
    *,
    policy_urls: Mapping[str, str],
    measure: bool = False,
) -> str:
    """Print HTML of one desk card: its front page, then its back page (with `measure`, each
    side on as many pages as its text needs)."""
    return renderer.render(
        "cards/card.html.j2",
        card=card,
        geometry=geometry,
        measure=measure,
        card_md=_card_markdown(policy_urls),
    )


def render_sheet_document(
    renderer: Renderer,
    pages: Sequence[SheetPage],
    geometry: CardGeometry,
    layout: SheetLayout,
    *,
    caption_top_mm: float | None,
) -> str:
    """Print HTML of the frame of card sheets: crop marks on the fronts and a caption per page
    (the cards are placed on it from their own PDFs)."""
    return renderer.render(
        "cards/sheet.html.j2",
        pages=pages,
        geometry=geometry,
        layout=layout,
        caption_top_mm=caption_top_mm,
    )


def render_cards_page(renderer: Renderer, listing: CardListing) -> str:
    """The site's "Desk cards" page: every card PDF and the two print sheets."""
    return renderer.render("cards.md.j2", listing=listing)


# Element ids of card.html.j2 whose place in the layout says whether a side fits.
SIDE_IDS = ("front-flow", "front-foot", "back-flow", "back-foot")
CARD_JOB_PREFIX = "cards/"


def frame_job_name(sheet_key: str) -> str:
    """The PDF job that lays out the frame (crop marks, captions) of one print sheet."""
    return f"{CARD_JOB_PREFIX}sheet-{sheet_key}.frame.pdf"


class CardRenders:
    """The PDF jobs of one handbook's desk cards and print-sheet frames, and the renders of
    derived cards being fitted."""

    def __init__(self, renderer: Renderer, geometry: CardGeometry, site_url: str | None):
        self.renderer = renderer
        self.handbook = renderer.handbook
        self.geometry = geometry
        self.cache = PdfCache(self.handbook.root / ".cache" / "pdf")
        self.policy_urls = (
            {policy.id: policy_page_url(site_url, policy.id) for policy in self.handbook.policies}
            if site_url
            else {}
        )

    def _job(self, name: str, html: str, title: str, extents: tuple[str, ...] = ()) -> PdfJob:
        settings = self.handbook.settings
        return PdfJob(
            name=name,
            html=html,
            root=self.handbook.root,
            base_dir=self.handbook.root / "templates" / "cards",
            stylesheets=(self.handbook.root / STYLESHEET,),
            metadata=PdfMetadata(
                title=title,
                author=settings.organization,
                subject=f"{settings.title}: desk reference cards",
                language=settings.language,
                created=source_date(),
                modified=source_date(),
            ),
            extents=extents,
        )

    def card_job(self, card: CardView, *, measure: bool = False) -> PdfJob:
        """The one layout of a card: its PDF, which also says whether each side fits (with
        `measure`: the layout that says how many pages a side that does not fit needs)."""
        html = render_card_document(
            self.renderer, card, self.geometry, policy_urls=self.policy_urls, measure=measure
        )
        return self._job(
            f"{CARD_JOB_PREFIX}{'measure-' if measure else ''}{card.policy_id}.pdf",
            html,
            f"Desk card: {card.title} ({card.policy_title})",
            SIDE_IDS,
        )

    def frame_job(self, cards: Sequence[CardView], sheet: PaperSize) -> PdfJob:
        """The frame of the print sheets on `sheet` paper: crop marks and captions."""
        layout = impose(self.geometry.size, sheet)
        # A caption goes in the top margin only where it clears the crop marks.
        caption_top = 4.0 if layout.top_mm >= MARGIN_FOR_OUTER_MARKS + 4 else None
        html = render_sheet_document(
            self.renderer,
            sheet_pages(cards, layout),
            self.geometry,
            layout,
            caption_top_mm=caption_top,
        )
        return self._job(
            frame_job_name(sheet.key),
            html,
            f"Desk cards on {sheet.label} paper",
        )

    def render(self, card: CardView, *, measure: bool = False) -> RenderedPdf:
        """Lay one card out here (fitting a derived card, or measuring one that does not fit),
        or take it from the PDF cache."""
        return self.cache.rendered(self.card_job(card, measure=measure))

    def fits(self, rendered: RenderedPdf) -> tuple[bool, bool]:
        """Whether the front and the back of a rendered card fit: the side's text ends a
        footer gap above its footer. (Text that runs past the card's edge is cut there, and
        the footer after it is not laid out at all.)"""
        gap = self.geometry.footer_gap_mm * PT_PER_MM
        fits = []
        for side in ("front", "back"):
            flow = rendered.extents.get(f"{side}-flow")
            foot = rendered.extents.get(f"{side}-foot")
            fits.append(flow is not None and foot is not None and flow[2] + gap <= foot[1] + 0.01)
        return fits[0], fits[1]

    def pages_needed(self, card: CardView) -> tuple[int, int]:
        """How many card pages the front and the back of a card that does not fit would take,
        for the error message: from the measuring layout, where each side flows on."""
        rendered = self.render(card, measure=True)
        front = rendered.extents["back-flow"][0]
        return front, rendered.pages - front

    def fit_derived(self, card: CardView) -> tuple[CardView, RenderedPdf]:
        """Keep as many leading points of a derived card as fit; the rest become 'more'."""
        total = len(card.points) + card.more
        low, high = 1, len(card.points) - 1
        best = replace(card, points=card.points[:1], more=total - 1)
        kept: RenderedPdf | None = None
        while low <= high:
            middle = (low + high) // 2
            candidate = replace(card, points=card.points[:middle], more=total - middle)
            rendered = self.render(candidate)
            if self.fits(rendered)[0]:
                best, kept, low = candidate, rendered, middle + 1
            else:
                high = middle - 1
        return best, kept if kept is not None else self.render(best)


def overflow_errors(
    handbook: Handbook,
    cards: Sequence[CardView],
    pages: Sequence[tuple[int, int]],
    size: PaperSize,
) -> list[SourceError]:
    """One error per card side that runs past one page, at the policy's `card` field."""
    errors = []
    for card, counts in zip(cards, pages, strict=True):
        origin = handbook.origins[card.policy_id]
        if card.derived and max(counts) > 1:
            errors.append(
                origin.error(
                    f"the desk card made from this policy does not fit on one {size.label}; "
                    "add a card: block with the few points that matter at the counter",
                    "id",
                )
            )
            continue
        for side, count, advice in (
            ("front", counts[0], "shorten or remove points, or move some to card.back"),
            ("back", counts[1], "shorten the back's points, phrases or contacts"),
        ):
            if count > 1:
                errors.append(
                    origin.error(
                        f"the desk card's {side} does not fit on one {size.label} "
                        f"(it runs to {count} pages); {advice}",
                        "card",
                    )
                )
    return errors


@dataclass
class CardPlan:
    """The desk cards of one build: what each shows, and the PDF jobs that lay them out."""

    engine: CardRenders
    cards: list[CardView]
    jobs: list[PdfJob]
    warnings: tuple[str, ...]


def plan_cards(renderer: Renderer, *, site_url: str | None) -> CardPlan:
    """Each published policy's card and the print-sheet frames, as PDF jobs for the pool."""
    handbook = renderer.handbook
    geometry = GEOMETRY[handbook.settings.card_size]
    warnings: list[str] = []
    if not site_url:
        warnings.append(
            f"{handbook.settings_origin.path}: warning: site_url is not set, so the desk cards "
            "have no QR code to the policy page"
        )
    reviews = {review.policy.id: review for review in renderer.report.reviews}
    cards = [
        card_view(policy, reviews.get(policy.id), handbook, site_url, geometry)
        for policy in renderer.published()
    ]
    engine = CardRenders(renderer, geometry, site_url)
    jobs = [engine.card_job(card) for card in cards]
    if cards:
        jobs += [engine.frame_job(cards, sheet) for sheet in SHEET_SIZES.values()]
    return CardPlan(engine, cards, jobs, tuple(warnings))


def card_failures(failures: Sequence[PdfFailure]) -> list[SourceError]:
    """Cards or frames that could not be rendered: only our own templates and stylesheet go
    into them, so the problem is ours to name."""
    return [
        SourceError(STYLESHEET.parent.as_posix(), 0, "", message)
        for failure in failures
        if failure.job.name.startswith(CARD_JOB_PREFIX)
        for message in failure.error.messages
    ]


def _over(fit: tuple[bool, bool], needed: tuple[int, int]) -> tuple[int, int]:
    """Pages per side for the error message: 1 where the side fits, else at least 2."""
    front, back = (1 if ok else max(2, n) for ok, n in zip(fit, needed, strict=True))
    return front, back


def finish_cards(plan: CardPlan, rendered: Mapping[str, RenderedPdf], site_dir: Path) -> CardsBuilt:
    """Check each card fits, then write the card PDFs and the Letter and A4 sheets, made of the
    cards' own pages, into site_dir.

    Raises `BuildFailed` naming each policy whose card does not fit on its card.
    """
    handbook = plan.engine.handbook
    cards = list(plan.cards)
    if not cards:
        return CardsBuilt((), plan.warnings)
    engine = plan.engine
    renders = [rendered[job.name] for job in plan.jobs[: len(cards)]]
    try:
        fits = [engine.fits(render) for render in renders]
        for index, card in enumerate(cards):
            if card.derived and not fits[index][0]:
                cards[index], renders[index] = engine.fit_derived(card)
                fits[index] = engine.fits(renders[index])
        # The kept layout decides; the measuring one only says how far over a side runs.
        overfull = [
            (card, _over(fit, engine.pages_needed(card)))
            for card, fit in zip(cards, fits, strict=True)
            if not all(fit)
        ]
    except PdfError as failure:
        raise BuildFailed(
            [SourceError(STYLESHEET.parent.as_posix(), 0, "", m) for m in failure.messages]
        ) from None
    errors = overflow_errors(
        handbook,
        [card for card, _ in overfull],
        [pages for _, pages in overfull],
        engine.geometry.size,
    )
    if errors:
        raise BuildFailed(sorted(errors))
    outputs = {
        card_path(card.policy_id): render.data for card, render in zip(cards, renders, strict=True)
    }
    numbers = {card.policy_id: number for number, card in enumerate(cards)}
    for key, sheet in SHEET_SIZES.items():
        layout = impose(engine.geometry.size, sheet)
        placements = [
            [
                Placement(
                    source=numbers[placed.card.policy_id],
                    page=0 if page.side == "front" else 1,
                    x_pt=placed.x_mm * PT_PER_MM,
                    y_pt=placed.y_mm * PT_PER_MM,
                )
                for placed in page.cards
            ]
            for page in sheet_pages(cards, layout)
        ]
        frame = rendered[frame_job_name(key)].data
        outputs[sheet_path(key)] = impose_pages(frame, [r.data for r in renders], placements)
    (site_dir / CARDS_DIR).mkdir(parents=True, exist_ok=True)
    for relative, data in outputs.items():
        (site_dir / relative).write_bytes(data)
    for warning in plan.warnings:
        log.warning(warning)
    return CardsBuilt(tuple(outputs), plan.warnings)
