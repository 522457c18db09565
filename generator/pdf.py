"""PDFs through WeasyPrint: the book, one PDF per policy, and the card sheets built on it.

Only this module imports WeasyPrint, and only when it first renders: the parent process of a
build hands documents to a pool of worker processes and never pays the import itself. Every
resource a document refers to goes through one URL fetcher that serves files inside the project
and nothing else, and every warning WeasyPrint logs while rendering (a missing image, an
unreadable stylesheet) fails the render instead of leaving a hole in the PDF.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import ctypes
import ctypes.util
import datetime as dt
import functools
import hashlib
import io
import json
import logging
import mimetypes
import multiprocessing
import os
import re
import signal
import sys
import tempfile
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")
PDF_VARIANT = "pdf/ua-1"
# Bump when a change here alters the bytes written for unchanged inputs.
CACHE_FORMAT = "3"
FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))
# Named pages (CSS `page: front`, `page: cover`) numbered in roman numerals by the page labels.
FRONT_MATTER_PAGES = ("cover", "front")


class PdfError(Exception):
    """A document could not be rendered faithfully: a refused or missing resource, a bad style.

    `messages` holds what WeasyPrint reported, one line each; `urls` the resources involved, so
    the pipeline can name the policy text that referred to them.
    """

    def __init__(self, messages: Sequence[str], urls: Sequence[str] = ()) -> None:
        self.messages = list(messages)
        self.urls = list(urls)
        super().__init__("; ".join(self.messages))

    def __reduce__(self) -> tuple[Any, ...]:
        # Travels back from pool workers; the default pickling would pass the joined text.
        return (PdfError, (self.messages, self.urls))


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
    # Project files the document read (images, stylesheets): part of its cache key.
    resources: tuple[str, ...] = ()
    # Where the elements the job asked about were laid out: id -> (page index, top, bottom),
    # in points from the top of that page, margins included.
    extents: dict[str, tuple[int, float, float]] = field(default_factory=dict)


@dataclass(frozen=True)
class Placement:
    """A page of one PDF drawn on a page of another, its top-left corner at (x, y) points from
    the top-left corner of the page it is drawn on."""

    source: int
    page: int
    x_pt: float
    y_pt: float


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


# --------------------------------------------------------------------------- WeasyPrint


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


# --------------------------------------------------------------------------- tagged PDF repair
# WeasyPrint 70 writes a few structures PDF/UA-1 forbids, whatever the HTML. They are put right
# here, on the written file, with pikepdf: the HTML stays plain, semantic HTML.


def _struct_elements(pdf: Any) -> Iterator[Any]:
    """Every structure element of `pdf`'s tree, parents before children."""
    root = pdf.Root.get("/StructTreeRoot")
    if root is not None and "/K" in root:
        yield from _struct_elements_under(root.K)


def _wrap_list_bodies(pdf: Any) -> bool:
    """Put what a list item holds besides its label into one LBody (PDF/UA-1: LI holds only
    Lbl and LBody). WeasyPrint puts a list item's block children (paragraphs, divs) straight
    into the LI. Returns whether anything changed."""
    import pikepdf

    changed = False
    for element in list(_struct_elements(pdf)):
        kids = element.get("/K")
        if element.get("/S") != "/LI" or not isinstance(kids, pikepdf.Array):
            continue
        kinds = [kid.get("/S") if isinstance(kid, pikepdf.Dictionary) else None for kid in kids]
        if None in kinds or all(kind in ("/Lbl", "/LBody") for kind in kinds):
            continue  # Marked content straight in the LI is left as WeasyPrint wrote it.
        labels = [kid for kid, kind in zip(kids, kinds, strict=True) if kind == "/Lbl"]
        body = pdf.make_indirect(
            pikepdf.Dictionary(
                Type=pikepdf.Name.StructElem, S=pikepdf.Name.LBody, P=element, K=pikepdf.Array()
            )
        )
        if "/Pg" in element:
            body.Pg = element.Pg
        for kid, kind in zip(kids, kinds, strict=True):
            if kind == "/Lbl":
                continue
            # An existing body's contents join the new one, so there is one body per item.
            moved = list(kid.K) if kind == "/LBody" and isinstance(kid.K, pikepdf.Array) else [kid]
            for item in moved:
                if isinstance(item, pikepdf.Dictionary) and "/S" in item:
                    item.P = body
                body.K.append(item)
        element.K = pikepdf.Array([*labels, body])
        changed = True
    return changed


def repair_tags(data: bytes) -> bytes:
    """The PDF with WeasyPrint's PDF/UA-1 faults put right (unchanged bytes if it has none)."""
    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as pdf:
        if not _wrap_list_bodies(pdf):
            return data
        out = io.BytesIO()
        # The identifier is computed from the content: equal inputs still give equal bytes.
        pdf.save(out, deterministic_id=True)
        return out.getvalue()


# --------------------------------------------------------------------------- the book


