"""Reading HR's CSV files as people save them: UTF-8 with or without Excel's byte-order mark,
comma- or semicolon-separated (Excel's dialect in locales that write decimal commas), each row
with the line it starts on, so an error names `people.csv:14`."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from ..errors import SourceError

# A row with more cells than the header keeps their count under this key no header can name.
_EXTRA = "\0extra"


@dataclass(frozen=True)
class Table:
    """A CSV file's header and rows, each row a mapping with the line it started on."""

    path: str
    header: tuple[str, ...]
    rows: tuple[tuple[int, dict[str, str]], ...]


def _delimiter(first_line: str) -> str:
    # Excel writes ';' where the decimal separator is ','; a header has no quoted commas.
    return ";" if first_line.count(";") > first_line.count(",") else ","


def read_table(path: Path, shown: str) -> Table | SourceError:
    """The table in `path` (named `shown` in errors), or the error that makes it unreadable."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        return SourceError(
            shown, 0, "", "is not UTF-8 text: save it as 'CSV UTF-8 (Comma delimited)'"
        )
    except OSError as error:
        return SourceError(shown, 0, "", f"cannot be read: {error.strerror}")
    if not text.strip():
        return SourceError(shown, 1, "", "is empty: the first line names the columns")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text.splitlines()[0]))
    try:
        header = tuple(name.strip() for name in next(reader))
        rows: list[tuple[int, dict[str, str]]] = []
        line = reader.line_num + 1
        for values in reader:
            if any(value.strip() for value in values):
                cells = [value.strip() for value in values]
                cells += [""] * (len(header) - len(cells))
                row = dict(zip(header, cells, strict=False))
                if len(values) > len(header):
                    row[_EXTRA] = str(len(values))
                rows.append((line, row))
            line = reader.line_num + 1
    except csv.Error as error:
        return SourceError(shown, reader.line_num, "", f"is not valid CSV: {error}")
    return Table(shown, header, tuple(rows))


def check_header(
    table: Table, required: tuple[str, ...], optional: tuple[str, ...]
) -> list[SourceError]:
    """Errors for missing required columns and unknown ones, on the header line."""
    errors = []
    missing = [name for name in required if name not in table.header]
    if missing:
        errors.append(
            SourceError(
                table.path,
                1,
                "",
                f"missing column {', '.join(repr(m) for m in missing)}: the first line must "
                f"name the columns {','.join(required + optional)}",
            )
        )
    for name in table.header:
        if name not in required + optional:
            errors.append(
                SourceError(
                    table.path,
                    1,
                    "",
                    f"unknown column {name!r}: the columns are {','.join(required + optional)}",
                )
            )
    seen: set[str] = set()
    for name in table.header:
        if name in seen:
            errors.append(SourceError(table.path, 1, "", f"column {name!r} appears twice"))
        seen.add(name)
    return errors


def too_many_cells(table: Table, line: int, row: dict[str, str]) -> SourceError | None:
    """An error when a row has more cells than the header names (a stray comma)."""
    if _EXTRA not in row:
        return None
    return SourceError(
        table.path,
        line,
        "",
        f"{row[_EXTRA]} cells but the header names {len(table.header)} columns; "
        "quote a value that contains a comma",
    )
