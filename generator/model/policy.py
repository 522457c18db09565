"""The policy as HR writes it in `policies/<id>.yaml`: the Policy model and all its parts.

Principles, guidelines, standards, procedures, the desk card, the revision history and the
versions it gives the policy. Every model is `Strict`: strict types, unknown keys refused, frozen.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    Tag,
    WithJsonSchema,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

from .fields import (
    Date,
    DateOrMonth,
    DateOrUnknown,
    Email,
    PlainText,
    PolicyNumber,
    Slug,
    Text,
    Url,
    empty_list,
    latest_day,
)


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


_SHORT = (
    "A short form of the rule for desk cards, kept beside its text so a revision edits both; "
    "keep the rule's conditions and hedges"
)


class Principle(Strict):
    """A principle, with optional sub-points (a plain string is shorthand for `text`)."""

    text: Text
    short: Text | None = Field(None, description=_SHORT)
    points: list[Text] = empty_list()


class Example(Strict):
    """A worked example of wording: what was said, a better way, and what never to say."""

    say: Text | None = Field(None, description="The wording shown as the example")
    better: Text | None = Field(None, description="A better way to say it")
    never: Text | None = Field(None, description="What never to say")
    note: Text | None = None


class Guideline(Strict):
    """One rule of conduct, with why it matters and optional examples."""

    rule: Text
    short: Text | None = Field(None, description=_SHORT)
    why: Text | None = None
    points: list[Text] = empty_list()
    examples: list[Example] = empty_list()
    avoid: list[Text] = empty_list("Words or phrases to avoid")


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
    short: Text | None = Field(None, description=_SHORT)
    detail: Text | None = None
    channel: PlainText | None = Field(None, description="e.g. voicemail, email, in person")
    target: (
        Annotated[
            Annotated[PlainText, Tag("Text")] | Annotated[Target, Tag("Target")],
            Discriminator(lambda value: "Target" if isinstance(value, dict) else "Text"),
        ]
        | None
    ) = Field(None, description="'same day', or {within: 1, unit: business_day}")
    points: list[Text] = empty_list()


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
    entries: list[Annotated[ContentsEntry, _text_to_mapping("heading")]] = empty_list()


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
    unchanged: list[PlainText] = Field(
        [],
        description="Texts that deliberately still state a figure this revision changed in a "
        "rule, named as the stale-copy error names them (e.g. summary)",
    )


class SourceDocument(Strict):
    """The original document this policy was taken from."""

    title: PlainText
    publisher: PlainText | None = None
    author: PlainText | None = None
    date: DateOrMonth | None = None
    url: Url | None = None
    note: Text | None = None


class CardPoint(Strict):
    """One point of a desk card: the rule or rules it cites, or the card's own note.

    A plain string is read as `text` with no rule: it was the card's format before points cited
    rules, so a published edition still reads; the current sources must cite or mark it.
    """

    rule: Slug | list[Slug] | None = Field(
        None, description="The rule it comes from, by its site address: standard-8, in-person-5"
    )
    text: Text | None = Field(
        None, description="Own words for a point that joins several rules (else the rule's short)"
    )
    note: Text | None = Field(None, description="The card's own note: it cites no rule")

    @property
    def cites(self) -> list[str]:
        """The addresses of the rules this point cites."""
        if self.rule is None:
            return []
        return [self.rule] if isinstance(self.rule, str) else list(self.rule)


class CardPhrase(Strict):
    """A phrase to say or to avoid, cited from the guideline that gives it (a plain string is
    read as `text`, as published before phrases cited guidelines)."""

    rule: Slug | None = Field(None, description="The guideline it comes from, e.g. in-person-5")
    text: Text | None = Field(None, description="One of its phrases; none: all of them")


_POINT = _text_to_mapping("text")


class CardSide(Strict):
    """The back of a desk card."""

    title: PlainText | None = None
    points: list[Annotated[CardPoint, _POINT]] = empty_list()


class Card(Strict):
    """The desk reference card: the few rules and numbers needed at the counter."""

    title: PlainText | None = None
    points: list[Annotated[CardPoint, _POINT]] = empty_list()
    say: list[Annotated[CardPhrase, _POINT]] = empty_list("Phrases to use")
    avoid: list[Annotated[CardPhrase, _POINT]] = empty_list("Phrases to avoid")
    contacts: list[Contact] | None = None
    back: CardSide | None = None


def _acknowledge_none(value: Any) -> Any:
    # `none` is the empty list of departments; any other single word is a list left unwritten,
    # and one message says so (a union would report each alternative's complaint).
    if value == "none":
        return []
    if not isinstance(value, list):
        raise PydanticCustomError(
            "acknowledge",
            "expected a list of departments, such as [Utilities, Customer Service], or none; "
            "got {value}",
            {"value": repr(value) if isinstance(value, str) else type(value).__name__},
        )
    return value


Acknowledge = Annotated[
    list[PlainText],
    BeforeValidator(_acknowledge_none),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "array", "items": {"type": "string", "pattern": r"\S"}},
                {"const": "none"},
            ]
        }
    ),
]
"""Who must acknowledge a policy: departments, or `none` (kept as the empty list)."""


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
    applies_to: list[PlainText] = empty_list()
    tags: list[PlainText] = empty_list()
    status: Status = Field(Status.ACTIVE, strict=False)
    issued: DateOrUnknown | None = Field(None, description="Issue date, or 'unknown'")
    effective: Date | None = None
    renumbered: Date | None = None
    adopted: Date | None = Field(None, description="When the policy entered this handbook")
    approvals: list[Approval] = empty_list()
    supersedes: list[PlainText] = empty_list()
    last_reviewed: Date | None = None
    review: Review = Review()
    owner: Person
    contacts: list[Contact] = empty_list()
    summary: Text
    purpose: Text | None = None
    scope: Text | None = None
    principles: list[Annotated[Principle, _text_to_mapping("text")]] = empty_list()
    guidelines: list[GuidelineGroup] = empty_list()
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
    ] = empty_list()
    procedures: list[Procedure] = empty_list()
    # Headings are not rules: a source known only by its table of contents is recorded as one.
    contents: list[Annotated[ContentsEntry, _text_to_mapping("heading")]] = empty_list(
        "The source's table of contents, shown as an outline of headings"
    )
    definitions: list[Definition] = empty_list()
    related: list[Slug] = empty_list()
    references: list[Reference] = empty_list()
    revision_history: list[Revision] = empty_list()
    source: SourceDocument
    card: Card | None = None
    # ---- acknowledgements (issue 26): who signs for a new or substantively revised version.
    acknowledge: Acknowledge | None = Field(
        None,
        description="Departments (as people.csv names them) that must acknowledge a new or "
        "substantively revised version; 'none' for no one; default everyone",
    )

    def versions(self) -> list[str | None]:
        """The version each revision_history entry gives the policy (None before the first)."""
        return policy_versions(self.revision_history, self.adoption_date())

    def adoption_date(self) -> dt.date | None:
        """The latest day the policy as first adopted can date from, as the source states it:
        `adopted`, `effective`, `issued`, its latest approval, else `renumbered`; or None."""
        if self.adopted is not None:
            return self.adopted
        if self.effective is not None:
            return self.effective
        if isinstance(self.issued, dt.date):
            return self.issued
        approved = [latest_day(a.date) for a in self.approvals if a.date is not None]
        if approved:
            return max(approved)
        # Renumbering is no revision, but the policy stood by then (Corona: "Revised: N/A").
        return self.renumbered

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


def policy_versions(history: list[Revision], adopted: dt.date | None = None) -> list[str | None]:
    """Versions along a revision history: a substantive revision is the next major (2.0), an
    editorial one the next minor (1.1), a review none; a given `version` wins.

    Versions count from the version first published: when the policy was adopted (`adopted`)
    before its first revision entry, the adopted policy is 1.0 and that entry revises it;
    otherwise the first entry is the policy's first issue, 1.0.
    """
    major, minor = 0, 0
    current: str | None = None
    first = next((e for e in history if e.kind is not RevisionKind.REVIEW), None)
    if adopted is not None and first is not None and first.date > adopted:
        major, current = 1, "1.0"
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
