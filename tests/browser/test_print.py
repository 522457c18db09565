"""Printing a policy page: the policy alone, with each link's address after its text."""

from __future__ import annotations

import io
from typing import Any

import pdfplumber

from browser.conftest import BROWSER_TESTS, Served

pytestmark = BROWSER_TESTS


def test_print_shows_the_policy_without_navigation(served: Served, open_page: Any) -> None:
    visit = open_page()
    page = visit.page
    page.goto(served.lifecycle + "phone-lines/")
    page.evaluate("() => window.dispatchEvent(new Event('beforeprint'))")
    page.emulate_media(media="print")
    for chrome in (".md-header", ".md-sidebar--primary", ".md-sidebar--secondary", ".md-footer"):
        assert not page.locator(chrome).first.is_visible(), chrome
    assert page.locator("article h1").is_visible()
    assert page.locator(".hb-banner").is_visible()

    def after(selector: str) -> str:
        return str(page.eval_on_selector(selector, "e => getComputedStyle(e, '::after').content"))

    assert "https://intranet.lakeside.example/guides/calls" in after('a[href^="https:"]')
    # A contact link shows its address or number as its text already: no second copy.
    assert after('.hb-facts a[href^="mailto:"]') == "none"
    assert after('.hb-facts a[href^="tel:"]') == "none"
    # A link to another page of the handbook gets its full address, not "../front-desk/":
    # the page's folder address, as served, though the link names its index.html.
    assert f"({served.lifecycle}front-desk/)" in after('article a[href$="front-desk/index.html"]')
    # Permalinks are for screens only.
    assert not page.locator("#telephone-4 .headerlink").is_visible()

    with pdfplumber.open(io.BytesIO(page.pdf())) as pdf:
        text = "\n".join(p.extract_text() or "" for p in pdf.pages)
    assert "Telephone Lines" in text
    assert "Answer within three rings." in text
    joined = "".join(text.split())  # a long address may wrap across lines
    assert "Callhandlingguide(https://intranet.lakeside.example/guides/calls)" in joined
    assert "(mailto:" not in joined
    assert "Table of contents" not in text
    assert "Search" not in text
