"""The `handbook` command's arguments: argparse only, and the date type its options take."""

from __future__ import annotations

import argparse
import datetime as dt
import re
from pathlib import Path


def _date_argument(text: str) -> dt.date:
    # Python's fromisoformat also takes 20261127 and 2026-W48-5; people mean YYYY-MM-DD only.
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        raise argparse.ArgumentTypeError(f"expected a date (YYYY-MM-DD), got {text!r}")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a real date") from None


def argument_parser() -> argparse.ArgumentParser:
    """The parser of `handbook [--project P] [--debug] COMMAND ...`, one subparser per command."""
    parser = argparse.ArgumentParser(
        prog="handbook",
        description="Build and check a policy handbook from YAML policy files.",
    )
    parser.add_argument(
        "--project", type=Path, default=Path("."), help="project folder (default: current)"
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    build = commands.add_parser("build", help="validate, check reviews, build site and PDFs")
    build.add_argument("--today", type=_date_argument, help="compute reviews for this day")
    build.add_argument("--drafts", action="store_true", help="publish draft policies too")
    build.add_argument("--site-dir", type=Path, help="output folder (default: PROJECT/site)")
    build.add_argument("--site-url", help="intranet address of the site (overrides handbook.yaml)")
    build.add_argument(
        "--fail-on",
        choices=["overdue", "due-soon", "never"],
        help="fail the build on overdue or due-soon reviews (default from handbook.yaml: never)",
    )

    check = commands.add_parser("check", help="validate and print the review table")
    check.add_argument("--today", type=_date_argument, help="compute reviews for this day")
    check.add_argument(
        "--fail-on",
        choices=["overdue", "due-soon", "never"],
        default="overdue",
        help="exit 1 when a policy is in this state or worse (default: overdue)",
    )
    check.add_argument("--json", action="store_true", help="print the review register as JSON")
    check.add_argument(
        "--strict", action="store_true", help="a draft's problems are errors, as for active ones"
    )

    reviewed = commands.add_parser(
        "reviewed", help="record that a policy was reviewed (sets last_reviewed, adds history)"
    )
    reviewed.add_argument("policy_id", metavar="POLICY-ID", help="the policy's id (file name)")
    reviewed.add_argument(
        "--on", type=_date_argument, help="the day of the review (default: today)"
    )
    reviewed.add_argument(
        "--note", help='revision history summary (default: "Reviewed, no change.")'
    )

    publish = commands.add_parser(
        "publish", help="build the site and record it as a published edition in editions/"
    )
    publish.add_argument("--edition", required=True, metavar="NAME", help="the edition's name")
    publish.add_argument("--date", type=_date_argument, help="the edition's date (default: today)")
    publish.add_argument(
        "--summary", default="", help="what this edition changes (required, one sentence)"
    )
    publish.add_argument("--site-dir", type=Path, help="output folder (default: PROJECT/site)")
    publish.add_argument(
        "--site-url", help="intranet address of the site (overrides handbook.yaml)"
    )

    new = commands.add_parser("new", help="start a new policy file in policies/")
    new.add_argument("policy_id", metavar="ID", help="the new policy's id (its file name)")
    new.add_argument("--title", required=True, help="the policy's title")
    new.add_argument("--category", help="its navigation section (default: the first one)")

    # ---- acknowledgements (issue 26)
    acks = commands.add_parser(
        "acks", help="who has acknowledged the policies they must (people.csv, acknowledgements/)"
    )
    acks.add_argument("--today", type=_date_argument, help="count for this day")
    acks.add_argument("--department", metavar="D", help="only the people of this department")
    acks.add_argument("--json", action="store_true", help="print the register as JSON")
    acks.add_argument(
        "--fail-on",
        choices=["overdue", "outstanding", "never"],
        default="overdue",
        help="exit 1 when any acknowledgement is in this state (default: overdue)",
    )
    acks_commands = acks.add_subparsers(dest="acks_command", metavar="import")
    acks_import = acks_commands.add_parser(
        "import", help="append an online form's CSV export to acknowledgements/"
    )
    acks_import.add_argument("file", type=Path, metavar="FILE", help="the form's CSV export")
    acks_import.add_argument(
        "--columns",
        required=True,
        help="microsoft-forms, google-forms, or person=COLUMN,edition=COLUMN,policy=COLUMN,"
        "date=COLUMN[,note=COLUMN]",
    )
    acks_import.add_argument(
        "--today", type=_date_argument, help="the day it is (dates after it are refused)"
    )
    signoff = commands.add_parser(
        "signoff", help="write an edition's sign-off sheets (PDF) into signoff/EDITION/"
    )
    signoff.add_argument("--edition", required=True, metavar="NAME", help="the edition's name")
    signoff.add_argument("--today", type=_date_argument, help="the day it is")

    commands.add_parser("schema", help="regenerate the JSON Schemas in schema/")
    serve = commands.add_parser("serve", help="live-reloading preview of the site")
    serve.add_argument("--dev-addr", default="127.0.0.1:8000", help="address to serve on")
    return parser
