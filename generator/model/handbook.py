"""The Handbook: every policy and the settings, read once from `policies/` and checked as a whole.

`load_handbook` reads each file through `..load`, validates it, then runs the rules that span
files (unique ids, numbers and titles, links that resolve, placeholders left by `handbook new`).
"""

from __future__ import annotations

import dataclasses
import difflib
import re
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from ..errors import ErrorList, SourceError, format_path
from ..load import PLACEHOLDER, read_source
from .policy import Policy, StandardGroup, Status
from .settings import RETIRED_SETTINGS, Settings
from .validate import _validate, site_path

HANDBOOK_FILE = "handbook.yaml"


@dataclass(frozen=True)
class Origin:
    """Where a policy came from: its file and the line of each field, for later errors."""

    path: str
    lines: Mapping[tuple[str | int, ...], int]

    def line_of(self, *path: str | int) -> int:
        """The line of a field path, or of its nearest ancestor that has one."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(tuple(path[:end]))
            if line is not None:
                return line
        return 1

    def error(self, message: str, *path: str | int) -> SourceError:
        """A source error located at a field of this file."""
        return SourceError(self.path, self.line_of(*path), format_path(path), message)


@dataclass(frozen=True)
class Handbook:
    """Every validated fact of the handbook; later stages read only this."""

    root: Path
    settings: Settings
    policies: tuple[Policy, ...]
    origins: Mapping[str, Origin]
    settings_origin: Origin
    # ---- drafts (issue 23): a draft's problems, which do not stop the build. Its file is left
    # out of the model until they are fixed; they become errors once its status is active.
    warnings: tuple[SourceError, ...] = ()

    def policy(self, policy_id: str) -> Policy:
        """The policy with this id."""
        for policy in self.policies:
            if policy.id == policy_id:
                return policy
        raise KeyError(policy_id)

    def categories(self) -> list[str]:
        """Category names in handbook order: those listed in handbook.yaml first."""
        names = [category.name for category in self.settings.categories]
        for policy in self.policies:
            if policy.category not in names:
                names.append(policy.category)
        return names


def _cross_checks(
    policies: list[tuple[Policy, Origin]],
    settings: Settings,
    errors: ErrorList,
    invalid_ids: frozenset[str] = frozenset(),
    link_free: frozenset[str] = frozenset(),
) -> None:
    """Rules that span files: unique ids and numbers, ids match file names, links resolve.

    `link_free` names the files whose source text holds no `policy:` and no placeholder at all;
    walking every text of those policies for either would find none, and on a large handbook it
    is costly.
    """
    by_id: dict[str, Origin] = {}
    by_number: dict[str, Origin] = {}
    by_title: dict[str, Origin] = {}
    # Drafts last: a draft that repeats a published policy's id or number is the one told so,
    # and a draft never blocks the build.
    for policy, origin in sorted(policies, key=lambda pair: pair[0].status is Status.DRAFT):
        # Published policies only: a retired policy may share its successor's title.
        title_key = policy.title.casefold() if policy.status is Status.ACTIVE else None
        if title_key is None:
            pass
        elif title_key in by_title:
            other = by_title[title_key].path
            errors.extend(
                [
                    origin.error(
                        f"title '{policy.title}' is also used by {other}; readers could not "
                        "tell the two policies apart",
                        "title",
                    )
                ]
            )
        else:
            by_title[title_key] = origin
        stem = Path(origin.path).stem
        if policy.id != stem:
            errors.extend(
                [origin.error(f"id '{policy.id}' must equal the file name '{stem}'", "id")]
            )
        if policy.id in by_id:
            errors.extend(
                [origin.error(f"id '{policy.id}' is also used by {by_id[policy.id].path}", "id")]
            )
        else:
            by_id[policy.id] = origin
        if policy.number is not None:
            if policy.number in by_number:
                other = by_number[policy.number].path
                errors.extend(
                    [origin.error(f"number '{policy.number}' is also used by {other}", "number")]
                )
            else:
                by_number[policy.number] = origin
    # A policy whose file has errors still exists: links to it are not errors of their own.
    known = {policy.id for policy, _ in policies} | invalid_ids
    for policy, origin in policies:
        groups = [
            len(e.standards) if isinstance(e, StandardGroup) else None for e in policy.standards
        ]
        for index, related in enumerate(policy.related):
            if related not in known:
                errors.extend([origin.error(_unknown_policy(related, known), "related", index)])
        for field_path, text in () if origin.path in link_free else field_texts(policy):
            for target in re.findall(r"\]\(\s*policy:([^)\s#]*)", text):
                if target not in known:
                    errors.extend(
                        [_located(origin, groups, _unknown_policy(target, known), field_path)]
                    )
            # ---- `handbook new` (issue 12): its placeholders stay errors until filled in.
            if text.startswith(PLACEHOLDER):
                problem = f"still a placeholder; {text[len(PLACEHOLDER) :].strip()}"
                errors.extend([_located(origin, groups, problem, field_path)])
        cycle = policy.review.cycle_months
        if cycle is not None and not 1 <= cycle <= 60:
            errors.extend(
                [
                    origin.error(
                        f"review cycle must be 1 to 60 months, got {cycle}",
                        "review",
                        "cycle_months",
                    )
                ]
            )


def _located(
    origin: Origin, groups: list[int | None], problem: str, field_path: tuple[str | int, ...]
) -> SourceError:
    """An error at a field, a standard named as the site numbers it (as validation does)."""
    line = origin.line_of(*field_path)
    return SourceError(origin.path, line, site_path(field_path, groups), problem)


def _unknown_policy(target: str, known: set[str]) -> str:
    close = difflib.get_close_matches(target, sorted(known), n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return f"no policy with id '{target}'{hint}"


def field_texts(
    value: Any, path: tuple[str | int, ...] = ()
) -> list[tuple[tuple[str | int, ...], str]]:
    """Every string in a model with its field path, to locate a text in its source file."""
    found: list[tuple[tuple[str | int, ...], str]] = []
    if isinstance(value, str):
        found.append((path, value))
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            found.extend(field_texts(getattr(value, name), (*path, name)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.extend(field_texts(item, (*path, index)))
    return found


def load_handbook(root: Path, *, strict_drafts: bool = False, stored: bool = False) -> Handbook:
    """Read `policies/` under `root` once, validate everything, and return the Handbook.

    Raises `BuildFailed` with every error of every file when anything is wrong. A draft's
    problems (placeholders, bad fields) are the Handbook's `warnings` instead, and the draft is
    left out, unless `strict_drafts`; a file YAML cannot read is an error even in a draft. A
    `stored` edition's handbook.yaml is read without the fields since retired (RETIRED_SETTINGS).
    """
    errors = ErrorList()
    policies_dir = root / "policies"
    settings_path = policies_dir / HANDBOOK_FILE
    display = f"policies/{HANDBOOK_FILE}"
    settings: Settings | None = None
    settings_origin = Origin(display, {})
    if not policies_dir.is_dir():
        errors.add("policies", 0, "", f"no policies/ folder in {root}")
        errors.raise_if_any()
    loaded, load_errors = read_source(settings_path, display)
    errors.extend(load_errors)
    if loaded is not None and stored and isinstance(loaded.data, dict):
        kept = {k: v for k, v in loaded.data.items() if k not in RETIRED_SETTINGS}
        loaded = dataclasses.replace(loaded, data=kept)
    if loaded is not None:
        settings_origin = Origin(display, loaded.lines)
        validated = _validate(Settings, loaded, errors)
        if isinstance(validated, Settings):
            settings = validated
            _check_settings(settings, settings_origin, errors)
    policies: list[tuple[Policy, Origin]] = []
    invalid_ids: set[str] = set()
    link_free: set[str] = set()
    drafts: set[str] = set()
    for path in sorted(policies_dir.glob("*.yaml")) + sorted(policies_dir.glob("*.yml")):
        if path.name == HANDBOOK_FILE:
            continue
        display = f"policies/{path.name}"
        if path.suffix == ".yml":
            errors.add(display, 0, "", "policy files end in .yaml; rename the file")
            continue
        loaded, load_errors = read_source(path, display)
        errors.extend(load_errors)
        if loaded is None:
            invalid_ids.add(path.stem)
            continue
        if isinstance(loaded.data, dict) and loaded.data.get("status") == Status.DRAFT.value:
            drafts.add(display)
        policy = _validate(Policy, loaded, errors)
        if not isinstance(policy, Policy) and isinstance(loaded.data, dict):
            claimed = loaded.data.get("id")
            invalid_ids.add(claimed if isinstance(claimed, str) else path.stem)
        if isinstance(policy, Policy):
            policies.append((policy, Origin(display, loaded.lines)))
            if not loaded.may_link_policies:
                link_free.add(display)
    if settings is not None:
        _cross_checks(policies, settings, errors, frozenset(invalid_ids), frozenset(link_free))
    warnings: list[SourceError] = []
    if not strict_drafts and drafts:
        warnings = [error for error in errors if error.path in drafts]
        errors = ErrorList([error for error in errors if error.path not in drafts])
        unfinished = {warning.path for warning in warnings}
        policies = [pair for pair in policies if pair[1].path not in unfinished]
    errors.raise_if_any()
    assert settings is not None
    ordered = sorted(policies, key=lambda pair: _sort_key(pair[0], settings))
    return Handbook(
        root=root,
        settings=settings,
        policies=tuple(policy for policy, _ in ordered),
        origins={policy.id: origin for policy, origin in ordered},
        settings_origin=settings_origin,
        warnings=tuple(sorted(set(warnings))),
    )


def _sort_key(policy: Policy, settings: Settings) -> tuple[int, str, str, str]:
    order = [category.name for category in settings.categories]
    rank = order.index(policy.category) if policy.category in order else len(order)
    return (rank, policy.category, policy.number or "~", policy.title)


def _check_settings(settings: Settings, origin: Origin, errors: ErrorList) -> None:
    try:
        zoneinfo.ZoneInfo(settings.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        errors.extend(
            [
                origin.error(
                    f"unknown time zone '{settings.timezone}' (e.g. America/Los_Angeles)",
                    "timezone",
                )
            ]
        )
    cycle = settings.review.cycle_months
    if not 1 <= cycle <= 60:
        errors.extend(
            [
                origin.error(
                    f"review cycle must be 1 to 60 months, got {cycle}", "review", "cycle_months"
                )
            ]
        )
    if settings.review.due_soon_days < 0:
        errors.extend([origin.error("due_soon_days must be 0 or more", "review", "due_soon_days")])
