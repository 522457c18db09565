"""The employee's site on a phone, 390 px wide, in real Chromium (issue 23): tables reflow with
no word broken mid-word and no column cut off, tap targets of at least 24 by 24 px, What's new
in the navigation, a 404 page that works at any address with a link home and the search box,
the home page's title said once and the Contacts page's links read as sentences."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from browser.conftest import BROWSER_TESTS, QuietHandler, Served, serving

pytestmark = BROWSER_TESTS

PHONE = {"width": 390, "height": 844}
TABLE_PAGES = [
    "pinole-customer-service/",
    "portland-bes-customer-service/",
    "reviews/",
    "cards/",
]

# For each cell of a handbook table: is it cut off by the page's right edge, and which of its
# words are laid out over more than one line (broken mid-word)?
CELL_PROBLEMS = """
() => {
  const problems = [];
  const width = document.documentElement.clientWidth;
  for (const cell of document.querySelectorAll("article table.hb-table td")) {
    const box = cell.getBoundingClientRect();
    if (box.width === 0) continue;
    if (box.right > width + 0.5 || cell.scrollWidth > cell.clientWidth + 1) {
      problems.push("cut off: " + cell.textContent.trim().slice(0, 40));
    }
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      const node = walker.currentNode;
      // A line may break at a space, a hyphen or a slash; anywhere else is mid-word.
      const pattern = /[^\\s\\-\u2010-\u2014\\/]+/g;
      let match;
      while ((match = pattern.exec(node.data)) !== null) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const tops = new Set();
        for (const rect of range.getClientRects()) {
          if (rect.width > 0) tops.add(Math.round(rect.top));
        }
        if (tops.size > 1) problems.push("broken word: " + match[0]);
      }
    }
  }
  return problems;
}
"""

# Every visible permalink, standard number and header button, with its size in CSS pixels.
TARGET_SIZES = """
() => Array.from(document.querySelectorAll(
  "article a.headerlink, article a.hb-anchor, .md-header__button, article label.md-button"
)).map(element => {
  const box = element.getBoundingClientRect();
  return [element.outerHTML.slice(0, 80), box.width, box.height];
}).filter(([, width, height]) => width > 0 && height > 0)
"""


@pytest.mark.parametrize("path", TABLE_PAGES)
def test_tables_reflow_on_a_phone(path: str, served: Served, open_page: Any) -> None:
    visit = open_page(**PHONE)
    visit.page.goto(served.sample + path)
    assert visit.page.locator("article table.hb-table").count() > 0
    assert visit.page.evaluate(CELL_PROBLEMS) == []
    # Each cell names its column, since the header row is out of sight.
    first = visit.page.locator("article table.hb-table td").first
    label = first.get_attribute("data-label")
    assert label and first.evaluate("cell => getComputedStyle(cell, '::before').content") == (
        f'"{label}: "'
    )


@pytest.mark.parametrize("path", ["", "pinole-customer-service/", "reviews/"])
def test_tap_targets_are_at_least_24_px(path: str, served: Served, open_page: Any) -> None:
    visit = open_page(**PHONE)
    visit.page.goto(served.sample + path)
    sizes = visit.page.evaluate(TARGET_SIZES)
    assert len(sizes) > 3
    assert [s for s in sizes if s[1] < 24 or s[2] < 24] == []


def test_whats_new_is_in_the_navigation(served: Served, open_page: Any) -> None:
    visit = open_page(**PHONE)
    page = visit.page
    page.goto(served.sample)
    page.locator('label.md-header__button[for="__drawer"]').click()
    link = page.locator("nav.md-nav--primary a.md-nav__link", has_text="What's new")
    link.first.click()
    page.wait_for_url(served.sample + "whats-new/index.html")
    assert page.locator("article h1").first.inner_text().rstrip(" ¶") == "What's new"


def test_the_home_page_names_the_handbook_once_and_contacts_read_as_sentences(
    served: Served, open_page: Any
) -> None:
    visit = open_page(**PHONE)
    page = visit.page
    page.goto(served.sample)
    assert page.title() == "Customer Service Policy Handbook"
    page.goto(served.sample + "contacts/")
    links = page.locator("article a", has_text="Read the full policy").all_inner_texts()
    assert "Read the full policy: Customer Care Policy" in links
    assert "policy policy" not in page.locator("article").inner_text()


# ---- the 404 page, as a web server shows it for any address that does not exist


class _NotFoundHandler(QuietHandler):
    """Answers a missing address with the site's 404.html, as intranet servers are set up
    (nginx `error_page 404`, Apache `ErrorDocument 404`)."""

    not_found_page: Path

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        if code != 404:
            super().send_error(code, message, explain)
            return
        body = self.not_found_page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


@pytest.fixture(scope="module")
def deep_server(sample_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The sample site served under /intranet/hr/handbook/, not the path of its site_url."""
    www = tmp_path_factory.mktemp("deep")
    (www / "intranet" / "hr").mkdir(parents=True)
    (www / "intranet" / "hr" / "handbook").symlink_to(sample_site, target_is_directory=True)
    handler_class = type(
        "Handler", (_NotFoundHandler,), {"not_found_page": sample_site / "404.html"}
    )
    with serving(functools.partial(handler_class, directory=str(www))) as origin:
        yield origin + "/intranet/hr/handbook/"


@pytest.mark.parametrize("missing", ["no-such-page/", "pinole-customer-servce/a/b/c.html"])
def test_a_mistyped_address_shows_a_404_page_with_a_way_home_and_search(
    missing: str, deep_server: str, open_page: Any
) -> None:
    visit = open_page(**PHONE)
    page = visit.page
    response = page.goto(deep_server + missing)
    assert response is not None and response.status == 404
    assert page.locator("article h1").inner_text() == "Page not found"
    # Styled: the theme's header colour, and icons at their size, not giant.
    header = page.locator(".md-header")
    assert header.evaluate("e => getComputedStyle(e).backgroundColor") != "rgba(0, 0, 0, 0)"
    icon = page.locator('label.md-header__button[for="__drawer"] svg').bounding_box()
    assert icon is not None and icon["width"] <= 32
    # The search box: its button opens it, and a word finds a policy's rule.
    page.locator("article label.md-button", has_text="Search").click()
    box = page.locator("input.md-search__input")
    box.fill("voicemail")
    box.press("End")  # Material searches on key events; fill() alone sends none
    result = page.locator("li.md-search-result__item > a.md-search-result__link").first
    result.wait_for()
    href = result.get_attribute("href") or ""
    assert href.startswith(deep_server), href
    # The link home leads to the home page of this site, wherever it is served.
    page.keyboard.press("Escape")
    page.locator("article a", has_text="Go to the home page").click()
    page.wait_for_url(deep_server + "index.html")
    assert page.locator("article h1").first.inner_text().rstrip(" ¶") == (
        "Customer Service Policy Handbook"
    )
    assert visit.foreign_requests(deep_server) == []
