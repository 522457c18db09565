"""The validated handbook model: one frozen Handbook read once from `policies/`.

Only this module knows pydantic. Validation errors are mapped back to `file:line: field: message`
using the line marks the loader recorded, and every file's errors are collected before failing.
"""

from __future__ import annotations

import calendar
import datetime as dt
import difflib
import json
import re
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    PlainSerializer,
    Tag,
    ValidationError,
    WithJsonSchema,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

from ..errors import ErrorList, SourceError, format_path
from ..load import PLACEHOLDER, LoadedFile, read_source

HANDBOOK_FILE = "handbook.yaml"
POLICY_SCHEMA_FILE = "policy.schema.json"
HANDBOOK_SCHEMA_FILE = "handbook.schema.json"

# --------------------------------------------------------------------------- value types


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

# --------------------------------------------------------------------------- the policy


class Strict(BaseModel):
    """Base for every source model: strict types, unknown keys refused, values frozen."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class Status(StrEnum):
    """Where a policy is in its life."""

    DRAFT = "draft"
    ACTIVE = "active"
    RETIRED = "retired"


class RevisionKind(StrEnum):
    """What a revision changed."""

    SUBSTANTIVE = "substantive"
    EDITORIAL = "editorial"
    REVIEW = "review"


class Person(Strict):
    """Someone responsible for a policy, with ways to reach them."""

    name: PlainText | None = Field(None, description="Person or office name")
    title: PlainText | None = Field(None, description="Job title")
    email: Email | None = None
    phone: PlainText | None = None


class Contact(Strict):
    """Whom to call about what."""

    role: PlainText = Field(description="What to contact them about")
    name: PlainText = Field(description="Person, office or department")
    phone: PlainText | None = None
    email: Email | None = None
    hours: PlainText | None = None


class Approval(Strict):
    """A sign-off recorded on the policy header."""

    role: PlainText = Field(description="e.g. City Manager, Department Head, Author")
    name: PlainText | None = None
    date: DateOrMonth | None = None


# The cross-checks refuse other cycles with their own message; the schema says the same to editors.
_CYCLE_LIMITS: dict[str, Any] = {"minimum": 1, "maximum": 60}


class Review(Strict):
    """How often the policy is reviewed and by whom."""

    cycle_months: int | None = Field(
        None,
        description="Months between reviews; default from handbook.yaml (normally 12)",
        json_schema_extra=_CYCLE_LIMITS,
    )
    next_due: Date | None = Field(None, description="Override the computed next review date")
    owner: PlainText | None = Field(None, description="Who carries out the review")


@dataclass(frozen=True)
class _TextOr:
    """Plain text as shorthand for a mapping whose `key` field holds it, for loader and schema.

    The JSON Schema says "text or the mapping" too, so an editor accepts every file the loader
    accepts.
    """

    key: str

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        key = self.key

        def convert(value: Any) -> Any:
            return {key: value} if isinstance(value, str) else value

        return core_schema.no_info_before_validator_function(convert, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        text = {"type": "string", "description": f"Shorthand for {{{self.key}: ...}}"}
        return {"anyOf": [text, handler(schema)]}


def _text_to_mapping(key: str) -> _TextOr:
    return _TextOr(key)


class Principle(Strict):
    """A principle, with optional sub-points (a plain string is shorthand for `text`)."""

    text: Text
    points: list[Text] = []


class Example(Strict):
    """A worked example of wording: what was said, a better way, and what never to say."""

    say: Text | None = Field(None, description="The wording shown as the example")
    better: Text | None = Field(None, description="A better way to say it")
    never: Text | None = Field(None, description="What never to say")
    note: Text | None = None


class Guideline(Strict):
    """One rule of conduct, with why it matters and optional examples."""

    rule: Text
    why: Text | None = None
    points: list[Text] = []
    examples: list[Example] = []
    avoid: list[Text] = Field([], description="Words or phrases to avoid")


class GuidelineGroup(Strict):
    """Guidelines for one channel or situation (telephone, in person, written ...)."""

    channel: Slug = Field(description="Short id used in anchors, e.g. telephone, in-person")
    title: PlainText = Field(description="Heading, e.g. Telephone contact")
    intro: Text | None = None
    items: list[Annotated[Guideline, _text_to_mapping("rule")]]


UNIT_LABELS = {
    "hour": ("hour", "hours"),
    "day": ("day", "days"),
    "business_day": ("business day", "business days"),
    "week": ("week", "weeks"),
}


class Target(Strict):
    """A measurable deadline: within N units."""

    within: int
    unit: Literal["hour", "day", "business_day", "week"]
    # Plain text: the target is shown as one phrase ("within 1 business day (generally)").
    note: PlainText | None = None

    def words(self) -> str:
        """The target as a reader says it: 'within 1 business day (Generally.)'."""
        singular, plural = UNIT_LABELS[self.unit]
        text = f"within {self.within} {singular if self.within == 1 else plural}"
        return f"{text} ({self.note})" if self.note else text


class Standard(Strict):
    """A measurable or observable service commitment."""

    commitment: Text
    detail: Text | None = None
    channel: PlainText | None = Field(None, description="e.g. voicemail, email, in person")
    target: (
        Annotated[
            Annotated[PlainText, Tag("Text")] | Annotated[Target, Tag("Target")],
            Discriminator(lambda value: "Target" if isinstance(value, dict) else "Text"),
        ]
        | None
    ) = Field(None, description="'same day', or {within: 1, unit: business_day}")
    points: list[Text] = []


class StandardGroup(Strict):
    """Standards under one heading (a plain list of standards needs no groups)."""

    title: PlainText
    standards: list[Standard]


class Procedure(Strict):
    """Ordered steps for a task."""

    title: PlainText
    intro: Text | None = None
    steps: list[Annotated[Principle, _text_to_mapping("text")]]


class ContentsEntry(Strict):
    """A heading of the source's table of contents, with the headings under it (a plain string is
    shorthand for `heading`)."""

    heading: PlainText
    entries: list[Annotated[ContentsEntry, _text_to_mapping("heading")]] = []


class Definition(Strict):
    """A term used in the policy."""

    term: PlainText
    meaning: Text


class Reference(Strict):
    """A document the policy refers to."""

    title: PlainText
    url: Url | None = None
    note: Text | None = None


class Revision(Strict):
    """One entry of the revision history."""

    date: Date
    version: PlainText | None = None
    # Enums accept their values as text from YAML; strict mode would demand enum instances.
    kind: RevisionKind = Field(RevisionKind.SUBSTANTIVE, strict=False)
    summary: Text


class SourceDocument(Strict):
    """The original document this policy was taken from."""

    title: PlainText
    publisher: PlainText | None = None
    author: PlainText | None = None
    date: DateOrMonth | None = None
    url: Url | None = None
    note: Text | None = None


class CardSide(Strict):
    """The back of a desk card."""

    title: PlainText | None = None
    points: list[Text] = []


class Card(Strict):
    """The desk reference card: the few rules and numbers needed at the counter."""

    title: PlainText | None = None
    points: list[Text] = []
    say: list[Text] = Field([], description="Phrases to use")
    avoid: list[Text] = Field([], description="Phrases to avoid")
    contacts: list[Contact] | None = None
    back: CardSide | None = None


class Policy(Strict):
    """One policy, as HR writes it in `policies/<id>.yaml`."""

    id: Slug = Field(description="Equals the file name without .yaml")
    number: PolicyNumber | None = Field(None, description="Policy number as text, e.g. '03600.001'")
    renumbered_from: PlainText | None = None
    title: PlainText
    short_title: PlainText | None = Field(
        None, description="How readers name the policy in search results, e.g. 'Pinole'"
    )
    category: PlainText = Field(description="Navigation section")
    department: PlainText | None = None
    applies_to: list[PlainText] = []
    tags: list[PlainText] = []
    status: Status = Field(Status.ACTIVE, strict=False)
    issued: DateOrUnknown | None = Field(None, description="Issue date, or 'unknown'")
    effective: Date | None = None
    renumbered: Date | None = None
    adopted: Date | None = Field(None, description="When the policy entered this handbook")
    approvals: list[Approval] = []
    supersedes: list[PlainText] = []
    last_reviewed: Date | None = None
    review: Review = Review()
    owner: Person
    contacts: list[Contact] = []
    summary: Text
    purpose: Text | None = None
    scope: Text | None = None
    principles: list[Annotated[Principle, _text_to_mapping("text")]] = []
    guidelines: list[GuidelineGroup] = []
    standards: list[
        Annotated[
            Annotated[Standard, Tag("Standard")] | Annotated[StandardGroup, Tag("StandardGroup")],
            Discriminator(
                lambda value: (
                    "StandardGroup"
                    if isinstance(value, dict) and "standards" in value
                    else "Standard"
                )
            ),
        ]
    ] = []
    procedures: list[Procedure] = []
    # Headings are not rules: a source known only by its table of contents is recorded as one.
    contents: list[Annotated[ContentsEntry, _text_to_mapping("heading")]] = Field(
        [], description="The source's table of contents, shown as an outline of headings"
    )
    definitions: list[Definition] = []
    related: list[Slug] = []
    references: list[Reference] = []
    revision_history: list[Revision] = []
    source: SourceDocument
    card: Card | None = None

    def versions(self) -> list[str | None]:
        """The version each revision_history entry gives the policy (None before the first)."""
        return policy_versions(self.revision_history)

    @property
    def version(self) -> str | None:
        """The policy's current version, from its revision history."""
        versions = self.versions()
        return versions[-1] if versions else None

    def last_revision(self) -> Revision | None:
        """The latest substantive or editorial revision (a review revises nothing)."""
        revisions = [r for r in self.revision_history if r.kind is not RevisionKind.REVIEW]
        return max(revisions, key=lambda r: r.date) if revisions else None

    @property
    def standing(self) -> Standing:
        """Its version and the dates of its latest revision and review, as every output states
        them (the facts table, the PDF footer, the desk card)."""
        revision = self.last_revision()
        reviews = [r.date for r in self.revision_history if r.kind is RevisionKind.REVIEW]
        return Standing(
            version=self.version,
            revised=revision.date if revision is not None else None,
            reviewed=max(reviews) if reviews else None,
        )


