"""The annual review rules, one test per rule: dates, statuses, start dates, errors, today."""

from __future__ import annotations

import datetime as dt
import textwrap
import zoneinfo
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.errors import BuildFailed
from generator.model import Policy, load_handbook
from generator.prepare import prepare, real_today, resolve_today
from generator.render import revision_note
from generator.review import (
    ReviewStatus,
    add_months,
    cycle_basis,
    cycle_start,
    owner_clause,
    owner_label,
    review_handbook,
    review_policy,
)

LOS_ANGELES = zoneinfo.ZoneInfo("America/Los_Angeles")
HANDBOOK_YAML = """\
organization: Example City
title: Example Handbook
subtitle: "Policies for staff"
timezone: America/Los_Angeles
"""


def make_policy(**fields: Any) -> Policy:
    """A valid active policy with the given fields (dates as YAML would give them)."""
    base: dict[str, Any] = {
        "id": "example",
        "title": "Example",
        "category": "Customer Service",
        "owner": {"name": "Dana Reyes", "title": "Customer Service Manager"},
        "summary": "Short.",
        "source": {"title": "Manual"},
    }
    return Policy.model_validate({**base, **fields})


def status_on(policy: Policy, today: dt.date, due_soon_days: int = 30) -> ReviewStatus:
    return review_policy(policy, today, 12, due_soon_days).status


def write_handbook(root: Path, policies: dict[str, str], settings: str = HANDBOOK_YAML) -> Path:
    """A handbook folder with handbook.yaml and one file per policy text."""
    folder = root / "policies"
    folder.mkdir(parents=True)
    (folder / "handbook.yaml").write_text(settings, encoding="utf-8")
    for policy_id, text in policies.items():
        (folder / f"{policy_id}.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def policy_text(policy_id: str, extra: str) -> str:
    return (
        f"id: {policy_id}\ntitle: Policy {policy_id}\ncategory: Customer Service\n"
        "owner: {name: Someone}\nsummary: Short.\nsource: {title: Manual}\n"
        + textwrap.dedent(extra)
    )


def errors_of(root: Path, today: dt.date, real: dt.date) -> list[str]:
    handbook = load_handbook(root)
    with pytest.raises(BuildFailed) as failure:
        review_handbook(handbook, today, real)
    return [error.format() for error in failure.value.errors]


# --------------------------------------------------------------------------- month arithmetic


def test_leap_day_plus_a_year_clamps_to_february_28() -> None:
    assert add_months(dt.date(2024, 2, 29), 12) == dt.date(2025, 2, 28)


def test_january_31_plus_a_month_clamps_to_the_end_of_february() -> None:
    assert add_months(dt.date(2025, 1, 31), 1) == dt.date(2025, 2, 28)
    assert add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)


def test_months_roll_over_the_year() -> None:
    assert add_months(dt.date(2025, 11, 15), 2) == dt.date(2026, 1, 15)
    assert add_months(dt.date(2025, 6, 10), 60) == dt.date(2030, 6, 10)


@given(st.dates(dt.date(1990, 1, 1), dt.date(2090, 12, 31)), st.integers(1, 60))
def test_add_months_lands_in_the_right_month_and_never_later_in_it(
    start: dt.date, months: int
) -> None:
    result = add_months(start, months)
    assert (result.year * 12 + result.month) - (start.year * 12 + start.month) == months
    assert result.day <= start.day
    if result.day < start.day:  # Clamped: it must be the month's last day.
        assert (result + dt.timedelta(days=1)).day == 1


# --------------------------------------------------------------------------- status


def test_the_due_date_itself_is_due_soon_and_the_next_day_overdue() -> None:
    policy = make_policy(last_reviewed="2025-06-10")
    assert status_on(policy, dt.date(2026, 6, 10)) is ReviewStatus.DUE_SOON
    assert status_on(policy, dt.date(2026, 6, 11)) is ReviewStatus.OVERDUE
    review = review_policy(policy, dt.date(2026, 6, 11), 12, 30)
    assert (review.next_review, review.days_overdue, review.days_left) == (
        dt.date(2026, 6, 10),
        1,
        -1,
    )


def test_due_soon_starts_exactly_due_soon_days_before_the_due_date() -> None:
    policy = make_policy(last_reviewed="2025-06-10")  # due 2026-06-10
    assert status_on(policy, dt.date(2026, 5, 11)) is ReviewStatus.DUE_SOON  # 30 days left
    assert status_on(policy, dt.date(2026, 5, 10)) is ReviewStatus.CURRENT  # 31 days left
    assert status_on(policy, dt.date(2026, 6, 3), due_soon_days=7) is ReviewStatus.DUE_SOON
    assert status_on(policy, dt.date(2026, 6, 2), due_soon_days=7) is ReviewStatus.CURRENT
    # With 0 days of warning only the due date itself is due soon.
    assert status_on(policy, dt.date(2026, 6, 9), due_soon_days=0) is ReviewStatus.CURRENT
    assert status_on(policy, dt.date(2026, 6, 10), due_soon_days=0) is ReviewStatus.DUE_SOON


