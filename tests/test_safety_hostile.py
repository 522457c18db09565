"""Hostile text in every field: built into a real site, it shows as typed and never runs.

Plain fields (titles, names) take payloads that would be markup, Markdown, attr_list or a
template expression anywhere they were interpreted. Text fields (inline Markdown) take payloads
the validator lets through. Payloads the validator refuses are checked in-process below.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup, Tag

from conftest import built_once, make_project, run_handbook
from generator.errors import BuildFailed
from generator.model import load_handbook
from html_reading import article, page, search_records, text_of

PLAIN = [
    "<script>alert('xss-1')</script>",
    "</title><script>alert('xss-2')</script>",
    "<img src=x onerror=alert('xss-3')>",
    "\"><svg onload=alert('xss-4')>",
    "{{ 7*7 }} {% if true %}evaluated{% endif %}",
    "&lt;b&gt;not bold&lt;/b&gt; &amp; &#60;i&#62;",
    "*not emphasis* _nor this_ [not a link](javascript:alert('xss-5')) `code`",
    "{: onclick=\"alert('xss-6')\" } # ## --- \\ | ${7*7}",
]
TEXT = [
    "{{ 7*7 }} and {% raw %}x{% endraw %}",
    "*x*{: onclick=\"alert('xss-7')\" }",
    '[link](https://example.gov/ "t\\" onmouseover=alert(\'xss-8\')")',
    "`{{ 7*7 }}` and #{7*7}",
    "&lt;script&gt;alert('xss-9')&lt;/script&gt; &#60;script&#62;alert('xss-10')&#60;/script&#62;",
    "[ok](policy:phone-response) and <https://example.gov/>",
    "a\n\n    code {{ 7*7 }}\n\n    more\n\nafter",
    "a  \nb\n\n# heading\n\n- list\n\n---\n\n{: .x onclick=\"alert('xss-11')\" }",
]
URL_ATTRIBUTES = ("href", "src", "action", "formaction", "xlink:href", "data")
UNSAFE_URL = re.compile(r"\s*(javascript|data|vbscript|file):", re.IGNORECASE)
ACTIVE_TAGS = {"script", "img", "svg", "iframe", "object", "embed", "style", "link", "meta"}


def hostile(number: int) -> str:
    """A plain-text payload, tagged with the field number it went into."""
    return f"P{number} " + PLAIN[number % len(PLAIN)]


def hostile_email(number: int) -> str:
    """An email address that passes validation yet carries markup and template syntax."""
    return f"p{number}.{{{{7*7}}}}&x{{%x%}}@example.gov"


def text(number: int) -> str:
    """An inline-Markdown payload, tagged with the field number it went into."""
    return f"T{number} " + TEXT[number % len(TEXT)]


def hostile_project(destination: Path) -> Path:
    """The small fixture handbook with a payload in every text field of handbook.yaml and of
    one policy (written as JSON, which YAML reads as flow style)."""
    project = make_project(destination, "small")
    policies = project / "policies"
    settings = {
        "organization": hostile(0),
        "title": hostile(1),
        "subtitle": hostile(2),
        "timezone": "UTC",
        "categories": [{"name": hostile(3), "description": text(0)}],
        "contacts": [
            {
                "role": hostile(4),
                "name": hostile(5),
                "phone": hostile(6),
                "email": hostile_email(7),
                "hours": hostile(8),
            }
        ],
    }
    policy: dict[str, Any] = {
        "id": "counter-service",
        "number": hostile(9),
        "title": hostile(10),
        "category": hostile(3),
        "department": hostile(11),
        "applies_to": [hostile(12)],
        "tags": [hostile(13)],
        "owner": {
            "name": hostile(14),
            "title": hostile(15),
            "email": hostile_email(16),
            "phone": hostile(17),
        },
        "approvals": [{"role": hostile(18), "name": hostile(19), "date": "2025-06"}],
        "last_reviewed": "2025-01-10",
        "review": {"owner": hostile(20)},
        "summary": text(1),
        "purpose": text(2),
        "scope": text(3),
        "principles": [{"text": text(4), "points": [text(5), text(6)]}, text(7)],
        "guidelines": [
            {
                "channel": "telephone",
                "title": hostile(21),
                "intro": text(8),
                "items": [
                    {
                        "rule": text(9),
                        "why": text(10),
                        "points": [text(11)],
                        "examples": [
                            {"say": text(12), "better": text(13), "never": text(14)},
                            {"note": text(15)},
                        ],
                        "avoid": [text(16)],
                    }
                ],
            }
        ],
        "standards": [
            {
                "commitment": text(17),
                "detail": text(18),
                "channel": hostile(22),
                "target": hostile(23),
                "points": [text(19)],
            },
            {
                "title": hostile(24),
                "standards": [
                    {
                        "commitment": text(20),
                        "target": {"within": 2, "unit": "day", "note": text(21)},
                    }
                ],
            },
        ],
        "procedures": [
            {
                "title": hostile(25),
                "intro": text(22),
                "steps": [text(23), {"text": text(24), "points": [text(25)]}],
            }
        ],
        "contents": [hostile(41), {"heading": hostile(42), "entries": [hostile(43)]}],
        "definitions": [{"term": hostile(26), "meaning": text(26)}],
        "related": ["phone-response"],
        "contacts": [
            {
                "role": hostile(27),
                "name": hostile(28),
                "phone": hostile(29),
                "email": hostile_email(30),
                "hours": hostile(31),
            }
        ],
        "references": [
            {"title": hostile(32), "url": "https://example.gov/a?b=1&c=<2>", "note": text(27)}
        ],
        "revision_history": [
            {"date": "2026-01-10", "version": hostile(33), "kind": "editorial", "summary": text(28)}
        ],
        "source": {
            "title": hostile(34),
            "publisher": hostile(35),
            "author": hostile(36),
            "date": "2025-06",
            "url": "https://example.gov/src",
            "note": text(29),
        },
        "card": {
            "title": hostile(37),
            # A card's own words are notes; its phrases cite the guideline that gives them.
            "points": [{"note": text(30)}],
            "say": [{"rule": "telephone-1", "text": text(12)}],
            "avoid": [{"rule": "telephone-1", "text": text(16)}],
            "contacts": [{"role": hostile(38), "name": hostile(39)}],
            "back": {"title": hostile(40), "points": [{"note": text(33)}]},
        },
    }
    (policies / "handbook.yaml").write_text(json.dumps(settings, indent=1), encoding="utf-8")
    (policies / "counter-service.yaml").write_text(json.dumps(policy, indent=1), encoding="utf-8")
    return project


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    def build(folder: Path) -> Path:
        project = hostile_project(folder / "project")
        result = run_handbook("build", "--today", "2026-11-27", cwd=project)
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr
        return project / "site"

    return built_once(tmp_path_factory, "hostile", build)


def inert_problems(soup: BeautifulSoup | Tag, where: str) -> list[str]:
    """Everything in parsed HTML that could run: handlers, script URLs, injected elements."""
    problems = []
    for element in soup.find_all(True):
        for name, value in element.attrs.items():
            shown = " ".join(value) if isinstance(value, list) else str(value)
            if name.lower().startswith("on"):
                problems.append(f"{where}: <{element.name} {name}={shown!r}>")
            if name.lower() in URL_ATTRIBUTES and UNSAFE_URL.match(shown):
                problems.append(f"{where}: <{element.name} {name}={shown!r}>")
        # Material ships its own scripts and icons; only ones carrying a payload are ours.
        # (A page address may hold a payload's words: a slug such as p3-svg-onload-alert.)
        if element.name in ACTIVE_TAGS:
            values = [str(v) for name, v in element.attrs.items() if name != "href"]
            if "xss" in element.get_text() or any("xss" in value for value in values):
                problems.append(f"{where}: {str(element)[:120]}")
    return problems


def test_no_page_holds_anything_that_runs(hostile_site: Path) -> None:
    problems = []
    for html_file in sorted(hostile_site.rglob("*.html")):
        soup = BeautifulSoup(html_file.read_text(encoding="utf-8"), "html.parser")
        problems += inert_problems(soup, str(html_file.relative_to(hostile_site)))
    assert problems == []


def test_search_entries_hold_the_text_as_typed(hostile_site: Path) -> None:
    # Material's one-file index keeps its settings only; the entries are Pagefind's records,
    # whose title and preview the search worker escapes before Material inserts them as HTML
    # (tests/browser/test_safety_search.py runs that). Here: the text is kept exactly as typed,
    # neither turned into markup nor escaped twice.
    index = json.loads((hostile_site / "search" / "search_index.json").read_text("utf-8"))
    assert index["docs"] == []
    records = search_records(hostile_site)
    titles = [record["meta"]["title"] for record in records]
    assert f"{hostile(10)} ({hostile(9)})" in titles  # the page entry: title (number)
    assert any(title.startswith(f"{hostile(10)} · {hostile(21)} 1: T9 ") for title in titles)


def test_plain_fields_show_exactly_as_typed(hostile_site: Path) -> None:
    soup = page(hostile_site, "counter-service/")
    body = text_of(article(soup))
    plain_fields = (9, 10, 11, 12, 14, 15, 19, 21, 22, 23, 24, 25, 26, 28, 32, 33, 34, 35, 36)
    for number in (*plain_fields, 41, 42, 43):
        assert hostile(number) in body, number
    for number in (16, 30):
        assert hostile_email(number) in body, number
    heading = article(soup).find("h1")
    assert heading is not None
    assert text_of(heading).rstrip("¶ ") == hostile(10)
    title = soup.find("title")
    assert title is not None
    assert title.get_text() == f"{hostile(10)} - {hostile(1)}"
    nav_links = [text_of(link) for link in soup.select("nav.md-nav--primary a, nav label")]
    assert hostile(10) in nav_links
    assert hostile(3) in nav_links


def test_template_expressions_are_never_evaluated(hostile_site: Path) -> None:
    soup = page(hostile_site, "counter-service/")
    body = text_of(article(soup))
    assert "{{ 7*7 }} {% if true %}evaluated{% endif %}" in body
    assert "T0 {{ 7*7 }} and {% raw %}x{% endraw %}" in text_of(
        page(hostile_site, "p3-svg-onload-alert-xss-4/")
    )
    code = [text_of(node) for node in article(soup).find_all("code")]
    assert "{{ 7*7 }}" in code
    assert "49" not in body


def test_policy_links_resolve_and_markdown_still_works(hostile_site: Path) -> None:
    body = article(page(hostile_site, "counter-service/"))
    hrefs = {link.get("href") for link in body.find_all("a")}
    assert "../phone-response/index.html" in hrefs
    assert "https://example.gov/" in hrefs
    emphasis = [text_of(node) for node in body.find_all("em")]
    assert "x" in emphasis


# --------------------------------------------------------------------------- refused payloads

REFUSED = [
    ("summary", "<script>alert(1)</script>", "raw HTML is not allowed"),
    ("summary", "Hello <img src=x onerror=alert(1)>", "raw HTML is not allowed"),
    ("summary", "<IMG SRC=x OnError=alert(1)>", "raw HTML is not allowed"),
    ("summary", "a <!-- hidden --> b", "raw HTML is not allowed"),
    ("summary", "<svg/onload=alert(1)>", "raw HTML is not allowed"),
    ("summary", "[x](javascript:alert(1))", "link scheme 'javascript:' is not allowed"),
    ("summary", "[x]( JaVaScRiPt:alert(1))", "link scheme 'JaVaScRiPt:' is not allowed"),
    ("summary", "[x](data:text/html;base64,PHNjcmlwdD4=)", "link scheme 'data:' is not allowed"),
    ("summary", "[x](vbscript:msgbox)", "link scheme 'vbscript:' is not allowed"),
    ("summary", "![x](file:///etc/passwd)", "link scheme 'file:' is not allowed"),
    ("summary", "![x](/etc/passwd)", "link '/etc/passwd' is not allowed"),
    ("summary", "![x](../../../dev/urandom)", "link '../../../dev/urandom' is not allowed"),
    ("summary", "<javascript:alert(1)>", "link scheme 'javascript:' is not allowed"),
    ("summary", "[x][1]\n\n[1]: javascript:alert(1)", "link scheme 'javascript:' is not allowed"),
    ("summary", "bell \x07 here", "contains a control character"),
    ("title", "nul \x00 here", "contains a control character"),
]


@pytest.mark.parametrize(("field", "value", "message"), REFUSED)
def test_unsafe_text_is_refused_with_its_line(
    field: str, value: str, message: str, tmp_path: Path
) -> None:
    project = make_project(tmp_path / "project", "small")
    source = project / "policies" / "counter-service.yaml"
    lines = source.read_text(encoding="utf-8").splitlines()
    line = next(n for n, entry in enumerate(lines, 1) if entry.startswith(f"{field}:"))
    lines[line - 1] = f"{field}: {json.dumps(value)}"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(BuildFailed) as failure:
        load_handbook(project)
    [error] = failure.value.errors
    assert (error.path, error.line, error.field) == ("policies/counter-service.yaml", line, field)
    assert message in error.message


@pytest.mark.parametrize(
    "tag",
    [
        "!!python/object/apply:os.system",
        "!!python/object/new:os.system",
        "!!python/object/apply:subprocess.call",
    ],
)
def test_a_code_tag_runs_nothing(tag: str, tmp_path: Path) -> None:
    # The canary: a file the tagged command would create, and a line it would print.
    canary = tmp_path / "the-tag-ran"
    command = f"echo CANARY-RAN; touch {canary}"
    argument = json.dumps(["sh", "-c", command] if tag.endswith("subprocess.call") else command)
    project = make_project(tmp_path / "project", "small")
    source = project / "policies" / "counter-service.yaml"
    lines = source.read_text(encoding="utf-8").splitlines()
    lines.append(f"tags: {tag} [{argument}]")
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")

    result = run_handbook("build", "--today", "2026-11-27", cwd=project)

    assert not canary.exists()
    assert result.stdout == ""
    assert "CANARY-RAN" not in result.stderr
    assert result.returncode == 1
    errors = result.stderr.splitlines()
    assert errors[0].startswith(f"policies/counter-service.yaml:{len(lines)}: tags: ")
    assert errors[-1] == "1 error in 1 file; nothing was published"
    assert not (project / "site").exists()
    # The same command does run when a shell is asked to run it: the canary would show.
    subprocess.run(["sh", "-c", command], check=True, capture_output=True)
    assert canary.exists()


@pytest.mark.parametrize("url", ["javascript:alert(1)", "file:///etc/passwd", "/etc/passwd"])
def test_reference_urls_must_be_web_addresses(url: str, tmp_path: Path) -> None:
    project = make_project(tmp_path / "project", "small")
    source = project / "policies" / "counter-service.yaml"
    with source.open("a", encoding="utf-8") as out:
        out.write(f"references:\n  - {{title: Manual, url: {json.dumps(url)}}}\n")
    with pytest.raises(BuildFailed) as failure:
        load_handbook(project)
    [error] = failure.value.errors
    assert error.field == "references #1.url"
    assert error.message.startswith("expected a web address starting with https://")


# --------------------------------------------------------------------------- PDFs and cards


def pdf_text_and_actions(path: Path) -> tuple[str, list[str]]:
    """A PDF's text (whitespace folded) and every action or link target it holds."""
    from pypdf import PdfReader

    reader = PdfReader(path)
    text = " ".join(" ".join((p.extract_text() or "") for p in reader.pages).split())
    actions = []
    root = reader.trailer["/Root"]
    for key in ("/OpenAction", "/AA"):
        if key in root:
            actions.append(f"document {key}")
    if "/Names" in root and "/JavaScript" in root["/Names"]:
        actions.append("document /JavaScript")
    for pdf_page in reader.pages:
        for annotation in pdf_page.get("/Annots") or []:
            action = annotation.get_object().get("/A")
            if action is None:
                continue
            action = action.get_object()
            if action.get("/S") == "/URI":
                actions.append(str(action.get("/URI")))
            elif action.get("/S") != "/GoTo":
                actions.append(f"action {action.get('/S')}")
    return text, actions


