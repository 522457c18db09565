"""Who has acknowledged what: each person's required acknowledgements, each with its status
(acknowledged, outstanding, overdue, outdated), the summary, the exit gate and the JSON for an
HR system. Pure: takes the roster, the editions and the register; no I/O."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from ..changes import Edition
from ..obligations import Requirement, current_requirements, edition_requirements
from .register import Record
from .roster import Person, Roster


class AckStatus(StrEnum):
    """Where one person stands with one policy's current version."""

    ACKNOWLEDGED = "acknowledged"
    OUTSTANDING = "outstanding"
    OVERDUE = "overdue"
    OUTDATED = "outdated"
    """They signed an earlier version; it has since been substantively revised."""


@dataclass(frozen=True)
class AckEntry:
    """One person and one policy that requires their acknowledgement now."""

    person: Person
    requirement: Requirement
    status: AckStatus
    due: dt.date
    signed: dt.date | None
    past_due: bool
    """The days allowed have run out on the report's day."""

    @property
    def late(self) -> bool:
        """Past its due date without a signature of this version."""
        return self.status is AckStatus.OVERDUE or (
            self.status is AckStatus.OUTDATED and self.past_due
        )


@dataclass(frozen=True)
class AckReport:
    """Every required acknowledgement on one day, by department and name."""

    today: dt.date
    within_days: int
    entries: list[AckEntry]

    def count(self, status: AckStatus) -> int:
        """How many entries have `status`."""
        return sum(1 for entry in self.entries if entry.status is status)

    def summary(self) -> str:
        """One line: how many are required of how many people, and in which state."""
        people = len({entry.person.id for entry in self.entries})
        parts = [f"{self.count(s)} {s.value}" for s in AckStatus]
        noun = "person" if people == 1 else "people"
        return f"{len(self.entries)} required of {people} {noun}: {', '.join(parts)}"

    def fails(self, fail_on: str) -> bool:
        """Whether `--fail-on` makes the command exit 1: `overdue` (an outdated signature past
        its due date counts), `outstanding` (anything not acknowledged), or `never`."""
        if fail_on == "never":
            return False
        if fail_on == "outstanding":
            return any(e.status is not AckStatus.ACKNOWLEDGED for e in self.entries)
        return any(e.late for e in self.entries)

    def as_json(self) -> str:
        """The register for an HR system: one row per person and policy required now."""
        rows = [
            {
                "person": e.person.id,
                "name": e.person.name,
                "department": e.person.department,
                "policy": e.requirement.policy_id,
                "version": e.requirement.version,
                "edition": e.requirement.edition,
                "status": e.status.value,
                "due": e.due.isoformat(),
                "signed": e.signed.isoformat() if e.signed else None,
            }
            for e in self.entries
        ]
        data = {"today": self.today.isoformat(), "acknowledgements": rows}
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"

    def text(self) -> str:
        """Per department, then per person, each required acknowledgement on one line."""
        lines: list[str] = []
        departments = sorted({e.person.department for e in self.entries}, key=str.casefold)
        for department in departments:
            members = [e for e in self.entries if e.person.department == department]
            people = len({e.person.id for e in members})
            counts = ", ".join(
                f"{n} {s.value}" for s in AckStatus if (n := sum(e.status is s for e in members))
            )
            noun = "person" if people == 1 else "people"
            lines.append(f"{department} ({people} {noun}): {counts}")
            current: str | None = None
            for entry in members:
                if entry.person.id != current:
                    current = entry.person.id
                    lines.append(f"  {entry.person.name} ({entry.person.id})")
                lines.append("    " + _entry_line(entry))
            lines.append("")
        return "\n".join(lines)


def _entry_line(entry: AckEntry) -> str:
    requirement = entry.requirement
    name = f"{requirement.number} {requirement.title}" if requirement.number else requirement.title
    version = f", version {requirement.version}" if requirement.version else ""
    if entry.status is AckStatus.ACKNOWLEDGED:
        state = f"acknowledged {entry.signed}"
    elif entry.status is AckStatus.OUTDATED:
        state = f"outdated: signed {entry.signed} for an earlier version; due {entry.due}"
    else:
        state = f"{entry.status.value}, due {entry.due}"
    return f"{name}{version} (edition {requirement.edition}): {state}"


def _covers(
    record: Record, person: Person, policy_id: str, required_in: dict[tuple[str, str], Requirement]
) -> bool:
    if record.person != person.id:
        return False
    if record.policy is not None:
        return record.policy == policy_id
    # A blank policy signs for what that edition required of the person's department.
    requirement = required_in.get((record.edition, policy_id))
    return requirement is not None and requirement.applies_to(person.department)


def acknowledgement_report(
    roster: Roster,
    history: Sequence[Edition],
    records: Sequence[Record],
    today: dt.date,
    within_days: int,
    department: str | None = None,
) -> AckReport:
    """Each person's required acknowledgements on `today`, by department, name and policy."""
    sequence = {edition.name: index + 1 for index, edition in enumerate(history)}
    required_in = {(r.edition, r.policy_id): r for r in edition_requirements(history)}
    standing = list(current_requirements(history).values())
    by_person: dict[str, list[Record]] = {}
    for record in records:
        by_person.setdefault(record.person, []).append(record)
    people = sorted(roster.people, key=lambda p: (p.department.casefold(), p.name.casefold(), p.id))
    entries: list[AckEntry] = []
    for person in people:
        if department is not None and person.department != department:
            continue
        if person.started is not None and person.started > today:
            continue  # Not yet started: nothing is owed before the first day.
        for requirement in standing:
            if not requirement.applies_to(person.department):
                continue
            start = requirement.edition_date
            if person.started is not None and person.started > start:
                start = person.started  # A new hire owes what is in force, from their start.
            due = start + dt.timedelta(days=within_days)
            covering = [
                r
                for r in by_person.get(person.id, [])
                if _covers(r, person, requirement.policy_id, required_in)
            ]
            signed = max((r.date for r in covering), default=None)
            if any(sequence.get(r.edition, 0) >= requirement.sequence for r in covering):
                status = AckStatus.ACKNOWLEDGED
            elif covering:
                status = AckStatus.OUTDATED
            elif today <= due:
                status = AckStatus.OUTSTANDING
            else:
                status = AckStatus.OVERDUE
            entries.append(AckEntry(person, requirement, status, due, signed, today > due))
    return AckReport(today, within_days, entries)
