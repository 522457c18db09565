"""Editions pages in Chromium (issue 12): what's new, the editions list and a policy's earlier
versions pass axe (WCAG 2.1 A/AA), make no request outside the server, and announce redlines."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from browser.conftest import BROWSER_TESTS, folder_handler, serving
from browser.test_accessibility import WCAG_21_AA, violations
from conftest import PINOLE, PublishedEditions

pytestmark = BROWSER_TESTS

PAGES = ["whats-new/", "editions/", f"{PINOLE}/versions/A/", f"{PINOLE}/versions/B/", f"{PINOLE}/"]


@pytest.fixture(scope="module")
def editions_site(published_editions: PublishedEditions) -> Iterator[str]:
    """The site of the A/B scenario, served on 127.0.0.1 at a free port."""
    with serving(folder_handler(published_editions.project / "site")) as origin:
        yield origin + "/"


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", PAGES)
def test_no_wcag_violation_and_no_external_request(
    path: str, scheme: str, editions_site: str, open_page: Any
) -> None:
    visit = open_page(scheme=scheme)
    visit.page.goto(editions_site + path)
    visit.page.wait_for_load_state("networkidle")
    assert violations(Axe().run(visit.page, options=WCAG_21_AA)) == []
    assert visit.foreign_requests(editions_site) == []
    assert visit.console_errors == []


def test_redline_marks_are_announced_and_not_colour_alone(
    editions_site: str, open_page: Any
) -> None:
    visit = open_page()
    visit.page.goto(editions_site + "whats-new/")
    # The last change is the target's (the summary, text and short form say "two"/"three").
    deleted = visit.page.locator(".hb-redline del").last
    inserted = visit.page.locator(".hb-redline ins").last
    # What a screen reader reads: the hidden words are part of the accessible text.
    assert deleted.inner_text().split() == ["deleted:", "2"]
    assert inserted.inner_text().split() == ["inserted:", "3"]
    assert "line-through" in deleted.evaluate("e => getComputedStyle(e).textDecorationLine")
    assert "underline" in inserted.evaluate("e => getComputedStyle(e).textDecorationLine")
    hidden = deleted.locator(".hb-sr")
    assert hidden.bounding_box() is not None
    box = hidden.bounding_box()
    assert box is not None and box["width"] <= 1 and box["height"] <= 1
