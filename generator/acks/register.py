"""The register: `acknowledgements/*.csv`, one row per signature (`person,edition,policy,date,
method,recorded_by,note`), appended by HR or by `handbook acks import`, never rewritten here.

Every row is checked against the roster and the published editions; problems are reported at
`acknowledgements/FILE.csv:ROW`, all at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from ..changes import Edition
from ..errors import SourceError
from .csvfile import check_header, read_table, too_many_cells
from .roster import PEOPLE_CSV, Roster, parse_date

REGISTER_DIR = "acknowledgements"
COLUMNS = ("person", "edition", "policy", "date", "method", "recorded_by", "note")
# `policy` and `note` may be empty in a row, but every file names all seven columns.
_MAY_BE_EMPTY = ("policy", "note")


class Method(StrEnum):
    """How the signature was given."""

    PAPER = "paper"
    ONLINE = "online"
    PROXY = "proxy"


@dataclass(frozen=True)
class Record:
    """One row of the register: `policy` None means every policy the edition required of them."""

    person: str
    edition: str
    policy: str | None
    date: dt.date
    method: Method
    recorded_by: str
    note: str
    path: str
    line: int

    @property
    def key(self) -> tuple[str, str, str]:
        """What makes a row a duplicate of another: the same person, edition and policy."""
        return (self.person, self.edition, self.policy or "")


@dataclass
class RegisterContext:
    """What a row is checked against: the roster, the editions and the day it is."""

    roster: Roster
    history: Sequence[Edition]
    today: dt.date
    seen: dict[tuple[str, str, str], str] = field(default_factory=dict)
    """Each key already recorded, with where (`acknowledgements/a.csv:3`)."""

    def edition(self, name: str) -> Edition | None:
        """The published edition called `name`, or None."""
        return next((e for e in self.history if e.name == name), None)


def check_row(
    context: RegisterContext, path: str, line: int, row: dict[str, str]
) -> Record | list[SourceError]:
    """One register row as a Record, or every error in it."""
    errors: list[SourceError] = []

    def error(field_name: str, message: str) -> None:
        errors.append(SourceError(path, line, field_name, message))

    for name in COLUMNS:
        if name not in _MAY_BE_EMPTY and not row.get(name, ""):
            error(name, "is empty")
    person = row.get("person", "")
    if person and person not in context.roster.by_id():
        error("person", f"{person!r} is not in {PEOPLE_CSV}")
    edition_name = row.get("edition", "")
    edition = context.edition(edition_name) if edition_name else None
    if edition_name and edition is None:
        published = ", ".join(e.name for e in context.history) or "none yet"
        error("edition", f"no edition {edition_name!r} in editions/ (published: {published})")
    policy = row.get("policy", "") or None
    if policy is not None and edition is not None and policy not in edition.published_ids():
        error("policy", f"{policy!r} is not a policy that edition {edition.name!r} published")
    day: dt.date | None = None
    if row.get("date"):
        parsed = parse_date(row["date"])
        if isinstance(parsed, str):
            error("date", parsed)
        elif edition is not None and parsed < edition.date:
            error("date", f"{parsed} is before edition {edition.name!r} of {edition.date}")
        elif parsed > context.today:
            error("date", f"{parsed} is in the future (today is {context.today})")
        else:
            day = parsed
    method = row.get("method", "")
    if method and method not in tuple(Method):
        error("method", f"expected paper, online or proxy, got {method!r}")
    if method == Method.PROXY and not row.get("note"):
        error(
            "note",
            "a proxy acknowledgement needs a note saying why someone else recorded it "
            "(for example: no work computer; read aloud by the supervisor)",
        )
    if errors or day is None:
        return errors
    record = Record(
        person=person,
        edition=edition_name,
        policy=policy,
        date=day,
        method=Method(method),
        recorded_by=row["recorded_by"],
        note=row.get("note", ""),
        path=path,
        line=line,
    )
    where = context.seen.get(record.key)
    if where is not None:
        what = "person, edition and policy" if policy else "person and edition (every policy)"
        return [SourceError(path, line, "", f"duplicate of {where}: the same {what}")]
    context.seen[record.key] = f"{path}:{line}"
    return record


def register_files(root: Path) -> list[Path]:
    """The register's files, in name order; none when the folder does not exist yet."""
    folder = root / REGISTER_DIR
    return sorted(folder.glob("*.csv")) if folder.is_dir() else []


def load_register(root: Path, context: RegisterContext) -> tuple[list[Record], list[SourceError]]:
    """Every record in `acknowledgements/*.csv` and every error, checked in file order."""
    records: list[Record] = []
    errors: list[SourceError] = []
    for path in register_files(root):
        shown = f"{REGISTER_DIR}/{path.name}"
        table = read_table(path, shown)
        if isinstance(table, SourceError):
            errors.append(table)
            continue
        header_errors = check_header(table, COLUMNS, ())
        if header_errors:
            errors.extend(header_errors)
            continue
        for line, row in table.rows:
            extra = too_many_cells(table, line, row)
            if extra is not None:
                errors.append(extra)
                continue
            checked = check_row(context, shown, line, row)
            if isinstance(checked, Record):
                records.append(checked)
            else:
                errors.extend(checked)
    return records, errors


def csv_lines(records: Iterable[Record]) -> list[list[str]]:
    """Rows to append to a register file, in its column order."""
    return [
        [
            r.person,
            r.edition,
            r.policy or "",
            r.date.isoformat(),
            r.method.value,
            r.recorded_by,
            r.note,
        ]
        for r in records
    ]
