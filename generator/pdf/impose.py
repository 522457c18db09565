"""Imposition with pikepdf: pages of some PDFs drawn on the pages of another (the desk cards on
their sheets), their content streams rewritten and their structure trees attached to the pages
they land on.

pikepdf is imported inside each function, on first use (it is imported here, in `assemble` and in
`structure`, nowhere else).
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .structure import _as_list, _is_reference, _prefix_ids, _struct_elements, fold_plain_spans


@dataclass(frozen=True)
class Placement:
    """A page of one PDF drawn on a page of another, its top-left corner at (x, y) points from
    the top-left corner of the page it is drawn on."""

    source: int
    page: int
    x_pt: float
    y_pt: float


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
    if len(set(wanted)) != len(wanted) or {n for n, _ in wanted} != set(range(len(sources))):
        raise ValueError("impose: every page of every source must be placed exactly once")
    # A source is opened when its first page is placed and let go after its last: a parsed
    # PDF takes about 1 MB, and a sheet of 1,000 cards would otherwise hold them all at once.
    # (Not closed: what was copied from it reads its streams from its bytes when `out` is
    # written.)
    last_use = {
        placement.source: index for index, page in enumerate(placements) for placement in page
    }
    placed: dict[int, list[int]] = {}
    for number, page_index in wanted:
        placed.setdefault(number, []).append(page_index)
    opened: dict[int, Any] = {}
    trees: dict[int, Any] = {}
    parts: dict[tuple[int, int], list[Any]] = {}

    def source_pdf(number: int) -> Any:
        source = opened.get(number)
        if source is not None:
            return source
        source = opened[number] = pikepdf.open(io.BytesIO(sources[number]))
        if placed[number] != list(range(len(source.pages))):
            raise ValueError("impose: every page of every source must be placed exactly once")
        # Half a card's elements are plain Spans: a sheet of 1,000 cards would hold them all.
        fold_plain_spans(source)
        _detach_pages(source)
        copied = out.copy_foreign(source.Root.StructTreeRoot)
        _prefix_ids(copied.K, f"s{number}-")
        trees[number] = copied
        # Its Document's parts, each on one page of the source, to join the frame's.
        for kid in _as_list(copied.K):
            for part in _split_by_page(kid):
                page_index = min(_pages_of(part, None), default=0)
                parts.setdefault((number, page_index), []).append(part)
        return source

    with pikepdf.open(io.BytesIO(frame)) as out:
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
                source = source_pdf(placement.source)
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
            for number in {placement.source for placement in on_page}:
                if last_use[number] == frame_index:
                    del opened[number]
        # Point the copied elements at the frame pages, their MCIDs past the page's own.
        for number in range(len(sources)):
            _attach(trees[number].K, number, moved, None)
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