@dataclass(frozen=True)
class Chapter:
    """A policy's own PDF as a chapter of the book."""

    data: bytes
    # The category: one bookmark holds the bookmarks of its chapters.
    part: str
    label_prefix: str
    # Link addresses that mean this chapter: in the book they go to its first page.
    link_urls: tuple[str, ...] = ()


def _outline_items(pdf: Any) -> list[tuple[str, int, Any, list[Any]]]:
    """A PDF's bookmarks as (title, page index, destination array, children), in order."""
    import pikepdf

    index = {page.obj.objgen: number for number, page in enumerate(pdf.pages)}

    def convert(item: Any) -> tuple[str, int, Any, list[Any]] | None:
        destination = item.destination
        if not isinstance(destination, pikepdf.Array) or len(destination) == 0:
            return None
        page = index.get(destination[0].objgen)
        if page is None:
            return None
        children = [c for c in (convert(child) for child in item.children) if c is not None]
        return (str(item.title), page, destination, children)

    items = (convert(item) for item in pdf.open_outline().root)
    return [item for item in items if item is not None]


def _placed(book: Any, items: list[tuple[str, int, Any, list[Any]]], first: int) -> list[Any]:
    """Bookmarks read from a chapter, pointing at its pages in the book (which start at `first`)."""
    import pikepdf

    placed = []
    for title, page, destination, children in items:
        target = pikepdf.Array([book.pages[first + page].obj, *list(destination)[1:]])
        item = pikepdf.OutlineItem(title, target)
        item.children.extend(_placed(book, children, first))
        placed.append(item)
    return placed


def _prefix_ids(part: Any, prefix: str) -> None:
    """Make a chapter's table-cell IDs unique in the book: the same IDs recur in every chapter."""
    import pikepdf

    for element in _struct_elements_under(part):
        if "/ID" in element:
            element.ID = pikepdf.String(prefix + str(element.ID))
        attributes = element.get("/A")
        candidates = list(attributes) if isinstance(attributes, pikepdf.Array) else [attributes]
        for attribute in candidates:
            headers = (
                attribute.get("/Headers") if isinstance(attribute, pikepdf.Dictionary) else None
            )
            if isinstance(headers, pikepdf.Array):
                attribute.Headers = pikepdf.Array(
                    [pikepdf.String(prefix + str(header)) for header in headers]
                )


def _struct_elements_under(node: Any) -> Iterator[Any]:
    """The structure elements at and below `node` (an element or an array), parents first."""
    import pikepdf

    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, pikepdf.Array):
            stack.extend(reversed(list(current)))
        elif isinstance(current, pikepdf.Dictionary) and "/S" in current:
            yield current
            kids = current.get("/K")
            if kids is not None:
                stack.append(kids)


