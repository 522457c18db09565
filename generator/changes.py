"""What changed between two states of the handbook: the sources against an edition, or one
edition against the one before. Pure: takes validated models, returns facts; no I/O.

Also the rule that no policy changes silently: content that differs from the latest edition
needs a revision_history entry that the edition does not have. It is one piece: the
comparison, the versions and the silent-edit rule walk the same pairs of fields.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from .editions import Manifest
from .errors import SourceError
from .model import (
    Handbook,
    Policy,
    Revision,
    RevisionKind,
    StandardGroup,
    Status,
    Strict,
    Target,
)
from .redline import Segment, redline


@dataclass(frozen=True)
class Edition:
    """A published edition with its sources read back as a model.

    `handbook` is None when the stored sources no longer validate (the schema changed since);
    `problem` then says why, and readers get the PDFs as published. `manifest` is None for the
    edition being published by this very build.
    """

    name: str
    date: dt.date
    summary: str
    handbook: Handbook | None
    manifest: Manifest | None = None
    problem: str | None = None

    @property
    def pdf_folder(self) -> Path | None:
        """Where this edition's PDFs as published are kept (None: this build makes them)."""
        return self.manifest.folder / "pdf" if self.manifest else None

    @property
    def counts(self) -> dict[str, int]:
        """Policies published, drafts and retired in this edition."""
        if self.manifest is not None:
            return self.manifest.counts
        assert self.handbook is not None
        return policy_counts(self.handbook)

    def published_policy(self, policy_id: str) -> Policy | None:
        """The policy as this edition published it (active), or None."""
        if self.handbook is None:
            return None
        policy = next((p for p in self.handbook.policies if p.id == policy_id), None)
        return policy if policy is not None and policy.status is Status.ACTIVE else None

    def published_ids(self) -> list[str]:
        """Ids of the policies this edition published, in handbook order."""
        if self.handbook is not None:
            return [p.id for p in self.handbook.policies if p.status is Status.ACTIVE]
        assert self.manifest is not None
        return [entry.id for entry in self.manifest.policies if entry.status == "active"]


def policy_counts(handbook: Handbook) -> dict[str, int]:
    """How many policies are published (active), drafts and retired."""
    statuses = [policy.status for policy in handbook.policies]
    return {
        "published": statuses.count(Status.ACTIVE),
        "drafts": statuses.count(Status.DRAFT),
        "retired": statuses.count(Status.RETIRED),
    }


class ChangeKind(StrEnum):
    """How a policy changed between two states, in the order a reader wants them."""

    ADDED = "added"
    RETIRED = "retired"
    SUBSTANTIVE = "substantive"
    EDITORIAL = "editorial"
    REVIEWED = "reviewed"


CHANGE_HEADINGS = {
    ChangeKind.ADDED: "New policies",
    ChangeKind.RETIRED: "Retired policies",
    ChangeKind.SUBSTANTIVE: "Substantively revised",
    ChangeKind.EDITORIAL: "Editorially revised",
    ChangeKind.REVIEWED: "Reviewed without change",
}


@dataclass(frozen=True)
class FieldChange:
    """One field that changed, named as a reader says it, with its word-level redline."""

    label: str
    segments: list[Segment]


@dataclass(frozen=True)
class PolicyChange:
    """One policy's change: its kind, the new history entries and the changed fields."""

    policy_id: str
    title: str
    kind: ChangeKind
    entries: list[Revision]
    fields: list[FieldChange] = field(default_factory=list)
    version: str | None = None
    # An added or retired policy is listed, not redlined (issue 23): its number and summary
    # say what it is, in a line each however many policies an edition adds.
    number: str | None = None
    summary: str | None = None

    @property
    def listed(self) -> bool:
        """True for a policy listed by title, number, version and summary, not redlined."""
        return self.kind in (ChangeKind.ADDED, ChangeKind.RETIRED)


@dataclass(frozen=True)
class Changes:
    """Everything that changed from `old_name` (None: nothing published before) to `new_name`."""

    old_name: str | None
    new_name: str | None
    policies: list[PolicyChange]

    def of_kind(self, kind: ChangeKind) -> list[PolicyChange]:
        """The changed policies of one kind, in handbook order."""
        return [change for change in self.policies if change.kind is kind]

    def groups(self) -> list[tuple[str, str, list[PolicyChange]]]:
        """(heading, kind, changes) for each kind that has any, in reading order."""
        return [
            (CHANGE_HEADINGS[kind], kind.value, self.of_kind(kind))
            for kind in ChangeKind
            if self.of_kind(kind)
        ]

    def summary(self) -> str:
        """One line: '1 substantively revised, 2 reviewed' or 'no changes'."""
        words = {
            ChangeKind.ADDED: "added",
            ChangeKind.RETIRED: "retired",
            ChangeKind.SUBSTANTIVE: "substantively revised",
            ChangeKind.EDITORIAL: "editorially revised",
            ChangeKind.REVIEWED: "reviewed without change",
        }
        parts = [f"{len(self.of_kind(k))} {words[k]}" for k in ChangeKind if self.of_kind(k)]
        return ", ".join(parts) if parts else "no changes"