@dataclass(frozen=True)
class Standing:
    """Where a policy's revision history leaves it."""

    version: str | None
    # The latest substantive or editorial revision's date; a review revises nothing.
    revised: dt.date | None
    # The latest review entry's date in the history (not `last_reviewed`, a separate field).
    reviewed: dt.date | None


_VERSION = re.compile(r"([0-9]+)\.([0-9]+)")


def policy_versions(history: list[Revision]) -> list[str | None]:
    """Versions along a revision history: the first revision is 1.0, a substantive one the next
    major (2.0), an editorial one the next minor (1.1), a review none; a given `version` wins."""
    major, minor = 0, 0
    current: str | None = None
    out: list[str | None] = []
    for entry in history:
        if entry.version is not None:
            current = entry.version
            if match := _VERSION.fullmatch(entry.version):
                major, minor = int(match[1]), int(match[2])
        elif entry.kind is RevisionKind.REVIEW:
            pass
        elif current is None or entry.kind is RevisionKind.SUBSTANTIVE:
            major, minor = major + 1, 0
            current = f"{major}.{minor}"
        else:
            minor += 1
            current = f"{major}.{minor}"
        out.append(current)
    return out


# --------------------------------------------------------------------------- handbook.yaml


class Category(Strict):
    """A navigation section, in the order given."""

    name: PlainText
    description: Text | None = None