def test_cycle_comes_from_the_policy_else_the_handbook_default() -> None:
    own = make_policy(last_reviewed="2025-06-10", review={"cycle_months": 6})
    default = make_policy(last_reviewed="2025-06-10")
    assert review_policy(own, dt.date(2025, 7, 1), 24, 30).next_review == dt.date(2025, 12, 10)
    assert review_policy(default, dt.date(2025, 7, 1), 24, 30).next_review == dt.date(2027, 6, 10)


def test_next_due_overrides_the_computed_date() -> None:
    policy = make_policy(last_reviewed="2025-06-10", review={"next_due": "2026-01-15"})
    review = review_policy(policy, dt.date(2026, 1, 16), 12, 30)
    assert review.next_review == dt.date(2026, 1, 15)
    assert review.status is ReviewStatus.OVERDUE
    assert review.basis == ("review", "next_due")


def test_retired_policies_are_not_checked_and_drafts_are_reported_separately() -> None:
    long_ago = {"last_reviewed": "2010-01-01"}
    retired = review_policy(make_policy(status="retired", **long_ago), dt.date(2026, 1, 1), 12, 30)
    draft = review_policy(make_policy(status="draft", **long_ago), dt.date(2026, 1, 1), 12, 30)
    assert (retired.status, retired.checked) == (ReviewStatus.RETIRED, False)
    assert (draft.status, draft.checked) == (ReviewStatus.DRAFT, False)


# --------------------------------------------------------------------------- where a cycle starts


def test_last_reviewed_is_the_start_even_when_an_approval_is_later() -> None:
    policy = make_policy(
        last_reviewed="2024-03-01", approvals=[{"role": "City Manager", "date": "2025-01-01"}]
    )
    assert cycle_basis(policy) == (dt.date(2024, 3, 1), ("last_reviewed",))


@pytest.mark.parametrize(
    ("fields", "start", "basis"),
    [
        ({"adopted": "2020-01-15"}, dt.date(2020, 1, 15), ("adopted",)),
        ({"issued": "2019-05-01", "adopted": "2020-01-15"}, dt.date(2020, 1, 15), ("adopted",)),
        ({"issued": "2021-05-01", "adopted": "2020-01-15"}, dt.date(2021, 5, 1), ("issued",)),
        (
            {"renumbered": "2017-01-03", "issued": "unknown"},
            dt.date(2017, 1, 3),
            ("renumbered",),
        ),
        (
            {"effective": "2022-07-01", "renumbered": "2017-01-03"},
            dt.date(2022, 7, 1),
            ("effective",),
        ),
        (
            {
                "approvals": [
                    {"role": "Department Head", "date": "2022-02-01"},
                    {"role": "City Manager", "date": "2022-03-09"},
                ],
                "effective": "2022-03-01",
            },
            dt.date(2022, 3, 9),
            ("approvals", 1, "date"),
        ),
        # Month-only approvals ("Approved: April 2025") count as the month's last day.
        ({"approvals": [{"role": "Approved", "date": "2025-04"}]}, dt.date(2025, 4, 30), None),
        # On a tie the approval names the basis (the issue's order: approved, effective, ...).
        (
            {"approvals": [{"role": "Approved", "date": "2025-04-30"}], "adopted": "2025-04-30"},
            dt.date(2025, 4, 30),
            ("approvals", 0, "date"),
        ),
    ],
)
def test_a_never_reviewed_policy_starts_from_its_latest_lifecycle_date(
    fields: dict[str, Any], start: dt.date, basis: tuple[str | int, ...] | None
) -> None:
    policy = make_policy(**fields)
    assert cycle_start(policy) == start
    found = cycle_basis(policy)
    assert found is not None
    assert found[1] == (basis or ("approvals", 0, "date"))


def test_month_only_approval_makes_pinole_due_at_the_end_of_april() -> None:
    policy = make_policy(approvals=[{"role": "Approved", "date": "2025-04"}])
    assert review_policy(policy, dt.date(2026, 4, 30), 12, 30).status is ReviewStatus.DUE_SOON
    assert review_policy(policy, dt.date(2026, 5, 1), 12, 30).status is ReviewStatus.OVERDUE


def test_unknown_issue_date_alone_gives_no_start() -> None:
    assert cycle_start(make_policy(issued="unknown")) is None


