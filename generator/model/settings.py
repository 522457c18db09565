"""`policies/handbook.yaml`: the Settings of the handbook as a whole, and their parts."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field
from pydantic_core import PydanticCustomError

from .fields import PlainText, SearchWord, Text, Url, empty_list
from .policy import _CYCLE_LIMITS, Contact, Strict

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
ACKNOWLEDGE_PLACEHOLDERS = ("edition", "policy", "version")


def _check_acknowledge_url(value: Any) -> Any:
    # A misspelt placeholder would reach the form as literal braces; say so at build time.
    if isinstance(value, str):
        for name in _PLACEHOLDER.findall(value):
            if name not in ACKNOWLEDGE_PLACEHOLDERS:
                message = (
                    f"unknown placeholder {{{name}}}: use {{edition}}, {{policy}} or {{version}}"
                )
                raise PydanticCustomError("acknowledge_url", "{message}", {"message": message})
    return value


AcknowledgeUrl = Annotated[Url, BeforeValidator(_check_acknowledge_url)]


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


RETIRED_SETTINGS = {
    "edition": (
        "'edition' is retired: the footer, the PDFs and the desk cards now name the latest "
        'published edition and its date (make publish EDITION=NAME SUMMARY="..."); rename this '
        "line 'subtitle:' to keep its words under the title, or delete it"
    ),
}
"""Fields handbook.yaml once had, each with what to do instead. A stored edition's handbook.yaml
may still have them: it is read without them (an edition is never rewritten)."""


class Settings(Strict):
    """`policies/handbook.yaml`: the handbook as a whole."""

    organization: PlainText
    title: PlainText
    subtitle: PlainText | None = Field(
        None,
        description="A line under the title on the home page and the book's cover; the edition "
        "readers see is the latest published one (`make publish`), never this",
    )
    timezone: PlainText = "UTC"
    language: PlainText = "en"
    site_url: Url | None = Field(
        None,
        description="Intranet address of the site, e.g. https://intranet.example.gov/handbook/",
    )
    paper: Literal["letter", "a4"] = "letter"
    card_size: Literal["a6", "4x6", "3x5"] = "a6"
    review: ReviewDefaults = ReviewDefaults()
    categories: list[Category] = empty_list()
    contacts: list[Contact] = empty_list()
    contacts_apply_to_every_policy: bool = Field(
        False,
        description="Show the handbook-wide contacts on the desk card of every policy that names "
        "no contact of its own",
    )
    # ---- acknowledgements (issue 26)
    acknowledge_within_days: int = Field(
        30,
        description="Days allowed to acknowledge a new or substantively revised policy",
        json_schema_extra={"minimum": 0},
    )
    acknowledge_url: AcknowledgeUrl | None = Field(
        None,
        description="A form the city runs for acknowledgements, with {edition}, {policy} and "
        "{version} placeholders; policy pages link to it",
    )
    synonyms: dict[SearchWord, list[PlainText]] = Field(
        {},
        description=(
            "Words employees search for, each with the handbook's words it should find, "
            "e.g. angry: [irate, upset]"
        ),
    )
    best_bets: dict[PlainText, PlainText] = Field(
        {},
        description=(
            "Phrases with the rule shown first for them, as policy-id#anchor, e.g. "
            "phone tree: corona-customer-care#telephone-1"
        ),
    )
