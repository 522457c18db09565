"""Editions (issue 12): publish, what's new, earlier versions, no unexplained change, `new`.

The acceptance scenario (conftest.published_editions) publishes editions A and B of a copy of
the sample handbook with the real CLI; these tests read what it left on disk, as a user would.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

from conftest import (
    PINOLE,
    PublishedEditions,
    copy_project,
    handbook_today,
    run_handbook,
    tree_digest,
)
from generator.editions import sha256
from generator.model import Revision, policy_versions
from generator.prepare import prepare
from generator.redline import Mark, Segment, redline
from generator.render import Renderer, SiteOptions
from html_reading import search_records

pytestmark = pytest.mark.slow


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def article(site: Path, page: str) -> BeautifulSoup:
    found = soup(site / page / "index.html").select_one("article")
    assert found is not None
    return found


def words(node: object) -> str:
    text = " ".join(str(node.get_text(" ", strip=True)).split())  # type: ignore[attr-defined]
    return re.sub(r" ([:.,])", r"\1", text)  # get_text's separator lands before punctuation


# ---- the acceptance scenario


def test_whats_new_lists_pinole_substantively_revised_and_nothing_else(
    published_editions: PublishedEditions,
) -> None:
    page = article(published_editions.project / "site", "whats-new")
    changes = page.select(".hb-change")
    assert [c.get("class") for c in changes] == [["hb-change", "hb-change--substantive"]]
    heading = page.find("h2", id="substantive")
    assert heading is not None and "Substantively revised" in words(heading)
    change = changes[0]
    assert "Customer Service Philosophy and Standards" in words(change.find("h3"))
    assert "Emails are now answered within three business days." in words(change)
    labels = [words(dt_) for dt_ in change.select(".hb-redline dt")]
    # One fact in every place that states it: the summary, the text, its short form, the target.
    assert labels == [
        "Summary",
        "Standard 8, commitment",
        "Standard 8, short",
        "Standard 8, target",
    ]
    assert [words(d) for d in change.select("del")] == ["deleted: two"] * 3 + ["deleted: 2"]
    assert [words(i) for i in change.select("ins")] == ["inserted: three"] * 3 + ["inserted: 3"]
    assert "Edition B against edition A" in words(page)


def test_pinole_lists_both_versions_and_version_a_says_two_business_days(
    published_editions: PublishedEditions,
) -> None:
    site = published_editions.project / "site"
    versions = article(site, PINOLE).select(".hb-versions li")
    # Versions count from the version first published: A's (1.1, after an editorial entry) is
    # revised substantively in B, which is 2.0, never a second 1.0.
    assert [words(v.find("a")) for v in versions] == [
        "Version 2.0, edition B",
        "Version 1.1, edition A",
    ]
    assert [v.find("a")["href"] for v in versions] == [
        "versions/B/index.html",
        "versions/A/index.html",
    ]
    old = article(site, f"{PINOLE}/versions/A")
    notice = words(old.select_one(".hb-superseded"))
    # The source states no date it took effect: the notice says when the handbook carried it.
    assert notice.startswith("Superseded: in this handbook from ")
    assert re.search(r"in this handbook from \d+ \w+ \d{4} to \d+ \w+ \d{4}", notice)
    row = old.find("tr", id="standard-8")
    assert "within 2 business days" in words(row)
    current_row = article(site, PINOLE).find("tr", id="standard-8")
    assert "within 3 business days" in words(current_row)
    # B's version page carries the redline against A.
    new = article(site, f"{PINOLE}/versions/B")
    assert "deleted: 2" in [words(d) for d in new.select(".hb-version-changes del")]


def test_edition_a_pdfs_are_the_bytes_published_at_a(
    published_editions: PublishedEditions,
) -> None:
    project = published_editions.project
    at_a = published_editions.a_published
    for name in ("handbook.pdf", f"{PINOLE}.pdf"):
        stored = project / "editions" / "A" / "pdf" / name
        assert sha256(stored) == at_a[name]
        served = project / "site" / "pdf" / "editions" / "A" / name
        assert served.read_bytes() == stored.read_bytes()
    # The site's current Pinole PDF is B's, not A's.
    assert sha256(project / "site" / "pdf" / f"{PINOLE}.pdf") != at_a[f"{PINOLE}.pdf"]


def test_manifest_records_sources_pdfs_counts_and_hashes(
    published_editions: PublishedEditions,
) -> None:
    folder = published_editions.project / "editions" / "B"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["name"] == "B"
    assert manifest["previous"] == "A"
    assert manifest["summary"] == "Email replies within three days."
    assert manifest["counts"] == {"published": 5, "drafts": 0, "retired": 0}
    on_disk = {k: v for k, v in tree_digest(folder).items() if k != "manifest.json"}
    assert manifest["files"] == on_disk
    sources = published_editions.project / "policies"
    for source in sources.glob("*.yaml"):
        assert (folder / "policies" / source.name).read_bytes() == source.read_bytes()
    pinole = next(p for p in manifest["policies"] if p["id"] == PINOLE)
    assert pinole["version"] == "2.0"


def test_editions_page_links_both_books(published_editions: PublishedEditions) -> None:
    site = published_editions.project / "site"
    page = article(site, "editions")
    links = [a["href"] for a in page.select("a") if a["href"].endswith(".pdf")]
    assert links == ["../pdf/editions/B/handbook.pdf", "../pdf/editions/A/handbook.pdf"]
    for link in links:
        assert (site / "editions" / link).resolve().is_file()
    rows = [words(tr) for tr in page.select("tbody tr")]
    assert rows[0].startswith("B ") and "Email replies within three days." in rows[0]
    assert "5 published, 0 drafts, 0 retired" in rows[1]


def test_old_versions_whats_new_and_editions_are_not_in_search_or_navigation(
    published_editions: PublishedEditions,
) -> None:
    site = published_editions.project / "site"
    # The search index (Pagefind's records, one per rule) holds the policies, not these pages.
    locations = [record["url"].lstrip("/") for record in search_records(site)]
    assert f"{PINOLE}/#standard-8" in locations
    assert not [loc for loc in locations if "versions/" in loc or "whats-new" in loc]
    assert not [loc for loc in locations if loc.startswith("editions/")]
    nav = soup(site / "index.html").select_one("nav.md-nav--primary")
    assert nav is not None
    hrefs = [a["href"] for a in nav.select("a")]
    assert not [h for h in hrefs if "versions/" in h or "editions" in h]
    # What's new is in the navigation (issue 23), though out of search.
    assert "whats-new/index.html" in hrefs
    home = article(site, ".")
    assert home.find("a", href="whats-new/index.html") is not None


def test_book_has_changes_in_this_edition(published_editions: PublishedEditions) -> None:
    import pdfplumber

    book = published_editions.project / "editions" / "B" / "pdf" / "handbook.pdf"
    with pdfplumber.open(book) as pdf:
        text = " ".join((page.extract_text() or "") for page in pdf.pages[:4])
    assert "Changes in this edition" in text
    assert "Standard 8, target" in text
    assert "Emails are now answered within three business days." in text


def test_publish_reports_the_edition_in_its_summary(published_editions: PublishedEditions) -> None:
    out = published_editions.b_result.stdout
    assert "policies: 5 published, 0 drafts (not published), 0 retired" in out
    assert "1 substantively revised since edition A" in out
    assert "edition recorded: " in out and "editions/B" in out


# ---- refusals leave everything as it was


def test_publishing_b_again_exits_1_and_changes_nothing(copy: Path) -> None:
    before = tree_digest(copy / "editions")
    site = tree_digest(copy / "site")
    result = run_handbook("publish", "--edition", "B", "--summary", "Again.", cwd=copy)
    assert result.returncode == 1
    assert "edition 'B' already exists" in result.stderr
    assert "nothing was changed" in result.stderr
    assert tree_digest(copy / "editions") == before
    assert tree_digest(copy / "site") == site


def test_a_date_before_the_latest_edition_or_no_summary_is_refused(copy: Path) -> None:
    before = tree_digest(copy / "editions")
    early = run_handbook(
        "publish", "--edition", "C", "--date", "2020-01-01", "--summary", "x", cwd=copy
    )
    assert early.returncode == 1
    assert "2020-01-01 is before the latest edition 'B'" in early.stderr
    bare = run_handbook("publish", "--edition", "C", cwd=copy)
    assert bare.returncode == 1
    assert "a change summary is required" in bare.stderr
    assert tree_digest(copy / "editions") == before


def test_a_build_with_errors_publishes_no_edition(copy: Path) -> None:
    before = tree_digest(copy / "editions")
    broken = copy / "policies" / "corona-customer-care.yaml"
    broken.write_text(broken.read_text(encoding="utf-8") + "tittle: oops\n", encoding="utf-8")
    result = run_handbook("publish", "--edition", "C", "--summary", "x", cwd=copy)
    assert result.returncode == 1
    assert "unknown field 'tittle'" in result.stderr
    assert tree_digest(copy / "editions") == before
    assert sorted(p.name for p in (copy / "editions").iterdir()) == ["A", "B"]


def test_an_edit_with_no_new_history_entry_fails_check_and_build_at_its_line(
    copy: Path,
) -> None:
    path = copy / "policies" / "corona-customer-care.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    number = next(i for i, line in enumerate(lines, 1) if line.startswith("summary:"))
    end = number
    while lines[end].startswith("  "):  # the folded block's continuation lines
        end += 1
    lines[number - 1 : end] = ["summary: A silently edited summary.\n"]
    path.write_text("".join(lines), encoding="utf-8")
    site = tree_digest(copy / "site")
    for command in (["check"], ["build"]):
        result = run_handbook(*command, cwd=copy)
        assert result.returncode == 1, command
        assert (
            f"policies/corona-customer-care.yaml:{number}: summary: changed since edition 'B'"
            in result.stderr
        )
        assert "add a revision_history entry" in result.stderr
    assert tree_digest(copy / "site") == site


def test_a_tampered_edition_fails_the_build(copy: Path) -> None:
    stored = copy / "editions" / "A" / "policies" / f"{PINOLE}.yaml"
    stored.write_text(stored.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    result = run_handbook("check", cwd=copy)
    assert result.returncode == 1
    assert f"editions/A/policies/{PINOLE}.yaml: differs from its SHA-256" in result.stderr


def test_reviewed_without_change_shows_as_reviewed_not_revised(copy: Path) -> None:
    recorded = run_handbook("reviewed", "portland-bes-customer-service", cwd=copy)
    assert recorded.returncode == 0, recorded.stderr
    assert run_handbook("check", cwd=copy).returncode in (0, 1)
    built = run_handbook("build", cwd=copy)
    assert built.returncode == 0, built.stderr
    assert "changes since edition B" in built.stdout
    assert "1 reviewed without change" in built.stdout
    page = article(copy / "site", "whats-new")
    changes = page.select(".hb-change")
    assert [c.get("class") for c in changes] == [["hb-change", "hb-change--reviewed"]]
    assert changes[0].select(".hb-redline") == []
    assert page.find("h2", id="reviewed") is not None
    assert page.find("h2", id="substantive") is None
    home = article(copy / "site", ".")
    recent = [words(li) for li in home.select("#recently-revised + ul li")]
    # Only its editorial revision of 2026-12-07 lists it; the review adds no line.
    assert [line for line in recent if "Principles" in line] == [
        "7 December 2026: Customer Service Principles and Standards"
    ]


def test_a_snapshot_that_no_longer_validates_is_shown_from_its_pdf(
    published_editions: PublishedEditions, tmp_path: Path
) -> None:
    """A field the schema once allowed: the stored source stays as published (hash intact),
    the build goes on, and the version page leads to the PDF as published."""
    copy = copy_project(published_editions.project, tmp_path / "copy")
    folder = copy / "editions" / "A"
    stored = folder / "policies" / f"{PINOLE}.yaml"
    stored.write_text(stored.read_text(encoding="utf-8") + "retired_field: x\n", "utf-8")
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"][f"policies/{PINOLE}.yaml"] = sha256(stored)
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    prepared = prepare(copy)
    edition_a = prepared.history[0]
    assert edition_a.handbook is None
    assert edition_a.problem is not None and "unknown field 'retired_field'" in edition_a.problem
    pages = Renderer(
        prepared.handbook, prepared.report, SiteOptions(pdf_links=True), prepared.history
    ).site_pages()
    page = pages.pages[f"{PINOLE}/versions/A.md"]
    assert "search:\n  exclude: true" in page
    assert "can no longer be shown as a web page" in page
    assert f'href="../../../pdf/editions/A/{PINOLE}.pdf"' in page
    assert "Superseded" in page


# ---- no edition yet, versions, redlines, dates


def test_with_no_edition_what_is_new_says_so(small_project: Path) -> None:
    assert not (small_project / "editions").exists()
    prepared = prepare(small_project)
    assert prepared.history == ()
    pages = Renderer(prepared.handbook, prepared.report, SiteOptions()).site_pages().pages
    assert "No edition of this handbook has been published yet" in pages["whats-new.md"]
    assert "No edition of this handbook has been published yet" in pages["editions.md"]
    assert "search:\n  exclude: true" in pages["whats-new.md"]


def test_a_redline_marks_whole_words() -> None:
    assert redline("within 2 business days", "within 3 business days") == [
        Segment(Mark.SAME, "within "),
        Segment(Mark.DELETED, "2"),
        Segment(Mark.INSERTED, "3"),
        Segment(Mark.SAME, " business days"),
    ]
    marked = redline("Answer every call politely.", "Answer each call politely and fast.")
    assert Segment(Mark.DELETED, "every") in marked
    assert Segment(Mark.INSERTED, "each") in marked


def revision(kind: str, version: str | None = None) -> Revision:
    return Revision.model_validate(
        {"date": "2025-01-01", "kind": kind, "summary": "x", "version": version}
    )


def test_versions_follow_the_history() -> None:
    history = [
        revision("substantive"),
        revision("editorial"),
        revision("review"),
        revision("editorial"),
        revision("substantive"),
        revision("editorial", "4.7"),
        revision("editorial"),
    ]
    assert policy_versions(history) == ["1.0", "1.1", "1.1", "1.2", "2.0", "4.7", "4.8"]
    assert policy_versions([revision("review")]) == [None]


def test_a_future_revision_date_is_an_error(small_project: Path) -> None:
    path = next(p for p in (small_project / "policies").glob("*.yaml") if p.name != "handbook.yaml")
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"\nrevision_history:\n(?:  .*\n)*", "\n", text)
    text += "revision_history:\n  - date: 2062-11-28\n    summary: Typo year.\n"
    path.write_text(text, encoding="utf-8")
    result = run_handbook("check", cwd=small_project)
    assert result.returncode == 1
    assert re.search(
        rf"policies/{path.name}:\d+: revision_history #1\.date: 2062-11-28 is in the future",
        result.stderr,
    ), result.stderr


def test_two_policies_with_one_title_are_an_error_naming_both(small_project: Path) -> None:
    files = sorted(
        p for p in (small_project / "policies").glob("*.yaml") if p.name != "handbook.yaml"
    )
    first, second = files[0], files[1]
    title = re.search(r"^title: (.*)$", first.read_text(encoding="utf-8"), re.M)
    assert title is not None
    text = re.sub(
        r"^title: .*$", f"title: {title[1]}", second.read_text("utf-8"), count=1, flags=re.M
    )
    second.write_text(text, encoding="utf-8")
    result = run_handbook("check", cwd=small_project)
    assert result.returncode == 1
    assert f"policies/{second.name}" in result.stderr
    assert f"is also used by policies/{first.name}" in result.stderr


def test_a_substantive_revision_restarts_the_review_cycle() -> None:
    from generator.review import cycle_basis

    root = Path(__file__).resolve().parent / "fixtures" / "handbooks" / "small"
    policy = prepare(root).handbook.policies[0]
    later = dt.date(2026, 1, 15)
    entry = Revision.model_validate({"date": later, "kind": "substantive", "summary": "New."})
    revised = policy.model_copy(update={"revision_history": [*policy.revision_history, entry]})
    assert cycle_basis(revised) == (
        later,
        ("revision_history", len(policy.revision_history), "date"),
    )
    review = Revision.model_validate({"date": later, "kind": "editorial", "summary": "Typo."})
    edited = policy.model_copy(update={"revision_history": [*policy.revision_history, review]})
    assert cycle_basis(edited) == cycle_basis(policy)


# ---- handbook new


def test_new_writes_a_policy_whose_placeholders_check_reports(small_project: Path) -> None:
    result = run_handbook("new", "phone-lines-2", "--title", "Phone Lines", cwd=small_project)
    assert result.returncode == 0, result.stderr
    path = small_project / "policies" / "phone-lines-2.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "# yaml-language-server: $schema=../schema/policy.schema.json"
    placeholders = [i for i, line in enumerate(lines, 1) if "FILL IN:" in line]
    assert len(placeholders) == 4
    check = run_handbook("check", "--strict", cwd=small_project)
    assert check.returncode == 1
    reported = re.findall(
        r"policies/phone-lines-2\.yaml:(\d+): ([\w.# ]+): still a placeholder", check.stderr
    )
    assert sorted(int(line) for line, _ in reported) == placeholders, check.stderr
    fields = sorted(field for _, field in reported)
    assert {"owner.title", "summary", "source.title"} <= set(fields)
    assert [f for f in fields if re.fullmatch(r"revision_history #\d\.summary", f)]
    filled = path.read_text(encoding="utf-8")
    filled = filled.replace(
        '"FILL IN: the job title of the person who answers for this policy"', "Phone Lead"
    )
    filled = filled.replace(
        '"FILL IN: one or two sentences: what this policy is for"', "How we answer."
    )
    filled = filled.replace(
        '"FILL IN: the document this policy comes from, or this handbook"', "This handbook"
    )
    filled = filled.replace('"FILL IN: what this first version sets out"', "First issue.")
    path.write_text(filled, encoding="utf-8")
    assert run_handbook("check", "--fail-on", "never", cwd=small_project).returncode == 0
    built = run_handbook("build", "--drafts", cwd=small_project)
    assert built.returncode == 0, built.stderr
    assert (small_project / "site" / "phone-lines-2" / "index.html").is_file()


def test_new_refuses_an_existing_or_malformed_id(small_project: Path) -> None:
    existing = next(
        p.stem for p in (small_project / "policies").glob("*.yaml") if p.name != "handbook.yaml"
    )
    before = tree_digest(small_project / "policies")
    taken = run_handbook("new", existing, "--title", "Another", cwd=small_project)
    assert taken.returncode == 1 and "already exists" in taken.stderr
    bad = run_handbook("new", "Bad_Id", "--title", "Another", cwd=small_project)
    assert bad.returncode == 1 and "is not a policy id" in bad.stderr
    assert tree_digest(small_project / "policies") == before


def test_a_policy_taken_out_after_an_edition_keeps_its_address_and_versions(copy: Path) -> None:
    (copy / "policies" / "corona-customer-care.yaml").unlink()
    # The others list it as related: HR takes it out of those too, and says so in each history.
    for other in sorted((copy / "policies").glob("*.yaml")):
        data = yaml.safe_load(other.read_text(encoding="utf-8"))
        if other.name == "handbook.yaml" or "corona-customer-care" not in data["related"]:
            continue
        data["related"].remove("corona-customer-care")
        summary = "Corona's customer care policy taken out of the related policies."
        data.setdefault("revision_history", []).append(
            {
                "date": dt.date.fromisoformat(handbook_today()),
                "kind": "editorial",
                "summary": summary,
            }
        )
        other.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    # A best bet pinned on one of its rules is an error once it is gone: HR takes that out too.
    settings_file = copy / "policies" / "handbook.yaml"
    settings = yaml.safe_load(settings_file.read_text(encoding="utf-8"))
    bets = settings.get("best_bets", {})
    settings["best_bets"] = {
        phrase: rule
        for phrase, rule in bets.items()
        if not rule.startswith("corona-customer-care#")
    }
    settings_file.write_text(yaml.safe_dump(settings, sort_keys=False, allow_unicode=True))
    result = run_handbook("build", cwd=copy)
    assert result.returncode == 0, result.stderr
    site = copy / "site"
    # Its address answers: bookmarks and links from older versions do not break.
    page = article(site, "corona-customer-care")
    assert "No longer in the handbook." in words(page)
    links = [a["href"] for a in page.select("a[href]") if not a["href"].startswith("#")]
    assert "versions/A/index.html" in links
    for href in links:
        assert (site / "corona-customer-care" / href).resolve().is_file(), href
    version = article(site, "corona-customer-care/versions/A")
    assert "No longer in the handbook" in words(version)
    back = version.find("a", string="Its published versions")
    assert back is not None
    assert (site / "corona-customer-care/versions/A" / back["href"]).resolve().is_file()
    # Still not in search or the navigation, like every version page.
    home = soup(site / "index.html")
    assert not home.select('nav a[href*="corona-customer-care"]')
