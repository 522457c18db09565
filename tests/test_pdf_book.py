"""The book read back: one structure tree joined from the policies' own PDFs, every piece of
marked content reachable and claimed once, contents links and bookmarks that land on the right
pages, and each policy's pages the same in its own PDF and in the book."""

from __future__ import annotations

from pathlib import Path

import pdfplumber
import pikepdf
import pypdf
import pytest
from pdf_structure import assert_one_structure_tree, elements

from generator.model import load_handbook

pytestmark = pytest.mark.slow


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


def test_one_structure_tree_reaches_every_marked_content_once(book: Path) -> None:
    assert_one_structure_tree(book)
    with pikepdf.open(book) as pdf:
        document = pdf.Root.StructTreeRoot.K
        document = document[0] if isinstance(document, pikepdf.Array) else document
        # Table-cell IDs are unique in the book although every chapter made the same ones.
        ids = [str(e.ID) for e in elements(document) if "/ID" in e]
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


def reading_order(pdf: pikepdf.Pdf, element: pikepdf.Object) -> list[tuple[int, int]]:
    """The marked content under `element` in structure-tree order: (page index, MCID)."""
    pages = {page.obj.objgen: number for number, page in enumerate(pdf.pages)}
    found: list[tuple[int, int]] = []
    stack: list[tuple[pikepdf.Object | int, int | None]] = [(element, None)]
    while stack:
        node, page = stack.pop()
        if isinstance(node, int):
            assert page is not None
            found.append((page, node))
        elif isinstance(node, pikepdf.Array):
            stack.extend((kid, page) for kid in reversed(list(node)))
        elif isinstance(node, pikepdf.Dictionary) and node.get("/Type") == "/MCR":
            found.append((pages[node.Pg.objgen], int(node.MCID)))
        elif isinstance(node, pikepdf.Dictionary) and "/S" in node and "/K" in node:
            own = pages[node.Pg.objgen] if "/Pg" in node else page
            stack.append((node.K, own))
    return found


def test_the_book_reads_each_policy_in_the_order_of_its_own_pdf(
    sample_site: Path, book: Path
) -> None:
    """The book's chapters lose the plain Spans WeasyPrint writes (issue 24: the join holds
    every chapter's elements at once), and a screen reader still meets the same content in the
    same order, page by page, as in the policy's own PDF."""
    labels = pypdf.PdfReader(book).page_labels
    with pikepdf.open(book) as joined:
        document = joined.Root.StructTreeRoot.K
        document = document[0] if isinstance(document, pikepdf.Array) else document
        parts = [kid for kid in document.K if kid.get("/S") == "/Part"]
        by_start = {min(page for page, _ in reading_order(joined, part)): part for part in parts}
        book_spans = sum(1 for e in elements(document) if e.get("/S") == "/Span")
        own_spans = 0
        for policy_id, _ in published(sample_site.parent):
            own_path = sample_site / "pdf" / f"{policy_id}.pdf"
            start = labels.index(pypdf.PdfReader(own_path).page_labels[0])
            with pikepdf.open(own_path) as own:
                root = own.Root.StructTreeRoot.K
                expected = [(start + page, mcid) for page, mcid in reading_order(own, root)]
                own_spans += sum(1 for e in elements(root) if e.get("/S") == "/Span")
            assert reading_order(joined, by_start[start]) == expected, policy_id
    assert book_spans < own_spans / 2