def assemble_book(front: bytes, chapters: Sequence[Chapter]) -> bytes:
    """The book: the front matter PDF with each chapter PDF's pages appended, as one tagged PDF.

    One structure tree: each chapter's Document becomes a Part of the front matter's Document,
    its ParentTree keys moved past those already used (with its pages' /StructParents and its
    annotations' /StructParent), its table-cell IDs prefixed. The front matter's metadata,
    language and title stay; page labels, named destinations and bookmarks are joined (the
    chapters' bookmarks under one per part); links to a chapter go to its first page.
    """
    import pikepdf

    with contextlib.ExitStack() as stack:
        book = stack.enter_context(pikepdf.open(io.BytesIO(front)))
        tree = book.Root.StructTreeRoot
        document = tree.K[0] if isinstance(tree.K, pikepdf.Array) else tree.K
        if not isinstance(document.K, pikepdf.Array):
            document.K = pikepdf.Array([document.K])
        nums = tree.ParentTree.Nums
        keys = [int(nums[i]) for i in range(0, len(nums), 2)]
        next_key = max(keys, default=-1) + 1
        labels: list[Any] = list(book.Root.PageLabels.Nums) if "/PageLabels" in book.Root else []
        destinations: dict[str, Any] = {}
        if "/Names" in book.Root and "/Dests" in book.Root.Names:
            names = book.Root.Names.Dests.Names
            destinations = {str(names[i]): names[i + 1] for i in range(0, len(names), 2)}
        parts: dict[str, tuple[int, list[Any]]] = {}
        first_pages: dict[str, Any] = {}
        for number, chapter in enumerate(chapters, start=1):
            # Open until the book is written: copied streams are read from it then.
            source = stack.enter_context(pikepdf.open(io.BytesIO(chapter.data)))
            first = len(book.pages)
            outline = _outline_items(source)
            # Pages first, then the structure tree: the tree's page references then map to
            # these very page copies.
            book.pages.extend(source.pages)
            copied = book.copy_foreign(source.Root.StructTreeRoot)
            offset = next_key
            for index in range(first, len(book.pages)):
                page = book.pages[index].obj
                if "/StructParents" in page:
                    page.StructParents = int(page.StructParents) + offset
                for annotation in page.get("/Annots", pikepdf.Array()):
                    if "/StructParent" in annotation:
                        annotation.StructParent = int(annotation.StructParent) + offset
            source_nums = copied.ParentTree.Nums
            for i in range(0, len(source_nums), 2):
                key = int(source_nums[i]) + offset
                nums.append(key)
                nums.append(source_nums[i + 1])
                next_key = max(next_key, key + 1)
            part = copied.K[0] if isinstance(copied.K, pikepdf.Array) else copied.K
            part.S = pikepdf.Name.Part
            part.P = document
            document.K.append(part)
            _prefix_ids(part, f"c{number}-")
            labels += [first, pikepdf.Dictionary(S=pikepdf.Name.D, St=1, P=chapter.label_prefix)]
            if "/Names" in source.Root and "/Dests" in source.Root.Names:
                names = source.Root.Names.Dests.Names
                for i in range(0, len(names), 2):
                    destinations.setdefault(str(names[i]), _copied(book, names[i + 1]))
            start, items = parts.setdefault(chapter.part, (first, []))
            items.extend(_placed(book, outline, first))
            for url in chapter.link_urls:
                first_pages[url] = book.pages[first].obj
        _point_links_at_chapters(book, first_pages)
        tree.ParentTreeNextKey = next_key
        book.Root.PageLabels = pikepdf.Dictionary(Nums=pikepdf.Array(labels))
        if destinations:
            pairs = [value for name in sorted(destinations) for value in (name, destinations[name])]
            book.Root.Names = book.Root.get("/Names", pikepdf.Dictionary())
            book.Root.Names.Dests = pikepdf.Dictionary(Names=pikepdf.Array(pairs))
        with book.open_outline() as bookmarks:
            for title, (start, items) in parts.items():
                target = pikepdf.Array([book.pages[start].obj, pikepdf.Name.Fit])
                part_item = pikepdf.OutlineItem(title, target)
                part_item.children.extend(items)
                bookmarks.root.append(part_item)
        out = io.BytesIO()
        # The identifier is computed from the content: equal inputs give equal bytes.
        book.save(out, deterministic_id=True)
        return out.getvalue()


def _copied(book: Any, value: Any) -> Any:
    """A destination array from a chapter, its page reference mapped to the page in the book."""
    import pikepdf

    if isinstance(value, pikepdf.Object) and value.is_indirect:
        return book.copy_foreign(value)
    if isinstance(value, pikepdf.Array):
        return pikepdf.Array([_copied(book, item) for item in value])
    return value


def _point_links_at_chapters(book: Any, first_pages: dict[str, Any]) -> None:
    """Links to a chapter (its site page, the contents' 'chapter:' address) go to its first page."""
    import pikepdf

    for page in book.pages:
        for annotation in page.obj.get("/Annots", pikepdf.Array()):
            action = annotation.get("/A")
            if not isinstance(action, pikepdf.Dictionary) or action.get("/S") != "/URI":
                continue
            target = first_pages.get(str(action.URI).split("#", 1)[0])
            if target is not None:
                annotation.A = pikepdf.Dictionary(
                    Type=pikepdf.Name.Action,
                    S=pikepdf.Name.GoTo,
                    D=pikepdf.Array([target, pikepdf.Name.Fit]),
                )


# --------------------------------------------------------------------------- imposition
# The card sheets: the cards' own PDF pages drawn on the pages of a sheet frame (crop marks,
# caption), so a card is laid out once. Each placed page's content becomes part of the sheet
# page's own content, not a Form XObject: its marked content and structure stay the ordinary
# page kind every PDF/UA checker reads.

# Content operators naming a resource, and which operand (by position) is the name.
_RESOURCE_OPERANDS = {
    "Tf": ("/Font", 0),
    "Do": ("/XObject", 0),
    "gs": ("/ExtGState", 0),
    "sh": ("/Shading", 0),
    "cs": ("/ColorSpace", 0),
    "CS": ("/ColorSpace", 0),
    "scn": ("/Pattern", -1),
    "SCN": ("/Pattern", -1),
    "BDC": ("/Properties", 1),
    "DP": ("/Properties", 1),
}
# Where a source element's page was, while its page reference is out of the way.
_PAGE_KEY = "/HandbookPageIndex"


def _detach_pages(source: Any) -> None:
    """Replace every page reference of `source`'s structure tree and annotations with the page's
    index, so copying the tree does not copy the pages it names."""
    import pikepdf

    index = {page.obj.objgen: number for number, page in enumerate(source.pages)}

    def detach(node: Any) -> None:
        if "/Pg" in node:
            node[_PAGE_KEY] = index.get(node.Pg.objgen, -1)
            del node["/Pg"]

    for element in _struct_elements(source):
        detach(element)
        kids = element.get("/K")
        for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
            if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") in ("/MCR", "/OBJR"):
                detach(kid)
    for page in source.pages:
        for annotation in page.obj.get("/Annots", pikepdf.Array()):
            if "/P" in annotation:
                del annotation["/P"]


