"""Strict, safe YAML loading: every value keeps the line it came from.

Only this module knows PyYAML. It builds plain Python values from the parser's event stream
(C parser when available) and resolves scalars itself, YAML 1.2 style, so that YAML 1.1
surprises (`yes` -> True, `0755` -> 493, `1:30` -> 90, `03600.001` -> 3600.001) never happen.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import SourceError, format_path

try:  # The C parser is 13-16x faster; fall back to pure Python where libyaml is missing.
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_FILE_BYTES = 1_000_000
MAX_DEPTH = 32
PLACEHOLDER = "FILL IN:"
"""The start of a value `handbook new` leaves for HR to write; check reports each one."""

PathKey = tuple[str | int, ...]

_NULLS = {"", "~", "null", "Null", "NULL"}
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}
_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
_FLOAT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)(?:\.[0-9]+(?:[eE][-+]?[0-9]+)?|[eE][-+]?[0-9]+)")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_STR_TAGS = {"tag:yaml.org,2002:str", "!"}
_NUMBER_STARTS = frozenset("0123456789+-")  # What an int, a float or a date can start with.
# C0 controls and DEL (tab, newline and carriage return excepted): pasted from Word or a
# terminal, invisible in an editor, and refused by YAML with only a character offset.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MAX_ERRORS_PER_FILE = 50
# A list item indented past the `-` above it is, to YAML, more of that item's text: two rules
# silently become one, and every rule number after them shifts.
_MERGED_ITEM = (
    "this line starts a new list item but is indented as part of the text above: line its "
    "'-' up with the '-' above"
)
# `why:because` (no space after the colon) under a text: YAML reads it as more of the text.
# Web addresses (`https://`) are text, and so are times (`10:30`): keys start with a letter.
_GLUED_KEY = re.compile(r"(?!(?:mailto|tel|policy|https?):)([a-z][a-z0-9_]*):([^\s/].*)")


@dataclass
class LoadedFile:
    """One source file's values and the line of every mapping entry and list item."""

    path: str
    data: Any
    lines: dict[PathKey, int] = field(default_factory=dict)
    # Every number as typed: a float cannot keep `3600.10`, but a hint to quote it must.
    numbers: dict[PathKey, str] = field(default_factory=dict)
    # False when the source text can hold neither a `](policy:...)` link nor a `handbook new`
    # placeholder, so the cross-file checks can skip walking every text of the policy.
    may_link_policies: bool = True

    def line_of(self, path: PathKey) -> int:
        """The line of `path`, or of its nearest ancestor that has one."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(tuple(path[:end]))
            if line is not None:
                return line
        return 1


def _line(event: yaml.Event) -> int:
    mark = event.start_mark
    return mark.line + 1 if mark is not None else 0


class _Builder:
    """Turns a YAML event stream into values, recording lines and collecting errors."""

    def __init__(self, display_path: str, text: str = "") -> None:
        self.display_path = display_path
        self.text = text
        self._lines: list[str] | None = None
        self.errors: list[SourceError] = []
        self.lines: dict[PathKey, int] = {}
        self.numbers: dict[PathKey, str] = {}

    def error(self, line: int, field_path: str, message: str) -> None:
        self.errors.append(SourceError(self.display_path, line, field_path, message))

    def build(self, events: list[yaml.Event]) -> Any:
        documents: list[Any] = []
        starts: list[int] = []
        position = 0
        while position < len(events):
            event = events[position]
            if isinstance(event, yaml.DocumentStartEvent):
                starts.append(_line(event))
                value, position = self._node(events, position + 1, (), 0)
                documents.append(value)
            position += 1
        if len(documents) > 1:
            self.error(
                starts[1], "", "a policy file holds one YAML document; remove the extra '---'"
            )
        return documents[0] if documents else None

    def _node(self, events: list[yaml.Event], position: int, path: PathKey, depth: int) -> Any:
        """Build the node starting at `position`; return (value, position of its last event)."""
        event = events[position]
        line = _line(event)
        self.lines.setdefault(path, line)
        # The field path is formatted only for an error message: formatting it for every node
        # cost more than the rest of this method on a large handbook.
        if type(event) is yaml.ScalarEvent and event.anchor is None and depth <= MAX_DEPTH:
            return self._scalar(event, line, path), position  # The common case, checked first.
        anchor = getattr(event, "anchor", None)
        if isinstance(event, yaml.AliasEvent):
            message = f"aliases (*{event.anchor}) are not allowed; repeat the value"
            self.error(line, format_path(path), message)
            return None, position
        if anchor is not None:
            self.error(
                line, format_path(path), f"anchors (&{anchor}) are not allowed; repeat the value"
            )
        if depth > MAX_DEPTH:
            # Named by its top field: the full path would be as long as the nesting.
            self.error(line, format_path(path[:1]), f"nested more than {MAX_DEPTH} levels deep")
            return None, self._skip(events, position)
        if isinstance(event, yaml.ScalarEvent):
            return self._scalar(event, line, path), position
        if isinstance(event, yaml.SequenceStartEvent):
            self._check_tag(event.tag, "tag:yaml.org,2002:seq", line, path)
            items: list[Any] = []
            position += 1
            while not isinstance(events[position], yaml.SequenceEndEvent):
                value, position = self._node(events, position, (*path, len(items)), depth + 1)
                items.append(value)
                position += 1
            return items, position
        if isinstance(event, yaml.MappingStartEvent):
            self._check_tag(event.tag, "tag:yaml.org,2002:map", line, path)
            mapping: dict[str, Any] = {}
            first_line: dict[str, int] = {}
            position += 1
            while not isinstance(events[position], yaml.MappingEndEvent):
                key_event = events[position]
                key_line = _line(key_event)
                key: Any
                if isinstance(key_event, yaml.ScalarEvent):
                    key = key_event.value
                else:
                    self.error(key_line, format_path(path), "a key must be plain text")
                    position = self._skip(events, position)
                    key = None
                position += 1
                child_path = (*path, key) if isinstance(key, str) else path
                if isinstance(key, str):
                    self.lines.setdefault(child_path, key_line)
                value, position = self._node(events, position, child_path, depth + 1)
                position += 1
                if not isinstance(key, str):
                    continue
                if key in mapping:
                    self.error(
                        key_line,
                        format_path(child_path),
                        f"duplicate key '{key}' (first given on line {first_line[key]})",
                    )
                    continue
                mapping[key] = value
                first_line[key] = key_line
            return mapping, position
        raise AssertionError(f"unexpected YAML event {event!r}")  # pragma: no cover

    def _skip(self, events: list[yaml.Event], position: int) -> int:
        """Return the position of the last event of the node starting at `position`."""
        depth = 0
        while True:
            event = events[position]
            if isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent):
                depth += 1
            elif isinstance(event, yaml.SequenceEndEvent | yaml.MappingEndEvent):
                depth -= 1
            if depth == 0:
                return position
            position += 1

    def _check_continuation(self, first: int, last: int, path: PathKey) -> None:
        """A plain text over several lines: a line of it that reads as a list item or a field
        was meant as one, and YAML silently joined it to the text above."""
        if self._lines is None:
            self._lines = self.text.split("\n")
        for number in range(first + 1, min(last, len(self._lines)) + 1):
            content = self._lines[number - 1].strip()
            if content == "-" or content.startswith("- "):
                self.error(number, format_path(path), _MERGED_ITEM)
                return
            glued = _GLUED_KEY.match(content)
            if glued is not None:
                self.error(
                    number,
                    format_path(path),
                    f"this line looks like the field '{glued[1]}:' but is indented as part of "
                    f"the text above: line '{glued[1]}:' up with the field above it, with a "
                    f"space after the ':', e.g. {glued[1]}: {glued[2]}",
                )
                return

    def _check_tag(self, tag: str | None, allowed: str, line: int, path: PathKey) -> None:
        if tag is not None and tag not in (allowed, "!"):
            self.error(line, format_path(path), f"the YAML tag '{tag}' is not allowed")

    def _scalar(self, event: yaml.ScalarEvent, line: int, path: PathKey) -> Any:
        text = event.value
        if event.tag is not None and event.tag not in _STR_TAGS:
            self.error(line, format_path(path), f"the YAML tag '{event.tag}' is not allowed")
            return None
        plain = event.tag is None and bool(event.implicit[0])
        if not plain:
            return text
        end = event.end_mark
        if end is not None and end.line + 1 > line > 0:
            self._check_continuation(line, end.line + 1, path)
        if text in _NULLS:
            return None
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        if text[:1] not in _NUMBER_STARTS:
            return text  # Not a number or a date: most text, answered without a regex.
        if _INT.fullmatch(text):
            self.numbers[path] = text
            return int(text)
        if _FLOAT.fullmatch(text):
            self.numbers[path] = text
            return float(text)
        if _DATE.fullmatch(text):
            try:
                return dt.date.fromisoformat(text)
            except ValueError:
                self.error(line, format_path(path), f"'{text}' is not a real date")
                return None
        # Everything else stays text: yes/no/on/off, 0755, 1:30, 03600.001, 01-03-17 ...
        return text


def read_source(path: Path, display_path: str) -> tuple[LoadedFile | None, list[SourceError]]:
    """Read and parse one YAML file strictly; return its values or the errors that stop it."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        return None, [SourceError(display_path, 0, "", f"cannot read file: {error.strerror}")]
    return parse_source(raw, display_path)


