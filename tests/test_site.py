"""The site as built HTML, read back with an HTML parser: pages, navigation, review banners,
archive, drafts, tags, search index, anchors, links and the sub-path setting."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup

from conftest import built_once, make_project, run_handbook
from html_reading import article, page, search_records, text_of

pytestmark = pytest.mark.slow

TODAY = "2026-11-27"


@pytest.fixture(scope="module")
def lifecycle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The lifecycle fixture handbook (current, due soon, overdue, draft, retired), built."""

    def build(folder: Path) -> Path:
        project = make_project(folder / "project", "lifecycle")
        result = run_handbook("build", "--today", TODAY, cwd=project)
        assert result.returncode == 0, result.stderr
        return project / "site"

    return built_once(tmp_path_factory, "site-lifecycle", build)


@pytest.fixture(scope="module")
def with_drafts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same handbook built with --drafts and a site URL under a sub-path."""

    def build(folder: Path) -> Path:
        project = make_project(folder / "project", "lifecycle")
        result = run_handbook(
            "build",
            "--today",
            TODAY,
            "--drafts",
            "--site-url",
            "https://intranet.example.gov/staff/handbook/",
            cwd=project,
        )
        assert result.returncode == 0, result.stderr
        return project / "site"

    return built_once(tmp_path_factory, "site-drafts", build)


def nav_links(site: Path, uri: str = "") -> list[str]:
    """The primary navigation's targets, relative to the site root."""
    soup = page(site, uri)
    base = f"http://site/{uri}"
    # Links name a page's index.html, so that the site works from a folder too.
    return [
        urlsplit(urljoin(base, str(a["href"]))).path.removeprefix("/").removesuffix("index.html")
        for a in soup.select("nav.md-nav--primary a.md-nav__link[href]")
    ]


def search_locations(site: Path) -> set[str]:
    """Pages in the search index (without rule anchors)."""
    return {record["url"].lstrip("/").split("#")[0] for record in search_records(site)}


def test_navigation_has_categories_with_index_pages(lifecycle: Path) -> None:
    links = nav_links(lifecycle)
    assert links.index("front-office/") < links.index("communications/")
    for page_uri in ("reviews/", "contacts/", "tags/", "archive/"):
        assert page_uri in links
    # A category's policies are in the navigation at least on the category's own pages
    # (with navigation.prune, only there).
    assert {"front-desk/", "phone-lines/"} <= set(nav_links(lifecycle, "front-office"))
    assert "email-replies/" in nav_links(lifecycle, "communications")
    category = article(page(lifecycle, "front-office"))
    assert [text_of(a) for a in category.select(".hb-policy-list a")] == [
        "Front Desk Service",
        "Telephone Lines",
    ]


def test_retired_policy_is_off_nav_and_search_but_on_the_archive(lifecycle: Path) -> None:
    assert (lifecycle / "fax-orders" / "index.html").is_file()
    for uri in ("", "communications", "fax-orders"):
        assert "fax-orders/" not in nav_links(lifecycle, uri)
    assert "fax-orders/" not in search_locations(lifecycle)
    archive = article(page(lifecycle, "archive"))
    [item] = archive.select("li")
    assert "Fax Orders" in text_of(item) and "Retired" in text_of(item)
    banner = page(lifecycle, "fax-orders").select_one(".hb-banner--retired")
    assert banner is not None and "no longer applies" in text_of(banner)
    # Its tags would lead back to it from the tags page.
    assert "Order clerks" not in text_of(article(page(lifecycle, "tags")))


def test_drafts_only_with_the_drafts_option(lifecycle: Path, with_drafts: Path) -> None:
    assert not (lifecycle / "live-chat").exists()
    assert "live-chat/" not in search_locations(lifecycle)
    assert "live-chat" not in (lifecycle / "reviews" / "index.html").read_text(encoding="utf-8")
    assert "live-chat/" in nav_links(with_drafts, "communications")
    assert "live-chat/" in search_locations(with_drafts)
    banner = page(with_drafts, "live-chat").select_one(".hb-banner--draft")
    assert banner is not None and "not in force" in text_of(banner)


