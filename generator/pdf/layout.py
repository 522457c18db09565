"""Laying documents out with WeasyPrint: the URL fetcher, the stylesheets and font configuration,
the metadata and page labels, `render_pdf` and where elements were laid out.

Only this module imports WeasyPrint (and pydyf, its PDF writer), and only when it first renders:
the parent process of a build hands documents to a pool of worker processes and never pays the
import itself. Every resource a document refers to goes through one URL fetcher that serves files
inside the project and nothing else, and every warning WeasyPrint logs while rendering (a missing
image, an unreadable stylesheet) fails the render instead of leaving a hole in the PDF.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
import mimetypes
import re
import urllib.parse
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .common import PDF_VARIANT, PdfError, PdfMetadata, RenderedPdf, ResourceRefused
from .structure import repair_tags

# Named pages (CSS `page: front`, `page: cover`) numbered in roman numerals by the page labels.
FRONT_MATTER_PAGES = ("cover", "front")


def resolve_project_url(url: str, root: Path) -> Path:
    """The file inside `root` that a URL names, or `ResourceRefused` saying why not."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme.lower() != "file":
        raise ResourceRefused(f"refused {shorten(url)}: only files inside the project are used")
    if parts.netloc not in ("", "localhost"):
        raise ResourceRefused(f"refused {url}: files on other hosts are not used")
    # resolve() follows symlinks, so a link inside the project cannot point outside it.
    path = Path(urllib.request.url2pathname(parts.path)).resolve()
    root = root.resolve()
    if not path.is_relative_to(root):
        raise ResourceRefused(f"refused {url}: outside the project folder")
    if not path.is_file():
        raise ResourceRefused(f"{path.relative_to(root)} does not exist")
    return path


def shorten(url: str, limit: int = 80) -> str:
    """A URL cut to a readable length for messages (data: URLs can be megabytes)."""
    return url if len(url) <= limit else url[: limit - 1] + "…"


def _weasyprint() -> Any:
    """WeasyPrint, imported on first use (about a second); later calls reuse the module."""
    import weasyprint

    return weasyprint


@functools.cache
def _fetcher_class() -> type[Any]:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class ProjectFetcher(URLFetcher):  # type: ignore[misc]
        """Serves `file:` URLs inside the project root and refuses everything else."""

        def __init__(self, root: Path) -> None:
            super().__init__(allowed_protocols={"file"}, allow_redirects=False)
            self.root = root.resolve()
            self.served: list[Path] = []

        def fetch(self, url: str, headers: Any = None) -> Any:
            path = resolve_project_url(url, self.root)
            self.served.append(path)
            media_type, _ = mimetypes.guess_type(path.name)
            headers_out = {"Content-Type": media_type or "application/octet-stream"}
            return URLFetcherResponse(path.as_uri(), path.read_bytes(), headers_out)

    return ProjectFetcher


def project_fetcher(root: Path) -> Any:
    """The one URL fetcher: files inside `root` only; WeasyPrint's default would go anywhere."""
    return _fetcher_class()(root)


# WeasyPrint names the resource it failed on in quotes: "Failed to load image at 'file:///…'".
_QUOTED_URL = re.compile(r"at '([^']+)'")


