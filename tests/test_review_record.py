"""`handbook reviewed`: records a review in the policy file, keeping its comments and layout."""

from __future__ import annotations

import datetime as dt
import difflib
import json
import zoneinfo
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import Result, make_project, run_handbook
from generator.load import parse_source
from generator.record import add_review
from generator.review import add_months

LOS_ANGELES = zoneinfo.ZoneInfo("America/Los_Angeles")
ON = dt.date(2026, 11, 27)

COMMENTED = """\
# yaml-language-server: $schema=../schema/policy.schema.json
id: example   # equals the file name
title: Example
category: Customer Service
approvals:
  - role: Approved
    date: 2025-04   # the source gives only the month

# How often we look at this again.
review:
  cycle_months: 12
owner: {name: Someone}
summary: Short.
revision_history:
  - {date: 2025-06-10, version: "1.0", kind: substantive, summary: First issue.}  # from the PDF

# Where it came from.
source: {title: Manual}
"""


def changes(before: str, after: str) -> tuple[list[str], list[str]]:
    """The lines `after` removes from and adds to `before`."""
    diff = list(difflib.ndiff(before.splitlines(), after.splitlines()))
    return (
        [line[2:] for line in diff if line.startswith("- ")],
        [line[2:] for line in diff if line.startswith("+ ")],
    )


def added_lines(before: str, after: str) -> list[str]:
    """The lines `after` adds to `before`; fails if any line of `before` was changed or lost."""
    added = []
    for line in difflib.ndiff(before.splitlines(), after.splitlines()):
        assert not line.startswith("- "), f"line changed or lost: {line}"
        if line.startswith("+ "):
            added.append(line[2:])
    return added


def block_review_lines(day: str) -> list[str]:
    """The lines a review on `day` adds to a block-style file with a `last_reviewed` to add."""
    return [
        f"last_reviewed: {day}",
        f"  - date: {day}",
        "    kind: review",
        "    summary: Reviewed, no change.",
    ]


def today_in_la() -> dt.date:
    return dt.datetime.now(LOS_ANGELES).date()


def days_around(run: Callable[[], Result]) -> tuple[Result, set[dt.date]]:
    """Run a command that reads the real clock, with the day in Los Angeles before and after it.

    `handbook reviewed` needs the real date on purpose (README: a review cannot be recorded in
    the future, and `--on` defaults to today), so no --today or SOURCE_DATE_EPOCH applies. The
    command's day is one of these two days, even when midnight falls during the run.
    """
    before = today_in_la()
    result = run()
    return result, {before, today_in_la()}


# --------------------------------------------------------------------------- the text edit


def test_new_keys_go_in_field_order_and_every_comment_stays_in_place() -> None:
    new_text, dropped, layout_kept = add_review(COMMENTED, ON, "Reviewed, no change.")
    assert (dropped, layout_kept) == (None, True)
    assert new_text == COMMENTED.replace(
        "    date: 2025-04   # the source gives only the month\n",
        "    date: 2025-04   # the source gives only the month\nlast_reviewed: 2026-11-27\n",
    ).replace(
        "summary: First issue.}  # from the PDF\n",
        "summary: First issue.}  # from the PDF\n"
        "  - {date: 2026-11-27, kind: review, summary: 'Reviewed, no change.'}\n",
    )
    loaded, errors = parse_source(new_text.encode(), "policies/example.yaml")
    assert errors == [] and loaded is not None
    assert loaded.data["last_reviewed"] == ON
    assert loaded.data["revision_history"][-1] == {
        "date": ON,
        "kind": "review",
        "summary": "Reviewed, no change.",
    }


def test_existing_last_reviewed_is_updated_in_place_with_its_comment() -> None:
    before = COMMENTED.replace("owner:", "last_reviewed: 2025-06-10  # by HR\nowner:")
    new_text, _, _ = add_review(before, ON, "Checked against the 2026 ordinance.")
    assert "last_reviewed: 2026-11-27  # by HR\n" in new_text
    assert new_text.count("last_reviewed") == 1