# ---- fields as a reader names them

_SKIPPED = {"revision_history", "last_reviewed", "review", "acknowledge"}
"""The record of changes and reviews (a recorded review may drop `review.next_due`), and who
must acknowledge it (issue 26): not what the policy says."""


def _humanize(name: str) -> str:
    return name.replace("_", " ").capitalize()


_MARKDOWN_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_MARKDOWN_EMPHASIS = re.compile(r"\*\*|__|\*|`")


def _leaf(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, Target):
        return value.words()
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, str):
        # A redline compares what a reader reads: link text and words, not Markdown syntax.
        return _MARKDOWN_EMPHASIS.sub("", _MARKDOWN_LINK.sub(r"\1", value))
    return str(value)


def _walk(value: Any, label: str, out: dict[str, str]) -> None:
    if isinstance(value, Target) or not isinstance(value, Strict | list):
        text = _leaf(value)
        if text is not None and text != "":
            out[label] = text
        return
    if isinstance(value, list):
        for index, item in enumerate(value, start=1):
            _walk(item, f"{label} {index}" if label else str(index), out)
        return
    for name in type(value).model_fields:
        _walk(getattr(value, name), f"{label}, {_humanize(name).lower()}", out)


def reader_fields(policy: Policy) -> dict[str, str]:
    """Every field of a policy as text, keyed by the name a reader gives it, in page order:
    'Summary', 'Standard 8, target', 'Telephone contact, guideline 2, why'."""
    out: dict[str, str] = {}
    for name in type(policy).model_fields:
        if name in _SKIPPED:
            continue
        value = getattr(policy, name)
        if name == "standards":
            number = 0
            for entry in value:
                members = entry.standards if isinstance(entry, StandardGroup) else [entry]
                for standard in members:
                    number += 1
                    _walk(standard, f"Standard {number}", out)
        elif name == "guidelines":
            for group in value:
                _walk(group.title, f"{group.title}, heading", out)
                _walk(group.intro, f"{group.title}, introduction", out)
                for index, item in enumerate(group.items, start=1):
                    _walk(item, f"{group.title}, guideline {index}", out)
        elif name == "procedures":
            for procedure in value:
                _walk(procedure.intro, f"{procedure.title}, introduction", out)
                for index, step in enumerate(procedure.steps, start=1):
                    _walk(step, f"{procedure.title}, step {index}", out)
        elif name == "definitions":
            for definition in value:
                _walk(definition.meaning, f"Definition of {definition.term}", out)
        elif name == "principles":
            for index, principle in enumerate(value, start=1):
                _walk(principle, f"Principle {index}", out)
        elif isinstance(value, list):
            singular = _humanize(name).rstrip("s") if name.endswith("s") else _humanize(name)
            for index, item in enumerate(value, start=1):
                _walk(item, f"{singular} {index}", out)
        elif isinstance(value, Strict) and not isinstance(value, Target):
            for sub in type(value).model_fields:
                _walk(getattr(value, sub), f"{_humanize(name)}, {_humanize(sub).lower()}", out)
        else:
            _walk(value, _humanize(name), out)
    # A label that only tidied the walk (", text" of a principle given as plain text) reads
    # better without its last part.
    return {label.replace(", text", ""): text for label, text in out.items()}


