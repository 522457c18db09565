"""Every page, as a browser loads it: reachable from the navigation, nothing fetched from outside
the site, no console errors, no sideways scrolling on a phone."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest

from browser.conftest import BROWSER_TESTS, Served, Visit, site_pages

pytestmark = BROWSER_TESTS

NAV_LINKS = "nav.md-nav--primary a.md-nav__link[href]"


def crawl(visit: Visit, base: str) -> set[str]:
    """Pages reached from the home page through navigation links, from the archive page
    (retired policies are deliberately out of the navigation) and the home page's links to
    what's new and the editions."""
    base_path = urlsplit(base).path
    seen: set[str] = set()
    queue = [base]
    while queue:
        url = queue.pop()
        # Links name a page's index.html (so the site works from a folder): the same page.
        path = urlsplit(url).path.removesuffix("index.html")
        if path in seen:
            continue
        seen.add(path)
        visit.page.goto(url)
        links = visit.page.eval_on_selector_all(NAV_LINKS, "els => els.map(e => e.href)")
        if path.endswith("/archive/"):
            links += visit.page.eval_on_selector_all(
                "article a[href]", "els => els.map(e => e.href)"
            )
        # What's new and the editions are off the navigation too, linked from the home page.
        links += visit.page.eval_on_selector_all(
            ".hb-whats-new a[href]", "els => els.map(e => e.href)"
        )
        for link in links:
            target = urljoin(url, urlsplit(link).path)
            if urlsplit(target).path.startswith(base_path):
                queue.append(target)
    return {path.removeprefix(base_path) for path in seen}


@pytest.mark.parametrize("site", ["sample", "lifecycle"])
def test_every_page_is_reachable_offline_without_errors(
    site: str, served: Served, open_page: Any
) -> None:
    base: str = getattr(served, site)
    folder: Path = getattr(served, f"{site}_dir")
    visit = open_page()
    reached = crawl(visit, base)
    assert reached == set(site_pages(folder))
    assert visit.foreign_requests(served.origin) == []
    assert visit.console_errors == []
    # The search index is fetched too (by a worker); it is on the site as well.
    assert any(url.endswith("search/search_index.json") for url in visit.requests)


@pytest.mark.parametrize("site", ["sample", "lifecycle"])
def test_no_page_scrolls_sideways_on_a_phone(site: str, served: Served, open_page: Any) -> None:
    base: str = getattr(served, site)
    folder: Path = getattr(served, f"{site}_dir")
    visit = open_page(width=390, height=844)
    too_wide = {}
    for path in site_pages(folder):
        visit.page.goto(base + path)
        width = visit.page.evaluate(
            "() => [document.documentElement.scrollWidth, window.innerWidth]"
        )
        if width[0] > width[1]:
            too_wide[path] = width
    assert too_wide == {}
    assert visit.foreign_requests(served.origin) == []
    assert visit.console_errors == []


def test_retired_policy_is_off_the_navigation_but_on_the_archive(
    served: Served, open_page: Any
) -> None:
    visit = open_page()
    visit.page.goto(served.lifecycle)
    nav = visit.page.eval_on_selector_all(NAV_LINKS, "els => els.map(e => e.href)")
    assert not any("fax-orders" in link for link in nav)
    visit.page.goto(served.lifecycle + "archive/")
    item = visit.page.locator("article li", has_text="Fax Orders")
    assert "Retired" in item.inner_text()
