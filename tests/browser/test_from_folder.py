"""The built site opened from a folder (file://), as on a shared drive: the navigation reaches
the pages, the PDF links reach the PDFs, search says it needs the web server, and nothing is
requested from outside the folder."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from browser.conftest import BROWSER_TESTS

pytestmark = BROWSER_TESTS

BROWSER_OWN = {"chrome", "chrome-extension"}
NAV_LINKS = "nav.md-nav--primary a.md-nav__link:visible"


def nav_link(page: Any, text: str) -> Any:
    """The visible navigation link that reads exactly `text`."""
    return page.locator(NAV_LINKS).filter(has_text=re.compile(rf"^\s*{re.escape(text)}\s*$"))


def test_the_site_works_opened_from_a_folder(sample_site: Path, open_page: Any) -> None:
    folder = sample_site.as_uri() + "/"
    visit = open_page()
    page = visit.page
    page.goto(folder + "index.html")
    assert (
        page.locator("article h1").inner_text().rstrip(" ¶") == "Customer Service Policy Handbook"
    )

    # The navigation opens pages, not directory listings.
    nav_link(page, "Customer Service").click()
    page.wait_for_url(folder + "customer-service/index.html")
    assert page.locator("article h1").inner_text().rstrip(" ¶") == "Customer Service"
    nav_link(page, "Customer Service Philosophy and Standards").click()
    page.wait_for_url(folder + "pinole-customer-service/index.html")
    title = page.locator("article h1").inner_text().rstrip(" ¶")
    assert title == "Customer Service Philosophy and Standards"

    # The policy's PDF link opens its PDF from the folder (a browser ignores `download` there).
    page.locator("a", has_text="Download this policy (PDF)").click()
    page.wait_for_url(folder + "pdf/pinole-customer-service.pdf")
    assert (sample_site / "pdf" / "pinole-customer-service.pdf").read_bytes().startswith(b"%PDF-")
    page.go_back()
    page.wait_for_url(folder + "pinole-customer-service/index.html")

    # The site name in the header leads home again.
    page.locator(".md-header__button.md-logo").click()
    page.wait_for_url(folder + "index.html")

    # Search cannot run from a folder; the search box says so instead of vanishing.
    box = page.locator("input.md-search__input")
    assert box.is_visible()
    assert box.is_disabled()
    assert box.get_attribute("placeholder") == "Search works on the web server"

    # Chromium's own PDF viewer loads from chrome:// and chrome-extension://: the browser's
    # files, not requests. Anything else must come from the folder.
    outside = [
        url
        for url in visit.requests
        if not url.startswith(folder) and urlsplit(url).scheme not in BROWSER_OWN
    ]
    assert outside == []


def test_on_a_phone_the_search_button_explains_why_search_is_off(
    sample_site: Path, open_page: Any
) -> None:
    visit = open_page(width=390, height=844)
    page = visit.page
    page.goto(sample_site.as_uri() + "/pinole-customer-service/index.html")
    page.locator('label.md-header__button[for="__search"]').click()
    notice = page.locator(".md-search-result__meta")
    assert notice.is_visible()
    assert notice.inner_text().startswith("Search works on the web server, not from a folder.")
