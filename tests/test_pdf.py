"""Printable PDFs: the book and the per-policy PDFs, built by the real CLI and read back."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import pdfplumber
import pypdf
import pytest
import yaml

from conftest import ROOT, SAMPLE_IDS, make_project, run_handbook, tree_digest
from generator.pdf import PdfError, render_pdf
from generator.pipeline import start_pdfs
from generator.prepare import prepare
from generator.render import Renderer, SiteOptions

ARTIFACTS = ROOT / "tests" / "artifacts" / "pdf"
DEJAVU_SANS = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")  # fonts-dejavu-core
EPOCH = "1790000000"  # 2026-09-21, fixed for the reproducibility builds

pytestmark = pytest.mark.slow


# Titles and categories of the sample's policies (conftest.SAMPLE_IDS) are read from their files
# as written (the input), never from the loaded model.
def source_field(policy_id: str, field: str) -> str:
    """A top-level text field of a sample policy, as its file spells it."""
    data = yaml.safe_load((ROOT / "policies" / f"{policy_id}.yaml").read_text(encoding="utf-8"))
    return str(data[field])


def published() -> list[tuple[str, str]]:
    """(id, title) of every sample policy, by id."""
    return [(policy_id, source_field(policy_id, "title")) for policy_id in SAMPLE_IDS]


def outline_titles(reader: pypdf.PdfReader) -> list[tuple[int, str, int]]:
    """Every bookmark as (depth, title, 0-based page index)."""
    found: list[tuple[int, str, int]] = []

    def walk(items: list, depth: int) -> None:  # type: ignore[type-arg]
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                found.append((depth, item.title, reader.get_destination_page_number(item)))

    walk(reader.outline, 0)
    return found


def page_text(pdf: pdfplumber.PDF, index: int) -> str:
    return " ".join((pdf.pages[index].extract_text() or "").split())


@pytest.fixture(scope="module")
def book(sample_site: Path) -> Path:
    return sample_site / "pdf" / "handbook.pdf"


def test_book_has_a_bookmark_per_policy_under_its_category(book: Path) -> None:
    reader = pypdf.PdfReader(book)
    bookmarks = outline_titles(reader)
    parts = [title for depth, title, _ in bookmarks if depth == 0]
    # Categories in the order handbook.yaml lists them.
    assert parts.index("Customer Service") < parts.index("Training")
    under: list[tuple[str, str]] = []
    part = ""
    for depth, title, _ in bookmarks:
        if depth == 0:
            part = title
        elif depth == 1:
            under.append((part, title))
    assert len(under) == 5
    assert sorted(under) == sorted(
        (source_field(policy_id, "category"), title) for policy_id, title in published()
    )
    # Sections sit under their policy: every policy has a "Revision history" bookmark.
    sections = [title for depth, title, _ in bookmarks if depth == 2]
    assert sections.count("Revision history") == 5


def test_every_contents_entry_names_where_its_policy_is_as_the_page_labels_say(
    sample_site: Path, book: Path
) -> None:
    reader = pypdf.PdfReader(book)
    labels = reader.page_labels
    assert labels[:2] == ["i", "ii"]  # cover, contents: the front matter's own numbering
    numbers = {
        policy_id: yaml.safe_load(
            (ROOT / "policies" / f"{policy_id}.yaml").read_text(encoding="utf-8")
        ).get("number")
        for policy_id, _ in published()
    }
    assert sorted(map(bool, numbers.values())) == [False] * 4 + [True]  # both kinds are tested
    with pdfplumber.open(book) as pdf:
        contents = (pdf.pages[1].extract_text() or "").splitlines()
        for policy_id, title in published():
            number = numbers[policy_id]
            entry = next(line for line in contents if title in line.split("....")[0])
            leader = re.fullmatch(r"(.+?)\.{4,}\s*(.+)", entry)
            assert leader is not None, entry
            # Where the policy starts: its number's first page, "03600.001, p. 1"; a policy
            # without a number is found by the title the entry gives, so its title is not repeated.
            assert leader[2] == (f"{number}, p. 1" if number else "p. 1"), entry
            assert entry.count(title) == 1, entry
            # The page labels themselves name an unnumbered policy by its title, as before.
            index = labels.index(f"{number or title}, p. 1")
            assert title in page_text(pdf, index), (title, labels[index])
            # The policy's own first page: "Page 1 of" its own pages.
            assert "Page 1 of " in page_text(pdf, index)


def test_policy_pages_are_loose_leaf_numbered_with_number_and_revision(book: Path) -> None:
    reader = pypdf.PdfReader(book)
    labels = reader.page_labels
    own = [label for label in labels if label.startswith("03600.001, p. ")]
    assert own == [f"03600.001, p. {n}" for n in range(1, len(own) + 1)]
    start = labels.index("03600.001, p. 1")
    with pdfplumber.open(book) as pdf:
        for offset in range(len(own)):
            page = pdf.pages[start + offset]
            footer = page.crop((0, page.height - 72, page.width, page.height))
            text = " ".join((footer.extract_text() or "").split())
            # Corona's source says "Revised: N/A": the renumbering of 2017 is no revision. The
            # only revision its pages name is this handbook's own editorial one (its card).
            assert (
                f"03600.001 · Version 1.1, revised 2026-12-07 · Page {offset + 1} of {len(own)}"
                in text
            )
            assert "2017" not in text
            assert "Review overdue since 2018-01-03" in text
            header = page.crop((0, 0, page.width, 72))
            # No edition published in this build: the running head says so (issue 23).
            assert "Not yet published as an edition" in (header.extract_text() or "")


def test_per_policy_pdfs(sample_site: Path) -> None:
    assert sorted(path.name for path in (sample_site / "pdf").glob("*.pdf")) == [
        "corona-customer-care.pdf",
        "handbook.pdf",
        "moreno-valley-customer-care-standards.pdf",
        "pinole-customer-service.pdf",
        "portland-bes-customer-service.pdf",
        "utility-customer-service-training.pdf",
    ]
    for policy_id, title in published():
        path = sample_site / "pdf" / f"{policy_id}.pdf"
        reader = pypdf.PdfReader(path)
        assert len(reader.pages) > 0
        assert reader.metadata is not None and reader.metadata.title == title
        assert outline_titles(reader)[0][:2] == (0, title)
        with pdfplumber.open(path) as pdf:
            first = page_text(pdf, 0)
        assert f"Page 1 of {len(reader.pages)}" in first
    with pdfplumber.open(sample_site / "pdf" / "pinole-customer-service.pdf") as pdf:
        assert "Review overdue since 2026-04-30" in page_text(pdf, 0)


def test_metadata_tags_and_paper(sample_site: Path, book: Path) -> None:
    reader = pypdf.PdfReader(book)
    catalog = reader.trailer["/Root"]
    assert "/StructTreeRoot" in catalog
    assert catalog["/MarkInfo"]["/Marked"]
    assert catalog["/Lang"] == "en"
    metadata = reader.metadata
    assert metadata is not None
    assert metadata.title == "Customer Service Policy Handbook"
    assert metadata.author == "Sample Handbook (public city policies)"
    assert metadata.subject and "Customer Service" in (metadata.get("/Keywords") or "")
    for page in reader.pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == (612, 792)
    fonts = {
        font["/BaseFont"].split("+")[-1]
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert fonts and all(name.startswith(("Noto-Serif", "Noto-Sans")) for name in fonts), fonts


def test_site_links_to_the_pdfs(sample_site: Path) -> None:
    home = (sample_site / "index.html").read_text(encoding="utf-8")
    assert 'href="pdf/handbook.pdf"' in home
    for policy_id, _ in published():
        page = (sample_site / policy_id / "index.html").read_text(encoding="utf-8")
        assert f'href="../pdf/{policy_id}.pdf"' in page
        assert (sample_site / "pdf" / f"{policy_id}.pdf").is_file()


def test_pages_as_png_for_people_to_look_at(book: Path) -> None:
    if shutil.which("pdftoppm") is None:
        pytest.fail("pdftoppm (poppler-utils) is missing: make test installs it")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for name, page in (("cover", 1), ("contents", 2), ("part", 3), ("body", 4), ("body-2", 5)):
        prefix = ARTIFACTS / f"handbook-{name}"
        pages = ["-f", str(page), "-l", str(page)]
        command = ["pdftoppm", "-png", "-r", "80", *pages, "-singlefile", str(book), str(prefix)]
        subprocess.run(command, check=True)
        assert prefix.with_suffix(".png").stat().st_size > 10_000


def test_two_builds_give_the_same_bytes_and_a4_is_honoured(tmp_path: Path) -> None:
    digests = []
    for run in ("first", "second"):
        project = make_project(tmp_path / run, "small")
        settings = project / "policies" / "handbook.yaml"
        settings.write_text(settings.read_text() + "paper: a4\n", encoding="utf-8")
        result = run_handbook(
            "build", "--today", "2026-11-27", cwd=project, env={"SOURCE_DATE_EPOCH": EPOCH}
        )
        assert result.returncode == 0, result.stderr
        pdfs = sorted((project / "site" / "pdf").glob("*.pdf"))
        assert [p.name for p in pdfs] == [
            "counter-service.pdf",
            "handbook.pdf",
            "phone-response.pdf",
        ]
        digests.append({p.name: p.read_bytes() for p in pdfs})
    assert digests[0] == digests[1]
    reader = pypdf.PdfReader(tmp_path / "first" / "site" / "pdf" / "handbook.pdf")
    page = reader.pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
    assert reader.metadata is not None
    assert reader.metadata["/CreationDate"].startswith("D:20260921")


def _add_to_summary(project: Path, text: str) -> int:
    """Append `text` to phone-response's summary; returns the line of the summary."""
    path = project / "policies" / "phone-response.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    index = next(i for i, line in enumerate(lines) if line.startswith("summary:"))
    lines[index] = lines[index].rstrip() + " " + text
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return index + 1


