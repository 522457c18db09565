"""`handbook acks import FILE --columns PRESET`: a form's CSV export appended to the register.

The form is one the city already runs (Microsoft Forms, Google Forms, a SharePoint list); its
export's columns are mapped to the register's by a preset or by `person=COLUMN,...`. Rows already
recorded are skipped; any bad row is reported with its row number and nothing is written.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import BuildFailed, SourceError
from .csvfile import read_table, too_many_cells
from .project import AckProject
from .register import COLUMNS, REGISTER_DIR, Method, Record, RegisterContext, check_row, csv_lines

IMPORT_FILE = "online.csv"
"""The register file imports append to, under acknowledgements/."""


@dataclass(frozen=True)
class ColumnMap:
    """Which column of a form's export holds each register value."""

    name: str
    person: str
    edition: str
    policy: str
    date: str
    note: str | None = None
    """A column whose value is kept in the note (the form's response id)."""


PRESETS = {
    "microsoft-forms": ColumnMap(
        "Microsoft Forms", "Employee ID", "Edition", "Policy", "Completion time", "ID"
    ),
    "google-forms": ColumnMap("Google Forms", "Employee ID", "Edition", "Policy", "Timestamp"),
}
_MAPPED = ("person", "edition", "policy", "date")


class ColumnsRefused(ValueError):
    """A `--columns` value that is neither a preset nor a `register=export` mapping."""


def column_map(text: str) -> ColumnMap:
    """A preset by name, or a mapping `person=Employee ID,edition=Edition,policy=Policy,date=
    Timestamp[,note=Response]`; raises `ColumnsRefused` saying why not."""
    if text in PRESETS:
        return PRESETS[text]
    values: dict[str, str] = {}
    for part in text.split(","):
        name, sep, column = part.partition("=")
        name = name.strip()
        if not sep or name not in (*_MAPPED, "note") or not column.strip():
            raise ColumnsRefused(
                f"--columns {text!r}: use {' or '.join(PRESETS)}, or map each register column "
                "to the export's: person=COLUMN,edition=COLUMN,policy=COLUMN,date=COLUMN"
            )
        values[name] = column.strip()
    missing = [name for name in _MAPPED if name not in values]
    if missing:
        raise ColumnsRefused(f"--columns {text!r}: say which column holds {', '.join(missing)}")
    return ColumnMap(
        "form",
        values["person"],
        values["edition"],
        values["policy"],
        values["date"],
        values.get("note"),
    )


# Forms export a time with the date: 2026-11-27 09:14:03, 2026/11/27 9:14:03 am GMT-8 (Google),
# 11/27/2026 9:14:03 AM (Microsoft, US). Only the date is kept.
_ISO = re.compile(r"([0-9]{4})[-/]([0-9]{1,2})[-/]([0-9]{1,2})(?:[ T].*)?")
_US = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})(?: .*)?")


def export_date(text: str) -> str:
    """The date part of a form's time stamp as YYYY-MM-DD, or `text` unchanged when it is
    not a time stamp (the register's check then says what is wrong)."""
    if match := _ISO.fullmatch(text):
        year, month, day = match.groups()
    elif match := _US.fullmatch(text):
        month, day, year = match.groups()
    else:
        return text
    try:
        return dt.date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return text


@dataclass(frozen=True)
class Imported:
    """What an import appended and what it skipped as already recorded."""

    appended: list[Record]
    skipped: int
    target: Path


def import_export(project: AckProject, path: Path, shown: str, columns: ColumnMap) -> Imported:
    """Append the export's new rows to acknowledgements/online.csv; raises `BuildFailed` with
    every bad row, having written nothing."""
    refusal = "nothing was written"
    table = read_table(path, shown)
    if isinstance(table, SourceError):
        raise BuildFailed([table], refusal)
    wanted = [columns.person, columns.edition, columns.policy, columns.date]
    if columns.note:
        wanted.append(columns.note)
    missing = [name for name in wanted if name not in table.header]
    if missing:
        raise BuildFailed(
            [
                SourceError(
                    shown,
                    1,
                    "",
                    f"no column {', '.join(repr(m) for m in missing)} in this export "
                    f"(the {columns.name} columns); it has: {', '.join(table.header)}",
                )
            ],
            refusal,
        )
    context = RegisterContext(project.roster, project.history, project.today)
    context.seen = {record.key: f"{record.path}:{record.line}" for record in project.records}
    recorded_by = f"import of {path.name}"
    appended: list[Record] = []
    errors: list[SourceError] = []
    skipped = 0
    for line, row in table.rows:
        extra = too_many_cells(table, line, row)
        if extra is not None:
            errors.append(extra)
            continue
        note = row.get(columns.note, "") if columns.note else ""
        entry = {
            "person": row[columns.person],
            "edition": row[columns.edition],
            "policy": row[columns.policy],
            "date": export_date(row[columns.date]),
            "method": Method.ONLINE.value,
            "recorded_by": recorded_by,
            "note": f"{columns.name} response {note}" if note else "",
        }
        key = (entry["person"], entry["edition"], entry["policy"])
        if key in context.seen:
            skipped += 1
            continue
        checked = check_row(context, shown, line, entry)
        if isinstance(checked, Record):
            appended.append(checked)
        else:
            errors.extend(checked)
    if errors:
        raise BuildFailed(sorted(set(errors)), refusal)
    target = project.root / REGISTER_DIR / IMPORT_FILE
    if appended:
        _append(target, csv_lines(appended))
    return Imported(appended, skipped, target)


def _append(target: Path, rows: list[list[str]]) -> None:
    """Add rows at the end of a register file (with its header when new); never rewrite it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    new = not target.exists() or target.stat().st_size == 0
    ends_open = not new and target.read_bytes()[-1:] not in (b"\n", b"\r")
    with open(target, "a", encoding="utf-8", newline="") as stream:
        if ends_open:
            stream.write("\n")
        writer = csv.writer(stream, lineterminator="\n")
        if new:
            writer.writerow(COLUMNS)
        writer.writerows(rows)