class ReviewDefaults(Strict):
    """Handbook-wide review settings."""

    cycle_months: int = Field(12, json_schema_extra=_CYCLE_LIMITS)
    due_soon_days: int = Field(30, json_schema_extra={"minimum": 0})
    fail_on: Literal["overdue", "due-soon", "never"] = Field(
        "never", description="Which review state makes `handbook build` fail"
    )


class Settings(Strict):
    """`policies/handbook.yaml`: the handbook as a whole."""

    organization: PlainText
    title: PlainText
    edition: PlainText
    timezone: PlainText = "UTC"
    language: PlainText = "en"
    site_url: Url | None = Field(
        None,
        description="Intranet address of the site, e.g. https://intranet.example.gov/handbook/",
    )
    paper: Literal["letter", "a4"] = "letter"
    card_size: Literal["a6", "4x6", "3x5"] = "a6"
    review: ReviewDefaults = ReviewDefaults()
    categories: list[Category] = []
    contacts: list[Contact] = []
    contacts_apply_to_every_policy: bool = Field(
        False,
        description="Show the handbook-wide contacts on the desk card of every policy that names "
        "no contact of its own",
    )
    synonyms: dict[SearchWord, list[PlainText]] = Field(
        {},
        description=(
            "Words employees search for, each with the handbook's words it should find, "
            "e.g. angry: [irate, upset]"
        ),
    )