@pytest.mark.parametrize(
    ("image", "named"),
    [
        ("images/missing.png", "images/missing.png"),
        ("file:///etc/passwd", "'file:'"),
        ("../../../../etc/passwd", "../../../../etc/passwd"),
        ("/etc/passwd", "/etc/passwd"),
    ],
)
def test_policy_image_outside_the_project_or_missing_fails_the_build(
    tmp_path: Path, image: str, named: str
) -> None:
    project = make_project(tmp_path / "project", "small")
    line = _add_to_summary(project, f"![x]({image})")
    result = run_handbook("build", "--today", "2026-11-27", cwd=project)
    assert result.returncode == 1
    assert f"policies/phone-response.yaml:{line}: summary:" in result.stderr
    assert named in result.stderr
    assert "Traceback" not in result.stderr
    assert not (project / "site").exists()


def test_remote_image_is_refused_by_the_pdf_fetcher(tmp_path: Path) -> None:
    # The model allows https images on the site; the PDF stage never fetches from the network.
    project = make_project(tmp_path / "project", "small")
    line = _add_to_summary(project, "![logo](https://example.com/logo.png)")
    result = run_handbook("build", "--today", "2026-11-27", cwd=project)
    assert result.returncode == 1, result.stderr
    assert (
        f"policies/phone-response.yaml:{line}: summary: 'https://example.com/logo.png' "
        "cannot be printed: refused https://example.com/logo.png: only files inside the "
        "project are used"
    ) in result.stderr
    assert not (project / "site").exists()


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("images/missing.png", "images/missing.png does not exist"),
        ("file:///etc/passwd", "outside the project folder"),
        ("../../../../../../etc/passwd", "outside the project folder"),
        ("/dev/urandom", "outside the project folder"),
        ("http://127.0.0.1:9/x.png", "only files inside the project are used"),
        ("data:image/png;base64,iVBORw0KGgo=", "only files inside the project are used"),
    ],
)
def test_render_pdf_refuses_anything_but_project_files(
    tmp_path: Path, source: str, reason: str
) -> None:
    html = (
        f'<html lang="en"><title>t</title><body><p><img src="{source}" alt="x"></p></body></html>'
    )
    with pytest.raises(PdfError) as failure:
        render_pdf(html, root=tmp_path, base_dir=tmp_path)
    assert any(reason in message for message in failure.value.messages), failure.value.messages