def reader_label(policy: Policy, path: tuple[str | int, ...]) -> str:
    """A field path named as the site names it: ("standards", 1, "standards", 3, "target",
    "within") is 'standard 8, target', never the position in nested lists."""
    if not path:
        return ""
    name, rest = path[0], path[1:]
    value = getattr(policy, str(name), None)

    def sub(parts: tuple[str | int, ...]) -> str:
        # The first field below the item: 'target' of a standard, 'why' of a guideline.
        named = next((part for part in parts if isinstance(part, str)), None)
        return f", {_humanize(named).lower()}" if named not in (None, "text") else ""

    if not rest or not isinstance(value, list) or not isinstance(rest[0], int):
        return _humanize(str(name)).lower() + sub(rest)
    index, rest = rest[0], rest[1:]
    if index >= len(value):
        return _humanize(str(name)).lower()
    item = value[index]
    if name == "standards":
        number = sum(
            len(entry.standards) if isinstance(entry, StandardGroup) else 1
            for entry in value[:index]
        )
        if isinstance(item, StandardGroup):
            if len(rest) >= 2 and rest[0] == "standards" and isinstance(rest[1], int):
                return f"standard {number + rest[1] + 1}{sub(rest[2:])}"
            return f"standards under '{item.title}'{sub(rest)}"
        return f"standard {number + 1}{sub(rest)}"
    if name in ("guidelines", "procedures"):
        kind = "guideline" if name == "guidelines" else "step"
        members = "items" if name == "guidelines" else "steps"
        if len(rest) >= 2 and rest[0] == members and isinstance(rest[1], int):
            return f"{item.title}, {kind} {rest[1] + 1}{sub(rest[2:])}"
        part = {"title": "heading", "intro": "introduction"}.get(str(rest[0]) if rest else "")
        return f"{item.title}, {part}" if part else str(item.title)
    if name == "definitions":
        return f"definition of {item.term}"
    singular = str(name)[:-1] if str(name).endswith("s") else str(name)
    return f"{_humanize(singular).lower()} {index + 1}{sub(rest)}"


def field_changes(old: Policy | None, new: Policy | None) -> list[FieldChange]:
    """Every field whose text differs, in page order, with a word-level redline."""
    before = reader_fields(old) if old else {}
    after = reader_fields(new) if new else {}
    labels = list(after) + [label for label in before if label not in after]
    return [
        FieldChange(label, redline(before.get(label, ""), after.get(label, "")))
        for label in labels
        if before.get(label) != after.get(label)
    ]


def _entry_key(entry: Revision) -> tuple[dt.date, str, str]:
    return (entry.date, entry.kind.value, entry.summary)


def new_entries(old: Policy, new: Policy) -> list[Revision]:
    """The revision_history entries of `new` that `old` does not have."""
    known = {_entry_key(entry) for entry in old.revision_history}
    return [entry for entry in new.revision_history if _entry_key(entry) not in known]


def _content(policy: Policy) -> dict[str, Any]:
    # The models themselves, not a dump: frozen pydantic models compare field by field, and
    # dumping the tagged unions of standards makes pydantic warn.
    return {
        name: getattr(policy, name) for name in type(policy).model_fields if name not in _SKIPPED
    }


def compare(
    old: Handbook | None, new: Handbook, old_name: str | None, new_name: str | None
) -> Changes:
    """What changed from `old` (an edition, or None) to `new`, policy by policy."""
    old_policies = {p.id: p for p in old.policies} if old else {}
    new_ids = {p.id for p in new.policies}
    changes: list[PolicyChange] = []
    if old is None:
        return Changes(old_name, new_name, [])
    for policy in new.policies:
        before = old_policies.get(policy.id)
        was_published = before is not None and before.status is Status.ACTIVE
        if policy.status is Status.ACTIVE and not was_published:
            changes.append(
                PolicyChange(
                    policy.id,
                    policy.title,
                    ChangeKind.ADDED,
                    [],
                    [],
                    policy.version,
                    policy.number,
                    policy.summary,
                )
            )
        elif policy.status is not Status.ACTIVE and was_published:
            assert before is not None
            entries = new_entries(before, policy)
            changes.append(
                PolicyChange(
                    policy.id,
                    policy.title,
                    ChangeKind.RETIRED,
                    entries,
                    [],
                    before.version,
                    policy.number,
                    policy.summary,
                )
            )
        elif before is not None and policy.status is Status.ACTIVE:
            entries = new_entries(before, policy)
            kinds = {entry.kind for entry in entries}
            differs = _content(before) != _content(policy)
            if RevisionKind.SUBSTANTIVE in kinds:
                kind = ChangeKind.SUBSTANTIVE
            elif RevisionKind.EDITORIAL in kinds or differs:
                kind = ChangeKind.EDITORIAL
            elif RevisionKind.REVIEW in kinds:
                kind = ChangeKind.REVIEWED
            else:
                continue
            fields = field_changes(before, policy) if kind is not ChangeKind.REVIEWED else []
            changes.append(
                PolicyChange(policy.id, policy.title, kind, entries, fields, policy.version)
            )
    for policy_id, before in old_policies.items():
        if policy_id not in new_ids and before.status is Status.ACTIVE:
            changes.append(
                PolicyChange(
                    policy_id,
                    before.title,
                    ChangeKind.RETIRED,
                    [],
                    [],
                    before.version,
                    before.number,
                    before.summary,
                )
            )
    return Changes(old_name, new_name, changes)


