"""`people.csv`: HR's roster export (`id,name,department`, optional `email`, `started`), validated
like the policies: every problem at `people.csv:ROW`, all at once."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import SourceError
from .csvfile import check_header, read_table, too_many_cells

PEOPLE_CSV = "people.csv"
REQUIRED = ("id", "name", "department")
OPTIONAL = ("email", "started")
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_EMAIL = re.compile(r"[^@\s<>\"'(),;:]+@[^@\s<>\"'(),;:]+\.[^@\s<>\"'(),;:]+")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@dataclass(frozen=True)
class Person:
    """One employee as the roster lists them."""

    id: str
    name: str
    department: str
    email: str | None
    started: dt.date | None
    line: int


@dataclass(frozen=True)
class Roster:
    """Everyone in `people.csv`, in file order."""

    people: tuple[Person, ...]

    def by_id(self) -> dict[str, Person]:
        """Each person by id."""
        return {person.id: person for person in self.people}

    def departments(self) -> list[str]:
        """The departments people work in, sorted."""
        return sorted({person.department for person in self.people}, key=str.casefold)


def parse_date(text: str) -> dt.date | str:
    """A YYYY-MM-DD date, or the message saying what is wrong with `text`."""
    if not _DATE.fullmatch(text):
        return f"expected a date (YYYY-MM-DD), got {text!r}"
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return f"{text!r} is not a real date"


def load_roster(root: Path) -> tuple[Roster, list[SourceError]]:
    """The roster at `root/people.csv` and every error in it; no file is an error too."""
    path = root / PEOPLE_CSV
    if not path.is_file():
        return Roster(()), [
            SourceError(
                PEOPLE_CSV,
                0,
                "",
                "not found: acknowledgements need HR's roster (id,name,department) beside "
                "policies/",
            )
        ]
    table = read_table(path, PEOPLE_CSV)
    if isinstance(table, SourceError):
        return Roster(()), [table]
    errors = check_header(table, REQUIRED, OPTIONAL)
    if errors:
        return Roster(()), errors
    people: list[Person] = []
    first_line: dict[str, int] = {}
    for line, row in table.rows:
        extra = too_many_cells(table, line, row)
        if extra is not None:
            errors.append(extra)
            continue
        problems: list[SourceError] = []
        for name in REQUIRED:
            if not row[name]:
                problems.append(SourceError(PEOPLE_CSV, line, name, "is empty"))
        person_id = row["id"]
        if person_id and not _ID.fullmatch(person_id):
            problems.append(
                SourceError(
                    PEOPLE_CSV,
                    line,
                    "id",
                    f"{person_id!r} is not an id: use letters, digits, '.', '-' or '_'",
                )
            )
        elif person_id in first_line:
            problems.append(
                SourceError(
                    PEOPLE_CSV,
                    line,
                    "id",
                    f"{person_id!r} is already the id at {PEOPLE_CSV}:{first_line[person_id]}",
                )
            )
        email = row.get("email") or None
        if email is not None and not _EMAIL.fullmatch(email):
            problems.append(
                SourceError(
                    PEOPLE_CSV,
                    line,
                    "email",
                    f"expected an email address like name@example.gov, got {email!r}",
                )
            )
        started: dt.date | None = None
        if row.get("started"):
            parsed = parse_date(row["started"])
            if isinstance(parsed, str):
                problems.append(SourceError(PEOPLE_CSV, line, "started", parsed))
            else:
                started = parsed
        if person_id and person_id not in first_line:
            first_line[person_id] = line
        if problems:
            errors.extend(problems)
            continue
        people.append(Person(person_id, row["name"], row["department"], email, started, line))
    return Roster(tuple(people)), errors
