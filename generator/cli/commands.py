"""One function per `handbook` command: call the pipeline with the parsed arguments, print, return
the exit status. No library of its own; the stages are imported when a command runs.
"""

from __future__ import annotations

import argparse
import errno
import re
import sys
from pathlib import Path

from .progress import LineProgress, LiveProgress, use_live_progress
from .report import (
    PreviewOutput,
    as_typed,
    build_summary,
    draft_warnings,
    review_table,
    review_warnings,
    shown,
    use_colour,
)

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 70


def run_build(root: Path, arguments: argparse.Namespace) -> int:
    """`handbook build`: validate, warn about reviews, apply the review gate, build, summarise."""
    from ..prepare import prepare

    progress = LiveProgress() if use_live_progress(sys.stderr) else LineProgress(sys.stderr)
    built = False
    edition = getattr(arguments, "edition_request", None)
    staged: list[Path] = []
    try:
        prepared = prepare(root, arguments.today, progress=progress, edition=edition)
        if edition is not None:
            from ..changes import empty_edition

            refusal = empty_edition(prepared.history)
            if refusal is not None:
                print(f"handbook publish: {refusal}; nothing was changed", file=sys.stderr)
                return EXIT_FAILED
        fail_on = arguments.fail_on or prepared.handbook.settings.review.fail_on
        for warning in [*draft_warnings(prepared.handbook), *review_warnings(prepared)]:
            print(warning, file=sys.stderr)
        if prepared.report.fails(fail_on):
            print(
                f"handbook: review gate failed (fail on {fail_on}): "
                f"{prepared.report.summary()}; nothing was published",
                file=sys.stderr,
            )
            return EXIT_FAILED
        site_dir = (arguments.site_dir or root / "site").resolve()
        # Rendering, layout and the site are imported only for sources that passed: a build
        # that stops at an error answers as fast as `check`.
        from ..pipeline import build, edition_stager
        from ..render import SiteOptions

        build(
            prepared,
            site_dir,
            options=SiteOptions(include_drafts=arguments.drafts),
            site_url=arguments.site_url,
            progress=progress,
            before_publish=edition_stager(prepared, edition, staged),
        )
        built = True
    finally:
        progress.close(summary=built)
        if not built and staged:
            from ..pipeline import discard_staged_editions

            discard_staged_editions(staged)
    recorded = None
    if edition is not None:
        from ..editions import commit_edition

        recorded = commit_edition(staged[0], root, edition.name)
    count = len(prepared.handbook.policies)
    print(build_summary(prepared, site_dir, recorded))
    # The last line says what to open, since a person reads a build's output from the bottom.
    print(
        f"Built {count} policies. Open {shown(site_dir / 'index.html')}"
        f" · book: {shown(site_dir / 'pdf' / 'handbook.pdf')}"
    )
    return EXIT_OK


def run_publish(root: Path, arguments: argparse.Namespace) -> int:
    """`handbook publish`: refuse a bad request before anything runs, then build and record."""
    from ..editions import EditionRefused, EditionRequest, check_request
    from ..model import load_handbook
    from ..prepare import real_today

    today = real_today(load_handbook(root))
    request = EditionRequest(arguments.edition, arguments.date or today, arguments.summary)
    if not request.summary.strip():
        # Named as the person typed it: through make, SUMMARY="..."; directly, the flag.
        example = "what this edition changes"
        asked = as_typed(
            f'make publish EDITION={request.name} SUMMARY="{example}"', f'--summary "{example}"'
        )
        print(
            f"handbook publish: a change summary is required: {asked}; nothing was changed",
            file=sys.stderr,
        )
        return EXIT_FAILED
    try:
        check_request(root, request, today)
    except EditionRefused as refusal:
        print(f"handbook publish: {refusal}; nothing was changed", file=sys.stderr)
        return EXIT_FAILED
    arguments.edition_request = request
    arguments.today = None
    arguments.drafts = False
    arguments.fail_on = None
    return run_build(root, arguments)