class _Collector(logging.Handler):
    """Collects WeasyPrint's warnings and errors during one render."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        # The traceback of a refused fetch repeats the message; the first line says it.
        self.messages.append(message.splitlines()[0] if message else message)


@contextmanager
def _collect_warnings() -> Iterator[_Collector]:
    logger = logging.getLogger("weasyprint")
    collector = _Collector()
    previous_propagate = logger.propagate
    logger.addHandler(collector)
    # Our own handler reports them; the root logger would print them a second time.
    logger.propagate = False
    try:
        yield collector
    finally:
        logger.removeHandler(collector)
        logger.propagate = previous_propagate


# Parsed stylesheets and the font configuration they belong to, kept per process: a pool worker
# parses the shared print CSS once and reuses it for every document it renders.
_FONT_CONFIG: Any = None
_STYLESHEETS: dict[tuple[str, str, int, int], tuple[Any, tuple[str, ...]]] = {}


def _font_config() -> Any:
    global _FONT_CONFIG
    if _FONT_CONFIG is None:
        from weasyprint.text.fonts import FontConfiguration

        _FONT_CONFIG = FontConfiguration()
    return _FONT_CONFIG


def _stylesheet(path: Path, root: Path) -> tuple[Any, tuple[str, ...]]:
    resolved = resolve_project_url(path.resolve().as_uri(), root)
    stat = resolved.stat()
    key = (str(root.resolve()), str(resolved), stat.st_mtime_ns, stat.st_size)
    cached = _STYLESHEETS.get(key)
    if cached is None:
        fetcher = project_fetcher(root)
        sheet = _weasyprint().CSS(
            filename=str(resolved), url_fetcher=fetcher, font_config=_font_config()
        )
        cached = (sheet, tuple(str(p) for p in [resolved, *fetcher.served]))
        _STYLESHEETS[key] = cached
    return cached


def _pdf_date(value: dt.datetime) -> str:
    """W3C date-time, as WeasyPrint's metadata expects, always in UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def render_pdf(
    html: str,
    *,
    root: Path,
    base_dir: Path,
    stylesheets: Sequence[Path] = (),
    metadata: PdfMetadata | None = None,
    page_labels: bool = False,
    label_prefix: str | None = None,
    extents: Sequence[str] = (),
) -> RenderedPdf:
    """Render print HTML to a tagged PDF/UA-1, reading only files inside `root`.

    Relative URLs in `html` resolve against `base_dir`. With `page_labels`, pages on the named
    pages `cover` and `front` are labelled i, ii, ... and the rest 1, 2, ... after
    `label_prefix` ("03600.001, p. 1"). `extents` names elements (by id) whose place in the
    layout the result reports, so a caller can tell from this one render whether text fit
    where it had to. Raises `PdfError`
    when WeasyPrint reports any problem (a refused, missing or unreadable resource).
    """
    weasyprint = _weasyprint()
    fetcher = project_fetcher(root)
    resources: list[str] = []
    with _collect_warnings() as collector:
        sheets = []
        for path in stylesheets:
            try:
                sheet, used = _stylesheet(path, root)
            except ResourceRefused as refused:
                raise PdfError([f"stylesheet {path.name}: {refused}"]) from None
            sheets.append(sheet)
            resources.extend(used)
        document = weasyprint.HTML(
            string=html, base_url=base_dir.resolve().as_uri() + "/", url_fetcher=fetcher
        ).render(stylesheets=sheets, font_config=_font_config(), pdf_variant=PDF_VARIANT)
        if metadata is not None:
            _apply_metadata(document, metadata)
        finisher = _page_labels_finisher(document, label_prefix) if page_labels else None
        # The identifier comes from the content, not chance, so equal inputs give equal bytes.
        # WeasyPrint writes no creation date unless the metadata sets one.
        identifier = hashlib.sha256(html.encode("utf-8")).hexdigest()[:32].encode("ascii")
        data = document.write_pdf(
            pdf_variant=PDF_VARIANT, pdf_identifier=identifier, finisher=finisher
        )
    if collector.messages:
        urls = [m.group(1) for m in map(_QUOTED_URL.search, collector.messages) if m]
        raise PdfError(collector.messages, urls)
    data = repair_tags(data)
    resources.extend(str(path) for path in fetcher.served)
    # WeasyPrint measures pages in CSS pixels (1/96 in); PDF points are 1/72 in.
    sizes = [(round(page.width * 0.75, 2), round(page.height * 0.75, 2)) for page in document.pages]
    return RenderedPdf(
        data=data,
        pages=len(document.pages),
        page_sizes_pt=sizes,
        resources=tuple(sorted(set(resources))),
        extents=_extents(document, extents),
    )


def _extents(document: Any, wanted: Sequence[str]) -> dict[str, tuple[int, float, float]]:
    """Page, top and bottom (points) of the first box of each wanted element id.

    Read from the laid-out boxes, which WeasyPrint keeps on each page (`_page_box`, as the page
    labels read their page names): the public `Page.anchors` give an element's top only.
    """
    found: dict[str, tuple[int, float, float]] = {}
    if not wanted:
        return found
    remaining = set(wanted)
    for number, page in enumerate(document.pages):
        for box in page._page_box.descendants(placeholders=True):
            element: Any = getattr(box, "element", None)
            name = element.get("id") if element is not None else None
            if name in remaining and getattr(box, "element_tag", None) == element.tag:
                top = box.position_y
                found[name] = (
                    number,
                    round(top * 0.75, 3),
                    round((top + box.margin_height()) * 0.75, 3),
                )
                remaining.discard(name)
        if not remaining:
            break
    return found


def _apply_metadata(document: Any, metadata: PdfMetadata) -> None:
    info = document.metadata
    info.title = metadata.title
    info.authors = [metadata.author] if metadata.author else []
    info.description = metadata.subject or None
    info.keywords = list(metadata.keywords)
    info.lang = metadata.language
    info.generator = "handbook generator"
    info.created = _pdf_date(metadata.created) if metadata.created else None
    info.modified = _pdf_date(metadata.modified) if metadata.modified else None


def _page_labels_finisher(document: Any, prefix: str | None) -> Any:
    """A write_pdf finisher adding /PageLabels: roman for front matter, then 1, 2, ..."""
    import pydyf  # type: ignore[import-untyped]

    front = 0
    for page in document.pages:
        if page._page_box.page_type.name not in FRONT_MATTER_PAGES:
            break
        front += 1

    def finish(_document: Any, pdf: Any) -> None:
        numbers: list[Any] = []
        if front:
            numbers += [0, pydyf.Dictionary({"S": "/r"})]
        if front < len(document.pages):
            body = pydyf.Dictionary({"S": "/D", "St": 1})
            if prefix:
                body["P"] = pydyf.String(prefix)
            numbers += [front, body]
        pdf.catalog["PageLabels"] = pydyf.Dictionary({"Nums": pydyf.Array(numbers)})

    return finish
