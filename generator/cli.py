"""The `handbook` command: parses arguments, calls the pipeline, prints, exits. Nothing more."""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import sys
import traceback
from pathlib import Path

from .errors import BuildFailed

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 70


def _date_argument(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date (YYYY-MM-DD), got {text!r}") from None


def _parser() -> argparse.ArgumentParser:
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

    commands.add_parser("schema", help="regenerate the JSON Schemas in schema/")
    serve = commands.add_parser("serve", help="live-reloading preview of the site")
    serve.add_argument("--dev-addr", default="127.0.0.1:8000", help="address to serve on")
    return parser


def _setup_logging(verbose: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    mkdocs_logger = logging.getLogger("mkdocs")
    mkdocs_logger.handlers[:] = [handler]
    mkdocs_logger.setLevel(logging.INFO if verbose else logging.WARNING)
    mkdocs_logger.propagate = False


def main(argv: list[str] | None = None) -> int:
    """Run the `handbook` command line and return its exit status."""
    # Material 9.7+ prints a long MkDocs 2.0 notice on every run; it would bury our own output.
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    arguments = _parser().parse_args(argv)
    root = arguments.project.resolve()
    _setup_logging(verbose=False)
    try:
        if arguments.command == "build":
            return _build(root, arguments)
        if arguments.command == "check":
            return _check(root, arguments)
        if arguments.command == "schema":
            return _schema(root)
        if arguments.command == "serve":
            return _serve(root, arguments)
    except BuildFailed as failure:
        print(failure.report(), file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("handbook: interrupted; nothing was published", file=sys.stderr)
        return 130
    except Exception as error:  # A bug of ours, not bad input: say so, briefly.
        if arguments.debug:
            traceback.print_exc()
        print(
            f"handbook: internal error: {type(error).__name__}: {error}\n"
            "nothing was published; run with --debug for details and report it",
            file=sys.stderr,
        )
        return EXIT_INTERNAL
    return EXIT_USAGE


def _build(root: Path, arguments: argparse.Namespace) -> int:
    from .pipeline import build, prepare
    from .render import SiteOptions

    prepared = prepare(root, arguments.today)
    site_dir = (arguments.site_dir or root / "site").resolve()
    build(
        prepared,
        site_dir,
        options=SiteOptions(include_drafts=arguments.drafts),
        site_url=arguments.site_url,
    )
    count = len(prepared.handbook.policies)
    print(f"Built {count} policies into {_shown(site_dir)}")
    return EXIT_OK


def _check(root: Path, arguments: argparse.Namespace) -> int:
    from .pipeline import prepare

    prepared = prepare(root, arguments.today)
    counts = {status.value: n for status, n in prepared.report.counts().items()}
    print(
        f"{counts['overdue']} overdue, {counts['due-soon']} due soon, {counts['current']} current"
    )
    if arguments.fail_on == "overdue" and counts["overdue"]:
        return EXIT_FAILED
    if arguments.fail_on == "due-soon" and (counts["overdue"] or counts["due-soon"]):
        return EXIT_FAILED
    return EXIT_OK


def _schema(root: Path) -> int:
    from .model import json_schemas

    folder = root / "schema"
    folder.mkdir(exist_ok=True)
    for name, text in json_schemas().items():
        (folder / name).write_text(text, encoding="utf-8")
        print(f"wrote {_shown(folder / name)}")
    return EXIT_OK


def _serve(root: Path, arguments: argparse.Namespace) -> int:
    from .site import serve

    serve(root, arguments.dev_addr)
    return EXIT_OK


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


if __name__ == "__main__":
    sys.exit(main())
