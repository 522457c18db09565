"""Fuzzing: mutated policy files give a handbook or file:line errors, never an exception; any
string through the text filters gives inert HTML that shows the string as typed."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import markdown
import pytest
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import FIXTURES, ROOT
from generator.errors import BuildFailed
from generator.prepare import prepare
from generator.render import Renderer, SiteOptions, inline_markdown, plain

# The parser's words, which mean nothing to the people who write the policies.
PARSER_JARGON = ("mapping values", "block mapping", "expected key", "while parsing", "scalar")
SMALL = FIXTURES / "handbooks" / "small" / "policies"
TARGET = "phone-response.yaml"
ORIGINAL = (SMALL / TARGET).read_bytes()
FUZZ = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

# Bytes and text that mean something to YAML, Markdown, HTML or a template engine.
SPECIAL_BYTES = [
    b"\t", b"\x00", b"\x07", b"\xff", b"\xef\xbb\xbf", b"\xc3", b"\r", b"\n", b":", b"- ",
    b"&a ", b"*a", b"!!python/object:os.system ", b"{", b"[", b"'", b'"', b"|", b">", b"#",
    b"---\n", b"? ", b"%YAML 1.1\n", b"<script>", b"0755", b"yes", b"2025-02-30", b"~",
]  # fmt: skip
SPECIAL_TEXT = [
    "<script>alert(1)</script>", "{{ 7*7 }}", "{% raw %}", "[x](javascript:alert(1))",
    "![x](/etc/passwd)", "<img src=x onerror=alert(1)>", "&lt;", "&#0;", "\\", "`", "*", "_",
    "{: onclick=x }", "\u202e", "\ufeff", "\u2028", "yes", "0o17", ".nan", "2025-13-01",
    "01-03-17", "null", "", " ", "\n", "é", "\U0001d518", "\x85",
]  # fmt: skip


@pytest.fixture(scope="module")
def project() -> Iterator[Path]:
    """One scratch project for every example: only the policies/ folder is read."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        shutil.copytree(SMALL, root / "policies")
        shutil.copytree(ROOT / "templates", root / "templates")
        yield root


def check_outcome(root: Path, mutated: bytes, *, render: bool = False) -> None:
    """Load (and, when valid and asked to, render) a handbook with one mutated file."""
    (root / "policies" / TARGET).write_bytes(mutated)
    try:
        prepared = prepare(root, dt.date(2026, 11, 27))
    except BuildFailed as failure:
        assert failure.errors
        for error in failure.errors:
            assert error.path.startswith("policies/"), error
            assert error.line >= 1, error
            assert error.message, error
            assert not any(phrase in error.message for phrase in PARSER_JARGON), error
        return
    if render:  # A file that still validates must render without surprises.
        Renderer(prepared.handbook, prepared.report, SiteOptions()).site_pages()


@FUZZ
@given(data=st.data())
def test_byte_mutations(project: Path, data: st.DataObject) -> None:
    mutated = bytearray(ORIGINAL)
    for _ in range(data.draw(st.integers(1, 4))):
        position = data.draw(st.integers(0, len(mutated)))
        action = data.draw(st.sampled_from(["insert", "delete", "replace", "flip"]))
        if action == "insert":
            piece = data.draw(st.sampled_from(SPECIAL_BYTES) | st.binary(min_size=1, max_size=4))
            mutated[position:position] = piece
        elif action == "delete":
            del mutated[position : position + data.draw(st.integers(1, 20))]
        elif action == "replace" and position < len(mutated):
            mutated[position] = data.draw(st.integers(0, 255))
        elif position < len(mutated):
            mutated[position] ^= 1 << data.draw(st.integers(0, 7))
    check_outcome(project, bytes(mutated))


@FUZZ
@given(data=st.data())
def test_line_mutations(project: Path, data: st.DataObject) -> None:
    lines = ORIGINAL.decode().splitlines()
    for _ in range(data.draw(st.integers(1, 3))):
        index = data.draw(st.integers(0, len(lines) - 1))
        action = data.draw(st.sampled_from(["delete", "duplicate", "swap", "indent", "dedent"]))
        if action == "delete" and len(lines) > 1:
            del lines[index]
        elif action == "duplicate":
            lines.insert(index, lines[index])
        elif action == "swap":
            other = data.draw(st.integers(0, len(lines) - 1))
            lines[index], lines[other] = lines[other], lines[index]
        elif action == "indent":
            lines[index] = " " * data.draw(st.integers(1, 4)) + lines[index]
        else:
            lines[index] = lines[index].lstrip()
    check_outcome(project, ("\n".join(lines) + "\n").encode())


@FUZZ
@given(data=st.data())
def test_value_mutations(project: Path, data: st.DataObject) -> None:
    lines = ORIGINAL.decode().splitlines()
    candidates = [n for n, line in enumerate(lines) if ": " in line and not line.startswith("#")]
    for _ in range(data.draw(st.integers(1, 3))):
        index = data.draw(st.sampled_from(candidates))
        key, _, _ = lines[index].partition(": ")
        value = data.draw(st.sampled_from(SPECIAL_TEXT) | st.text(max_size=30))
        quoting = data.draw(st.sampled_from(["plain", "double", "single"]))
        if quoting == "double":
            escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
            value = f'"{escaped}"'
        elif quoting == "single":
            value = "'" + value.replace("'", "''") + "'"
        lines[index] = f"{key}: {value}"
    check_outcome(project, ("\n".join(lines) + "\n").encode("utf-8", "surrogatepass"), render=True)


# --------------------------------------------------------------------------- the text filters

# What policy text can hold: anything printable (control characters are refused at load).
PRINTABLE = st.lists(
    st.sampled_from(SPECIAL_TEXT)
    | st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), max_size=12),
    max_size=6,
).map("".join)
MKDOCS_MARKDOWN = markdown.Markdown(extensions=["attr_list", "md_in_html", "tables", "toc"])
ALLOWED = {"em": set(), "strong": set(), "code": set(), "del": set(), "br": set()}
ALLOWED |= {"a": {"href", "title"}, "img": {"src", "alt", "title"}}


@settings(max_examples=300, deadline=None)
@given(text=PRINTABLE)
def test_plain_text_shows_as_typed_through_html_and_markdown(text: str) -> None:
    expected = " ".join(text.split())
    escaped = str(plain(text))
    as_html = BeautifulSoup(escaped, "html.parser")
    assert as_html.find(True) is None
    assert as_html.get_text() == expected
    # The way a page uses it: a Markdown heading, built with the site's extensions.
    MKDOCS_MARKDOWN.reset()
    heading = BeautifulSoup(MKDOCS_MARKDOWN.convert(f"# {escaped}"), "html.parser")
    elements = heading.find_all(True)
    if expected:
        assert [element.name for element in elements] == ["h1"]
        assert set(elements[0].attrs) == {"id"}
        assert elements[0].get_text() == expected


@settings(max_examples=300, deadline=None)
@given(text=PRINTABLE)
def test_inline_markdown_output_is_inert(text: str) -> None:
    result = str(inline_markdown(text, {"phone-response": "../phone-response/"}))
    assert "{" not in result and "}" not in result
    for element in BeautifulSoup(result, "html.parser").find_all(True):
        assert element.name in ALLOWED, element
        assert set(element.attrs) <= ALLOWED[element.name], element
        for name in ("href", "src"):
            url = element.get(name)
            if isinstance(url, str) and ":" in url.split("/")[0]:
                assert url.split(":")[0].lower() in {"http", "https", "mailto", "tel"}, url