# --------------------------------------------------------------------------- the handbook


@dataclass(frozen=True)
class Origin:
    """Where a policy came from: its file and the line of each field, for later errors."""

    path: str
    lines: Mapping[tuple[str | int, ...], int]

    def line_of(self, *path: str | int) -> int:
        """The line of a field path, or of its nearest ancestor that has one."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(tuple(path[:end]))
            if line is not None:
                return line
        return 1

    def error(self, message: str, *path: str | int) -> SourceError:
        """A source error located at a field of this file."""
        return SourceError(self.path, self.line_of(*path), format_path(path), message)


@dataclass(frozen=True)
class Handbook:
    """Every validated fact of the handbook; later stages read only this."""

    root: Path
    settings: Settings
    policies: tuple[Policy, ...]
    origins: Mapping[str, Origin]
    settings_origin: Origin

    def policy(self, policy_id: str) -> Policy:
        """The policy with this id."""
        for policy in self.policies:
            if policy.id == policy_id:
                return policy
        raise KeyError(policy_id)

    def categories(self) -> list[str]:
        """Category names in handbook order: those listed in handbook.yaml first."""
        names = [category.name for category in self.settings.categories]
        for policy in self.policies:
            if policy.category not in names:
                names.append(policy.category)
        return names


# --------------------------------------------------------------------------- validation


# Example values for the fields an error most often asks for; any other field gets "...".
_EXAMPLE_VALUES = {
    "id": "counter-service",
    "title": "Customer Service Standards",
    "category": "Customer Service",
    "summary": "What the policy asks of staff, in a sentence or two.",
    "name": "Jane Alvarez",
    "role": "City Manager",
    "commitment": "Return voicemail messages within one business day.",
    "rule": "Answer the phone by the third ring.",
    "text": "Treat every customer with courtesy.",
    "channel": "telephone",
    "term": "Customer",
    "meaning": "Anyone who contacts the City for a service.",
    "date": "2025-04-15",
    "within": "1",
    "unit": "business_day",
    "organization": "City of Example",
    "edition": "2025",
}


def _message(
    error: Mapping[str, Any], model: type[BaseModel], loc: tuple[str | int, ...], typed: str | None
) -> str:
    """A plain-language message for one pydantic error at the cleaned location `loc`.

    `typed` is the number exactly as the source wrote it, when the value was a number.
    """
    kind = error["type"]
    value = error.get("input")
    if kind == "extra_forbidden":
        name = str(error["loc"][-1])
        close = difflib.get_close_matches(name, _fields_of(model, loc), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        return f"unknown field '{name}'{hint}"
    if kind == "missing":
        return _missing(model, loc)
    if kind == "number_type" and typed is not None:
        return (
            "write the policy number in quotes, exactly as the source writes it: "
            f'number: "{typed}" (without quotes it is read as a number, which can drop zeros)'
        )
    if kind in ("string_type", "text_type") and typed is not None:
        return (
            f'expected text, got the number {value}; put it in quotes exactly as typed: "{typed}"'
        )
    if kind in ("string_type",):
        return f"expected text, got {_show(value)}"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"expected a whole number, got {_show(value)}"
    if kind in ("bool_type", "bool_parsing"):
        return f"expected true or false, got {_show(value)}"
    if kind in ("tuple_type", "list_type"):
        if isinstance(value, str) and not isinstance(loc[-1], int):
            return f"expected a list, got {_show(value)}; write {_shape(model, loc, value)}"
        return f"expected a list, got {_show(value)}"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        shape = _shape(model, loc, value if isinstance(value, str) else None)
        if isinstance(loc[-1], int):
            return f"expected fields for this item, got {_show(value)}; write {shape}"
        return f"expected fields under '{loc[-1]}:', got {_show(value)}; write {shape}"
    if kind in ("enum", "literal_error"):
        expected = error.get("ctx", {}).get("expected", "")
        return f"expected one of {expected}, got {_show(value)}"
    return str(error["msg"])


def _missing(model: type[BaseModel], loc: tuple[str | int, ...]) -> str:
    """Say which mapping lacks the required field at `loc`, with an example of it."""
    name, where = loc[-1], loc[:-1]
    example = _shape(model, loc)
    if where:
        return f"'{name}' is missing here; add it beside the other fields, e.g. {example}"
    if model is Settings:
        return f"handbook.yaml has no '{name}', which it needs; add it, e.g. {example}"
    return f"the policy has no '{name}', which every policy needs; add it, e.g. {example}"


def _shape(model: type[BaseModel], loc: tuple[str | int, ...], example: str | None = None) -> str:
    """A one-line example of the field at `loc` written in the right shape.

    A mapping shows its first required field on the line below; a list item starts with '- '.
    """
    name = loc[-1]
    inner, is_list = _model_at(model, loc)
    dash = "- " if is_list else ""
    if inner is None:
        value = example if example is not None else _EXAMPLE_VALUES.get(str(name), "...")
        if is_list:
            return f"'{name}:' with '  - {value}' on the line below"
        return f"{name}: {value}"
    fields = inner.model_fields
    lead = next((key for key, info in fields.items() if info.is_required()), next(iter(fields)))
    value = example if example is not None else _EXAMPLE_VALUES.get(lead, "...")
    if isinstance(name, int):
        return f"'- {lead}: {value}'"
    return f"'{name}:' with '  {dash}{lead}: {value}' on the line below"


def _model_at(
    model: type[BaseModel], loc: tuple[str | int, ...]
) -> tuple[type[BaseModel] | None, bool]:
    """The model a value at `loc` must match (None when not a mapping), and whether it is a list."""
    current: Any = model
    is_list = False
    for part in loc:
        if isinstance(part, int):
            is_list = False
            continue
        field = getattr(current, "model_fields", {}).get(part) if current is not None else None
        if field is None:
            return None, False
        current = _model_in(field.annotation)
        is_list = _is_list(field.annotation)
    return current, is_list


def _is_list(annotation: Any) -> bool:
    if getattr(annotation, "__origin__", None) is list:
        return True
    return any(_is_list(arg) for arg in getattr(annotation, "__args__", ()) or ())


def _fields_of(model: type[BaseModel], loc: tuple[str | int, ...]) -> list[str]:
    """Field names of the (sub)model that holds the last element of `loc`."""
    current: Any = model
    for part in loc[:-1]:
        if isinstance(part, int) or current is None:
            continue
        field = getattr(current, "model_fields", {}).get(part)
        if field is None:
            # Union branches show up as extra loc parts named after the member type.
            continue
        current = _model_in(field.annotation)
    return list(getattr(current, "model_fields", {}).keys())


def _model_in(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _model_in(arg)
        if found is not None:
            return found
    metadata_origin = getattr(annotation, "__origin__", None)
    if metadata_origin is not None and metadata_origin is not annotation:
        return _model_in(metadata_origin)
    return None


_UNION_PART = re.compile(r"^(?:[A-Z][A-Za-z]*|function-.*|str|int|date|tuple\[.*|literal\[.*)")


def _clean_loc(loc: tuple[str | int, ...], model: type[BaseModel]) -> tuple[str | int, ...]:
    """Drop pydantic's union-branch and validator names from an error location."""
    known: set[str] = set()
    stack: list[Any] = [model]
    seen: set[Any] = set()
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        for name, field in current.model_fields.items():
            known.add(name)
            stack.extend(_models_in(field.annotation))
    return tuple(part for part in loc if isinstance(part, int) or part in known)


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    found: list[type[BaseModel]] = []
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        found.append(annotation)
    for arg in getattr(annotation, "__args__", ()) or ():
        found.extend(_models_in(arg))
    origin = getattr(annotation, "__origin__", None)
    if origin is not None and origin is not annotation:
        found.extend(_models_in(origin))
    return found


