"""With JavaScript off, a policy page still shows its content and its review banner."""

from __future__ import annotations

from typing import Any

from browser.conftest import BROWSER_TESTS, Served

pytestmark = BROWSER_TESTS


def test_policy_and_banner_show_without_javascript(served: Served, open_page: Any) -> None:
    visit = open_page(javascript=False)
    page = visit.page
    page.goto(served.lifecycle + "phone-lines/")
    banner = page.locator(".hb-banner")
    assert banner.is_visible()
    text = banner.inner_text()
    assert "Review overdue" in text
    assert "15 September 2026" in text
    assert "73 days" in text
    assert page.locator('.hb-banner a[href="mailto:sam.ortiz@lakeside.example"]').is_visible()
    assert page.locator("#telephone-4").is_visible()
    assert "Return every voicemail" in page.locator("#telephone-4").inner_text()
    assert page.locator("#standard-3").is_visible()
    assert page.locator("table.hb-history").is_visible()
    assert visit.foreign_requests(served.origin) == []


def test_due_soon_banner_without_javascript(served: Served, open_page: Any) -> None:
    visit = open_page(javascript=False)
    visit.page.goto(served.lifecycle + "email-replies/")
    text = visit.page.locator(".hb-banner").inner_text()
    assert "Review due soon" in text
    assert "10 December 2026 (in 13 days)" in text
