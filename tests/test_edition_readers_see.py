"""What readers see of editions (issue 23): a new or retired policy listed by title, number,
version, summary and link rather than redlined field by field, a book whose front matter stays a
few pages however many policies an edition adds, and the edition itself, named in the footer,
the PDFs and the cards, with a build that says when changes are not yet published.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
import sys
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader

from conftest import (
    PINOLE,
    ROOT,
    PublishedEditions,
    built_once,
    copy_project,
    handbook_today,
    run_handbook,
)
from html_reading import article, text_of
from html_reading import page as read_page

pytestmark = pytest.mark.slow


def long_date(day: dt.date) -> str:
    """A date as the handbook writes it: 7 December 2026."""
    return f"{day.day} {day.strftime('%B %Y')}"


def pdf_text(path: Path, page: int = 0) -> str:
    return PdfReader(path).pages[page].extract_text() or ""


NEW_ID = "corona-customer-care-annex"


@pytest.fixture(scope="module")
def with_new_policy(
    published_editions: PublishedEditions, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, str]:
    """After editions A and B, a new policy added and built, not yet published."""

    def build(folder: Path) -> tuple[Path, str]:
        project = copy_project(published_editions.project, folder / "project")
        source = (project / "policies" / "corona-customer-care.yaml").read_text(encoding="utf-8")
        added = (
            source.replace("id: corona-customer-care\n", f"id: {NEW_ID}\n", 1)
            .replace('number: "03600.001"', 'number: "03600.009"', 1)
            .replace("title: Customer Care Policy\n", "title: Customer Care Annex\n", 1)
            .replace("short_title: Corona\n", "short_title: Corona annex\n", 1)
        )
        (project / "policies" / f"{NEW_ID}.yaml").write_text(added, encoding="utf-8")
        built = run_handbook("build", cwd=project)
        assert built.returncode == 0, built.stderr
        return project, built.stdout

    return built_once(tmp_path_factory, "readers-new-policy", build)


def test_whats_new_lists_a_new_policy_by_title_number_and_summary_without_a_redline(
    with_new_policy: tuple[Path, str],
) -> None:
    project, _ = with_new_policy
    page = article(read_page(project / "site", "whats-new/"))
    added = page.select(".hb-change--added")
    assert len(added) == 1
    entry = added[0]
    link = entry.find("a")
    assert link is not None and link.get_text() == "Customer Care Annex"
    assert link["href"] == f"../{NEW_ID}/index.html"
    text = text_of(entry)
    assert "03600.009" in text
    assert "How the Customer Care Division of the City of Corona" in text  # its summary
    # No field-by-field redline of a policy that did not exist before.
    assert entry.select(".hb-redline, ins, del") == []
    assert "Owner, phone" not in text_of(page)


def test_the_edition_readers_see_is_the_latest_published_one(
    published_editions: PublishedEditions,
) -> None:
    """Published as B today: the footer, the book, a policy PDF and a card name edition B."""
    site = published_editions.project / "site"
    shown = f"Edition B, {long_date(dt.date.fromisoformat(handbook_today()))}"
    footer = read_page(site, f"{PINOLE}/").select_one(".hb-footer__edition")
    assert footer is not None
    assert footer.get_text() == f"Customer Service Policy Handbook · {shown}"
    assert shown in pdf_text(site / "pdf" / "handbook.pdf", 0)  # the cover
    assert shown in pdf_text(site / "pdf" / f"{PINOLE}.pdf", 0)  # the running head
    # A card's one short footer line, with its dates as the card's review date writes them.
    card = pdf_text(site / "pdf" / "cards" / f"{PINOLE}.pdf", 0)
    assert f"Edition B of {handbook_today()}" in card
    # Nothing says the free-text "2026 edition" that publishing never changed.
    assert "2026 edition" not in footer.get_text()


def test_a_build_with_changes_not_yet_published_says_so(
    with_new_policy: tuple[Path, str],
) -> None:
    project, stdout = with_new_policy
    assert "changes since edition B" in stdout and "not yet published: 1 added" in stdout
    footer = read_page(project / "site", "").select_one(".hb-footer__edition")
    assert footer is not None and footer.get_text().endswith("with changes not yet published")
    # The new policy's card says it is not in an edition yet.
    card = pdf_text(project / "site" / "pdf" / "cards" / f"{NEW_ID}.pdf", 0)
    assert "Changes after edition B" in card


# ---- issue 24: a policy's own pages and PDF name its own edition, so that one edit after a
# publish changes the footer and running head of that policy only.

CORONA = "corona-customer-care"
CORONA_RULE = "      - rule: Answer calls promptly.\n"


@pytest.fixture(scope="module")
def with_one_edit(
    published_editions: PublishedEditions, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """After editions A and B, a one-word editorial edit of Corona, built, not yet published."""

    def build(folder: Path) -> Path:
        project = copy_project(published_editions.project, folder / "project")
        # Dated as edition B (its manifest says when), so no date here comes from the clock.
        manifest = json.loads((project / "editions" / "B" / "manifest.json").read_text("utf-8"))
        corona = project / "policies" / f"{CORONA}.yaml"
        text = corona.read_text(encoding="utf-8")
        assert text.count(CORONA_RULE) == 1 and text.count("\ncard:") == 1
        text = text.replace(CORONA_RULE, CORONA_RULE.replace("promptly", "quickly"))
        text = text.replace(
            "\ncard:",
            f"\n  - date: {manifest['date']}\n    kind: editorial\n"
            "    summary: One word of a telephone guideline.\ncard:",
        )
        corona.write_text(text, encoding="utf-8")
        built = run_handbook("build", cwd=project)
        assert built.returncode == 0, built.stderr
        return project

    return built_once(tmp_path_factory, "readers-one-edit", build)


def footer_of(site: Path, uri: str) -> str:
    """The edition line of a page's footer."""
    footer = read_page(site, uri).select_one(".hb-footer__edition")
    assert footer is not None
    return footer.get_text()


