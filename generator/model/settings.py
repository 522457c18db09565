"""`policies/handbook.yaml`: the Settings of the handbook as a whole, and their parts."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .fields import PlainText, SearchWord, Text, Url
from .policy import _CYCLE_LIMITS, Contact, Strict


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
    # Pydantic fields (ruff cannot see that `Strict`, imported, is a pydantic model).
    categories: list[Category] = []  # noqa: RUF012
    contacts: list[Contact] = []  # noqa: RUF012
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
    best_bets: dict[PlainText, PlainText] = Field(
        {},
        description=(
            "Phrases with the rule shown first for them, as policy-id#anchor, e.g. "
            "phone tree: corona-customer-care#telephone-1"
        ),
    )
