"""Which published versions must be acknowledged, and by whom (issue 26). Pure: takes the
editions, returns facts; no I/O and no person's name, so the site can show that a version needs
acknowledging without ever reading the roster.

A policy new in an edition, or substantively revised in it, requires an acknowledgement from the
people it applies to (its `acknowledge` field: everyone by default, some departments, or none).
An editorial revision or a review never does: that is `changes.compare`'s classification, reused.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass

from .changes import ChangeKind, Edition, compare
from .model import Policy, Revision, Status


@dataclass(frozen=True)
class Requirement:
    """One policy an edition requires acknowledged: its version then, and who must sign."""

    edition: str
    edition_date: dt.date
    sequence: int
    """The edition's place in the history, from 1."""
    policy_id: str
    title: str
    number: str | None
    version: str | None
    departments: tuple[str, ...] | None
    """The departments that must sign; None for everyone."""
    entries: tuple[Revision, ...]
    """The revision history entries that made this version (what changed)."""
    added: bool

    def applies_to(self, department: str) -> bool:
        """Whether someone of `department` must acknowledge it."""
        return self.departments is None or department in self.departments


def _scope(policy: Policy) -> tuple[str, ...] | str | None:
    if policy.acknowledge is None:
        return None
    if not policy.acknowledge:
        return "none"  # `acknowledge: none`, kept as the empty list
    return tuple(policy.acknowledge)


def edition_requirements(history: Sequence[Edition]) -> list[Requirement]:
    """Every requirement of every edition, oldest edition first, policies in handbook order.

    The first edition requires every policy it publishes (all are new). An edition whose
    sources cannot be read back, or whose predecessor's cannot, requires nothing that can be
    shown, and is skipped.
    """
    out: list[Requirement] = []
    for index, edition in enumerate(history):
        if edition.handbook is None:
            continue
        if index == 0:
            kinds = {
                p.id: ChangeKind.ADDED
                for p in edition.handbook.policies
                if p.status is Status.ACTIVE
            }
            entries: dict[str, tuple[Revision, ...]] = {
                p.id: tuple(p.revision_history[-1:]) for p in edition.handbook.policies
            }
        else:
            before = history[index - 1].handbook
            if before is None:
                continue
            changes = compare(before, edition.handbook, history[index - 1].name, edition.name)
            kinds = {change.policy_id: change.kind for change in changes.policies}
            entries = {change.policy_id: tuple(change.entries) for change in changes.policies}
        for policy_id, kind in kinds.items():
            if kind not in (ChangeKind.ADDED, ChangeKind.SUBSTANTIVE):
                continue
            policy = edition.published_policy(policy_id)
            if policy is None:
                continue
            scope = _scope(policy)
            if scope == "none":
                continue
            out.append(
                Requirement(
                    edition=edition.name,
                    edition_date=edition.date,
                    sequence=index + 1,
                    policy_id=policy.id,
                    title=policy.title,
                    number=policy.number,
                    version=policy.version,
                    departments=scope if isinstance(scope, tuple) else None,
                    entries=entries.get(policy_id, ()),
                    added=kind is ChangeKind.ADDED,
                )
            )
    order = {p.id: i for e in history if e.handbook for i, p in enumerate(e.handbook.policies)}
    return sorted(out, key=lambda r: (r.sequence, order.get(r.policy_id, 0)))


def current_requirements(history: Sequence[Edition]) -> dict[str, Requirement]:
    """Per policy still published in the latest edition, the requirement that stands now: the
    latest edition that made it new or substantively revised it. Its department scope is the
    latest edition's, so narrowing or widening `acknowledge` takes effect when published."""
    if not history or history[-1].handbook is None:
        return {}
    latest = history[-1]
    standing: dict[str, Requirement] = {}
    for requirement in edition_requirements(history):
        standing[requirement.policy_id] = requirement
    out: dict[str, Requirement] = {}
    for policy_id, requirement in standing.items():
        policy = latest.published_policy(policy_id)
        if policy is None:
            continue
        scope = _scope(policy)
        if scope == "none":
            continue
        out[policy_id] = dataclasses.replace(
            requirement,
            title=policy.title,
            number=policy.number,
            # The version in force (an editorial 2.1 after the 2.0 that was signed for).
            version=policy.version,
            departments=scope if isinstance(scope, tuple) else None,
        )
    return out


def acknowledge_link(template: str, requirement: Requirement) -> str:
    """The form's address for one requirement, each placeholder filled in URL-quoted."""
    values = {
        "edition": requirement.edition,
        "policy": requirement.policy_id,
        "version": requirement.version or "",
    }
    out = template
    for name, value in values.items():
        out = out.replace("{" + name + "}", urllib.parse.quote(value, safe=""))
    return out
