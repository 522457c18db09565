"""Every link of the site works opened from a folder (file://), as on a shared drive (issue 23):
each `href` of every page, `<link rel=next/prev>` included, names a file that exists (never a
folder, which a browser shows as a raw listing) and an anchor that is on its page; and the `n`
and `p` keys, which follow those rel links, open the next and previous pages."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

from bs4 import BeautifulSoup

from browser.conftest import BROWSER_TESTS

pytestmark = BROWSER_TESTS

# Links that leave the folder on purpose: the web, mail, phone, and the QR codes' site_url.
OUTSIDE = re.compile(r"^(https?|mailto|tel|data|javascript):", re.IGNORECASE)


@cache
def ids_of(page: Path) -> frozenset[str]:
    """The element ids of one HTML page (the anchors a link may name)."""
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    return frozenset(str(tag["id"]) for tag in soup.find_all(id=True))


def broken_links(site: Path) -> list[str]:
    """Every `href` of every page that, followed from file://, does not reach a file (and
    anchor) of the site: 'page.html: <a href=...>: why'."""
    problems = []
    for page in sorted(site.rglob("*.html")):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for tag in soup.find_all(href=True):
            href = str(tag["href"])
            if OUTSIDE.match(href) or tag.name == "base":
                continue
            where = f"{page.relative_to(site)}: <{tag.name} href={href!r}>"
            target_url = urljoin(page.as_uri(), href)
            parts = urlsplit(target_url)
            if parts.scheme != "file":
                problems.append(f"{where}: not a file address")
                continue
            target = Path(unquote(parts.path))
            if not target.is_relative_to(site):
                problems.append(f"{where}: outside the site folder")
            elif target.is_dir():
                problems.append(f"{where}: a folder, which a browser shows as a listing")
            elif not target.is_file():
                problems.append(f"{where}: no such file")
            elif (
                parts.fragment
                and target.suffix == ".html"
                and unquote(parts.fragment) not in ids_of(target)
            ):
                problems.append(f"{where}: no #{parts.fragment} on that page")
    return problems


def test_every_link_of_every_page_reaches_a_file_from_a_folder(sample_site: Path) -> None:
    # The 404 page resolves its links against the folder its own script finds (site/).
    assert broken_links(sample_site) == []


def test_rel_next_and_prev_name_pages_not_folders(sample_site: Path) -> None:
    soup = BeautifulSoup(
        (sample_site / "pinole-customer-service" / "index.html").read_text(encoding="utf-8"),
        "html.parser",
    )
    rel = {str(link["rel"][0]): str(link["href"]) for link in soup.select("link[rel][href]")}
    assert rel["prev"] == "../moreno-valley-customer-care-standards/index.html"
    assert rel["next"] == "../portland-bes-customer-service/index.html"


def test_the_n_and_p_keys_open_the_next_and_previous_pages_from_a_folder(
    sample_site: Path, open_page: Any
) -> None:
    folder = sample_site.as_uri() + "/"
    visit = open_page()
    page = visit.page
    page.goto(folder + "pinole-customer-service/index.html")
    page.locator("article").click(position={"x": 5, "y": 5})
    page.keyboard.press("n")
    page.wait_for_url(folder + "portland-bes-customer-service/index.html")
    heading = page.locator("article h1").first.inner_text().rstrip(" ¶")
    assert heading == "Customer Service Principles and Standards"
    page.keyboard.press("p")
    page.wait_for_url(folder + "pinole-customer-service/index.html")
    page.keyboard.press("p")
    page.wait_for_url(folder + "moreno-valley-customer-care-standards/index.html")
    assert page.locator("article h1").first.inner_text().rstrip(" ¶") == "Customer Care Standards"
    # Every page the keys opened came from the folder.
    assert [url for url in visit.requests if not url.startswith(folder)] == []
