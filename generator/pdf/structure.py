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
