"""Material's built-in search, offline, as a person uses it: type, read the results, click."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from browser.conftest import BROWSER_TESTS, Served, Visit

pytestmark = BROWSER_TESTS


def search(visit: Visit, base: str, query: str, *, expect_results: bool = True) -> list[str]:
    """Type `query` into the search box of the home page; the result pages, in order."""
    page = visit.page
    page.goto(base)
    box = page.locator("input.md-search__input")
    box.click()
    box.fill(query)
    box.press("End")  # Material searches on key events; fill() alone sends none
    page.locator(".md-search-result__meta", has_text="matching").wait_for()
    if expect_results:
        # On a busy machine the count can show before this query's results are in the list.
        page.locator("li.md-search-result__item").first.wait_for()
    found: list[str] = []
    for link in page.locator("li.md-search-result__item > a.md-search-result__link").all():
        path = urlsplit(link.get_attribute("href") or "").path
        if path not in found:
            found.append(path)
    return found


def page_of(url: str, served: Served) -> str:
    """A URL's path relative to the sample site root."""
    return urlsplit(url).path.removeprefix(urlsplit(served.sample).path)


def test_voicemail_lists_portland_and_pinole(served: Served, open_page: Any) -> None:
    visit = open_page()
    pages = [page_of(url, served) for url in search(visit, served.sample, "voicemail")]
    assert "portland-bes-customer-service/" in pages
    assert "pinole-customer-service/" in pages
    assert visit.console_errors == []


def test_policy_number_finds_corona_and_opens_it(served: Served, open_page: Any) -> None:
    visit = open_page()
    pages = [page_of(url, served) for url in search(visit, served.sample, "03600.001")]
    assert pages[0] == "corona-customer-care/"
    visit.page.locator("li.md-search-result__item > a.md-search-result__link").first.click()
    visit.page.wait_for_url("**/corona-customer-care/**")
    assert visit.page.locator("article h1").inner_text().rstrip(" ¶") == "Customer Care Policy"
    assert "03600.001" in visit.page.locator(".hb-header").inner_text()


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Customer Service Training Guide", "utility-customer-service-training/"),
        ("Customer Service Philosophy and Standards", "pinole-customer-service/"),
        ("Customer Care Standards", "moreno-valley-customer-care-standards/"),
    ],
)
def test_title_finds_the_policy(title: str, expected: str, served: Served, open_page: Any) -> None:
    visit = open_page()
    pages = [page_of(url, served) for url in search(visit, served.sample, title)]
    assert pages[0] == expected


def test_guideline_word_opens_the_page_with_that_guideline(served: Served, open_page: Any) -> None:
    # "interrupting" appears only in a Corona guideline ("Avoid interrupting.").
    visit = open_page()
    pages = [page_of(url, served) for url in search(visit, served.sample, "interrupting")]
    assert pages[0] == "corona-customer-care/"
    visit.page.locator("li.md-search-result__item > a.md-search-result__link").first.click()
    visit.page.wait_for_url("**/corona-customer-care/**")
    guideline = visit.page.locator("ol.hb-guidelines > li", has_text="Avoid interrupting.")
    assert guideline.is_visible()


def test_standard_word_finds_its_policy(served: Served, open_page: Any) -> None:
    # "Update your voicemail greeting" is one of Pinole's communication standards.
    visit = open_page()
    pages = [page_of(url, served) for url in search(visit, served.sample, "greeting")]
    assert "pinole-customer-service/" in pages


def test_retired_and_unpublished_policies_are_not_found(served: Served, open_page: Any) -> None:
    visit = open_page()
    # The index works on this site: a word of an active policy is found ...
    assert any("phone-lines/" in url for url in search(visit, served.lifecycle, "rings"))
    # ... but not the retired policy's own words, nor the draft's (built without --drafts).
    # (Where nothing answers, the results are only what to try instead: issue 25.)
    for word in ("faxes", "zephyrine"):
        found = search(visit, served.lifecycle, word, expect_results=False)
        assert visit.page.locator(".hb-no-answer").count() == 1
        assert not [url for url in found if "fax-orders/" in url or "live-chat/" in url]
        assert {url.split("/")[-2] for url in found} == {
            "contacts",
            "communications",
            "front-office",
        }
