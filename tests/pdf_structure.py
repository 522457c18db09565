"""Reading a tagged PDF's structure back: is there one tree, and does it claim every piece of
marked content on every page exactly once? Shared by the book and the card-sheet tests."""

from __future__ import annotations

import re
from pathlib import Path

import pikepdf

MCID = re.compile(rb"/MCID\s+(\d+)")


def elements(node: pikepdf.Object) -> list[pikepdf.Dictionary]:
    """Every structure element reachable down the tree's /K from `node`."""
    found, stack, seen = [], [node], set()
    while stack:
        current = stack.pop()
        if isinstance(current, pikepdf.Array):
            stack.extend(current)
        elif isinstance(current, pikepdf.Dictionary) and "/S" in current:
            if current.objgen in seen:
                continue
            seen.add(current.objgen)
            found.append(current)
            if "/K" in current:
                stack.append(current.K)
    return found


def assert_one_structure_tree(path: Path) -> pikepdf.Dictionary:
    """Assert `path` has one Document element, every MCID on every page owned by an element
    reachable from it (claimed once, on that page) and every link annotation a Link element of
    the tree; returns the Document element (only valid while nothing else is opened)."""
    with pikepdf.open(path) as pdf:
        tree = pdf.Root.StructTreeRoot
        kids = tree.K if isinstance(tree.K, pikepdf.Array) else [tree.K]
        assert [str(kid.S) for kid in kids] == ["/Document"]
        document = kids[0]
        reachable = {element.objgen for element in elements(document)}
        nums = tree.ParentTree.Nums
        keys = [int(nums[i]) for i in range(0, len(nums), 2)]
        assert len(keys) == len(set(keys)), "a ParentTree key is used twice"
        assert keys == sorted(keys), "ParentTree keys out of order"
        parents = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
        claimed: set[tuple[int, int]] = set()
        page_keys = []
        for number, page in enumerate(pdf.pages):
            contents = page.obj.Contents
            streams = contents if isinstance(contents, pikepdf.Array) else [contents]
            ids = sorted({int(m) for s in streams for m in MCID.findall(s.read_bytes())})
            assert ids, f"page {number + 1} has no marked content"
            key = int(page.obj.StructParents)
            page_keys.append(key)
            owners = parents[key]
            for mcid in ids:
                owner = owners[mcid]
                assert "/S" in owner, (number, mcid)
                # Reachable: down from the Document, or (WeasyPrint's page-number artifacts) up
                # through /P to an element that is.
                up = owner
                while up.objgen not in reachable and "/P" in up and "/S" in up.P:
                    up = up.P
                assert up.objgen in reachable, (number, mcid, str(owner.S))
                if "/Pg" in owner:
                    assert owner.Pg.objgen == page.obj.objgen, (number, mcid, str(owner.S))
                assert (number, mcid) not in claimed
                claimed.add((number, mcid))
            for annotation in page.obj.get("/Annots", []):
                link = parents[int(annotation.StructParent)]
                assert link.objgen in reachable and str(link.S) == "/Link"
        assert len(page_keys) == len(set(page_keys))
        return document