# --------------------------------------------------------------------------- errors, with file:line


def test_no_date_to_start_from_is_an_error_at_the_id_line(tmp_path: Path) -> None:
    root = write_handbook(tmp_path, {"nothing": policy_text("nothing", "issued: unknown\n")})
    assert errors_of(root, dt.date(2026, 1, 1), dt.date(2026, 1, 1)) == [
        "policies/nothing.yaml:1: id: no date to start the review cycle from: give "
        "last_reviewed, an approval date, effective, renumbered, issued or adopted"
    ]


def test_drafts_and_retired_policies_need_no_start_date(tmp_path: Path) -> None:
    root = write_handbook(
        tmp_path,
        {
            "draft-one": policy_text("draft-one", "status: draft\n"),
            "old-one": policy_text("old-one", "status: retired\n"),
        },
    )
    report = review_handbook(load_handbook(root), dt.date(2026, 1, 1), dt.date(2026, 1, 1))
    assert [review.status for review in report.reviews] == [
        ReviewStatus.DRAFT,
        ReviewStatus.RETIRED,
    ]


def test_a_date_after_the_real_today_is_a_typo_error_with_its_line(tmp_path: Path) -> None:
    root = write_handbook(
        tmp_path,
        {
            "typo": policy_text(
                "typo",
                """\
                approvals:
                  - {role: City Manager, date: 2052-04}
                effective: 2052-05-01
                last_reviewed: 2052-06-10
                """,
            )
        },
    )
    real = dt.date(2026, 11, 27)
    expected = [
        "policies/typo.yaml:8: approvals #1.date: 2052-04 is in the future "
        "(today is 2026-11-27); check the year",
        "policies/typo.yaml:9: effective: 2052-05-01 is in the future "
        "(today is 2026-11-27); check the year",
        "policies/typo.yaml:10: last_reviewed: 2052-06-10 is in the future "
        "(today is 2026-11-27); check the year",
    ]
    assert errors_of(root, real, real) == expected
    # --today only moves the day statuses are computed for; the guard stays on the real date.
    assert errors_of(root, dt.date(2060, 1, 1), real) == expected


def test_a_past_date_is_no_typo_even_when_today_is_set_before_it(tmp_path: Path) -> None:
    root = write_handbook(tmp_path, {"fine": policy_text("fine", "last_reviewed: 2025-06-10\n")})
    report = review_handbook(load_handbook(root), dt.date(2020, 1, 1), dt.date(2026, 11, 27))
    assert report.for_policy("fine").status is ReviewStatus.CURRENT


def test_this_month_as_a_month_only_approval_is_not_in_the_future(tmp_path: Path) -> None:
    root = write_handbook(
        tmp_path,
        {"month": policy_text("month", "approvals:\n  - {role: Approved, date: 2026-11}\n")},
    )
    report = review_handbook(load_handbook(root), dt.date(2026, 11, 2), dt.date(2026, 11, 2))
    assert report.for_policy("month").next_review == dt.date(2027, 11, 30)


@pytest.mark.parametrize("cycle", [0, -3, 61])
def test_a_cycle_of_zero_or_less_or_over_sixty_months_is_an_error(
    tmp_path: Path, cycle: int
) -> None:
    root = write_handbook(
        tmp_path,
        {"cycle": policy_text("cycle", f"adopted: 2020-01-15\nreview:\n  cycle_months: {cycle}\n")},
    )
    with pytest.raises(BuildFailed) as failure:
        prepare(root, dt.date(2026, 1, 1))
    assert [error.format() for error in failure.value.errors] == [
        f"policies/cycle.yaml:9: review.cycle_months: review cycle must be 1 to 60 months, "
        f"got {cycle}"
    ]


def test_sixty_months_is_allowed(tmp_path: Path) -> None:
    root = write_handbook(
        tmp_path,
        {"cycle": policy_text("cycle", "adopted: 2020-01-15\nreview: {cycle_months: 60}\n")},
    )
    report = prepare(root, dt.date(2024, 1, 1)).report
    assert report.for_policy("cycle").next_review == dt.date(2025, 1, 15)


# --------------------------------------------------------------------------- the report