def parse_source(raw: bytes, display_path: str) -> tuple[LoadedFile | None, list[SourceError]]:
    """Parse YAML bytes strictly; return the values with their lines, or the errors."""
    if len(raw) > MAX_FILE_BYTES:
        return None, [
            SourceError(display_path, 0, "", f"file is larger than {MAX_FILE_BYTES:,} bytes")
        ]
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]  # A UTF-8 byte-order mark, as Windows editors write it, is harmless.
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Word and Notepad's "Unicode" is UTF-16; say so rather than point at a stray byte.
        return None, [SourceError(display_path, 1, "", "UTF-16 text; save the file as UTF-8")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        return None, [
            SourceError(
                display_path,
                line,
                "",
                f"not UTF-8 text (byte 0x{raw[error.start]:02x}); save the file as UTF-8",
            )
        ]
    errors: list[SourceError] = []
    # Split on newlines only: str.splitlines() also breaks at form feeds and other characters
    # YAML does not count, and the line numbers would drift from the parser's.
    # Most files have neither: one search of the whole text saves one per line.
    suspect = "\t" in text or _CONTROL.search(text) is not None
    for number, text_line in enumerate(text.split("\n") if suspect else [], start=1):
        if "\t" in text_line:
            errors.append(
                SourceError(display_path, number, "", "tab character; indent with spaces")
            )
        control = _CONTROL.search(text_line)
        if control:
            errors.append(
                SourceError(
                    display_path,
                    number,
                    "",
                    f"invisible control character U+{ord(control.group()):04X}; delete it",
                )
            )
    if errors:
        return None, errors
    try:
        events = list(yaml.parse(text, Loader=_Loader))
    except yaml.MarkedYAMLError as error:
        line, message = explain_syntax_error(error, text)
        return None, [SourceError(display_path, line, "", message)]
    except yaml.reader.ReaderError as error:
        # Characters YAML refuses outright; the reader gives an offset, not a line.
        line = text[: error.position].count("\n") + 1
        return None, [
            SourceError(
                display_path, line, "", f"character U+{error.character:04X} is not allowed in YAML"
            )
        ]
    except yaml.YAMLError:
        return None, [SourceError(display_path, 1, "", _UNREADABLE)]
    builder = _Builder(display_path, text)
    data = builder.build(events)
    if len(builder.errors) > MAX_ERRORS_PER_FILE:
        # A file of a thousand aliases should not print a thousand lines.
        shown = sorted(builder.errors)[:MAX_ERRORS_PER_FILE]
        cut = sorted(builder.errors)[MAX_ERRORS_PER_FILE]
        message = f"more than {MAX_ERRORS_PER_FILE} errors; fix those above first"
        return None, [*shown, SourceError(display_path, cut.line, "", message)]
    if builder.errors:
        return None, builder.errors
    # A backslash escape in a quoted string could spell either without the plain text.
    may_link = "policy:" in text or PLACEHOLDER in text or "\\" in text
    return LoadedFile(display_path, data, builder.lines, builder.numbers, may_link), []


# --------------------------------------------------------------------------- syntax errors
# The parser's own words ("mapping values are not allowed in this context", "did not find
# expected key (while parsing a block mapping)") mean nothing to the people who write the
# policies. Its error is classified by what went wrong, and the message says how to fix it,
# with the right shape built from the line itself where possible.

# A line that opens a field: indentation, list dashes, then `key:` followed by a space or the end.
_KEY_LINE = re.compile(r"( *)((?:- +)*)([A-Za-z_][A-Za-z0-9_-]*):(?: +|$)")
_UNREADABLE = (
    "this line cannot be read; check its indentation, quotes and brackets against the line above"
)
_INDENT_SHAPE = (
    "fields that belong together start in the same column, and the fields inside a field are "
    "indented two spaces more, e.g. 'owner:' with '  name: Jane Alvarez' on the line below"
)


def explain_syntax_error(error: yaml.MarkedYAMLError, text: str) -> tuple[int, str]:
    """The line and a plain-language message for a YAML syntax error, without parser jargon."""
    lines = text.split("\n")
    problem = error.problem or ""
    context = error.context or ""
    mark = error.problem_mark or error.context_mark
    if mark is None:
        return 1, _UNREADABLE
    number, column = mark.line + 1, mark.column
    if mark.line >= len(lines):
        return len(lines), _UNREADABLE
    line = lines[mark.line]
    opened = error.context_mark.line + 1 if error.context_mark is not None else number
    if "escape" in problem and "quoted" in context:
        return number, _backslash_error(line)
    if "quoted scalar" in context:
        reason = (
            "a quote on this line is never closed; end the text with the quote mark it starts with"
        )
        field_line = lines[opened - 1] if opened <= len(lines) else ""
        key = _KEY_LINE.match(field_line)
        value = field_line[key.end() :].rstrip() if key is not None else ""
        if key is None or value[:1] not in ("'", '"'):
            return opened, f'{reason}, e.g. summary: "Call us: we answer within a day."'
        return opened, f"{reason}: {key[3]}: {value}{value[0]}"
    if "flow sequence" in context or "flow mapping" in context:
        opening, closing, shape = (
            ("[", "]", "tags: [phone, email]")
            if "sequence" in context
            else ("{", "}", "owner: {name: Jane Alvarez}")
        )
        return opened, (
            f"the '{opening}' on this line is never closed with '{closing}'; close it, e.g. "
            f"{shape}, or if the text only starts with '{opening}', put the text in quotes"
        )
    if "simple key" in context:
        glued = _glued_field(lines[opened - 1] if opened <= len(lines) else "")
        if glued is not None:
            return opened, glued
        return opened, (
            "this line is neither a field ('name: value') nor a list item ('- value'); if it "
            "continues the text above, indent it further than that field's name"
        )
    if "mapping values" in problem:
        return _colon_error(lines, mark.line, column)
    if "cannot start any token" in problem or "alias" in context or "anchor" in context:
        return number, _quote_this(line, f"a text cannot start with '{line[column : column + 1]}'")
    if "mapping keys" in problem:
        return number, _quote_this(line, "a text cannot start with '? '")
    if "expected key" in problem or "block end" in problem or "'-' indicator" in problem:
        if line[:column].strip(" -") == "":
            return number, _indentation(lines, mark.line)
        field_match = _KEY_LINE.match(line)
        rest = line[field_match.end() :].strip() if field_match is not None else ""
        start = rest[:1]
        if start in ("'", '"') and field_match is not None:
            if start == "'" and rest.endswith("'") and '"' not in rest:
                shape = f'{field_match[3]}: "{rest[1:-1]}"'
            else:
                shape = "summary: 'It''s free'"
            return number, (
                "the text goes on after its closing quote; put the whole text in one pair of "
                f"quotes, and write an apostrophe inside single quotes twice, e.g. {shape}"
            )
        if start in ("[", "{"):
            return number, _quote_this(line, f"a text that starts with '{start}' needs quotes")
    return number, _UNREADABLE


def _backslash_error(line: str) -> str:
    """Double quotes read a backslash as the start of an escape (`\\n`); HR meant the character."""
    reason = (
        "a backslash (\\) inside double quotes starts an escape such as \\n; to keep the "
        "backslash, put the text in single quotes or write each backslash twice"
    )
    key = _KEY_LINE.match(line)
    value = line[key.end() :].strip() if key is not None else ""
    if key is None or not value.startswith('"') or not value.endswith('"') or "'" in value:
        return reason
    return f"{reason}: {key[3]}: '{value[1:-1]}'"


def _colon_error(lines: list[str], index: int, column: int) -> tuple[int, str]:
    """A `: ` where the parser did not expect one: wrong indentation, or text needing quotes."""
    line = lines[index]
    key = _KEY_LINE.match(line)
    if key is not None and key.end(3) == column:
        # The line is a field of its own, but the parser took it as more of the text above:
        # it is indented deeper than its neighbours, or the line above lacks a space after ':'.
        above = _line_above(lines, index)
        glued = _glued_field(lines[above]) if above is not None else None
        if above is not None and glued is not None:
            return above + 1, glued
        return index + 1, _indentation(lines, index)
    return index + 1, _quote_this(line, "put this text in quotes: its ': ' reads as a new field")


def _indentation(lines: list[str], index: int) -> str:
    """Say how this line's indentation differs from the line above's."""
    message = "check the indentation of this line against the line above"
    key = _KEY_LINE.match(lines[index])
    above = _line_above(lines, index)
    above_key = _KEY_LINE.match(lines[above]) if above is not None else None
    if key is not None and above_key is not None:
        here, there = key.start(3) + 1, above_key.start(3) + 1
        if here != there:
            message += (
                f": '{key[3]}:' starts in column {here}, '{above_key[3]}:' above it in "
                f"column {there}"
            )
        value = lines[above][above_key.end() :].strip() if above is not None else ""
        if here >= there + 2 and value and not value.startswith("#"):
            # `owner: Jane Alvarez` with fields indented a level under it: two values for one
            # field. One space off is more likely a slip of the space bar, said below.
            return (
                f"{message}; '{above_key[3]}:' above already has a value after it, so nothing "
                f"can be indented under it: keep '{above_key[3]}: {value}' and line this field "
                f"up with it, or leave nothing after '{above_key[3]}:' and put its fields under it"
            )
    return f"{message}; {_INDENT_SHAPE}"


def _glued_field(line: str) -> str | None:
    """The fix for `name:value` (no space after the colon), or None when the line is not that."""
    if _KEY_LINE.match(line) is not None:
        return None
    glued = re.match(r" *(?:- +)*([A-Za-z_][A-Za-z0-9_-]*):(\S.*)", line)
    if glued is None:
        return None
    return f"put a space after the ':' of this field; write {glued[1]}: {glued[2]}"


def _line_above(lines: list[str], index: int) -> int | None:
    """The index of the nearest line above that holds more than a comment."""
    for above in range(index - 1, -1, -1):
        content = lines[above].strip()
        if content and not content.startswith("#"):
            return above
    return None


def _quote_this(line: str, reason: str) -> str:
    """`reason`, then this line's field rewritten with its text in quotes."""
    key = _KEY_LINE.match(line)
    value = line[key.end() :].strip() if key is not None else ""
    if key is None or not value:
        return f'{reason}; e.g. summary: "Note: offices close at 5 pm."'
    if '"' in value and "'" not in value:
        quoted = f"'{value}'"
    else:
        quoted = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"{reason}; write {key[3]}: {quoted}"