# A name token of a content stream, and a marked-content id.
_NAME_TOKEN = re.compile(rb"/[^\s/\[\]<>(){}%]*")
_MCID_ENTRY = re.compile(rb"/MCID\s+(\d+)")


def _rewritten_content(page: Any, names: dict[tuple[str, str], Any], offset: int) -> bytes:
    """A page's content with its resource names renamed and its MCIDs moved up by `offset`."""
    page.contents_coalesce()
    data = page.obj.Contents.read_bytes() if "/Contents" in page.obj else b""
    by_name = {name.encode(): str(new).encode() for (_, name), new in names.items()}
    # WeasyPrint writes text as hex glyph strings: with no literal string in the stream and no
    # resource named like anything else in it, every name token that is a resource's name is
    # one. Otherwise the stream is parsed, operator by operator (about ten times slower).
    if b"(" not in data and not _RESERVED_NAMES & by_name.keys():
        renamed = _NAME_TOKEN.sub(lambda m: by_name.get(m.group(0), m.group(0)), data)
        return _MCID_ENTRY.sub(
            lambda m: b"/MCID " + str(int(m.group(1)) + offset).encode(), renamed
        )
    return _parsed_and_rewritten(page, names, offset)


# Structure types a marked-content sequence may be tagged with (PDF 1.7, 14.8.4), which a
# resource name must not shadow for the fast rewrite above.
_TAG_NAMES = (
    b"Document Part Art Sect Div BlockQuote Caption TOC TOCI Index NonStruct Private P H H1 H2 "
    b"H3 H4 H5 H6 L LI Lbl LBody Table TR TH TD THead TBody TFoot Span Quote Note Reference "
    b"BibEntry Code Link Annot Ruby RB RT RP Warichu WT WP Figure Formula Form"
).split()
_RESERVED_NAMES = frozenset({b"/MCID", b"/Artifact", *(b"/" + tag for tag in _TAG_NAMES)})


def _parsed_and_rewritten(page: Any, names: dict[tuple[str, str], Any], offset: int) -> bytes:
    """`_rewritten_content` the exact way: the content stream parsed into operators."""
    import pikepdf

    instructions: list[Any] = []
    for instruction in pikepdf.parse_content_stream(page):
        if isinstance(instruction, pikepdf.ContentStreamInlineImage):
            instructions.append(instruction)
            continue
        operands, operator = list(instruction.operands), str(instruction.operator)
        rule = _RESOURCE_OPERANDS.get(operator)
        if rule is not None and len(operands) > abs(rule[1]) - (rule[1] < 0):
            category, position = rule
            operand = operands[position]
            if isinstance(operand, pikepdf.Name) and (category, str(operand)) in names:
                operands[position] = names[(category, str(operand))]
        if operator in ("BDC", "DP") and len(operands) == 2:
            properties: Any = operands[1]
            if isinstance(properties, pikepdf.Dictionary) and "/MCID" in properties:
                plain: dict[str, Any] = {str(k): properties[str(k)] for k in properties}
                moved = pikepdf.Dictionary(plain)
                moved.MCID = int(properties.MCID) + offset
                operands[1] = moved
        instructions.append(pikepdf.ContentStreamInstruction(operands, instruction.operator))
    return bytes(pikepdf.unparse_content_stream(instructions))


