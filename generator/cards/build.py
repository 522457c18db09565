"""The cards stage of a build: the card and sheet-frame documents, their PDF jobs, fitting a
derived card and checking each side fits, the plan for the PDF pool, and the card PDFs and print
sheets it writes. Its PDFs come from `generator.pdf` (no library of its own).

Each card is laid out once: that render is the card's PDF, says whether each side fits (where its
text ends, against where its footer begins: counting characters would guess, the layout knows),
and its pages are placed on the print sheets.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

from ..errors import BuildFailed, SourceError
from ..model import Handbook
from ..pdf import (
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
from ..render import Renderer, inline_markdown
from .content import CardView, card_view, policy_page_url
from .geometry import (
    GEOMETRY,
    MARGIN_FOR_OUTER_MARKS,
    PT_PER_MM,
    SHEET_SIZES,
    CardGeometry,
    PaperSize,
    SheetLayout,
    impose,
)
from .paths import CARDS_DIR, card_path, sheet_path
from .qr import QrCodes
from .sheets import SheetPage, sheet_pages

log = logging.getLogger("handbook.cards")

STYLESHEET = Path("templates") / "cards" / "cards.css"


@dataclass(frozen=True)
class CardsBuilt:
    """The files the cards stage wrote, relative to the site folder, and its warnings."""

    files: tuple[str, ...]
    warnings: tuple[str, ...]


# --------------------------------------------------------------------------- card templates
# What goes on a card and where it sits on a sheet is decided in `content`, `geometry` and
# `sheets`; these functions only put it through the card templates (templates/cards/), with the
# renderer's one Jinja environment.


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
        self.cache = PdfCache.of_project(self.handbook.root)
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


# Hosts kept for examples (RFC 2606, RFC 6761) and the sample's example.gov: no real intranet.
_EXAMPLE_DOMAINS = ("example.com", "example.org", "example.net", "example.gov", "example.edu")
_EXAMPLE_TOP_LEVEL = ("example", "test", "invalid", "localhost")


def is_example_address(url: str) -> bool:
    """True when `url`'s host is an example or test host (example.gov, intranet.example.com)."""
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    if host.rsplit(".", 1)[-1] in _EXAMPLE_TOP_LEVEL:
        return True
    return any(host == domain or host.endswith(f".{domain}") for domain in _EXAMPLE_DOMAINS)


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
    elif is_example_address(site_url):
        # Printed and laminated, a card with the sample's address sends every scan nowhere.
        where = (
            f"{handbook.settings_origin.path}:{handbook.settings_origin.line_of('site_url')}"
            if site_url == handbook.settings.site_url
            else "--site-url"
        )
        warnings.append(
            f"{where}: warning: site_url {site_url} is an example address, so the QR codes on "
            "the desk cards lead nowhere; set site_url in policies/handbook.yaml to the "
            "handbook's real address (README: Desk cards)"
        )
    reviews = {review.policy.id: review for review in renderer.report.reviews}
    qr_codes = QrCodes(handbook.root)
    cards = [
        card_view(
            policy,
            reviews.get(policy.id),
            handbook,
            site_url,
            geometry,
            renderer.card_edition_label(policy.id),
            qr_codes,
        )
        for policy in renderer.published()
    ]
    qr_codes.save()
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
        cards_data = [r.data for r in renders]
        # ---- issue 24: a sheet whose frame, cards and places are unchanged is not placed again.
        outputs[sheet_path(key)] = engine.cache.derived(
            f"sheet-{key}",
            [frame, *cards_data, repr(placements)],
            functools.partial(impose_pages, frame, cards_data, placements),
            engine.handbook.root,
        )
    (site_dir / CARDS_DIR).mkdir(parents=True, exist_ok=True)
    for relative, data in outputs.items():
        (site_dir / relative).write_bytes(data)
    for warning in plan.warnings:
        log.warning(warning)
    return CardsBuilt(tuple(outputs), plan.warnings)