@pytest.mark.own_pdf_cache
def test_render_pdf_reads_a_project_image(tmp_path: Path) -> None:
    image = tmp_path / "images" / "dot.svg"
    image.parent.mkdir()
    image.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>')
    html = (
        '<html lang="en"><title>t</title><body><img src="images/dot.svg" alt="dot"></body></html>'
    )
    rendered = render_pdf(html, root=tmp_path, base_dir=tmp_path)
    assert rendered.pages == 1
    assert str(image) in rendered.resources


def rendered_names(project: Path) -> list[str]:
    """The PDFs a build of `project` renders now; the rest come from its cache."""
    prepared = prepare(project, dt.date(2026, 11, 27))
    renderer = Renderer(prepared.handbook, prepared.report, SiteOptions())
    run = start_pdfs(prepared.handbook, renderer)
    try:
        run.batch.wait()
    finally:
        run.batch.close()
    return sorted(run.batch.rendered)


EVERYTHING = ["counter-service.pdf", "handbook.pdf", "phone-response.pdf"]


@pytest.mark.own_pdf_cache
def test_unchanged_policies_come_from_the_cache(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project", "small")
    assert rendered_names(project) == EVERYTHING
    assert rendered_names(project) == []
    _add_to_summary(project, "Always.")
    # The book's front matter is unchanged: only the edited policy is laid out again.
    assert rendered_names(project) == ["phone-response.pdf"]


@pytest.mark.own_pdf_cache
def test_a_changed_print_stylesheet_or_template_renders_again(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project", "small")
    assert rendered_names(project) == EVERYTHING
    stylesheet = project / "templates" / "print" / "print.css"
    with stylesheet.open("a", encoding="utf-8") as out:
        out.write("\nh1 { letter-spacing: 0.01em; }\n")
    assert rendered_names(project) == EVERYTHING
    assert rendered_names(project) == []
    # The book's own template: only the book changes.
    book = project / "templates" / "print" / "book.html.j2"
    book.write_text(book.read_text(encoding="utf-8") + "\n<!-- edited -->\n", encoding="utf-8")
    assert rendered_names(project) == ["handbook.pdf"]
    # The policy template, used by every policy PDF and by the book.
    policy = project / "templates" / "print" / "_policy.html.j2"
    before = policy.read_text(encoding="utf-8")
    after = before.replace("<article class=", '<article data-edited="yes" class=', 1)
    assert after != before
    policy.write_text(after, encoding="utf-8")
    # The book is joined from the policies' own PDFs: its front matter does not use it.
    assert rendered_names(project) == ["counter-service.pdf", "phone-response.pdf"]


@pytest.mark.own_pdf_cache
def test_a_font_installed_for_the_user_renders_every_pdf_again(tmp_path: Path) -> None:
    # fontconfig, which WeasyPrint asks for fonts, reads the user's font folders too.
    project = make_project(tmp_path / "project", "small")
    home = tmp_path / "home"
    home.mkdir()
    environment = {"HOME": str(home), "XDG_DATA_HOME": str(home / ".local" / "share")}
    build = ("build", "--today", "2026-11-27")

    def pdf_line() -> str:
        result = run_handbook(*build, cwd=project, env=environment)
        assert result.returncode == 0, result.stderr
        return next(
            line for line in result.stderr.splitlines() if line.startswith("handbook: PDFs")
        )

    assert pdf_line().endswith(
        "(3 documents: 3 rendered, 0 unchanged from the cache; book joined again)"
    )
    # Nothing changed: neither the layouts nor the book's join are done again.
    assert pdf_line().endswith(
        "(3 documents: 0 rendered, 3 unchanged from the cache; book unchanged from the cache)"
    )
    fonts = home / ".local" / "share" / "fonts"
    fonts.mkdir(parents=True)
    shutil.copy(DEJAVU_SANS, fonts / "DejaVuSans.ttf")
    assert pdf_line().endswith(
        "(3 documents: 3 rendered, 0 unchanged from the cache; book joined again)"
    )


@pytest.mark.own_pdf_cache
def test_a_one_word_edit_lays_out_that_policy_alone(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project", "small")
    env = {"SOURCE_DATE_EPOCH": EPOCH}
    first = run_handbook("build", "--today", "2026-11-27", cwd=project, env=env)
    assert first.returncode == 0, first.stderr
    before = tree_digest(project / "site" / "pdf")
    path = project / "policies" / "phone-response.yaml"
    text = path.read_text(encoding="utf-8")
    # A standard the policy's desk card shows too.
    assert "commitment: Return voicemail" in text
    path.write_text(
        text.replace("commitment: Return voicemail", "commitment: Return all voicemail")
    )
    second = run_handbook("build", "--today", "2026-11-27", cwd=project, env=env)
    assert second.returncode == 0, second.stderr
    # The build's summary: the edited policy laid out, the front matter and the rest kept;
    # of the cards, only the edited policy's (the sheets are made of the cards' pages, and their
    # frames did not change).
    assert (
        "(3 documents: 1 rendered, 2 unchanged from the cache; book joined again)" in second.stderr
    )
    cards = next(line for line in second.stderr.splitlines() if line.startswith("handbook: cards"))
    assert cards.endswith("(4 documents: 1 rendered, 3 unchanged from the cache)"), cards
    after = tree_digest(project / "site" / "pdf")
    changed = sorted(name for name in before if before[name] != after[name])
    # The book holds the new pages of the edited policy; its own PDF and card changed with it.
    assert "phone-response.pdf" in changed and "handbook.pdf" in changed
    assert "counter-service.pdf" not in changed
    assert "cards/counter-service.pdf" not in changed
    with pdfplumber.open(project / "site" / "pdf" / "handbook.pdf") as pdf:
        assert any("Return all voicemail" in (page.extract_text() or "") for page in pdf.pages)
    with pdfplumber.open(project / "site" / "pdf" / "cards" / "phone-response.pdf") as card:
        assert "Return all voicemail" in (card.pages[0].extract_text() or "")


@pytest.mark.own_pdf_cache
def test_the_pdf_cache_keeps_only_what_the_last_build_used(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project", "small")
    cache = project / ".cache" / "pdf"
    env = {"SOURCE_DATE_EPOCH": EPOCH}
    assert run_handbook("build", "--today", "2026-11-27", cwd=project, env=env).returncode == 0
    # The book's front matter, two policy PDFs, two cards, the two sheet frames, the two
    # sheets with the cards placed on them, and the book joined from its chapters.
    first = sorted(path.name for path in cache.glob("*.pdf"))
    assert len(first) == 10
    path = project / "policies" / "phone-response.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("commitment: Return voicemail", "commitment: Return all voicemail")
    )
    assert run_handbook("build", "--today", "2026-11-27", cwd=project, env=env).returncode == 0
    second = sorted(path.name for path in cache.glob("*.pdf"))
    # The edited policy's PDF and card were rendered anew, the sheets that hold the card
    # placed again and the book joined again; their old renders are gone.
    assert len(second) == 10
    assert len(set(first) - set(second)) == 5
    assert len(list(cache.glob("*.json"))) == 10


@pytest.mark.own_pdf_cache
def test_a_project_moved_to_another_folder_keeps_its_pdf_cache(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project", "small")
    assert rendered_names(project) == EVERYTHING
    moved = tmp_path / "elsewhere" / "handbook"
    moved.parent.mkdir()
    shutil.move(project, moved)
    # The PDFs do not depend on the folder, so the cache recorded nothing of it.
    assert rendered_names(moved) == []


@pytest.mark.own_pdf_cache
def test_a_shared_pdf_cache_serves_another_project_and_is_never_pruned(tmp_path: Path) -> None:
    shared = tmp_path / "shared-cache"
    env = {"HANDBOOK_PDF_CACHE": str(shared)}
    first = make_project(tmp_path / "first", "small")
    built = run_handbook("build", "--today", "2026-11-27", cwd=first, env=env)
    assert built.returncode == 0, built.stderr
    assert (
        "(3 documents: 3 rendered, 0 unchanged from the cache; book joined again)" in built.stderr
    )
    first_renders = {path.name for path in shared.glob("*.pdf")}
    assert first_renders
    # Another checkout of the same handbook, with one policy's summary edited.
    second = make_project(tmp_path / "second", "small")
    _add_to_summary(second, "In short.")
    again = run_handbook("build", "--today", "2026-11-27", cwd=second, env=env)
    assert again.returncode == 0, again.stderr
    assert (
        "(3 documents: 1 rendered, 2 unchanged from the cache; book joined again)" in again.stderr
    )
    # Neither build kept a cache of its own, and the second pruned none of the first's renders.
    assert not (first / ".cache" / "pdf").exists() and not (second / ".cache" / "pdf").exists()
    assert first_renders <= {path.name for path in shared.glob("*.pdf")}
    unchanged = "counter-service.pdf"
    assert (first / "site" / "pdf" / unchanged).read_bytes() == (
        second / "site" / "pdf" / unchanged
    ).read_bytes()