def impose_pages(
    frame: bytes, sources: Sequence[bytes], placements: Sequence[Sequence[Placement]]
) -> bytes:
    """`frame` with pages of `sources` drawn on its pages (`placements[k]` on page k), as one
    tagged PDF. Every source page must be placed exactly once.

    A placed page keeps its text, marked content and links; each source's structure tree joins
    the frame's Document, its elements pointing at the frame pages their content is now on, in
    reading order: a frame page's own content, then what was placed on it, in placing order.
    """
    import pikepdf

    wanted = sorted((p.source, p.page) for page in placements for p in page)
    with contextlib.ExitStack() as stack:
        out = stack.enter_context(pikepdf.open(io.BytesIO(frame)))
        opened = [stack.enter_context(pikepdf.open(io.BytesIO(data))) for data in sources]
        every = sorted((n, k) for n, source in enumerate(opened) for k in range(len(source.pages)))
        if wanted != every:
            raise ValueError("impose: every page of every source must be placed exactly once")
        tree = out.Root.StructTreeRoot
        document = tree.K[0] if isinstance(tree.K, pikepdf.Array) else tree.K
        nums = tree.ParentTree.Nums
        parents = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
        next_key = max(parents, default=-1) + 1
        frame_pages = {page.obj.objgen: number for number, page in enumerate(out.pages)}
        # The frame's own elements, by the page they are on.
        order: list[list[Any]] = [[] for _ in out.pages]
        for kid in _as_list(document.K):
            order[min(_pages_of(kid, frame_pages), default=0)].append(kid)
        trees = []
        parts: dict[tuple[int, int], list[Any]] = {}
        for number, source in enumerate(opened):
            _detach_pages(source)
            copied = out.copy_foreign(source.Root.StructTreeRoot)
            _prefix_ids(copied.K, f"s{number}-")
            trees.append(copied)
            # Its Document's parts, each on one page of the source, to join the frame's.
            for kid in _as_list(copied.K):
                for part in _split_by_page(kid):
                    page_index = min(_pages_of(part, None), default=0)
                    parts.setdefault((number, page_index), []).append(part)
        # Where each source page went: the frame page and its MCID offset there.
        moved: dict[tuple[int, int], tuple[Any, int]] = {}
        for frame_index, on_page in enumerate(placements):
            page = out.pages[frame_index]
            height = float(page.mediabox[3])
            if "/StructParents" not in page.obj:
                page.obj.StructParents = next_key
                parents[next_key] = pikepdf.Array()
                next_key += 1
            marked = parents[int(page.obj.StructParents)]
            resources = page.obj.get("/Resources")
            if resources is None:
                resources = page.obj.Resources = pikepdf.Dictionary()
            # The frame's own drawing in a saved graphics state: the cards' starts from scratch.
            page.contents_coalesce()
            own = page.obj.Contents.read_bytes() if "/Contents" in page.obj else b""
            content = [b"q\n", own, b"\nQ\n"]
            for placement in on_page:
                source = opened[placement.source]
                source_page = source.pages[placement.page]
                tag = f"s{placement.source}p{placement.page}"
                names: dict[tuple[str, str], Any] = {}
                source_resources: Any = source_page.obj.get("/Resources", pikepdf.Dictionary())
                for category in source_resources:
                    entries: Any = source_resources[category]
                    if not isinstance(entries, pikepdf.Dictionary):
                        continue
                    target = resources.get(category)
                    if target is None:
                        target = resources[category] = pikepdf.Dictionary()
                    for name in map(str, entries.keys()):
                        renamed = pikepdf.Name(f"/{tag}{name[1:]}")
                        target[renamed] = _copy_from(out, source, entries[name])
                        names[(str(category), name)] = renamed
                offset = len(marked)
                source_tree = trees[placement.source]
                source_nums = source_tree.ParentTree.Nums
                source_parents = {
                    int(source_nums[i]): source_nums[i + 1] for i in range(0, len(source_nums), 2)
                }
                if "/StructParents" in source_page.obj:
                    for element in source_parents.get(int(source_page.obj.StructParents), []):
                        marked.append(element)
                box = source_page.mediabox
                dx = placement.x_pt - float(box[0])
                dy = height - placement.y_pt - (float(box[3]) - float(box[1])) - float(box[1])
                content += [
                    f"q 1 0 0 1 {dx:.4f} {dy:.4f} cm\n".encode(),
                    _rewritten_content(source_page, names, offset),
                    b"\nQ\n",
                ]
                for annotation in source_page.obj.get("/Annots", pikepdf.Array()):
                    copy = _copy_from(out, source, annotation)
                    copy.P = page.obj
                    copy.Rect = pikepdf.Array(
                        [float(v) + (dx if i % 2 == 0 else dy) for i, v in enumerate(copy.Rect)]
                    )
                    if "/QuadPoints" in copy:
                        copy.QuadPoints = pikepdf.Array(
                            [
                                float(v) + (dx if i % 2 == 0 else dy)
                                for i, v in enumerate(copy.QuadPoints)
                            ]
                        )
                    if "/StructParent" in copy:
                        parents[next_key] = source_parents[int(copy.StructParent)]
                        copy.StructParent = next_key
                        next_key += 1
                    if "/Annots" not in page.obj:
                        page.obj.Annots = pikepdf.Array()
                    page.obj.Annots.append(copy)
                    page.obj.Tabs = pikepdf.Name.S
                moved[(placement.source, placement.page)] = (page.obj, offset)
                order[frame_index] += parts.get((placement.source, placement.page), [])
            page.obj.Contents = out.make_stream(b"".join(content))
        # Point the copied elements at the frame pages, their MCIDs past the page's own.
        for number, source_tree in enumerate(trees):
            _attach(source_tree.K, number, moved, None)
        children = [element for page in order for element in page]
        for element in children:
            element.P = document
        document.K = pikepdf.Array(children)
        tree.ParentTree = out.make_indirect(
            pikepdf.Dictionary(
                Nums=pikepdf.Array([v for key in sorted(parents) for v in (key, parents[key])])
            )
        )
        tree.ParentTreeNextKey = next_key
        result = io.BytesIO()
        out.save(result, deterministic_id=True)
        return result.getvalue()