def pdf_words(path: Path, page: int = 0) -> str:
    """A PDF page's text with whitespace folded (a long running head may wrap)."""
    return " ".join(pdf_text(path, page).split())


def test_after_one_edit_only_that_policys_pages_and_pdf_say_changes_are_not_yet_published(
    with_one_edit: Path,
) -> None:
    site = with_one_edit / "site"
    manifest = json.loads((with_one_edit / "editions" / "B" / "manifest.json").read_text("utf-8"))
    edition = f"Edition B, {long_date(dt.date.fromisoformat(manifest['date']))}"
    pending = f"{edition}, with changes not yet published"
    # The edited policy: its page, an earlier version's page and its own PDF.
    assert footer_of(site, f"{CORONA}/").endswith(pending)
    assert footer_of(site, f"{CORONA}/versions/A/").endswith(pending)
    assert pending in pdf_words(site / "pdf" / f"{CORONA}.pdf")
    # A policy unchanged since edition B names the edition alone, on its page and its PDF.
    assert footer_of(site, f"{PINOLE}/").endswith(f"· {edition}")
    assert pending not in pdf_words(site / "pdf" / f"{PINOLE}.pdf")
    assert edition in pdf_words(site / "pdf" / f"{PINOLE}.pdf")
    # Pages of the whole handbook, and the book's cover, say the handbook has changes.
    for uri in ("", "whats-new/", "contacts/"):
        assert footer_of(site, uri).endswith(pending), uri
    assert pending in pdf_words(site / "pdf" / "handbook.pdf")
    # The card says so as before: only the edited policy's.
    assert "Changes after edition B" in pdf_text(site / "pdf" / "cards" / f"{CORONA}.pdf", 0)
    assert "Changes after edition B" not in pdf_text(site / "pdf" / "cards" / f"{PINOLE}.pdf", 0)


# ---- the book's front matter at 100 policies, 95 of them added since the latest edition


def test_the_books_front_matter_stays_a_few_pages_with_95_policies_added(
    tmp_path: Path,
) -> None:
    sys.path.insert(0, str(ROOT))
    from benchmarks.synth import generate_project
    from generator.changes import Edition
    from generator.model import load_handbook
    from generator.pdf.layout import render_pdf
    from generator.prepare import prepare
    from generator.render import Renderer, SiteOptions
    from generator.render.printing import PRINT_STYLESHEET, print_book

    project = generate_project(tmp_path / "project", 100)
    # The edition before: the same handbook with only its first five policies published.
    before = copy_project(project, tmp_path / "before")
    for index in range(5, 100):
        path = before / "policies" / f"policy-{index:04d}.yaml"
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        data["status"] = "draft"
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    edition = Edition("2026-11", dt.date(2026, 11, 30), "First edition.", load_handbook(before))
    prepared = prepare(project, dt.date(2026, 12, 1))
    renderer = Renderer(prepared.handbook, prepared.report, SiteOptions(), [edition])
    changes = renderer.whats_new()
    assert changes.summary().startswith("95 added")
    front = print_book(renderer).front
    rendered = render_pdf(
        front.html,
        root=project,
        base_dir=project,
        stylesheets=(project / PRINT_STYLESHEET,),
        page_labels=True,
    )
    reader = PdfReader(io.BytesIO(rendered.data))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    assert "Changes in this edition" in text
    assert "policy-0099" not in text  # ids are not shown; titles are
    assert text.count("(0099)") >= 1  # the last added policy is listed (its title ends so)
    assert len(reader.pages) <= 10, f"front matter of {len(reader.pages)} pages"
    shutil.rmtree(before)
