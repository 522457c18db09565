"""The review register as files: `reviews.json` for people and scripts, `reviews.ics` for calendars.

Only this module knows icalendar. Both files are functions of the ReviewReport alone, so the
same sources and the same review day give byte-identical files (reproducible builds).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import icalendar

from .model import Handbook
from .review import PolicyReview, ReviewReport, owner_label

JSON_NAME = "reviews.json"
ICS_NAME = "reviews.ics"
PRODUCT_ID = "-//policy-handbook//review register//EN"


def register_entry(review: PolicyReview) -> dict[str, Any]:
    """One policy's line of the register, in the documented JSON shape."""
    policy = review.policy
    return {
        "id": policy.id,
        "number": policy.number,
        "title": policy.title,
        "owner": owner_label(policy),
        "status": review.status.value,
        "last_reviewed": _iso(review.last_reviewed),
        "next_review": _iso(review.next_review),
        # Unchecked policies (drafts, retired) have no meaningful lateness.
        "days_overdue": max(review.days_overdue, 0) if review.checked else None,
    }


def register(report: ReviewReport) -> dict[str, Any]:
    """The register: the review day and every policy, most urgent first."""
    return {
        "today": report.today.isoformat(),
        "policies": [register_entry(review) for review in report.reviews],
    }


def register_json(report: ReviewReport) -> str:
    """The register as JSON text, ending in a newline."""
    return json.dumps(register(report), indent=2, ensure_ascii=False) + "\n"


def calendar_host(site_url: str | None) -> str:
    """The host part of event UIDs: the site's host name, or 'handbook' when no URL is set."""
    host = urlsplit(site_url).hostname if site_url else None
    return host or "handbook"


def review_calendar(handbook: Handbook, report: ReviewReport, site_url: str | None) -> bytes:
    """An iCalendar feed: one all-day event per checked policy on its next review date."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    name = f"{handbook.settings.title}: policy reviews"
    calendar.add("x-wr-calname", name)
    calendar.add("name", name)
    calendar.add("x-wr-timezone", handbook.settings.timezone)
    # DTSTAMP must be a UTC date-time; the review day (itself from --today or SOURCE_DATE_EPOCH
    # when set) keeps the file reproducible where the wall clock would not.
    stamp = dt.datetime.combine(report.today, dt.time(0, 0), tzinfo=dt.UTC)
    host = calendar_host(site_url)
    base = site_url if site_url is None or site_url.endswith("/") else f"{site_url}/"
    for review in report.checked():
        if review.next_review is None:
            continue
        policy = review.policy
        owner = owner_label(policy)
        label = f"{policy.number} {policy.title}" if policy.number else policy.title
        event = icalendar.Event()
        # A stable UID lets a subscribed calendar move the event when the date changes
        # instead of adding a second one.
        event.add("uid", f"{policy.id}-review@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", review.next_review)
        event.add("dtend", review.next_review + dt.timedelta(days=1))
        event.add("summary", f"Policy review due: {label} ({owner})")
        lines = [
            f"Annual review of {label} is due {review.next_review.isoformat()}.",
            f"Owner: {owner}.",
        ]
        if policy.owner.email:
            lines.append(f"Email: {policy.owner.email}")
        if review.last_reviewed:
            lines.append(f"Last reviewed {review.last_reviewed.isoformat()}.")
        else:
            lines.append("Not reviewed since it entered the handbook.")
        lines.append(f"Record the review with: handbook reviewed {policy.id}")
        event.add("description", "\n".join(lines))
        event.add("categories", ["Policy review"])
        event.add("transp", "TRANSPARENT")  # A reminder, not a meeting: it blocks no time.
        if base is not None:
            event.add("url", urljoin(base, f"{policy.id}/"))
        calendar.add_component(event)
    return bytes(calendar.to_ical())


def write_register(
    handbook: Handbook, report: ReviewReport, folder: Path, site_url: str | None
) -> None:
    """Write `reviews.json` and `reviews.ics` into the build folder `folder`."""
    (folder / JSON_NAME).write_text(register_json(report), encoding="utf-8")
    (folder / ICS_NAME).write_bytes(review_calendar(handbook, report, site_url))


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None
