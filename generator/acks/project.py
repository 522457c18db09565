"""Everything `handbook acks` and `handbook signoff` read, loaded and checked once: the handbook
and its editions (through the pipeline), the roster and the register. Every error of every file
is reported together, and nothing is counted or written while any remains."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ..changes import Edition
from ..errors import BuildFailed, SourceError
from ..model import Handbook, load_handbook
from ..prepare import load_history, resolve_today
from .register import Record, RegisterContext, load_register
from .roster import PEOPLE_CSV, Roster, load_roster


@dataclass(frozen=True)
class AckProject:
    """A project's handbook, editions, roster and register, all valid, and the day it is."""

    root: Path
    handbook: Handbook
    history: tuple[Edition, ...]
    roster: Roster
    records: list[Record]
    today: dt.date


def department_errors(handbook: Handbook, roster: Roster) -> list[SourceError]:
    """A policy's `acknowledge` naming a department no one in the roster works in."""
    known = roster.departments()
    errors = []
    for policy in handbook.policies:
        if not policy.acknowledge:
            continue
        origin = handbook.origins[policy.id]
        for index, name in enumerate(policy.acknowledge):
            if name not in known:
                errors.append(
                    SourceError(
                        origin.path,
                        origin.line_of("acknowledge", index),
                        f"acknowledge #{index + 1}",
                        f"no one in {PEOPLE_CSV} works in {name!r} "
                        f"(departments: {', '.join(known)})",
                    )
                )
    return errors


def load_ack_project(root: Path, today: dt.date | None, refusal: str) -> AckProject:
    """Load and check everything; raises `BuildFailed` ending with `refusal` when anything is
    wrong ("nothing was counted", "nothing was written")."""
    try:
        handbook = load_handbook(root)
        history = load_history(root)
    except BuildFailed as failure:
        raise BuildFailed(failure.errors, refusal) from None
    day = resolve_today(handbook, today)
    roster, errors = load_roster(root)
    records: list[Record] = []
    if not errors:
        # Checked against a roster with errors, every row of a person left out would be
        # reported a second time as unknown.
        errors += department_errors(handbook, roster)
        records, register_errors = load_register(root, RegisterContext(roster, history, day))
        errors += register_errors
    if errors:
        raise BuildFailed(sorted(set(errors)), refusal)
    return AckProject(root, handbook, history, roster, records, day)