def test_report_is_sorted_most_urgent_first_and_counts_statuses(tmp_path: Path) -> None:
    root = write_handbook(
        tmp_path,
        {
            "a-current": policy_text("a-current", "last_reviewed: 2026-01-01\n"),
            "b-overdue-less": policy_text("b-overdue-less", "last_reviewed: 2025-01-01\n"),
            "c-overdue-more": policy_text("c-overdue-more", "last_reviewed: 2020-01-01\n"),
            "d-due-soon": policy_text("d-due-soon", "last_reviewed: 2025-07-10\n"),
            "e-draft": policy_text("e-draft", "status: draft\nadopted: 2020-01-01\n"),
        },
    )
    report = review_handbook(load_handbook(root), dt.date(2026, 7, 1), dt.date(2026, 7, 1))
    assert [review.policy.id for review in report.reviews] == [
        "c-overdue-more",
        "b-overdue-less",
        "d-due-soon",
        "a-current",
        "e-draft",
    ]
    assert report.summary() == "2 overdue, 1 due soon, 1 current, 1 draft (not checked)"
    assert [review.policy.id for review in report.checked()] == [
        "c-overdue-more",
        "b-overdue-less",
        "d-due-soon",
        "a-current",
    ]
    assert report.fails("overdue") and report.fails("due-soon") and not report.fails("never")


def test_gate_on_due_soon_fails_without_any_overdue(tmp_path: Path) -> None:
    root = write_handbook(tmp_path, {"soon": policy_text("soon", "last_reviewed: 2025-07-10\n")})
    report = review_handbook(load_handbook(root), dt.date(2026, 7, 1), dt.date(2026, 7, 1))
    assert not report.fails("overdue")
    assert report.fails("due-soon")


def test_owner_label_prefers_the_review_owner() -> None:
    assert owner_label(make_policy()) == "Dana Reyes, Customer Service Manager"
    assert owner_label(make_policy(review={"owner": "HR Policy Team"})) == "HR Policy Team"
    assert owner_label(make_policy(owner={"email": "hr@example.gov"})) == "hr@example.gov"


def test_owner_clause_does_not_say_owner_twice() -> None:
    assert owner_clause(make_policy()) == "owner Dana Reyes, Customer Service Manager"
    unstated = make_policy(owner={"title": "Owner not stated in the source"})
    assert owner_clause(unstated) == "owner not stated in the source"
    assert owner_clause(make_policy(owner={})) == "no owner named"


# --------------------------------------------------------------------------- revision standing


def test_standing_is_what_the_footer_and_the_facts_table_both_state() -> None:
    history = [
        {"date": "2024-03-01", "kind": "substantive", "summary": "First."},
        {"date": "2025-02-10", "kind": "editorial", "summary": "Typos."},
        {"date": "2026-01-05", "kind": "review", "summary": "Reviewed, no change."},
    ]
    standing = make_policy(revision_history=history).standing
    assert (standing.version, standing.revised, standing.reviewed) == (
        "1.1",
        dt.date(2025, 2, 10),
        dt.date(2026, 1, 5),
    )
    assert revision_note(make_policy(revision_history=history)) == "Version 1.1, revised 2025-02-10"
    only_reviewed = make_policy(revision_history=history[2:])
    assert (only_reviewed.standing.version, only_reviewed.standing.revised) == (None, None)
    assert revision_note(only_reviewed) == "Reviewed 2026-01-05"
    assert revision_note(make_policy()) is None


# --------------------------------------------------------------------------- what "today" is


def test_today_is_the_override_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    handbook = load_handbook(write_handbook(tmp_path, {}))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    assert resolve_today(handbook, dt.date(2025, 5, 2)) == dt.date(2025, 5, 2)


def test_source_date_epoch_at_23_30_local_on_the_due_date_is_still_the_due_date(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_handbook(tmp_path, {"due": policy_text("due", "last_reviewed: 2025-06-10\n")})
    late_evening = dt.datetime(2026, 6, 10, 23, 30, tzinfo=LOS_ANGELES)
    assert late_evening.astimezone(dt.UTC).date() == dt.date(2026, 6, 11)  # UTC says tomorrow
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(late_evening.timestamp())))
    handbook = load_handbook(root)
    assert resolve_today(handbook, None) == dt.date(2026, 6, 10)
    review = prepare(root).report.for_policy("due")
    assert (review.status, review.days_overdue) == (ReviewStatus.DUE_SOON, 0)


def test_a_bad_source_date_epoch_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    handbook = load_handbook(write_handbook(tmp_path, {}))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(BuildFailed) as failure:
        resolve_today(handbook, None)
    assert failure.value.errors[0].format() == (
        "SOURCE_DATE_EPOCH: expected seconds since 1970, got 'yesterday'"
    )


def test_without_override_or_epoch_today_is_the_date_in_the_handbook_zone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    handbook = load_handbook(write_handbook(tmp_path, {}))
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    before = dt.datetime.now(LOS_ANGELES).date()
    found = resolve_today(handbook, None)
    after = dt.datetime.now(LOS_ANGELES).date()
    assert found in {before, after}
    assert real_today(handbook) in {before, after}