def _validate(model: type[BaseModel], loaded: LoadedFile, errors: ErrorList) -> BaseModel | None:
    if loaded.data is None:
        errors.add(
            loaded.path, 1, "", "file is empty; write its fields, one per line (name: value)"
        )
        return None
    if not isinstance(loaded.data, dict):
        errors.add(
            loaded.path,
            1,
            "",
            f"expected fields, one per line (name: value), got {_show(loaded.data)}",
        )
        return None
    try:
        return model.model_validate(loaded.data)
    except ValidationError as failure:
        reported: set[tuple[tuple[str | int, ...], str]] = set()
        for error in failure.errors():
            loc = _clean_loc(tuple(error["loc"]), model)
            if error["type"] == "extra_forbidden":
                loc = (*loc, error["loc"][-1])
            typed = loaded.numbers.get(loc) if isinstance(error.get("input"), int | float) else None
            message = _message(error, model, loc, typed)
            if (loc, message) in reported:
                continue
            reported.add((loc, message))
            if error["type"] in ("extra_forbidden", "missing"):
                field_path = format_path(loc[:-1])
            else:
                field_path = format_path(loc)
            errors.add(loaded.path, loaded.line_of(loc), field_path, message)
        return None


def _cross_checks(
    policies: list[tuple[Policy, Origin]],
    settings: Settings,
    errors: ErrorList,
    invalid_ids: frozenset[str] = frozenset(),
    link_free: frozenset[str] = frozenset(),
) -> None:
    """Rules that span files: unique ids and numbers, ids match file names, links resolve.

    `link_free` names the files whose source text holds no `policy:` and no placeholder at all;
    walking every text of those policies for either would find none, and on a large handbook it
    is costly.
    """
    by_id: dict[str, Origin] = {}
    by_number: dict[str, Origin] = {}
    by_title: dict[str, Origin] = {}
    for policy, origin in policies:
        # Published policies only: a retired policy may share its successor's title.
        title_key = policy.title.casefold() if policy.status is Status.ACTIVE else None
        if title_key is None:
            pass
        elif title_key in by_title:
            other = by_title[title_key].path
            errors.extend(
                [
                    origin.error(
                        f"title '{policy.title}' is also used by {other}; readers could not "
                        "tell the two policies apart",
                        "title",
                    )
                ]
            )
        else:
            by_title[title_key] = origin
        stem = Path(origin.path).stem
        if policy.id != stem:
            errors.extend(
                [origin.error(f"id '{policy.id}' must equal the file name '{stem}'", "id")]
            )
        if policy.id in by_id:
            errors.extend(
                [origin.error(f"id '{policy.id}' is also used by {by_id[policy.id].path}", "id")]
            )
        else:
            by_id[policy.id] = origin
        if policy.number is not None:
            if policy.number in by_number:
                other = by_number[policy.number].path
                errors.extend(
                    [origin.error(f"number '{policy.number}' is also used by {other}", "number")]
                )
            else:
                by_number[policy.number] = origin
    # A policy whose file has errors still exists: links to it are not errors of their own.
    known = {policy.id for policy, _ in policies} | invalid_ids
    for policy, origin in policies:
        for index, related in enumerate(policy.related):
            if related not in known:
                errors.extend([origin.error(_unknown_policy(related, known), "related", index)])
        for field_path, text in () if origin.path in link_free else field_texts(policy):
            for target in re.findall(r"\]\(\s*policy:([^)\s#]*)", text):
                if target not in known:
                    errors.extend([origin.error(_unknown_policy(target, known), *field_path)])
            # ---- `handbook new` (issue 12): its placeholders stay errors until filled in.
            if text.startswith(PLACEHOLDER):
                problem = f"still a placeholder; {text[len(PLACEHOLDER) :].strip()}"
                errors.extend([origin.error(problem, *field_path)])
        cycle = policy.review.cycle_months
        if cycle is not None and not 1 <= cycle <= 60:
            errors.extend(
                [
                    origin.error(
                        f"review cycle must be 1 to 60 months, got {cycle}",
                        "review",
                        "cycle_months",
                    )
                ]
            )


