"""The review register files, site/reviews.json and site/reviews.ics, read back with parsers."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import icalendar
import pytest

from conftest import FIXTURES, REGISTER_KEYS
from generator.model import load_handbook
from generator.prepare import prepare
from generator.register import calendar_host, register_json, review_calendar


def events_of(data: bytes) -> list[icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(data)
    return [component for component in calendar.walk("VEVENT")]


@pytest.mark.slow
def test_built_site_has_the_register_as_json(sample_site: Path) -> None:
    register = json.loads((sample_site / "reviews.json").read_text(encoding="utf-8"))
    assert list(register) == ["today", "policies"]
    assert register["today"] == "2026-11-27"
    assert len(register["policies"]) == 5
    for entry in register["policies"]:
        assert list(entry) == REGISTER_KEYS
        assert isinstance(entry["id"], str) and isinstance(entry["title"], str)
        assert entry["number"] is None or isinstance(entry["number"], str)
        assert entry["status"] in {"current", "due-soon", "overdue", "retired", "draft"}
        dt.date.fromisoformat(entry["next_review"])
        assert isinstance(entry["days_overdue"], int) and entry["days_overdue"] >= 0
    overdue = [entry["id"] for entry in register["policies"] if entry["status"] == "overdue"]
    assert overdue == ["corona-customer-care", "pinole-customer-service"]


@pytest.mark.slow
def test_built_site_calendar_has_one_event_per_checked_policy(sample_site: Path) -> None:
    register = json.loads((sample_site / "reviews.json").read_text(encoding="utf-8"))
    events = events_of((sample_site / "reviews.ics").read_bytes())
    checked = [e for e in register["policies"] if e["status"] in {"current", "due-soon", "overdue"}]
    assert len(events) == len(checked) == 5
    by_uid = {str(event["UID"]): event for event in events}
    host = calendar_host(load_handbook(sample_site.parent).settings.site_url)
    for entry in checked:
        event = by_uid[f"{entry['id']}-review@{host}"]
        assert event.decoded("DTSTART") == dt.date.fromisoformat(entry["next_review"])
        assert event.decoded("DTEND") - event.decoded("DTSTART") == dt.timedelta(days=1)
        assert entry["owner"] in str(event["SUMMARY"])
    pinole = by_uid[f"pinole-customer-service-review@{host}"]
    assert pinole.decoded("DTSTART") == dt.date(2026, 4, 30)
    # The source names no owner (only HR, as the contact for questions): the event says so.
    assert "Owner: Owner not stated in the source." in str(pinole["DESCRIPTION"])


def test_calendar_is_reproducible_and_names_the_site_host(tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / "policies").mkdir(parents=True)
    for source in (FIXTURES / "handbooks" / "small" / "policies").glob("*.yaml"):
        (project / "policies" / source.name).write_bytes(source.read_bytes())
    prepared = prepare(project, dt.date(2026, 5, 20))
    site_url = prepared.handbook.settings.site_url
    assert site_url == "https://intranet.example.gov/handbook/"
    first = review_calendar(prepared.handbook, prepared.report, site_url)
    second = review_calendar(prepared.handbook, prepared.report, site_url)
    assert first == second
    events = events_of(first)
    assert sorted(str(event["UID"]) for event in events) == [
        "counter-service-review@intranet.example.gov",
        "phone-response-review@intranet.example.gov",
    ]
    for event in events:
        # The stamp is the review day, never the wall clock, so rebuilds are byte-identical.
        assert event.decoded("DTSTAMP") == dt.datetime(2026, 5, 20, tzinfo=dt.UTC)
    phone = next(e for e in events if str(e["UID"]).startswith("phone-response"))
    assert phone.decoded("DTSTART") == dt.date(2026, 6, 10)
    assert str(phone["URL"]) == "https://intranet.example.gov/handbook/phone-response/"
    assert "Dana Reyes, Customer Service Manager" in str(phone["SUMMARY"])
    # Another review day moves the stamp, not the UIDs, so a subscribed calendar updates in place.
    later = prepare(project, dt.date(2026, 6, 1))
    moved = events_of(review_calendar(later.handbook, later.report, site_url))
    assert sorted(str(e["UID"]) for e in moved) == sorted(str(e["UID"]) for e in events)


def test_drafts_and_retired_policies_get_no_event(tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / "policies").mkdir(parents=True)
    small = FIXTURES / "handbooks" / "small" / "policies"
    (project / "policies" / "handbook.yaml").write_bytes((small / "handbook.yaml").read_bytes())
    for policy_id, status in (("draft-one", "draft"), ("old-one", "retired"), ("live", "active")):
        (project / "policies" / f"{policy_id}.yaml").write_text(
            f"id: {policy_id}\ntitle: T {policy_id}\ncategory: Customer Service\n"
            f"status: {status}\nowner: {{name: Someone}}\nadopted: 2024-01-10\n"
            "summary: Short.\nsource: {title: Manual}\n",
            encoding="utf-8",
        )
    prepared = prepare(project, dt.date(2026, 1, 1))
    events = events_of(review_calendar(prepared.handbook, prepared.report, None))
    assert [str(event["UID"]) for event in events] == ["live-review@handbook"]
    register = json.loads(register_json(prepared.report))
    by_id = {entry["id"]: entry for entry in register["policies"]}
    assert (by_id["draft-one"]["status"], by_id["draft-one"]["days_overdue"]) == ("draft", None)
    assert (by_id["old-one"]["status"], by_id["old-one"]["days_overdue"]) == ("retired", None)
    assert (by_id["live"]["status"], by_id["live"]["days_overdue"]) == ("overdue", 356)


@pytest.mark.parametrize(
    ("site_url", "host"),
    [
        ("https://intranet.example.gov/handbook/", "intranet.example.gov"),
        ("http://HR.Example.org:8080", "hr.example.org"),
        (None, "handbook"),
        ("", "handbook"),
    ],
)
def test_calendar_host(site_url: str | None, host: str) -> None:
    assert calendar_host(site_url) == host