def empty_edition(history: tuple[Edition, ...]) -> str | None:
    """Why the edition being published (the last of `history`) would record no change since
    the stored one before it, or None when it records one (or there is nothing to compare)."""
    if len(history) < 2:
        return None
    latest, new = history[-2], history[-1]
    if latest.handbook is None or new.handbook is None:
        return None
    if compare(latest.handbook, new.handbook, latest.name, new.name).policies:
        return None
    return (
        f"nothing changed since edition '{latest.name}' of {latest.date}: no policy was added, "
        "retired or revised and no review was recorded, so this edition would record a change "
        "that was never made"
    )


def unexplained_changes(current: Handbook, latest: Edition) -> list[SourceError]:
    """Policies whose content differs from `latest` without a new revision_history entry, each
    at the first changed field's line, naming the edition and the entry to add."""
    if latest.handbook is None:
        return []
    errors = []
    before_by_id = {p.id: p for p in latest.handbook.policies}
    for policy in current.policies:
        before = before_by_id.get(policy.id)
        if before is None:
            continue
        entries = new_entries(before, policy)
        content_changed = _content(before) != _content(policy)
        revised = any(entry.kind is not RevisionKind.REVIEW for entry in entries)
        if not content_changed or revised:
            continue
        if policy == before:
            continue
        path = _first_difference(_content(before), _content(policy))
        origin = current.origins[policy.id]
        shown = reader_label(policy, path) or "revision_history"
        hint = (
            "add a revision_history entry for it: "
            "- {date: YYYY-MM-DD, kind: substantive or editorial, summary: what changed}"
        )
        what = "a review entry does not explain it; " if entries else ""
        errors.append(
            SourceError(
                origin.path,
                origin.line_of(*path),
                shown,
                f"changed since edition '{latest.name}' of {latest.date} with no new revision "
                f"history entry; {what}{hint}",
            )
        )
    return errors


def _first_difference(
    old: Any, new: Any, path: tuple[str | int, ...] = ()
) -> tuple[str | int, ...]:
    """The path of the first value that differs between two versions of a policy's fields."""
    if isinstance(old, Strict) and isinstance(new, Strict) and type(old) is type(new):
        old = {name: getattr(old, name) for name in type(old).model_fields}
        new = {name: getattr(new, name) for name in type(new).model_fields}
    if isinstance(old, dict) and isinstance(new, dict):
        for key in list(new) + [k for k in old if k not in new]:
            if old.get(key) != new.get(key):
                return _first_difference(old.get(key), new.get(key), (*path, key))
        return path
    if isinstance(old, list) and isinstance(new, list):
        for index in range(max(len(old), len(new))):
            a = old[index] if index < len(old) else None
            b = new[index] if index < len(new) else None
            if a != b:
                return _first_difference(a, b, (*path, index))
        return path
    return path


# ---- versions of one policy across editions


@dataclass(frozen=True)
class PolicyVersion:
    """A policy as one edition first published it, and how long it stood."""

    edition: Edition
    policy: Policy | None
    title: str
    version: str | None
    in_force_from: dt.date
    in_force_to: dt.date | None
    """The date of the edition that replaced or retired it; None while it stands."""
    previous: PolicyVersion | None = None
    pdf_name: str | None = None


def policy_versions(history: list[Edition], policy_id: str) -> list[PolicyVersion]:
    """Each distinct published version of a policy, oldest first: one per edition in which the
    policy first appeared or its content changed."""
    versions: list[PolicyVersion] = []
    last_dump: Any = None
    for edition in history:
        if edition.handbook is None:
            entry = edition.manifest.policy(policy_id) if edition.manifest else None
            if entry is None or entry.status != "active":
                _close(versions, edition.date)
                last_dump = None
                continue
            # The sources cannot be compared: the stored version stands on its own.
            _close(versions, edition.date)
            versions.append(
                PolicyVersion(
                    edition,
                    None,
                    entry.title,
                    entry.version,
                    edition.date,
                    None,
                    versions[-1] if versions else None,
                    Path(entry.pdf).name if entry.pdf else None,
                )
            )
            last_dump = ("unreadable", edition.name)
            continue
        policy = edition.published_policy(policy_id)
        if policy is None:
            _close(versions, edition.date)
            last_dump = None
            continue
        dump = _content(policy)
        if dump == last_dump:
            continue
        _close(versions, edition.date)
        versions.append(
            PolicyVersion(
                edition,
                policy,
                policy.title,
                policy.version,
                edition.date,
                None,
                versions[-1] if versions else None,
                f"{policy.id}.pdf",
            )
        )
        last_dump = dump
    return versions


def _close(versions: list[PolicyVersion], day: dt.date) -> None:
    if versions and versions[-1].in_force_to is None:
        last = versions[-1]
        versions[-1] = PolicyVersion(
            last.edition,
            last.policy,
            last.title,
            last.version,
            last.in_force_from,
            day,
            last.previous,
            last.pdf_name,
        )