def _copy_from(out: Any, source: Any, value: Any) -> Any:
    """`value` of `source` copied into `out` (qpdf copies indirect objects only)."""
    import pikepdf

    if isinstance(value, pikepdf.Object) and not value.is_indirect:
        value = source.make_indirect(value)
    return out.copy_foreign(value)


def _as_list(value: Any) -> list[Any]:
    import pikepdf

    return list(value) if isinstance(value, pikepdf.Array) else [value]


def _is_reference(node: Any) -> bool:
    """A marked-content or object reference among an element's kids (not an element)."""
    import pikepdf

    return isinstance(node, pikepdf.Dictionary) and node.get("/Type") in ("/MCR", "/OBJR")


def _pages_of(element: Any, frame_pages: dict[tuple[int, int], int] | None) -> set[int]:
    """The pages an element's content is on: by its pages' index in the frame (`frame_pages`)
    or, for a detached source tree, by the page index left in its place."""
    import pikepdf

    found: set[int] = set()
    stack = [element]
    while stack:
        node = stack.pop()
        if isinstance(node, pikepdf.Array):
            stack.extend(node)
            continue
        if not isinstance(node, pikepdf.Dictionary):
            continue
        if frame_pages is None:
            if _PAGE_KEY in node:
                found.add(int(node[_PAGE_KEY]))
        elif "/Pg" in node:
            found.add(frame_pages.get(node.Pg.objgen, 0))
        if "/S" in node and "/K" in node:
            stack.append(node.K)
        elif _is_reference(node):
            continue
    return found


def _split_by_page(element: Any) -> list[Any]:
    """The element, or, when its content spans pages, its child elements split the same way
    (a grouping element on two pages cannot be in one place on the sheets)."""
    import pikepdf

    if len(_pages_of(element, None)) <= 1:
        return [element]
    kids = _as_list(element.get("/K"))
    if not all(isinstance(kid, pikepdf.Dictionary) and "/S" in kid for kid in kids):
        return [element]  # Content of its own on several pages: kept whole.
    return [part for kid in kids for part in _split_by_page(kid)]


def _attach(
    node: Any, source: int, moved: dict[tuple[int, int], tuple[Any, int]], page: int | None
) -> None:
    """Give a copied source element (and those below it) its frame page and moved MCIDs;
    `page` is the page index it inherits from its parent."""
    import pikepdf

    for element in _as_list(node):
        if not isinstance(element, pikepdf.Dictionary) or "/S" not in element:
            continue
        own = page
        if _PAGE_KEY in element:
            own = int(element[_PAGE_KEY])
            del element[_PAGE_KEY]
            element.Pg = moved[(source, own)][0]
        kids = element.get("/K")
        if kids is None:
            continue
        offset = moved[(source, own)][1] if own is not None and (source, own) in moved else 0
        updated = []
        for kid in _as_list(kids):
            if isinstance(kid, int) and not isinstance(kid, bool):
                updated.append(kid + offset)
            elif _is_reference(kid):
                target = own
                if _PAGE_KEY in kid:
                    target = int(kid[_PAGE_KEY])
                    del kid[_PAGE_KEY]
                    kid.Pg = moved[(source, target)][0]
                if "/MCID" in kid and target is not None:
                    kid.MCID = int(kid.MCID) + moved[(source, target)][1]
                updated.append(kid)
            else:
                _attach(kid, source, moved, own)
                updated.append(kid)
        element.K = pikepdf.Array(updated) if isinstance(kids, pikepdf.Array) else updated[0]


# --------------------------------------------------------------------------- jobs, pool, cache


@dataclass(frozen=True)
class PdfJob:
    """One PDF to render: `name` is its path under `site/pdf/`."""

    name: str
    html: str
    root: Path
    base_dir: Path
    stylesheets: tuple[Path, ...] = ()
    metadata: PdfMetadata | None = None
    page_labels: bool = False
    label_prefix: str | None = None
    # Policies whose text the document shows; errors are traced back to their files.
    policy_ids: tuple[str, ...] = ()
    # Element ids whose place in the layout the render reports (`RenderedPdf.extents`).
    extents: tuple[str, ...] = ()


@dataclass(frozen=True)
class PdfFailure:
    """A job that could not be rendered, with WeasyPrint's complaint."""

    job: PdfJob
    error: PdfError


class PdfBatchFailed(Exception):
    """One or more documents of a batch failed; every failure is reported."""

    def __init__(self, failures: list[PdfFailure]) -> None:
        self.failures = failures
        super().__init__("; ".join(f"{f.job.name}: {f.error}" for f in failures))


def render_job(job: PdfJob) -> RenderedPdf:
    """Render one job here, in this process (`render_pdf` with the job's settings)."""
    return render_pdf(
        job.html,
        root=job.root,
        base_dir=job.base_dir,
        stylesheets=job.stylesheets,
        metadata=job.metadata,
        page_labels=job.page_labels,
        label_prefix=job.label_prefix,
        extents=job.extents,
    )


