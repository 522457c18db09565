"""The book read back: one structure tree joined from the policies' own PDFs, every piece of
marked content reachable and claimed once, contents links and bookmarks that land on the right
pages, and each policy's pages the same in its own PDF and in the book."""

from __future__ import annotations

import re
from pathlib import Path

import pdfplumber
import pikepdf
import pypdf
import pytest

from generator.model import load_handbook

pytestmark = pytest.mark.slow

MCID = re.compile(rb"/MCID\s+(\d+)")


def published(project: Path) -> list[tuple[str, str]]:
    """(id, title) of every active policy, in handbook order."""
    handbook = load_handbook(project)
    return [(p.id, p.title) for p in handbook.policies if p.status.value == "active"]


def page_texts(path: Path, pages: range | None = None) -> list[str]:
    with pdfplumber.open(path) as pdf:
        chosen = pages if pages is not None else range(len(pdf.pages))
        return [" ".join((pdf.pages[i].extract_text() or "").split()) for i in chosen]


@pytest.fixture(scope="module")
def book(sample_site: Path) -> Path:
    return sample_site / "pdf" / "handbook.pdf"


def _elements(node: pikepdf.Object) -> list[pikepdf.Dictionary]:
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


def test_one_structure_tree_reaches_every_marked_content_once(book: Path) -> None:
    with pikepdf.open(book) as pdf:
        tree = pdf.Root.StructTreeRoot
        kids = tree.K if isinstance(tree.K, pikepdf.Array) else [tree.K]
        assert [str(kid.S) for kid in kids] == ["/Document"]
        document = kids[0]
        reachable = {element.objgen for element in _elements(document)}
        nums = tree.ParentTree.Nums
        keys = [int(nums[i]) for i in range(0, len(nums), 2)]
        assert len(keys) == len(set(keys)), "a ParentTree key is used twice"
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
                assert (number, mcid) not in claimed
                claimed.add((number, mcid))
            for annotation in page.obj.get("/Annots", []):
                link = parents[int(annotation.StructParent)]
                assert link.objgen in reachable and str(link.S) == "/Link"
        assert len(page_keys) == len(set(page_keys))
        # Table-cell IDs are unique in the book although every chapter made the same ones.
        ids = [str(e.ID) for e in _elements(document) if "/ID" in e]
        assert ids and len(ids) == len(set(ids))


def test_contents_links_go_to_each_policys_first_page(sample_site: Path, book: Path) -> None:
    reader = pypdf.PdfReader(book)
    contents = reader.pages[1]
    targets = []
    for annotation in contents["/Annots"]:
        action = annotation.get_object()["/A"]
        assert action["/S"] == "/GoTo"
        page = action["/D"][0]
        index = next(i for i, p in enumerate(reader.pages) if p.indirect_reference == page)
        if index not in targets:
            targets.append(index)
    titles = [title for _, title in published(sample_site.parent)]
    texts = page_texts(book)
    landed = [next(t for t in titles if t in texts[index]) for index in targets]
    assert sorted(landed) == sorted(titles)
    for index in targets:
        assert "Page 1 of " in texts[index]


def test_a_bookmark_per_policy_on_its_first_page(sample_site: Path, book: Path) -> None:
    reader = pypdf.PdfReader(book)
    found: dict[str, int] = {}

    def walk(items: list, depth: int) -> None:  # type: ignore[type-arg]
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            elif depth == 1:
                found[item.title] = reader.get_destination_page_number(item)

    walk(reader.outline, 0)
    labels = reader.page_labels
    for _, title in published(sample_site.parent):
        assert title in found, title
        assert labels[found[title]].endswith(", p. 1")


def test_a_policys_pages_are_the_same_in_its_own_pdf_and_in_the_book(
    sample_site: Path, book: Path
) -> None:
    book_texts = page_texts(book)
    reader = pypdf.PdfReader(book)
    labels = reader.page_labels
    for policy_id, _ in published(sample_site.parent):
        own = sample_site / "pdf" / f"{policy_id}.pdf"
        own_texts = page_texts(own)
        own_labels = pypdf.PdfReader(own).page_labels
        start = labels.index(own_labels[0])
        # Page by page, footers ("… · Page 2 of 5") and headers included.
        assert book_texts[start : start + len(own_texts)] == own_texts, policy_id
        assert labels[start : start + len(own_texts)] == own_labels
