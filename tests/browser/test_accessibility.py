"""axe-core in Chromium: no WCAG 2.1 A or AA violation on any page type, light or dark."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from browser.conftest import BROWSER_TESTS, Served

pytestmark = BROWSER_TESTS

# Only violations are asked for: axe then skips building selectors for the thousands of nodes
# that pass (its documented speed option), a third or more of each run; what fails is the same.
WCAG_21_AA = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
PAGE_TYPES = [
    ("sample", "", "home"),
    ("sample", "customer-service/", "category"),
    ("sample", "corona-customer-care/", "policy"),
    ("sample", "pinole-customer-service/", "policy with standards groups"),
    ("sample", "reviews/", "review status"),
    ("sample", "contacts/", "contacts"),
    ("sample", "tags/", "tags"),
    ("lifecycle", "archive/", "archive"),
    ("lifecycle", "fax-orders/", "retired policy"),
    ("lifecycle", "phone-lines/", "overdue policy"),
    ("lifecycle", "email-replies/", "due-soon policy"),
]


@pytest.fixture(scope="module")
def axe() -> Axe:
    return Axe()


def violations(result: Any) -> list[str]:
    """One line per violation: rule, impact, and the first offending elements."""
    return [
        f"{v['id']} ({v['impact']}): {[node['target'] for node in v['nodes'][:3]]}"
        for v in result.response["violations"]
    ]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize(("site", "path", "kind"), PAGE_TYPES)
def test_no_wcag_violation(
    site: str, path: str, kind: str, scheme: str, served: Served, open_page: Any, axe: Axe
) -> None:
    visit = open_page(scheme=scheme)
    visit.page.goto(getattr(served, site) + path)
    expected = "slate" if scheme == "dark" else "default"
    assert visit.page.get_attribute("body", "data-md-color-scheme") == expected
    assert violations(axe.run(visit.page, options=WCAG_21_AA)) == []


@pytest.mark.parametrize(("site", "path", "kind"), PAGE_TYPES)
def test_structure(site: str, path: str, kind: str, served: Served, open_page: Any) -> None:
    """Landmarks, one h1, headings in order, the page language."""
    visit = open_page()
    visit.page.goto(getattr(served, site) + path)
    page = visit.page
    assert page.get_attribute("html", "lang") == "en"
    assert page.locator("h1").count() == 1
    for landmark in ("header", "main", "footer", "nav"):
        assert page.locator(landmark).count() >= 1, landmark
    levels = page.eval_on_selector_all(
        "article :is(h1, h2, h3, h4, h5, h6)", "els => els.map(e => Number(e.tagName[1]))"
    )
    assert levels[0] == 1
    assert all(after <= before + 1 for before, after in itertools.pairwise(levels))


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("query", ["greeting script", "police"])
def test_no_wcag_violation_in_search_results(
    query: str, scheme: str, served: Served, open_page: Any, axe: Axe
) -> None:
    """The results with a best bet marked, and the note that no rule answers (issue 25)."""
    visit = open_page(scheme=scheme)
    page = visit.page
    page.goto(served.sample)
    page.keyboard.press("/")
    page.keyboard.type(query)
    marker = ".hb-best-bet" if query == "greeting script" else ".hb-no-answer"
    page.locator(marker).first.wait_for()
    assert violations(axe.run(page, options=WCAG_21_AA)) == []
