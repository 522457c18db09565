"""Sign-off sheets (issue 26) as print HTML: what an edition asks a department to acknowledge,
then a table of its people with blank signature and date columns. Python decides every value;
`templates/print/signoff.html.j2` lays them out. The PDF is made by `generator/pdf`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..model import Handbook
from .environment import make_environment
from .printing import PAPER_SIZES

SIGNOFF_STYLESHEET = Path("templates") / "print" / "signoff.css"


@dataclass(frozen=True)
class SheetPolicy:
    """One policy the sheet asks people to acknowledge, and where to read it."""

    number: str | None
    title: str
    version: str | None
    summary: str
    """What changed, from the revision history."""
    where: str
    """Where its full text is: the book's page label and the site address."""
    departments: str
    """Who must sign for it: 'Everyone' or the departments."""


@dataclass(frozen=True)
class SheetPerson:
    """One row of the table."""

    name: str
    id: str
    department: str


@dataclass(frozen=True)
class SignoffSheet:
    """One sign-off sheet: an edition's requirements for one department (or everyone)."""

    sheet_id: str
    edition: str
    edition_date: str
    audience: str
    due: str
    policies: list[SheetPolicy]
    people: list[SheetPerson]
    show_department: bool


def signoff_html(handbook: Handbook, sheet: SignoffSheet) -> str:
    """The print HTML of one sign-off sheet."""
    environment = make_environment(handbook.root / "templates")
    return environment.get_template("print/signoff.html.j2").render(
        settings=handbook.settings,
        paper=PAPER_SIZES[handbook.settings.paper],
        sheet=sheet,
    )
