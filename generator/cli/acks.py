"""The acknowledgement commands (issue 26): `handbook acks`, `handbook acks import` and
`handbook signoff`. Each loads and checks everything first, then prints or writes."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .commands import EXIT_FAILED, EXIT_OK
from .report import shown


def run_acks(root: Path, arguments: argparse.Namespace) -> int:
    """`handbook acks`: every required acknowledgement with its status (or the JSON)."""
    if arguments.acks_command == "import":
        return run_acks_import(root, arguments)
    from ..acks import acknowledgement_report, load_ack_project

    project = load_ack_project(root, arguments.today, "nothing was counted")
    department = arguments.department
    if department is not None and department not in project.roster.departments():
        known = ", ".join(project.roster.departments())
        print(
            f"handbook acks: no one in people.csv works in {department!r} (departments: {known})",
            file=sys.stderr,
        )
        return EXIT_FAILED
    report = acknowledgement_report(
        project.roster,
        project.history,
        project.records,
        project.today,
        project.handbook.settings.acknowledge_within_days,
        department,
    )
    if arguments.json:
        sys.stdout.write(report.as_json())
    else:
        settings = project.handbook.settings
        print(
            f"Acknowledgements on {report.today} ({settings.timezone}); "
            f"{report.within_days} days allowed\n"
        )
        text = report.text()
        if text:
            print(text)
        print(report.summary())
    return EXIT_FAILED if report.fails(arguments.fail_on) else EXIT_OK


def run_acks_import(root: Path, arguments: argparse.Namespace) -> int:
    """`handbook acks import FILE --columns PRESET`: append a form's export to the register."""
    from ..acks import ColumnsRefused, column_map, import_export, load_ack_project

    try:
        columns = column_map(arguments.columns)
    except ColumnsRefused as refusal:
        print(f"handbook acks import: {refusal}; nothing was written", file=sys.stderr)
        return EXIT_FAILED
    path: Path = arguments.file
    if not path.is_file():
        print(f"handbook acks import: {path} not found; nothing was written", file=sys.stderr)
        return EXIT_FAILED
    project = load_ack_project(root, arguments.today, "nothing was written")
    imported = import_export(project, path, str(arguments.file), columns)
    noun = "row" if len(imported.appended) == 1 else "rows"
    skipped = f"; {imported.skipped} already recorded, skipped" if imported.skipped else ""
    print(f"Appended {len(imported.appended)} {noun} to {shown(imported.target)}{skipped}")
    return EXIT_OK


def run_signoff(root: Path, arguments: argparse.Namespace) -> int:
    """`handbook signoff --edition NAME`: write the edition's sign-off sheets."""
    from ..acks import SignoffRefused, load_ack_project, write_sheets

    project = load_ack_project(root, arguments.today, "no sheet was written")
    try:
        written = write_sheets(project, arguments.edition)
    except SignoffRefused as refusal:
        print(f"handbook signoff: {refusal}; no sheet was written", file=sys.stderr)
        return EXIT_FAILED
    for sheet in written:
        people = "person" if sheet.people == 1 else "people"
        pages = "page" if sheet.pages == 1 else "pages"
        print(
            f"Wrote {shown(sheet.path)}: {sheet.audience}, {sheet.people} {people}, "
            f"{sheet.pages} {pages}"
        )
    return EXIT_OK
