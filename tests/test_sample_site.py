"""The sample handbook, built for real with MkDocs, shows every fact of its five sources."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import Tag

from html_reading import article, page, text_of

pytestmark = pytest.mark.slow


def guideline_counts(site: Path, policy: str) -> dict[str, int]:
    content = article(page(site, policy))
    return {
        group: len(content.select(f"li[id^='{group}-']"))
        for group in ("telephone", "in-person", "written", "call-types")
    }


def test_home_lists_every_policy_by_category(sample_site: Path) -> None:
    content = article(page(site=sample_site, uri=""))
    text = text_of(content)
    assert "Customer Service Policy Handbook" in text
    for title in (
        "Customer Care Policy",
        "Customer Care Standards",
        "Customer Service Philosophy and Standards",
    ):
        assert title in text
    headings = [text_of(h).rstrip(" ¶") for h in content.select("h2")]
    assert headings[:2] == ["Customer Service", "Training"]


def test_corona(sample_site: Path) -> None:
    content = article(page(sample_site, "corona-customer-care"))
    text = text_of(content)
    assert "03600.001" in text
    assert "Renumbered 3 January 2017" in text
    assert "Issued Unknown" in text
    assert "Department of Water & Power" in text
    assert guideline_counts(sample_site, "corona-customer-care") == {
        "telephone": 12,
        "in-person": 6,
        "written": 8,
        "call-types": 0,
    }
    assert len(content.select("ol.hb-principles > li")) == 3
    assert "Supervisor" in text_of(content.select("ol.hb-principles > li")[2])
    assert "Your water has been turned off for lack of payment on your account." in text
    assert "They turned your water off because you didn't pay your bill." in text
    for phrase in ("You'll have to", "You're wrong", "City policy, I can't do anything about"):
        assert phrase in text


def test_training_guide(sample_site: Path) -> None:
    content = article(page(sample_site, "utility-customer-service-training"))
    text = text_of(content)
    # Only the guide's table of contents is known: an outline of headings, not rules.
    assert not content.select("ol.hb-principles, ol.hb-guidelines, ol.hb-steps")
    outline = content.select_one("ul.hb-contents")
    assert outline is not None
    # Acknowledgments, preface, five sections, two appendices.
    assert len(outline.select(":scope > li")) == 9

    def heading(item: Tag) -> str:
        return str(item.find(string=True, recursive=False)).strip()

    def entries(name: str) -> list[str]:
        item = next(li for li in outline.select("li") if heading(li) == name)
        return [heading(li) for li in item.select(":scope > ul > li")]

    assert len(entries("Elements of Most Customer Encounters")) == 11
    # The two "Share ..." headings stand beside "Know Your Co-workers", as in the contents.
    assert entries("Knowledge") == [
        "Know Your Utility",
        "Know Your Product",
        "Know Your Job",
        "Know Your Co-workers",
        "Share Your Knowledge and Learn from Others",
        "Share Your Customer Encounters with Your Co-workers",
    ]
    assert entries("Know Your Co-workers") == []
    assert entries("Service Experiences") == ["Bad Service", "Good Service"]
    assert "311" in text
    assert "Automated Meter Reading" in text
    assert "High Bill Complaint" in text


def test_moreno_valley(sample_site: Path) -> None:
    content = article(page(sample_site, "moreno-valley-customer-care-standards"))
    rows = content.select("table.hb-standards tbody tr")
    assert len(rows) == 16
    assert "same day" in text_of(rows[0]).lower()


def test_portland(sample_site: Path) -> None:
    content = article(page(sample_site, "portland-bes-customer-service"))
    text = text_of(content)
    assert len(content.select("ol.hb-principles > li")) == 12
    rows = content.select("table.hb-standards tbody tr")
    assert len(rows) == 9
    assert "24 hours" in text_of(rows[0])
    assert "blind referrals" in text
    assert "appeal" in text_of(rows[3]).lower()


def test_pinole(sample_site: Path) -> None:
    content = article(page(sample_site, "pinole-customer-service"))
    text = text_of(content)
    assert "Kelcey Young" in text
    assert "April 2025" in text
    assert len(content.select("ol.hb-principles > li")) == 5
    assert "within 1 business day" in text
    assert "within 2 business days" in text
    assert "Your expected return date" in text
    assert "Human Resources Department" in text
    rows = content.select("table.hb-standards tbody tr")
    assert len(rows) == 4 + 5 + 3 + 5 + 3


def test_every_policy_records_its_source(sample_site: Path) -> None:
    for policy in (
        "corona-customer-care",
        "utility-customer-service-training",
        "moreno-valley-customer-care-standards",
        "portland-bes-customer-service",
        "pinole-customer-service",
    ):
        source = article(page(sample_site, policy)).select_one(".hb-source")
        assert source is not None and text_of(source)


def test_no_request_leaves_the_intranet(sample_site: Path) -> None:
    for html_file in sample_site.rglob("*.html"):
        html = html_file.read_text(encoding="utf-8")
        assert "fonts.googleapis.com" not in html, html_file
        assert "fonts.gstatic.com" not in html, html_file
        assert "cdn.jsdelivr.net" not in html, html_file