def test_block_style_history_gets_a_block_style_entry() -> None:
    before = """\
id: example
title: Example
revision_history:
  - date: 2017-01-03
    kind: editorial
    summary: >-
      Renumbered.
source:
  title: Manual
"""
    new_text, _, _ = add_review(before, ON, "Reviewed, no change.")
    assert added_lines(before, new_text) == block_review_lines("2026-11-27")
    assert new_text.index("    summary: Reviewed") < new_text.index("source:")


def test_a_review_on_a_day_before_the_latest_entry_goes_in_date_order() -> None:
    before = """\
id: example
revision_history:
  - date: 2025-04
    kind: substantive
    summary: Adopted.
  - date: 2026-12-07  # the desk card
    kind: editorial
    summary: The card cites its rules.

# Where it came from.
source:
  title: Manual
"""
    new_text, _, _ = add_review(before, dt.date(2026, 12, 1), "Reviewed, no change.")
    assert added_lines(before, new_text) == block_review_lines("2026-12-01")
    assert new_text.index("date: 2025-04") < new_text.index("date: 2026-12-01")
    assert new_text.index("date: 2026-12-01") < new_text.index("date: 2026-12-07  # the desk card")
    loaded, errors = parse_source(new_text.encode(), "policies/example.yaml")
    assert errors == [] and loaded is not None
    days = [str(entry["date"]) for entry in loaded.data["revision_history"]]
    assert days == ["2025-04", "2026-12-01", "2026-12-07"]
    # A month-only entry counts as before every day of its month.
    in_april, _, _ = add_review(before, dt.date(2025, 4, 10), "Reviewed, no change.")
    loaded, _ = parse_source(in_april.encode(), "policies/example.yaml")
    assert loaded is not None
    days = [str(entry["date"]) for entry in loaded.data["revision_history"]]
    assert days == ["2025-04", "2025-04-10", "2026-12-07"]


def test_a_passed_next_due_override_is_dropped_and_a_later_one_kept() -> None:
    before = "id: example\nreview:\n  cycle_months: 12\n  next_due: 2026-10-01\nsource: {}\n"
    new_text, dropped, _ = add_review(before, ON, "Reviewed, no change.")
    assert dropped == dt.date(2026, 10, 1)
    assert "next_due" not in new_text
    later = before.replace("2026-10-01", "2027-03-01")
    new_text, dropped, _ = add_review(later, ON, "Reviewed, no change.")
    assert dropped is None and "next_due: 2027-03-01" in new_text


def test_dash_at_the_parent_column_layout_is_kept() -> None:
    before = (
        "id: example\ntags:\n- one\n- two\nrevision_history:\n- date: 2025-01-01\n  summary: x\n"
    )
    new_text, _, layout_kept = add_review(before, ON, "Reviewed, no change.")
    assert layout_kept
    assert added_lines(before, new_text) == [
        "last_reviewed: 2026-11-27",
        "- date: 2026-11-27",
        "  kind: review",
        "  summary: Reviewed, no change.",
    ]


# --------------------------------------------------------------------------- the command


def test_reviewed_keeps_comments_and_makes_the_policy_current(small_project: Path) -> None:
    path = small_project / "policies" / "phone-response.yaml"
    before = path.read_text(encoding="utf-8")
    # Overdue on any day from 2026-06-11 on (due 2026-06-10), and the real today is later.
    on_that_day = ("check", "--json", "--fail-on", "never", "--today", "2026-11-27")
    check = run_handbook(*on_that_day, cwd=small_project)
    by_id = {entry["id"]: entry for entry in json.loads(check.stdout)["policies"]}
    assert by_id["phone-response"]["status"] == "overdue"

    result, days = days_around(
        lambda: run_handbook("reviewed", "phone-response", cwd=small_project)
    )

    assert result.returncode == 0, result.stderr
    after = path.read_text(encoding="utf-8")
    [today] = [day for day in days if f"last_reviewed: {day}" in after]
    assert changes(before, after) == (
        ["last_reviewed: 2025-06-10"],
        [
            f"last_reviewed: {today}",
            f"  - {{date: {today}, kind: review, summary: 'Reviewed, no change.'}}",
        ],
    )
    assert after.count("last_reviewed") == 1
    assert after.splitlines()[0] == before.splitlines()[0]  # the schema comment
    assert "id: phone-response    # equals the file name" in after
    assert result.stdout.splitlines()[-1] == f"Next review {add_months(today, 12)}: current"
    # Current on the day of the review, whatever day the clock says now.
    check = run_handbook("check", "--json", "--today", str(today), cwd=small_project)
    by_id = {entry["id"]: entry for entry in json.loads(check.stdout)["policies"]}
    assert by_id["phone-response"]["status"] == "current"
    assert by_id["phone-response"]["last_reviewed"] == str(today)


