"""What one field of a source file accepts: dates, text, addresses, ids, each a checked type.

Each type is a pydantic `Annotated` type whose validator says in plain words what was wrong, and
whose JSON Schema tells an editor the same. Policy text is inline Markdown: raw HTML and unsafe
link schemes are refused here, at the source, so no later stage has to trust it.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, PlainSerializer, WithJsonSchema
from pydantic_core import PydanticCustomError


@dataclass(frozen=True, order=True)
class YearMonth:
    """A date known only to the month, as in "Approved: April 2025"."""

    year: int
    month: int

    def first_day(self) -> dt.date:
        """The first day of the month."""
        return dt.date(self.year, self.month, 1)

    def last_day(self) -> dt.date:
        """The last day of the month: the latest the event can have happened."""
        return dt.date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def latest_day(value: dt.date | YearMonth) -> dt.date:
    """The latest calendar day a full or month-only date can stand for."""
    return value.last_day() if isinstance(value, YearMonth) else value


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_YEAR_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")


def _parse_date(value: Any) -> Any:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise PydanticCustomError(
                "date_value", "'{value}' is not a real date", {"value": value}
            ) from None
    raise PydanticCustomError(
        "date_format", "expected a date (YYYY-MM-DD), got {value}", {"value": _show(value)}
    )


def _parse_date_or_month(value: Any) -> Any:
    if isinstance(value, YearMonth):
        return value
    if isinstance(value, str) and (match := _YEAR_MONTH.fullmatch(value)):
        year, month = int(match[1]), int(match[2])
        if 1 <= month <= 12:
            return YearMonth(year, month)
        raise PydanticCustomError("date_value", "'{value}' is not a real month", {"value": value})
    try:
        return _parse_date(value)
    except PydanticCustomError:
        raise PydanticCustomError(
            "date_format",
            "expected a date (YYYY-MM-DD, or YYYY-MM when the source gives only the month), "
            "got {value}",
            {"value": _show(value)},
        ) from None


def _show(value: Any) -> str:
    if isinstance(value, str):
        return repr(value)
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a yes/no value)"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "fields (name: value)"
    return type(value).__name__


Date = Annotated[
    dt.date,
    BeforeValidator(_parse_date),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date",
            "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
            "description": "YYYY-MM-DD",
        }
    ),
]
DateOrMonth = Annotated[
    dt.date | YearMonth,
    BeforeValidator(_parse_date_or_month),
    PlainSerializer(str),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^[0-9]{4}-[0-9]{2}(-[0-9]{2})?$",
            "description": "YYYY-MM-DD, or YYYY-MM when the source states only the month",
        }
    ),
]


def _unknown_marker(value: Any) -> Any:
    if value == "unknown":
        return value
    try:
        return _parse_date(value)
    except PydanticCustomError:
        raise PydanticCustomError(
            "date_format",
            "expected a date (YYYY-MM-DD) or 'unknown', got {value}",
            {"value": _show(value)},
        ) from None


DateOrUnknown = Annotated[
    dt.date | Literal["unknown"],
    BeforeValidator(_unknown_marker),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "format": "date", "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"},
                {"const": "unknown"},
            ],
            "description": "YYYY-MM-DD, or 'unknown' when the source says the date is not known",
        }
    ),
]

# Text safety: policy text is inline Markdown. Raw HTML and unsafe link schemes are refused
# here, at the source, so no later stage has to trust it.
_RAW_HTML = re.compile(r"<\s*/?\s*[A-Za-z][A-Za-z0-9-]*(?=[\s/>])|<!--|<\?|<!\[?[A-Za-z]")
# Link and image targets Markdown would follow: inline `[text](target)` / `![alt](target)`,
# reference definitions `[name]: target`, and autolinks `<scheme:...>`.
_LINK_TARGET = re.compile(r"\]\(\s*<?([^)\s>]*)")
_REFERENCE_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:[ \t]*<?([^\s>]*)", re.MULTILINE)
_AUTOLINK = re.compile(r"<([A-Za-z][A-Za-z0-9+.-]*):[^>\s]*>")
_SAFE_SCHEMES = {"http", "https", "mailto", "tel", "policy"}
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ALLOWED_LINKS = "links may use http, https, mailto, tel or policy:<id>"


def _link_problem(target: str) -> str | None:
    """Why a link target is refused, or None when it is allowed."""
    if not target or target.startswith("#"):
        return None  # Empty or an anchor on the same page: nothing is fetched.
    scheme = _SCHEME.match(target)
    if scheme is None:
        # A relative path means one thing on the site and another in a PDF, and a path such
        # as /etc/passwd must never be fetched by any stage.
        return f"link '{target}' is not allowed; {_ALLOWED_LINKS}"
    if scheme.group(1).lower() not in _SAFE_SCHEMES:
        return f"link scheme '{scheme.group(1)}:' is not allowed; {_ALLOWED_LINKS}"
    return None


def link_targets(text: str) -> list[str]:
    """The targets of the inline links and images in a policy text: `[text](target)`."""
    return [match.group(1) for match in _LINK_TARGET.finditer(text)]


def _check_text(value: Any) -> Any:
    if not isinstance(value, str):
        raise PydanticCustomError(
            "text_type", "expected text, got {value}", {"value": _show(value)}
        )
    if _CONTROL.search(value):
        raise PydanticCustomError("text_control", "contains a control character", {})
    if "<" not in value and "](" not in value and "]:" not in value:
        # Most text has no markup at all: every pattern below needs one of these to match.
        return value.strip()
    if _RAW_HTML.search(value):
        raise PydanticCustomError(
            "raw_html",
            "raw HTML is not allowed in policy text; write Markdown (*emphasis*, [text](https://...))",
            {},
        )
    targets = link_targets(value)
    targets += [m.group(1) for m in _REFERENCE_DEFINITION.finditer(value)]
    targets += [f"{m.group(1)}:" for m in _AUTOLINK.finditer(value)]
    for target in targets:
        problem = _link_problem(target)
        if problem:
            raise PydanticCustomError("unsafe_link", problem, {})
    return value.strip()


def _check_plain(value: Any) -> Any:
    if not isinstance(value, str):
        raise PydanticCustomError(
            "text_type", "expected text, got {value}", {"value": _show(value)}
        )
    if _CONTROL.search(value):
        raise PydanticCustomError("text_control", "contains a control character", {})
    if not value.strip():
        raise PydanticCustomError("text_empty", "must not be empty", {})
    # Titles and names are one line wherever they appear (headings, front matter, navigation);
    # a line break typed in a quoted string becomes a space, as it would in HTML.
    return " ".join(value.split())


def _check_search_word(value: Any) -> Any:
    text = _check_plain(value)
    # The search box looks a query up word by word: a phrase on the left would never be typed whole.
    if " " in text:
        raise PydanticCustomError(
            "search_word",
            "must be one word (the word people type), not {value}",
            {"value": _show(text)},
        )
    return text.lower()


SearchWord = Annotated[str, BeforeValidator(_check_search_word)]


def _check_url(value: Any) -> Any:
    text = _check_plain(value)
    scheme = _SCHEME.match(text)
    if scheme is None or scheme.group(1).lower() not in ("http", "https"):
        raise PydanticCustomError(
            "url",
            "expected a web address starting with https:// or http://, got {value}",
            {"value": _show(value)},
        )
    return text


Text = Annotated[str, BeforeValidator(_check_text)]
"""Inline Markdown: emphasis, links to http(s)/mailto/tel or other policies. No raw HTML."""
# Not empty: at least one character that is not a space, as `_check_plain` demands.
_PLAIN_SCHEMA = WithJsonSchema({"type": "string", "pattern": r"\S"})
PlainText = Annotated[str, BeforeValidator(_check_plain), _PLAIN_SCHEMA]
"""Plain text shown as written (titles, names); every output escapes it."""
Url = Annotated[
    str,
    BeforeValidator(_check_url),
    WithJsonSchema({"type": "string", "format": "uri", "pattern": "^[Hh][Tt][Tt][Pp][Ss]?://"}),
]
"""A web address (http or https): the only URLs that become links outside policy text."""

_EMAIL = re.compile(r"[^@\s<>\"'(),;:]+@[^@\s<>\"'(),;:]+\.[^@\s<>\"'(),;:]+")


def _check_email(value: Any) -> Any:
    text = _check_plain(value)
    if not _EMAIL.fullmatch(text):
        raise PydanticCustomError(
            "email",
            "expected an email address like name@example.gov, got {value}",
            {"value": _show(value)},
        )
    return text


Email = Annotated[
    str,
    BeforeValidator(_check_email),
    WithJsonSchema({"type": "string", "format": "email"}),
]
"""An email address: it becomes a mailto: link on the site and the cards."""

_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def _check_slug(value: Any) -> Any:
    if not isinstance(value, str) or not _SLUG.fullmatch(value):
        raise PydanticCustomError(
            "slug",
            "expected a lower-case id of letters, digits and hyphens, got {value}",
            {"value": _show(value)},
        )
    return value


Slug = Annotated[
    str,
    BeforeValidator(_check_slug),
    WithJsonSchema({"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$"}),
]


def _check_number(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise PydanticCustomError(
            "number_type",
            'expected the policy number as text in quotes ("{value}"), so leading zeros are '
            "kept; got {shown}",
            {"value": value, "shown": _show(value)},
        )
    return _check_plain(value)


PolicyNumber = Annotated[str, BeforeValidator(_check_number), _PLAIN_SCHEMA]


def empty_list(description: str | None = None) -> Any:
    """A list field that is empty when left out, its schema's default `[]`.

    A default of `[]` itself is deep-copied by pydantic for every value validated: 56 copies a
    policy, a tenth of the time to load a handbook. A factory makes a new list instead.
    """
    return Field(default_factory=list, description=description, json_schema_extra={"default": []})