def squeezed(text: str) -> str:
    """Text without whitespace: a PDF wraps a long title at any '/', a reader sees it joined."""
    return "".join(text.split())


@pytest.mark.parametrize(
    ("pdf", "title"),
    [
        ("pdf/counter-service.pdf", hostile(10)),
        ("pdf/handbook.pdf", hostile(1)),
        ("pdf/cards/counter-service.pdf", None),
        ("pdf/cards/sheet-letter.pdf", None),
        ("pdf/cards/sheet-a4.pdf", None),
    ],
)
def test_pdfs_show_hostile_text_as_typed_and_hold_no_script(
    hostile_site: Path, pdf: str, title: str | None
) -> None:
    from pypdf import PdfReader

    text, actions = pdf_text_and_actions(hostile_site / pdf)
    # The policy's title as typed on every document: a policy page, the book, a card, a sheet.
    assert squeezed(hostile(10)) in squeezed(text)
    if title is None:
        assert squeezed(hostile(37)) in squeezed(text)  # The card's own title.
    else:
        # The document's title as typed: in its metadata, and on the book's cover.
        metadata = PdfReader(hostile_site / pdf).metadata
        assert metadata is not None and metadata.title == title
        assert squeezed(title) in squeezed(text)
    assert "{{ 7*7 }}" in text
    assert " 49 " not in f" {text} "
    unsafe = [a for a in actions if not re.match(r"(https?|mailto|tel):", a)]
    assert unsafe == []