def test_reviewed_on_a_never_reviewed_sample_policy(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project", None)
    path = project / "policies" / "pinole-customer-service.yaml"
    before = path.read_text(encoding="utf-8")
    result = run_handbook(
        "reviewed",
        "pinole-customer-service",
        "--on",
        "2026-05-04",
        "--note",
        "Reviewed with the City Manager; *no change*.",
        cwd=project,
    )
    assert result.returncode == 0, result.stderr
    assert added_lines(before, path.read_text(encoding="utf-8")) == [
        "last_reviewed: 2026-05-04",
        # Appended to the history it has (its editorial entry for the desk card).
        "  - date: 2026-05-04",
        "    kind: review",
        "    summary: Reviewed with the City Manager; *no change*.",
    ]
    check = run_handbook("check", "--today", "2026-11-27", "--json", cwd=project)
    by_id = {entry["id"]: entry for entry in json.loads(check.stdout)["policies"]}
    assert by_id["pinole-customer-service"]["status"] == "current"
    assert by_id["pinole-customer-service"]["next_review"] == "2027-05-04"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["phone-respons"],
            "handbook reviewed: no policy with id 'phone-respons' "
            "(did you mean 'phone-response'?); nothing was changed",
        ),
        (
            ["phone-response", "--on", "9999-12-31"],
            "handbook reviewed: 9999-12-31 is in the future (today is {today}); "
            "record a review once it has happened; nothing was changed",
        ),
        (
            ["phone-response", "--on", "2025-01-01"],
            "handbook reviewed: 'phone-response' was last reviewed on 2025-06-10, after "
            "2025-01-01; the last review date would go backwards; nothing was changed",
        ),
    ],
)
def test_reviewed_refuses_and_changes_nothing(
    small_project: Path, args: list[str], message: str
) -> None:
    before = {path.name: path.read_bytes() for path in (small_project / "policies").iterdir()}
    result, days = days_around(lambda: run_handbook("reviewed", *args, cwd=small_project))
    assert result.returncode == 1
    assert result.stderr.strip() in {message.format(today=day) for day in days}
    assert "Traceback" not in result.stderr
    after = {path.name: path.read_bytes() for path in (small_project / "policies").iterdir()}
    assert after == before


def test_a_retired_policy_is_not_reviewed(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project", "lifecycle")
    before = {path.name: path.read_bytes() for path in (project / "policies").iterdir()}

    result = run_handbook("reviewed", "fax-orders", "--on", "2026-11-27", cwd=project)

    assert result.returncode == 1
    assert result.stderr == (
        "handbook reviewed: 'fax-orders' is retired; retired policies are not reviewed; "
        "nothing was changed\n"
    )
    assert result.stdout == ""
    after = {path.name: path.read_bytes() for path in (project / "policies").iterdir()}
    assert after == before


def test_a_note_that_breaks_the_policy_is_refused_and_the_file_restored(
    small_project: Path,
) -> None:
    path = small_project / "policies" / "phone-response.yaml"
    before = path.read_bytes()
    result = run_handbook("reviewed", "phone-response", "--note", "<b>done</b>", cwd=small_project)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert "revision_history #2.summary: raw HTML is not allowed" in lines[0]
    assert lines[-1] == "1 error in 1 file; the policy file was left as it was"
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == [
        "counter-service.yaml",
        "handbook.yaml",
        "phone-response.yaml",
    ]
