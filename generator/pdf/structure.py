"""The structure tree of a tagged PDF, read and repaired with pikepdf: walking its elements,
prefixing their IDs, and putting right what WeasyPrint writes that PDF/UA-1 forbids.

Used by both sides of the package: `layout` repairs each render's tags, `assemble` and `impose`
walk the trees they join. pikepdf is imported inside each function, on first use (this module,
`assemble` and `impose` are the ones that import it).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any


def _struct_elements(pdf: Any) -> Iterator[Any]:
    """Every structure element of `pdf`'s tree, parents before children."""
    root = pdf.Root.get("/StructTreeRoot")
    if root is not None and "/K" in root:
        yield from _struct_elements_under(root.K)


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


def _as_list(value: Any) -> list[Any]:
    import pikepdf

    return list(value) if isinstance(value, pikepdf.Array) else [value]


def _is_reference(node: Any) -> bool:
    """A marked-content or object reference among an element's kids (not an element)."""
    import pikepdf

    return isinstance(node, pikepdf.Dictionary) and node.get("/Type") in ("/MCR", "/OBJR")


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


# WeasyPrint 70 writes a few structures PDF/UA-1 forbids, whatever the HTML. They are put right
# here, on the written file, with pikepdf: the HTML stays plain, semantic HTML.


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


# A Span with nothing but these says nothing of its own: no language, alternative text,
# attributes or ID. Its text reads the same as part of its parent.
_PLAIN_SPAN_KEYS = frozenset({"/Type", "/S", "/P", "/K", "/Pg"})


def fold_plain_spans(pdf: Any) -> int:
    """Fold each Span that carries nothing of its own into its parent, on the same page: its
    marked content and child elements take its place, in order, and the ParentTree names the
    parent as their owner. Returns how many were folded.

    WeasyPrint writes a Span for every inline box; a policy's PDF has hundreds, and the book
    holds every chapter's objects at once while it is joined (issue 24: its memory)."""
    import pikepdf

    root = pdf.Root.get("/StructTreeRoot")
    if root is None:
        return 0
    owner: dict[tuple[int, int], Any] = {}
    # Parents first, reversed: every element's kids are folded before the element is.
    for element in reversed(list(_struct_elements(pdf))):
        kids = element.get("/K")
        page = element.get("/Pg")
        if kids is None or page is None:
            continue
        folded: list[Any] = []
        changed = False
        for kid in _as_list(kids):
            if (
                isinstance(kid, pikepdf.Dictionary)
                and kid.get("/S") == "/Span"
                and set(kid.keys()) <= _PLAIN_SPAN_KEYS
                and kid.Pg.objgen == page.objgen
                and _holds_only_mcids_and_elements(kid)
            ):
                for item in _as_list(kid.K):
                    if isinstance(item, pikepdf.Dictionary):
                        item.P = element
                    folded.append(item)
                owner[kid.objgen] = element
                changed = True
            else:
                folded.append(kid)
        if changed:
            element.K = pikepdf.Array(folded)
    if not owner:
        return 0

    def final(value: Any) -> Any:
        while isinstance(value, pikepdf.Dictionary) and value.objgen in owner:
            value = owner[value.objgen]
        return value

    nums = root.ParentTree.Nums
    for index in range(1, len(nums), 2):
        value = nums[index]
        if isinstance(value, pikepdf.Array):
            for mcid, entry in enumerate(value):
                if isinstance(entry, pikepdf.Dictionary) and entry.objgen in owner:
                    value[mcid] = final(entry)
        elif isinstance(value, pikepdf.Dictionary) and value.objgen in owner:
            nums[index] = final(value)
    return len(owner)


def _holds_only_mcids_and_elements(element: Any) -> bool:
    """Whether an element's kids are marked content on its own page and child elements only
    (no marked-content or object reference naming a page of its own)."""
    import pikepdf

    for kid in _as_list(element.get("/K")):
        if isinstance(kid, int) and not isinstance(kid, bool):
            continue
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid and not _is_reference(kid):
            continue
        return False
    return True


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
