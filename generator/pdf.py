"""PDFs through WeasyPrint: the book, one PDF per policy, and the card sheets built on it.

Only this module imports WeasyPrint. Every resource a document refers to goes through one URL
fetcher that serves files inside the project and nothing else, and every warning WeasyPrint logs
while rendering (a missing image, an unreadable stylesheet) fails the render instead of leaving
a hole in the PDF.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import mimetypes
import os
import re
import urllib.parse
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import weasyprint
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

WEASYPRINT_VERSION: str = weasyprint.__version__
PDF_VARIANT = "pdf/ua-1"


class PdfError(Exception):
    """A document could not be rendered faithfully: a refused or missing resource, a bad style.

    `messages` holds what WeasyPrint reported, one line each; `urls` the resources involved, so
    the pipeline can name the policy text that referred to them.
    """

    def __init__(self, messages: Sequence[str], urls: Sequence[str] = ()) -> None:
        self.messages = list(messages)
        self.urls = list(urls)
        super().__init__("; ".join(self.messages))


class ResourceRefused(ValueError):
    """The fetcher will not serve this URL (outside the project, or not a file)."""


@dataclass(frozen=True)
class PdfMetadata:
    """Document information written into the PDF (Info dictionary and XMP)."""

    title: str
    author: str = ""
    subject: str = ""
    keywords: tuple[str, ...] = ()
    language: str = "en"
    # Fixed dates keep builds reproducible; None leaves the date out entirely.
    created: dt.datetime | None = None
    modified: dt.datetime | None = None


@dataclass(frozen=True)
class RenderedPdf:
    """A rendered PDF: its bytes, page count and each page's size in points."""

    data: bytes
    pages: int
    page_sizes_pt: list[tuple[float, float]] = field(default_factory=list)


class ProjectFetcher(URLFetcher):  # type: ignore[misc]
    """Serves `file:` URLs inside the project root and refuses everything else."""

    def __init__(self, root: Path) -> None:
        super().__init__(allowed_protocols={"file"}, allow_redirects=False)
        self.root = root.resolve()

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        """Read one project file; any other URL raises `ResourceRefused`."""
        path = self.resolve(url)
        media_type, _ = mimetypes.guess_type(path.name)
        headers_out = {"Content-Type": media_type or "application/octet-stream"}
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), headers_out)

    def resolve(self, url: str) -> Path:
        """The project file a URL names, or `ResourceRefused` saying why not."""
        parts = urllib.parse.urlsplit(url)
        if parts.scheme.lower() != "file":
            raise ResourceRefused(f"refused {shorten(url)}: only files inside the project are used")
        if parts.netloc not in ("", "localhost"):
            raise ResourceRefused(f"refused {url}: files on other hosts are not used")
        # resolve() follows symlinks, so a link inside the project cannot point outside it.
        path = Path(urllib.request.url2pathname(parts.path)).resolve()
        if not path.is_relative_to(self.root):
            raise ResourceRefused(f"refused {url}: outside the project folder")
        if not path.is_file():
            raise ResourceRefused(f"{self.display(path)} does not exist")
        return path

    def display(self, path: Path) -> str:
        """A project path as users write it (relative to the project folder)."""
        try:
            return str(path.relative_to(self.root))
        except ValueError:
            return str(path)


# WeasyPrint names the resource it failed on in quotes: "Failed to load image at 'file:///…'".
_QUOTED_URL = re.compile(r"at '([^']+)'")


def shorten(url: str, limit: int = 80) -> str:
    """A URL cut to a readable length for messages (data: URLs can be megabytes)."""
    return url if len(url) <= limit else url[: limit - 1] + "…"


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
_FONT_CONFIG: FontConfiguration | None = None
_STYLESHEETS: dict[tuple[str, str, int, int], weasyprint.CSS] = {}


def _font_config() -> FontConfiguration:
    global _FONT_CONFIG
    if _FONT_CONFIG is None:
        _FONT_CONFIG = FontConfiguration()
    return _FONT_CONFIG


def _stylesheet(path: Path, fetcher: ProjectFetcher) -> weasyprint.CSS:
    resolved = fetcher.resolve(path.resolve().as_uri())
    stat = resolved.stat()
    key = (str(fetcher.root), str(resolved), stat.st_mtime_ns, stat.st_size)
    sheet = _STYLESHEETS.get(key)
    if sheet is None:
        sheet = weasyprint.CSS(
            filename=str(resolved), url_fetcher=fetcher, font_config=_font_config()
        )
        _STYLESHEETS[key] = sheet
    return sheet


def _pdf_date(value: dt.datetime) -> str:
    """W3C date-time, as WeasyPrint's metadata expects, always in UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def source_date() -> dt.datetime | None:
    """The build time fixed by SOURCE_DATE_EPOCH, or None when it is not set or not a number."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    try:
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC) if epoch else None
    except (ValueError, OverflowError):
        return None


def render_pdf(
    html: str,
    *,
    root: Path,
    base_dir: Path,
    stylesheets: Sequence[Path] = (),
    metadata: PdfMetadata | None = None,
) -> RenderedPdf:
    """Render print HTML to a tagged PDF/UA-1, reading only files inside `root`.

    Relative URLs in `html` resolve against `base_dir`. Raises `PdfError` when WeasyPrint
    reports any problem (a refused, missing or unreadable resource) instead of printing around it.
    """
    fetcher = ProjectFetcher(root)
    with _collect_warnings() as collector:
        try:
            sheets = [_stylesheet(path, fetcher) for path in stylesheets]
        except ResourceRefused as refused:
            raise PdfError([f"stylesheet: {refused}"]) from None
        document_html = weasyprint.HTML(
            string=html, base_url=base_dir.resolve().as_uri() + "/", url_fetcher=fetcher
        )
        document = document_html.render(
            stylesheets=sheets, font_config=_font_config(), pdf_variant=PDF_VARIANT
        )
        if metadata is not None:
            _apply_metadata(document, metadata)
        # A document identifier from the content, not a random one, so equal inputs give equal
        # bytes. WeasyPrint adds no creation date unless we set one.
        identifier = hashlib.sha256(html.encode("utf-8")).hexdigest()[:32].encode("ascii")
        data = document.write_pdf(pdf_variant=PDF_VARIANT, pdf_identifier=identifier)
    if collector.messages:
        urls = [m.group(1) for m in map(_QUOTED_URL.search, collector.messages) if m]
        raise PdfError(collector.messages, urls)
    sizes = [(round(page.width * 0.75, 2), round(page.height * 0.75, 2)) for page in document.pages]
    return RenderedPdf(data=data, pages=len(document.pages), page_sizes_pt=sizes)


def _apply_metadata(document: Any, metadata: PdfMetadata) -> None:
    info = document.metadata
    info.title = metadata.title
    info.authors = [metadata.author] if metadata.author else []
    info.description = metadata.subject or None
    info.keywords = list(metadata.keywords)
    info.lang = metadata.language
    info.generator = f"handbook (WeasyPrint {WEASYPRINT_VERSION})"
    info.created = _pdf_date(metadata.created) if metadata.created else None
    info.modified = _pdf_date(metadata.modified) if metadata.modified else None