def test_home_page(lifecycle: Path) -> None:
    home = article(page(lifecycle, ""))
    text = text_of(home)
    assert [text_of(h) for h in home.select("h1")] == ["Lakeside Staff Handbook ¶"]
    # No edition published yet: the edition readers see says so (issue 23).
    assert "Lakeside Utility District · Not yet published as an edition" in text
    headings = [text_of(h).rstrip(" ¶") for h in home.select("h2")]
    assert headings[:2] == ["Front Office", "Communications"]
    recent = home.select_one("#recently-revised + ul")
    assert recent is not None
    assert text_of(recent).startswith("1 June 2026: Front Desk Service")
    summary = home.select_one(".hb-review-summary")
    assert summary is not None
    assert text_of(summary).startswith("1 overdue, 1 due soon, 1 current")
    assert summary.select_one('a[href="reviews/index.html"]') is not None


def test_overdue_banner_names_the_date_and_the_owner(lifecycle: Path) -> None:
    soup = page(lifecycle, "phone-lines")
    banner = soup.select_one("article .hb-banner--overdue")
    assert banner is not None
    assert text_of(banner) == (
        "Review overdue This policy was due for its annual review on 15 September 2026 and has "
        "been overdue for 73 days. Parts of it may be out of date: before relying on it, check "
        "with Sam Ortiz. Contact: Sam Ortiz, Call Centre Manager · sam.ortiz@lakeside.example "
        "· 555 0130"
    )
    assert banner.select_one('a[href="mailto:sam.ortiz@lakeside.example"]') is not None
    assert banner.select_one('a[href="tel:5550130"]') is not None
    badge = soup.select_one(".hb-header .hb-badge--overdue")
    assert badge is not None and text_of(badge) == "Review overdue"


def test_due_soon_and_current_pages(lifecycle: Path) -> None:
    due = page(lifecycle, "email-replies").select_one(".hb-banner--due-soon")
    assert due is not None
    assert "due for its annual review on 10 December 2026 (in 13 days)" in text_of(due)
    current = page(lifecycle, "front-desk")
    assert current.select_one(".hb-banner") is None
    assert text_of(current.select_one(".hb-badge")) == "Current"


def test_policy_header_card(lifecycle: Path) -> None:
    header = article(page(lifecycle, "phone-lines")).select_one(".hb-header")
    assert header is not None
    facts = dict(
        zip(
            [text_of(dt) for dt in header.select("dt")],
            [text_of(dd) for dd in header.select("dd")],
            strict=True,
        )
    )
    assert facts["Owner"] == (
        "Sam Ortiz, Call Centre Manager · sam.ortiz@lakeside.example · 555 0130"
    )
    assert facts["Last reviewed"] == "15 September 2025"
    # The date is the handbook's arithmetic, and the page says so (issue 22).
    assert facts["Next review"] == (
        "15 September 2026 (by this handbook's 12-month review cycle; the source sets none)"
    )
    assert "Policy 02000.001" in text_of(header)
    assert header.select_one('a[href="mailto:sam.ortiz@lakeside.example"]') is not None


def test_every_guideline_and_standard_has_a_permalink(lifecycle: Path) -> None:
    content = article(page(lifecycle, "phone-lines"))
    guideline = content.select_one("li#telephone-4")
    assert guideline is not None
    assert "Return every voicemail" in text_of(guideline)
    assert guideline.select_one('a.headerlink[href="#telephone-4"]') is not None
    standard = content.select_one("tr#standard-3")
    assert standard is not None
    assert standard.select_one('a[href="#standard-3"]') is not None
    assert "within 1 hour" in text_of(standard)
    ids = [element["id"] for element in content.select("[id]")]
    assert len(ids) == len(set(ids))


def test_tables_have_header_cells(lifecycle: Path, sample_site: Path) -> None:
    for site, uri in ((lifecycle, "phone-lines"), (lifecycle, "reviews"), (sample_site, "")):
        for table in article(page(site, uri)).select("table"):
            assert table.select("thead th[scope=col]"), (uri, table)


