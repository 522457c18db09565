"""The sample says what its five seed documents say: every phrase recorded in
tests/fixtures/seed_facts.yaml is on the built page, policy PDF, book and card, with its
obligation words and hedges, and no fault found once comes back."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from conftest import FIXTURES
from html_reading import article, page, text_of

pytestmark = pytest.mark.slow

FACTS = yaml.safe_load((FIXTURES / "seed_facts.yaml").read_text(encoding="utf-8"))
POLICY_IDS = [key for key in FACTS if key != "home_absent"]


def squeeze(text: str) -> str:
    """Text without whitespace or permalink marks: a PDF breaks lines where a page does not."""
    return re.sub(r"[\s¶]+", "", text)


def unhyphenated(text: str) -> str:
    """Squeezed text without hyphens: poppler drops the hyphen of a word broken at a line end."""
    return squeeze(text).replace("-", "")


def pdf_text(pdf: Path) -> str:
    """The words of a PDF as poppler reads them, squeezed and without hyphens."""
    return unhyphenated(
        subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(pdf), "-"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )


@dataclass(frozen=True)
class Built:
    """The squeezed text of each thing a reader sees of one policy (PDFs also unhyphenated)."""

    page: str
    pdf: str
    book: str
    card: str
    home: str

    def finds(self, where: str, phrase: str, *, any_case: bool = False) -> bool:
        """Whether `phrase` is in the text of `where` (page, PDF, book, card or home)."""
        text = getattr(self, where)
        needle = squeeze(phrase) if where in ("page", "home") else unhyphenated(phrase)
        return needle.casefold() in text.casefold() if any_case else needle in text


@pytest.fixture(scope="module")
def built(sample_site: Path) -> dict[str, Built]:
    book = pdf_text(sample_site / "pdf" / "handbook.pdf")
    home = squeeze(text_of(article(page(sample_site, ""))))
    return {
        policy_id: Built(
            page=squeeze(text_of(article(page(sample_site, policy_id)))),
            pdf=pdf_text(sample_site / "pdf" / f"{policy_id}.pdf"),
            book=book,
            card=pdf_text(sample_site / "pdf" / "cards" / f"{policy_id}.pdf"),
            home=home,
        )
        for policy_id in POLICY_IDS
    }


@pytest.mark.parametrize("policy_id", POLICY_IDS)
def test_every_recorded_fact_is_on_the_page_in_the_pdf_and_in_the_book(
    built: dict[str, Built], policy_id: str
) -> None:
    texts = built[policy_id]
    missing = [
        (where, phrase)
        for phrase in FACTS[policy_id]["page"]
        for where in ("page", "pdf", "book")
        if not texts.finds(where, phrase)
    ]
    assert missing == []


@pytest.mark.parametrize("policy_id", POLICY_IDS)
def test_every_recorded_card_fact_is_on_the_card(built: dict[str, Built], policy_id: str) -> None:
    texts = built[policy_id]
    assert [p for p in FACTS[policy_id]["card"] if not texts.finds("card", p)] == []


@pytest.mark.parametrize("policy_id", POLICY_IDS)
def test_home_page_summary_keeps_deadlines_with_their_hedges(
    built: dict[str, Built], policy_id: str
) -> None:
    texts = built[policy_id]
    assert [p for p in FACTS[policy_id]["home"] if not texts.finds("home", p)] == []


@pytest.mark.parametrize("policy_id", POLICY_IDS)
def test_no_fault_found_once_comes_back(built: dict[str, Built], policy_id: str) -> None:
    texts = built[policy_id]
    found = [
        (where, phrase)
        for phrase in FACTS[policy_id].get("absent", [])
        for where in ("page", "pdf", "book", "card", "home")
        if texts.finds(where, phrase, any_case=True)
    ]
    found += [
        ("card", phrase)
        for phrase in FACTS[policy_id].get("card_absent", [])
        if texts.finds("card", phrase, any_case=True)
    ]
    assert found == []


def test_home_page_lists_no_revision_the_sources_do_not_state(built: dict[str, Built]) -> None:
    texts = next(iter(built.values()))
    assert [p for p in FACTS["home_absent"] if texts.finds("home", p, any_case=True)] == []