def run_new(root: Path, arguments: argparse.Namespace) -> int:
    """`handbook new`: write a policy file with the required fields and placeholders."""
    from ..load import PLACEHOLDER
    from ..model import load_handbook
    from ..prepare import real_today_of
    from ..record import new_policy_text

    policy_id = arguments.policy_id
    if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", policy_id):
        print(
            f"handbook new: {policy_id!r} is not a policy id: use lower-case letters, digits and "
            "single hyphens (for example phone-response); nothing was written",
            file=sys.stderr,
        )
        return EXIT_FAILED
    path = root / "policies" / f"{policy_id}.yaml"
    if path.exists():
        print(f"handbook new: {shown(path)} already exists; nothing was written", file=sys.stderr)
        return EXIT_FAILED
    category = arguments.category
    if category is None:
        categories = load_handbook(root).categories()
        category = categories[0] if categories else f"{PLACEHOLDER} the navigation section"

    text = new_policy_text(policy_id, arguments.title, category, real_today_of(root))
    path.write_text(text, encoding="utf-8")
    check = as_typed("make check", "handbook check")
    print(f"Wrote {shown(path)}: fill in each 'FILL IN:' value; `{check}` lists them")
    return EXIT_OK


def run_check(root: Path, arguments: argparse.Namespace) -> int:
    """`handbook check`: validate and print the review table (or the register as JSON)."""
    from ..prepare import prepare

    prepared = prepare(
        root, arguments.today, strict_drafts=arguments.strict, verify_every_file=True
    )
    for warning in draft_warnings(prepared.handbook):
        print(warning, file=sys.stderr)
    report = prepared.report
    if arguments.json:
        from ..register import register_json

        sys.stdout.write(register_json(report))
    else:
        print(f"Reviews on {report.today} ({prepared.handbook.settings.timezone})\n")
        print(review_table(report, colour=use_colour(sys.stdout)))
        print(f"\n{report.summary()}")
    return EXIT_FAILED if report.fails(arguments.fail_on) else EXIT_OK


def run_reviewed(root: Path, arguments: argparse.Namespace) -> int:
    """`handbook reviewed`: record a review in the policy's file, then show its next review."""
    from ..model import load_handbook
    from ..prepare import prepare, real_today
    from ..record import RecordRefused, record_review

    handbook = load_handbook(root)
    for warning in draft_warnings(handbook):
        print(warning, file=sys.stderr)
    today = real_today(handbook)
    on = arguments.on or today
    try:
        recorded = record_review(handbook, arguments.policy_id, on, arguments.note, today)
    except RecordRefused as refusal:
        print(f"handbook reviewed: {refusal}; nothing was changed", file=sys.stderr)
        return EXIT_FAILED
    print(f"Recorded a review of {recorded.policy_id} on {on} in {shown(recorded.path)}:")
    print(f"  last_reviewed: {on}")
    print(f"  revision_history: + {on}, review, {recorded.summary}")
    if recorded.dropped_next_due is not None:
        print(f"  review.next_due {recorded.dropped_next_due} removed: the review passed it")
    if not recorded.layout_kept:
        print(
            "handbook reviewed: the file's layout could not be kept exactly; check its diff",
            file=sys.stderr,
        )
    review = prepare(root, today).report.for_policy(recorded.policy_id)
    print(f"Next review {review.next_review}: {review.status.value}")
    return EXIT_OK


def run_schema(root: Path) -> int:
    """`handbook schema`: write the JSON Schemas into schema/."""
    from ..model import json_schemas

    folder = root / "schema"
    folder.mkdir(exist_ok=True)
    for name, text in json_schemas().items():
        (folder / name).write_text(text, encoding="utf-8")
        print(f"wrote {shown(folder / name)}")
    return EXIT_OK


def run_serve(root: Path, arguments: argparse.Namespace) -> int:
    """`handbook serve`: the live-reloading preview, until Ctrl-C."""
    from ..site import serve

    try:
        serve(root, arguments.dev_addr, PreviewOutput())
    except OSError as error:
        if error.errno not in (errno.EADDRINUSE, errno.EADDRNOTAVAIL, errno.EACCES):
            raise
        other = as_typed("make serve ADDR=127.0.0.1:8001", "--dev-addr 127.0.0.1:8001")
        print(
            f"handbook serve: cannot serve on {arguments.dev_addr}: {error.strerror}; is another"
            f" preview running? Stop it, or use another address ({other})",
            file=sys.stderr,
        )
        return EXIT_FAILED
    return EXIT_OK