def test_reviews_page_lists_every_policy_by_status(lifecycle: Path) -> None:
    content = article(page(lifecycle, "reviews"))
    sections = {
        str(h["id"]): [text_of(a) for a in h.find_next("table").select("a")]
        for h in content.select("h2[id]")
    }
    assert list(sections) == ["overdue", "due-soon", "current", "retired"]  # most urgent first
    assert sections == {
        "overdue": ["Telephone Lines"],
        "due-soon": ["Email Replies"],
        "current": ["Front Desk Service"],
        "retired": ["Fax Orders"],
    }


def test_contacts_directory(lifecycle: Path) -> None:
    content = article(page(lifecycle, "contacts"))
    text = re.sub(r" ([,:)])", r"\1", text_of(content))
    assert "Questions about any policy: People Services, 555 0142, people@lakeside.example" in text
    assert "Reporting a safety concern: Safety Desk, 555 0111 (24 hours)" in text
    assert "Phone system faults: IT Service Desk, 555 0199" in text
    telephone = content.select_one("#phone-lines")
    assert telephone is not None and text_of(telephone).startswith("Telephone Lines")


def test_tags_for_department_and_audience(lifecycle: Path) -> None:
    tags = [text_of(a) for a in page(lifecycle, "phone-lines").select("article .md-tag")]
    assert sorted(tags) == [
        "Call centre agents",
        "Customer Services",
        "Staff who answer public lines",
    ]
    listing = article(page(lifecycle, "tags"))
    by_department = listing.select_one("#by-department")
    assert by_department is not None
    customer_services = listing.select_one('[id="tag:customer-services"]')
    assert customer_services is not None
    assert [text_of(a) for a in customer_services.find_next("ul").select("a")] == [
        "Front Desk Service",
        "Telephone Lines",
    ]


def test_footer_shows_the_edition_on_every_page(lifecycle: Path) -> None:
    for html_file in lifecycle.rglob("index.html"):
        soup = BeautifulSoup(html_file.read_text(encoding="utf-8"), "html.parser")
        footer = soup.select_one("footer .hb-footer__edition")
        assert footer is not None, html_file
        assert text_of(footer) == "Lakeside Staff Handbook · Not yet published as an edition"


def test_site_url_sets_the_canonical_address(with_drafts: Path) -> None:
    canonical = page(with_drafts, "phone-lines").select_one('link[rel="canonical"]')
    assert canonical is not None
    assert canonical["href"] == "https://intranet.example.gov/staff/handbook/phone-lines/"


@pytest.mark.parametrize("which", ["lifecycle", "sample"])
def test_every_link_inside_the_site_resolves(
    which: str, lifecycle: Path, sample_site: Path
) -> None:
    site = lifecycle if which == "lifecycle" else sample_site
    broken = []
    # 404.html is served for any missing address, so MkDocs gives it absolute links.
    for html_file in set(site.rglob("*.html")) - {site / "404.html"}:
        soup = BeautifulSoup(html_file.read_text(encoding="utf-8"), "html.parser")
        here = "http://site/" + html_file.relative_to(site).as_posix()
        for element in soup.select("a[href], link[href], script[src], img[src]"):
            target = str(element.get("href") or element.get("src"))
            absolute = urlsplit(urljoin(here, target))
            if absolute.scheme != "http" or absolute.netloc != "site":
                continue
            path = site / absolute.path.removeprefix("/")
            if not (path.is_file() or (path / "index.html").is_file()):
                broken.append(f"{html_file.relative_to(site)}: {target}")
    assert broken == []


@pytest.mark.parametrize("which", ["lifecycle", "sample"])
def test_every_link_between_pages_names_a_file(
    which: str, lifecycle: Path, sample_site: Path
) -> None:
    """Opened from a folder (file://), a link to `phone-lines/` shows a directory listing."""
    site = lifecycle if which == "lifecycle" else sample_site
    folders = []
    for html_file in set(site.rglob("*.html")) - {site / "404.html"}:
        soup = BeautifulSoup(html_file.read_text(encoding="utf-8"), "html.parser")
        here = "http://site/" + html_file.relative_to(site).as_posix()
        for link in soup.select("a[href]"):
            absolute = urlsplit(urljoin(here, str(link["href"])))
            inside = absolute.scheme == "http" and absolute.netloc == "site"
            if inside and not (site / absolute.path.removeprefix("/")).is_file():
                folders.append(f"{html_file.relative_to(site)}: {link['href']}")
    assert folders == []


