"""The book joined with pikepdf: the front matter PDF and each chapter's PDF as one tagged PDF,
with one structure tree, page labels, named destinations, bookmarks and links between chapters.

pikepdf is imported inside each function, on first use (it is imported here, in `impose` and in
`structure`, nowhere else).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .structure import _prefix_ids, fold_plain_spans


@dataclass(frozen=True)
class Chapter:
    """A policy's own PDF, already written to `path`, as a chapter of the book."""

    path: Path
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


@dataclass
class _Joined:
    """What the chapters joined so far add to the book: its structure, labels and names."""

    document: Any
    nums: Any
    next_key: int
    labels: list[Any]
    destinations: dict[str, Any]
    parts: dict[str, tuple[int, list[Any]]] = field(default_factory=dict)
    first_pages: dict[str, Any] = field(default_factory=dict)


def assemble_book(front: bytes, chapters: Sequence[Chapter], output: Path) -> None:
    """Write the book to `output`: the front matter PDF with each chapter PDF's pages appended,
    as one tagged PDF.

    One structure tree: each chapter's Document becomes a Part of the front matter's Document,
    its ParentTree keys moved past those already used (with its pages' /StructParents and its
    annotations' /StructParent), its table-cell IDs prefixed. The front matter's metadata,
    language and title stay; page labels, named destinations and bookmarks are joined (the
    chapters' bookmarks under one per part); links to a chapter go to its first page.

    Chapters are read from their files one at a time and let go once joined, so the book's
    memory is its own objects, not every chapter's as well.
    """
    import pikepdf

    with pikepdf.open(io.BytesIO(front)) as book:
        fold_plain_spans(book)
        tree = book.Root.StructTreeRoot
        document = tree.K[0] if isinstance(tree.K, pikepdf.Array) else tree.K
        if not isinstance(document.K, pikepdf.Array):
            document.K = pikepdf.Array([document.K])
        nums = tree.ParentTree.Nums
        keys = [int(nums[i]) for i in range(0, len(nums), 2)]
        joined = _Joined(
            document=document,
            nums=nums,
            next_key=max(keys, default=-1) + 1,
            labels=list(book.Root.PageLabels.Nums) if "/PageLabels" in book.Root else [],
            destinations={},
        )
        if "/Names" in book.Root and "/Dests" in book.Root.Names:
            names = book.Root.Names.Dests.Names
            joined.destinations = {str(names[i]): names[i + 1] for i in range(0, len(names), 2)}
        for number, chapter in enumerate(chapters, start=1):
            _join_chapter(book, joined, number, chapter)
        _point_links_at_chapters(book, joined.first_pages)
        tree.ParentTreeNextKey = joined.next_key
        book.Root.PageLabels = pikepdf.Dictionary(Nums=pikepdf.Array(joined.labels))
        if joined.destinations:
            destinations = joined.destinations
            pairs = [value for name in sorted(destinations) for value in (name, destinations[name])]
            book.Root.Names = book.Root.get("/Names", pikepdf.Dictionary())
            book.Root.Names.Dests = pikepdf.Dictionary(Names=pikepdf.Array(pairs))
        with book.open_outline() as bookmarks:
            for title, (start, items) in joined.parts.items():
                target = pikepdf.Array([book.pages[start].obj, pikepdf.Name.Fit])
                part_item = pikepdf.OutlineItem(title, target)
                part_item.children.extend(items)
                bookmarks.root.append(part_item)
        # Straight to the file: the book is never held as bytes. The identifier is computed
        # from the content: equal inputs give equal bytes.
        book.save(output, deterministic_id=True)


def _join_chapter(book: Any, joined: _Joined, number: int, chapter: Chapter) -> None:
    """Append one chapter's pages, structure tree, labels, names and bookmarks to the book."""
    import pikepdf

    # Not closed: the book's copies of its streams read their data from these bytes when the
    # book is written. The parsed chapter (about 1 MB in memory) goes when this returns.
    source = pikepdf.open(io.BytesIO(chapter.path.read_bytes()))
    # Fewer elements to copy and to hold: about 40 % of a chapter's are plain Spans.
    fold_plain_spans(source)
    first = len(book.pages)
    outline = _outline_items(source)
    # Pages first, then the structure tree: the tree's page references then map to
    # these very page copies.
    book.pages.extend(source.pages)
    copied = book.copy_foreign(source.Root.StructTreeRoot)
    offset = joined.next_key
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
        joined.nums.append(key)
        joined.nums.append(source_nums[i + 1])
        joined.next_key = max(joined.next_key, key + 1)
    part = copied.K[0] if isinstance(copied.K, pikepdf.Array) else copied.K
    part.S = pikepdf.Name.Part
    part.P = joined.document
    joined.document.K.append(part)
    _prefix_ids(part, f"c{number}-")
    joined.labels += [first, pikepdf.Dictionary(S=pikepdf.Name.D, St=1, P=chapter.label_prefix)]
    if "/Names" in source.Root and "/Dests" in source.Root.Names:
        names = source.Root.Names.Dests.Names
        for i in range(0, len(names), 2):
            joined.destinations.setdefault(str(names[i]), _copied(book, names[i + 1]))
    _, items = joined.parts.setdefault(chapter.part, (first, []))
    items.extend(_placed(book, outline, first))
    for url in chapter.link_urls:
        joined.first_pages[url] = book.pages[first].obj


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