def _render_job(job: PdfJob) -> RenderedPdf | PdfError:
    try:
        return render_job(job)
    except PdfError as error:
        return error


def _die_with_parent() -> None:
    """Ask Linux to end this worker when the build that started it dies, even by kill -9;
    forked workers would otherwise wait forever on a queue nobody writes to."""
    libc_name = ctypes.util.find_library("c")
    if libc_name is None or not sys.platform.startswith("linux"):
        return
    pr_set_pdeathsig = 1
    ctypes.CDLL(libc_name, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
    if os.getppid() == 1:  # The parent died before the request took effect.
        os._exit(1)


def _start_worker(stylesheets: tuple[Path, ...], root: Path) -> None:
    """Pool initializer: import WeasyPrint and parse the shared CSS once per worker process."""
    _die_with_parent()
    _weasyprint()
    for path in stylesheets:
        # A refused stylesheet is reported by the job itself, with the document's name.
        with contextlib.suppress(ResourceRefused):
            _stylesheet(path, root)


@functools.cache
def _engine_fingerprint() -> str:
    """What besides a job's inputs decides its bytes: this code, the PDF libraries, the fonts."""
    from importlib.metadata import version

    digest = hashlib.sha256(CACHE_FORMAT.encode())
    digest.update(Path(__file__).read_bytes())
    for package in ("weasyprint", "pydyf", "fonttools", "tinycss2", "cssselect2"):
        try:
            digest.update(f"{package}={version(package)}".encode())
        except Exception:
            digest.update(f"{package}=?".encode())
    font_dirs, config_files = _fontconfig_paths()
    for folder in font_dirs:
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    stat = path.stat()
                    digest.update(f"{path}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    # Which installed font a family name picks is fontconfig's configuration.
    for path in config_files:
        if path.is_file():
            digest.update(f"{path}:{_file_digest(str(path))}".encode())
    return digest.hexdigest()


def _fontconfig_paths() -> tuple[list[Path], list[Path]]:
    """The font folders and configuration files of fontconfig, which finds WeasyPrint's fonts.

    Asked of fontconfig itself: besides the system folders it reads the user's own
    (~/.local/share/fonts, ~/.fonts), and a font installed there changes the PDFs as much.
    """
    name = ctypes.util.find_library("fontconfig")
    if name is None:
        home = Path.home()
        return [*FONT_DIRS, home / ".local" / "share" / "fonts", home / ".fonts"], []
    library = ctypes.CDLL(name)
    library.FcInitLoadConfig.restype = ctypes.c_void_p
    library.FcConfigDestroy.argtypes = [ctypes.c_void_p]
    library.FcStrListNext.restype = ctypes.c_char_p
    library.FcStrListNext.argtypes = [ctypes.c_void_p]
    library.FcStrListDone.argtypes = [ctypes.c_void_p]
    config = library.FcInitLoadConfig()  # Reads the configuration only; scans no fonts.

    def strings(function: Any) -> list[Path]:
        function.restype = ctypes.c_void_p
        function.argtypes = [ctypes.c_void_p]
        listing = function(config)
        found = []
        while (entry := library.FcStrListNext(listing)) is not None:
            found.append(Path(os.fsdecode(entry)))
        library.FcStrListDone(listing)
        return sorted(found)

    try:
        return strings(library.FcConfigGetFontDirs), strings(library.FcConfigGetConfigFiles)
    finally:
        library.FcConfigDestroy(config)


def _file_digest(path: str) -> str:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return "missing"


class PdfCache:
    """Rendered PDFs by content hash in a folder outside `site/` (PROJECT/.cache/pdf)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        # Every key this build asked for: what `prune` keeps.
        self.used: set[str] = set()

    def key(self, job: PdfJob) -> str:
        """The hash of everything that decides the job's bytes, except files it reads."""
        digest = hashlib.sha256(_engine_fingerprint().encode())
        digest.update(job.html.encode("utf-8"))
        digest.update(
            repr(
                (job.metadata, job.page_labels, job.label_prefix, job.extents, PDF_VARIANT)
            ).encode()
        )
        digest.update(str(job.base_dir.resolve().relative_to(job.root.resolve())).encode())
        for sheet in job.stylesheets:
            digest.update(f"{sheet}:{_file_digest(str(sheet))}".encode())
        key = digest.hexdigest()
        self.used.add(key)
        return key

    def prune(self, keep: set[str]) -> None:
        """Delete the cached renders not in `keep` (those of documents since edited or gone), so
        the cache holds one handbook's worth, not every version ever built."""
        try:
            entries = list(self.folder.iterdir())
        except OSError:
            return
        for path in entries:
            if path.suffix in (".pdf", ".json") and path.stem not in keep:
                with contextlib.suppress(OSError):
                    path.unlink()

    def get(self, key: str) -> RenderedPdf | None:
        """A cached render, if its recorded resources (images, CSS imports) are unchanged."""
        try:
            record = json.loads((self.folder / f"{key}.json").read_text(encoding="utf-8"))
            for path, digest in record["resources"].items():
                if _file_digest(path) != digest:
                    return None
            data = (self.folder / f"{key}.pdf").read_bytes()
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if hashlib.sha256(data).hexdigest() != record.get("sha256"):
            return None
        return RenderedPdf(
            data=data,
            pages=int(record["pages"]),
            page_sizes_pt=[(float(w), float(h)) for w, h in record["page_sizes_pt"]],
            resources=tuple(record["resources"]),
            extents={
                name: (int(page), float(top), float(bottom))
                for name, (page, top, bottom) in record.get("extents", {}).items()
            },
        )

    def rendered(self, job: PdfJob) -> RenderedPdf:
        """The job's PDF from the cache, or rendered here and stored."""
        key = self.key(job)
        cached = self.get(key)
        if cached is None:
            cached = render_job(job)
            self.put(key, cached)
        return cached

    def put(self, key: str, rendered: RenderedPdf) -> None:
        """Store a render; a failure to write the cache never fails the build."""
        record = {
            "pages": rendered.pages,
            "page_sizes_pt": rendered.page_sizes_pt,
            "sha256": hashlib.sha256(rendered.data).hexdigest(),
            "resources": {path: _file_digest(path) for path in rendered.resources},
            "extents": rendered.extents,
        }
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            # Written under temporary names and renamed, so a killed build leaves no half file.
            for suffix, payload in ((".pdf", rendered.data), (".json", json.dumps(record))):
                handle, temporary = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
                with os.fdopen(handle, "wb") as out:
                    out.write(payload if isinstance(payload, bytes) else payload.encode())
                os.replace(temporary, self.folder / f"{key}{suffix}")
        except OSError:
            pass


class PdfBatch:
    """PDF jobs rendered in worker processes while the caller does other work (the site).

    Jobs whose inputs are unchanged since the last build come from the cache; the rest go to a
    pool of worker processes sized to the cores, each importing WeasyPrint once.
    """

    def __init__(
        self, jobs: Sequence[PdfJob], cache: PdfCache | None, workers: int | None = None
    ) -> None:
        self.jobs = list(jobs)
        self.cache = cache
        self.results: dict[str, RenderedPdf] = {}
        self.keys: dict[str, str] = {}
        pending: list[PdfJob] = []
        for job in self.jobs:
            if cache is not None:
                self.keys[job.name] = cache.key(job)
                hit = cache.get(self.keys[job.name])
                if hit is not None:
                    self.results[job.name] = hit
                    continue
            pending.append(job)
        self.rendered = [job.name for job in pending]
        self.pool: concurrent.futures.ProcessPoolExecutor | None = None
        self.futures: dict[str, concurrent.futures.Future[RenderedPdf | PdfError]] = {}
        if not pending:
            return
        size = min(workers or os.cpu_count() or 1, len(pending))
        stylesheets = tuple(dict.fromkeys(s for job in pending for s in job.stylesheets))
        # Fork: the workers start at once; this process has not imported WeasyPrint or started
        # any thread yet, so there is nothing unsafe to copy.
        self.pool = concurrent.futures.ProcessPoolExecutor(
            max_workers=size,
            mp_context=multiprocessing.get_context("fork"),
            initializer=_start_worker,
            initargs=(stylesheets, pending[0].root),
        )
        # The biggest documents first (the book), so no worker is left with it at the end.
        for job in sorted(pending, key=lambda j: len(j.html), reverse=True):
            self.futures[job.name] = self.pool.submit(_render_job, job)

    def wait(self) -> dict[str, RenderedPdf]:
        """Every job's PDF by name; raises `PdfBatchFailed` listing every failed job."""
        failures: list[PdfFailure] = []
        by_name = {job.name: job for job in self.jobs}
        for name, future in self.futures.items():
            outcome = future.result()
            if isinstance(outcome, PdfError):
                failures.append(PdfFailure(by_name[name], outcome))
                continue
            self.results[name] = outcome
            if self.cache is not None:
                self.cache.put(self.keys[name], outcome)
        if failures:
            self.close()
            raise PdfBatchFailed(failures)
        return {job.name: self.results[job.name] for job in self.jobs}

    def call(self, function: Callable[..., T], *args: Any) -> concurrent.futures.Future[T]:
        """Run `function(*args)` in a worker while this process goes on (here, at once, when
        every job came from the cache and no worker was started); `close` stops the workers."""
        if self.pool is not None:
            return self.pool.submit(function, *args)
        done: concurrent.futures.Future[T] = concurrent.futures.Future()
        try:
            done.set_result(function(*args))
        except BaseException as error:  # Raised again by .result(), where the caller waits.
            done.set_exception(error)
        return done

    def close(self) -> None:
        """Stop the workers (cancelling what has not started)."""
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None
