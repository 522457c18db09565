"""Strict YAML loading: values keep their lines; YAML 1.1 surprises never change a type."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml

from generator.load import (
    MAX_DEPTH,
    MAX_ERRORS_PER_FILE,
    explain_syntax_error,
    parse_source,
)


def load(text: str | bytes) -> object:
    raw = text.encode() if isinstance(text, str) else text
    loaded, errors = parse_source(raw, "policies/x.yaml")
    assert not errors, errors
    assert loaded is not None
    return loaded.data


def messages(text: str | bytes) -> list[str]:
    raw = text.encode() if isinstance(text, str) else text
    loaded, errors = parse_source(raw, "policies/x.yaml")
    assert loaded is None
    return [error.format() for error in errors]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("yes", "yes"),
        ("No", "No"),
        ("on", "on"),
        ("off", "off"),
        ("0755", "0755"),
        ("1:30", "1:30"),
        ("03600.001", "03600.001"),
        ("01-03-17", "01-03-17"),
        (".inf", ".inf"),
        ("0x1F", "0x1F"),
        ("12", 12),
        ("1.5", 1.5),
        ("true", True),
        ("false", False),
        ("~", None),
        ("2025-04-15", dt.date(2025, 4, 15)),
        ("2025-04", "2025-04"),
        ('"2025-04-15"', "2025-04-15"),
        ("'12'", "12"),
    ],
)
def test_scalars_resolve_yaml_1_2_style(source: str, expected: object) -> None:
    assert load(f"value: {source}\n") == {"value": expected}


def test_lines_are_recorded_for_keys_and_items() -> None:
    loaded, errors = parse_source(b"a: 1\nb:\n  - x\n  - y: 2\n", "policies/x.yaml")
    assert not errors and loaded is not None
    assert loaded.lines[("a",)] == 1
    assert loaded.lines[("b", 1)] == 4
    assert loaded.line_of(("b", 1, "y", "deeper")) == 4


def test_byte_order_mark_is_accepted() -> None:
    assert load(b"\xef\xbb\xbftitle: Hello\n") == {"title": "Hello"}


def test_impossible_date_is_an_error_not_a_crash() -> None:
    assert messages("a: 1\nlast_reviewed: 2025-02-30\n") == [
        "policies/x.yaml:2: last_reviewed: '2025-02-30' is not a real date"
    ]


def test_every_problem_in_a_file_is_reported() -> None:
    assert messages("a: &x 1\nb: *x\nc: 1\nc: 2\n") == [
        "policies/x.yaml:1: a: anchors (&x) are not allowed; repeat the value",
        "policies/x.yaml:2: b: aliases (*x) are not allowed; repeat the value",
        "policies/x.yaml:4: c: duplicate key 'c' (first given on line 3)",
    ]


def test_alias_bomb_is_refused_without_expanding() -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for index in range(1, 30):
        lines.append(f"n{index}: [*a, *a, *a, *a, *a, *a, *a, *a, *a]")
    result = messages("\n".join(lines) + "\n")
    assert result[0] == "policies/x.yaml:1: a: anchors (&a) are not allowed; repeat the value"
    # 262 errors in all; the report stops at the cap so a bomb cannot flood the terminal.
    assert len(result) == MAX_ERRORS_PER_FILE + 1
    assert result[-1] == "policies/x.yaml:7: more than 50 errors; fix those above first"


def test_unsafe_python_tag_is_refused() -> None:
    assert messages('x: !!python/object/apply:os.system ["true"]\n') == [
        "policies/x.yaml:1: x: the YAML tag "
        "'tag:yaml.org,2002:python/object/apply:os.system' is not allowed"
    ]


def test_tabs_are_refused_with_their_line() -> None:
    assert messages("a: 1\nb:\t2\n") == ["policies/x.yaml:2: tab character; indent with spaces"]


def test_invalid_utf8_names_its_line() -> None:
    assert messages(b"a: 1\nb: 2\nc: caf\xe9\n") == [
        "policies/x.yaml:3: not UTF-8 text (byte 0xe9); save the file as UTF-8"
    ]


def test_size_cap_is_the_readmes_1_mb() -> None:
    # README: "more than 1 MB" is refused; 1 MB here is 1,000,000 bytes, not 1 MiB.
    exactly = b"a: '" + b"x" * (1_000_000 - 6) + b"'\n"
    assert len(exactly) == 1_000_000
    assert load(exactly) == {"a": "x" * (1_000_000 - 6)}
    one_more = exactly.replace(b"'\n", b"x'\n")
    assert len(one_more) == 1_000_001
    assert messages(one_more) == ["policies/x.yaml: file is larger than 1,000,000 bytes"]


def test_nesting_cap() -> None:
    deep = "a: " + "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5) + "\n"
    assert any(f"nested more than {MAX_DEPTH} levels deep" in m for m in messages(deep))


def test_two_documents_are_refused() -> None:
    assert messages("a: 1\n---\nb: 2\n") == [
        "policies/x.yaml:2: a policy file holds one YAML document; remove the extra '---'"
    ]


# The mistakes people make in YAML, each with the message that tells them how to fix it.
SYNTAX_MISTAKES = [
    (
        "owner:\n  name: Jane Alvarez\n   email: jane@example.gov\n",
        "policies/x.yaml:3: check the indentation of this line against the line above: 'email:' "
        "starts in column 4, 'name:' above it in column 3",
    ),
    (
        "owner:\n  name: Jane Alvarez\n email: jane@example.gov\n",
        "policies/x.yaml:3: check the indentation of this line against the line above: 'email:' "
        "starts in column 2, 'name:' above it in column 3",
    ),
    (
        "owner: Jane Alvarez\n  email: jane@example.gov\n",
        "policies/x.yaml:2: check the indentation of this line against the line above: 'email:' "
        "starts in column 3, 'owner:' above it in column 1; 'owner:' above already has a value "
        "after it, so nothing can be indented under it: keep 'owner: Jane Alvarez' and line "
        "this field up with it, or leave nothing after 'owner:' and put its fields under it",
    ),
    (
        "id: x\n title: A\n",
        "policies/x.yaml:2: check the indentation of this line against the line above: 'title:' "
        "starts in column 2, 'id:' above it in column 1",
    ),
    (
        "summary: Note: offices close at 5.\n",
        "policies/x.yaml:1: put this text in quotes: its ': ' reads as a new field; write "
        'summary: "Note: offices close at 5."',
    ),
    (
        'summary: Say: "hello".\n',
        "policies/x.yaml:1: put this text in quotes: its ': ' reads as a new field; write "
        "summary: 'Say: \"hello\".'",
    ),
    (
        "summary:Short.\ntitle: A\n",
        "policies/x.yaml:1: put a space after the ':' of this field; write summary: Short.",
    ),
    (
        "id: x\nsummary: 'It's free'\n",
        "policies/x.yaml:2: the text goes on after its closing quote; put the whole text in one "
        "pair of quotes, and write an apostrophe inside single quotes twice, e.g. "
        'summary: "It\'s free"',
    ),
    (
        'id: x\nsummary: "Open daily\ntitle: A\n',
        "policies/x.yaml:2: a quote on this line is never closed; end the text with the quote "
        'mark it starts with: summary: "Open daily"',
    ),
    (
        "summary: @home\n",
        "policies/x.yaml:1: a text cannot start with '@'; write summary: \"@home\"",
    ),
    (
        "summary: [draft] text\n",
        "policies/x.yaml:1: a text that starts with '[' needs quotes; write "
        'summary: "[draft] text"',
    ),
    (
        "id: x\ntags: [one, two\n",
        "policies/x.yaml:2: the '[' on this line is never closed with ']'; close it, e.g. "
        "tags: [phone, email], or if the text only starts with '[', put the text in quotes",
    ),
    (
        "id: x\njust some words\ntitle: A\n",
        "policies/x.yaml:2: this line is neither a field ('name: value') nor a list item "
        "('- value'); if it continues the text above, indent it further than that field's name",
    ),
]


@pytest.mark.parametrize(("text", "expected"), SYNTAX_MISTAKES)
def test_yaml_mistakes_are_explained_in_plain_words(text: str, expected: str) -> None:
    (message,) = messages(text)
    assert message.startswith(expected)


@pytest.mark.parametrize(("text", "expected"), SYNTAX_MISTAKES)
def test_pure_python_parser_gives_the_same_explanation(text: str, expected: str) -> None:
    # Where libyaml is missing the loader falls back to PyYAML's own parser, whose messages
    # are worded differently; the explanation must not change with it.
    with pytest.raises(yaml.MarkedYAMLError) as failure:
        list(yaml.parse(text, Loader=yaml.SafeLoader))
    line, message = explain_syntax_error(failure.value, text)
    assert f"policies/x.yaml:{line}: {message}" == messages(text)[0]


def test_numbers_keep_the_text_they_were_typed_as() -> None:
    loaded, errors = parse_source(b"number: 3600.10\ncycle: 012\ncount: 7\n", "policies/x.yaml")
    assert not errors and loaded is not None
    assert loaded.numbers == {("number",): "3600.10", ("count",): "7"}