@pytest.mark.parametrize("which", ["lifecycle", "sample"])
def test_one_h1_and_ordered_headings(which: str, lifecycle: Path, sample_site: Path) -> None:
    site = lifecycle if which == "lifecycle" else sample_site
    for html_file in site.rglob("index.html"):
        soup = BeautifulSoup(html_file.read_text(encoding="utf-8"), "html.parser")
        assert soup.html is not None and soup.html.get("lang") == "en"
        levels = [int(h.name[1]) for h in article(soup).find_all(re.compile("^h[1-6]$"))]
        assert levels.count(1) == 1 and levels[0] == 1, html_file
        assert all(b <= a + 1 for a, b in itertools.pairwise(levels)), html_file


def test_search_keeps_a_policy_number_one_term(sample_site: Path) -> None:
    index = json.loads((sample_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    separator = re.compile(index["config"]["separator"])
    assert [t for t in separator.split("Policy 03600.001 applies.") if t] == [
        "Policy",
        "03600.001",
        "applies",
    ]
    # Material's one-file index is left with its settings only: the entries are Pagefind's.
    assert index["docs"] == []


def test_each_rule_is_a_search_entry_at_its_anchor(sample_site: Path) -> None:
    records = {record["url"].lstrip("/"): record for record in search_records(sample_site)}
    standard = records["pinole-customer-service/#standard-9"]
    assert standard["meta"]["title"].startswith(
        "Pinole · Standard 9: Update your voicemail greeting"
    )
    # The preview goes on where the title stops (issue 25: it does not repeat the title) and
    # ends on the rule's text, not on its channel column ("voicemail and email").
    assert standard["meta"]["preview"].startswith("… out-of-office automatic reply")
    assert standard["meta"]["preview"].endswith("if necessary.")
    assert "corona-customer-care/#telephone-4" in records
    assert "corona-customer-care/#principle-3" in records
    # The page's own entry is previewed by its summary, not by the review banner.
    page = records["pinole-customer-service/"]
    assert page["meta"]["preview"].startswith("The City of Pinole is committed")
    # Every entry's anchor exists on its page.
    for url in records:
        path, _, anchor = url.partition("#")
        if anchor:
            html_text = (sample_site / path / "index.html").read_text(encoding="utf-8")
            assert f'id="{anchor}"' in html_text, url


def test_listing_pages_are_not_search_entries(sample_site: Path) -> None:
    pages = search_locations(sample_site)
    assert "pinole-customer-service/" in pages
    for listing in ("", "reviews/", "tags/", "customer-service/", "training/"):
        assert listing not in pages


def test_synonyms_are_indexed_with_the_rule_that_uses_the_handbook_word(sample_site: Path) -> None:
    # handbook.yaml: angry: [irate, upset]; Corona's principle 3 says "Irate customers".
    records = {record["url"].lstrip("/"): record for record in search_records(sample_site)}
    assert "angry" in records["corona-customer-care/#principle-3"]["content"].split()
    assert "angry" not in records["pinole-customer-service/#standard-9"]["content"].split()


def test_no_external_assets(sample_site: Path) -> None:
    for html_file in sample_site.rglob("*.html"):
        soup = BeautifulSoup(html_file.read_text(encoding="utf-8"), "html.parser")
        for element in soup.select("link[href], script[src], img[src], iframe[src]"):
            target = str(element.get("href") or element.get("src"))
            if element.name == "link" and element.get("rel") == ["canonical"]:
                continue
            assert not re.match(r"^(https?:)?//", target), (html_file, target)


def test_long_overdue_reads_as_people_say_it(sample_site: Path) -> None:
    corona = page(sample_site, "corona-customer-care").select_one(".hb-banner--overdue")
    pinole = page(sample_site, "pinole-customer-service").select_one(".hb-banner--overdue")
    assert corona is not None and pinole is not None
    assert "on 3 January 2018 and has been overdue for over 8 years." in text_of(corona)
    assert "on 30 April 2026 and has been overdue for about 7 months." in text_of(pinole)
    # An owner with neither e-mail nor phone is named in the message, not repeated after it.
    assert text_of(pinole).endswith("check with Human Resources Department.")