def _unknown_policy(target: str, known: set[str]) -> str:
    close = difflib.get_close_matches(target, sorted(known), n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return f"no policy with id '{target}'{hint}"


def field_texts(
    value: Any, path: tuple[str | int, ...] = ()
) -> list[tuple[tuple[str | int, ...], str]]:
    """Every string in a model with its field path, to locate a text in its source file."""
    found: list[tuple[tuple[str | int, ...], str]] = []
    if isinstance(value, str):
        found.append((path, value))
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            found.extend(field_texts(getattr(value, name), (*path, name)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.extend(field_texts(item, (*path, index)))
    return found


def load_handbook(root: Path) -> Handbook:
    """Read `policies/` under `root` once, validate everything, and return the Handbook.

    Raises `BuildFailed` with every error of every file when anything is wrong.
    """
    errors = ErrorList()
    policies_dir = root / "policies"
    settings_path = policies_dir / HANDBOOK_FILE
    display = f"policies/{HANDBOOK_FILE}"
    settings: Settings | None = None
    settings_origin = Origin(display, {})
    if not policies_dir.is_dir():
        errors.add("policies", 0, "", f"no policies/ folder in {root}")
        errors.raise_if_any()
    loaded, load_errors = read_source(settings_path, display)
    errors.extend(load_errors)
    if loaded is not None:
        settings_origin = Origin(display, loaded.lines)
        validated = _validate(Settings, loaded, errors)
        if isinstance(validated, Settings):
            settings = validated
            _check_settings(settings, settings_origin, errors)
    policies: list[tuple[Policy, Origin]] = []
    invalid_ids: set[str] = set()
    link_free: set[str] = set()
    for path in sorted(policies_dir.glob("*.yaml")) + sorted(policies_dir.glob("*.yml")):
        if path.name == HANDBOOK_FILE:
            continue
        display = f"policies/{path.name}"
        if path.suffix == ".yml":
            errors.add(display, 0, "", "policy files end in .yaml; rename the file")
            continue
        loaded, load_errors = read_source(path, display)
        errors.extend(load_errors)
        if loaded is None:
            invalid_ids.add(path.stem)
            continue
        policy = _validate(Policy, loaded, errors)
        if not isinstance(policy, Policy) and isinstance(loaded.data, dict):
            claimed = loaded.data.get("id")
            invalid_ids.add(claimed if isinstance(claimed, str) else path.stem)
        if isinstance(policy, Policy):
            policies.append((policy, Origin(display, loaded.lines)))
            if not loaded.may_link_policies:
                link_free.add(display)
    if settings is not None:
        _cross_checks(policies, settings, errors, frozenset(invalid_ids), frozenset(link_free))
    errors.raise_if_any()
    assert settings is not None
    ordered = sorted(policies, key=lambda pair: _sort_key(pair[0], settings))
    return Handbook(
        root=root,
        settings=settings,
        policies=tuple(policy for policy, _ in ordered),
        origins={policy.id: origin for policy, origin in ordered},
        settings_origin=settings_origin,
    )


def _sort_key(policy: Policy, settings: Settings) -> tuple[int, str, str, str]:
    order = [category.name for category in settings.categories]
    rank = order.index(policy.category) if policy.category in order else len(order)
    return (rank, policy.category, policy.number or "~", policy.title)


def _check_settings(settings: Settings, origin: Origin, errors: ErrorList) -> None:
    try:
        zoneinfo.ZoneInfo(settings.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        errors.extend(
            [
                origin.error(
                    f"unknown time zone '{settings.timezone}' (e.g. America/Los_Angeles)",
                    "timezone",
                )
            ]
        )
    cycle = settings.review.cycle_months
    if not 1 <= cycle <= 60:
        errors.extend(
            [
                origin.error(
                    f"review cycle must be 1 to 60 months, got {cycle}", "review", "cycle_months"
                )
            ]
        )
    if settings.review.due_soon_days < 0:
        errors.extend([origin.error("due_soon_days must be 0 or more", "review", "due_soon_days")])


# --------------------------------------------------------------------------- JSON Schema


def json_schemas() -> dict[str, str]:
    """The JSON Schemas for policy files and handbook.yaml, as file name -> JSON text."""
    schemas = {
        POLICY_SCHEMA_FILE: Policy.model_json_schema(mode="validation"),
        HANDBOOK_SCHEMA_FILE: Settings.model_json_schema(mode="validation"),
    }
    # yaml-language-server accepts a top-level $schema id.
    out = {}
    for name, schema in schemas.items():
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        out[name] = json.dumps(schema, indent=2, sort_keys=True) + "\n"
    return out
