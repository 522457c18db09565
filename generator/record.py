"""Recording a review in a policy file, and starting a new one: the one place the generator
writes YAML.

Only this module knows ruamel.yaml. Its round-trip mode keeps the file's comments, key order,
quoting and layout, so the edit HR sees in a diff is the two facts recorded and nothing else;
its emitter quotes whatever a new policy's title holds (quotes, colons, `#`), where joining
strings by hand would not. Reading policies for the build stays in load.py; this module never
feeds the pipeline.
"""

from __future__ import annotations

import datetime as dt
import difflib
import io
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark
from ruamel.yaml.scalarstring import DoubleQuotedScalarString
from ruamel.yaml.tokens import CommentToken
from ruamel.yaml.util import load_yaml_guess_indent

from .errors import BuildFailed
from .load import PLACEHOLDER
from .model import Handbook, Policy, RevisionKind, Status, load_handbook

NO_CHANGE = "Reviewed, no change."
# Where new keys go: the model's field order, which is also the documented order.
FIELD_ORDER = list(Policy.model_fields)


class RecordRefused(Exception):
    """A review that cannot be recorded as asked (unknown id, future date ...)."""


@dataclass(frozen=True)
class Recorded:
    """What `record_review` changed."""

    path: Path
    policy_id: str
    on: dt.date
    summary: str
    dropped_next_due: dt.date | None
    layout_kept: bool


def check_request(handbook: Handbook, policy_id: str, on: dt.date, real_today: dt.date) -> Policy:
    """The policy to record a review for; refuses unknown ids, future and backdated reviews."""
    try:
        policy = handbook.policy(policy_id)
    except KeyError:
        known = [p.id for p in handbook.policies]
        close = difflib.get_close_matches(policy_id, known, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise RecordRefused(f"no policy with id '{policy_id}'{hint}") from None
    if on > real_today:
        raise RecordRefused(
            f"{on} is in the future (today is {real_today}); record a review once it has happened"
        )
    if policy.status is Status.RETIRED:
        raise RecordRefused(f"'{policy_id}' is retired; retired policies are not reviewed")
    if policy.last_reviewed is not None and on < policy.last_reviewed:
        raise RecordRefused(
            f"'{policy_id}' was last reviewed on {policy.last_reviewed}, after {on}; "
            "the last review date would go backwards"
        )
    return policy


def add_review(text: str, on: dt.date, summary: str) -> tuple[str, dt.date | None, bool]:
    """Record a review in one policy file's text.

    Returns the new text, the `review.next_due` date dropped because the review passed it (or
    None), and whether the rest of the file kept its exact layout.
    """
    yaml = _yaml(text)
    data = yaml.load(text)
    if not isinstance(data, CommentedMap):
        raise RecordRefused("the policy file is not a mapping of fields")
    layout_kept = _dump(yaml, yaml.load(text)) == text
    if "last_reviewed" in data:
        data["last_reviewed"] = on  # Assigning keeps the key's place and its comments.
    else:
        _insert_key(data, "last_reviewed", on)
    dropped = _drop_passed_override(data, on)
    history = data.get("revision_history")
    flow = False
    if isinstance(history, CommentedSeq) and len(history):
        last = history[-1]
        flow = isinstance(last, CommentedMap) and bool(last.fa.flow_style())
    entry = CommentedMap([("date", on), ("kind", "review"), ("summary", summary)])
    if flow:
        entry.fa.set_flow_style()
    if isinstance(history, CommentedSeq):
        position = _in_date_order(history, on)
        if position < len(history):
            # A review recorded `--on` a day before the latest entry goes where its day puts
            # it: the history stays in date order.
            history.insert(position, entry)
        else:
            tail = _detach_tail(data, "revision_history") if len(history) else ""
            history.append(entry)
            _attach_tail(data, "revision_history", tail)
    else:
        _insert_key(data, "revision_history", CommentedSeq([entry]))
    return _dump(yaml, data), dropped, layout_kept


def _in_date_order(history: CommentedSeq, on: dt.date) -> int:
    """Where an entry dated `on` goes: after every entry dated on or before it. A month-only
    date (`2025-04`) counts as before any day of that month, as its ISO text sorts."""
    position = len(history)
    while position > 0:
        previous = history[position - 1]
        day = previous.get("date") if isinstance(previous, CommentedMap) else None
        if day is None or str(day) <= on.isoformat():
            break
        position -= 1
    return position


def record_review(
    handbook: Handbook, policy_id: str, on: dt.date, note: str | None, real_today: dt.date
) -> Recorded:
    """Record a review of `policy_id` on `on` in its file; the file is left as it was on failure."""
    check_request(handbook, policy_id, on, real_today)
    path = handbook.root / handbook.origins[policy_id].path
    original = path.read_bytes()
    summary = note.strip() if note and note.strip() else NO_CHANGE
    new_text, dropped, layout_kept = add_review(original.decode("utf-8-sig"), on, summary)
    _replace(path, new_text.encode("utf-8"))
    try:
        load_handbook(handbook.root)  # The edit must leave a valid handbook (e.g. a bad note).
    except BuildFailed as failure:
        _replace(path, original)
        # Other files' errors here are only fallout (links to a policy that failed to load).
        own = [error for error in failure.errors if error.path == handbook.origins[policy_id].path]
        raise BuildFailed(own or failure.errors, "the policy file was left as it was") from None
    return Recorded(path, policy_id, on, summary, dropped, layout_kept)


def new_policy_text(policy_id: str, title: str, category: str, created: dt.date) -> str:
    """A new draft policy file: the schema line, the required fields, `FILL IN:` placeholders."""

    def text(value: str) -> DoubleQuotedScalarString:
        # Always quoted, so HR sees where a value begins and ends; one line, whatever was typed.
        quoted: DoubleQuotedScalarString = DoubleQuotedScalarString(" ".join(value.split()))
        return quoted

    def todo(what: str) -> DoubleQuotedScalarString:
        return text(f"{PLACEHOLDER} {what}")

    data = CommentedMap(
        [
            ("id", policy_id),
            ("title", text(title)),
            ("category", text(category)),
            ("status", Status.DRAFT.value),
            (
                "owner",
                CommentedMap(
                    [("title", todo("the job title of the person who answers for this policy"))]
                ),
            ),
            ("summary", todo("one or two sentences: what this policy is for")),
            (
                "source",
                CommentedMap(
                    [("title", todo("the document this policy comes from, or this handbook"))]
                ),
            ),
            (
                "revision_history",
                CommentedSeq(
                    [
                        CommentedMap(
                            [
                                ("date", created),
                                ("kind", RevisionKind.SUBSTANTIVE.value),
                                ("summary", todo("what this first version sets out")),
                            ]
                        )
                    ]
                ),
            ),
        ]
    )
    data.yaml_set_start_comment("yaml-language-server: $schema=../schema/policy.schema.json")
    data.yaml_set_comment_before_after_key(
        "status", before="A draft is not published; set active once the policy is approved."
    )
    return _dump(_configured(2, 4, 2), data)


# --------------------------------------------------------------------------- ruamel details


def _yaml(text: str) -> YAML:
    """A round-trip YAML set up to write the file back the way it was written.

    ruamel applies one indentation style to the whole file, so try the common ones (starting
    from ruamel's own guess) and keep the first that reproduces the file exactly.
    """
    _, guessed_indent, guessed_offset = load_yaml_guess_indent(text)
    guess = (2, (guessed_offset or 0) + 2, guessed_offset or 0)
    styles = [guess] + [
        (mapping, offset + 2, offset) for mapping in (2, 4, 3) for offset in (2, 0, 4, 1, 3)
    ]
    if guessed_indent:
        styles.insert(1, (guessed_indent, guessed_indent, guessed_offset or 0))
    for style in styles:
        yaml = _configured(*style)
        if _dump(yaml, yaml.load(text)) == text:
            return yaml
    return _configured(*guess)


def _configured(mapping: int, sequence: int, offset: int) -> YAML:
    yaml = YAML()  # round-trip mode
    yaml.preserve_quotes = True
    yaml.width = 4096  # Never re-wrap a long line the author wrote on one line.
    yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
    # The review date appears twice; YAML anchors (&id001) would confuse HR and our loader.
    yaml.representer.ignore_aliases = lambda data: True
    return yaml


def _dump(yaml: YAML, data: Any) -> str:
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def _insert_key(data: CommentedMap, key: str, value: Any) -> None:
    """Insert `key` where the documented field order puts it, keeping comments in place."""
    rank = FIELD_ORDER.index(key)
    keys = list(data)
    later = [k for k in keys if k in FIELD_ORDER and FIELD_ORDER.index(k) > rank]
    position = keys.index(min(later, key=FIELD_ORDER.index)) if later else len(keys)
    if position == 0:
        data.insert(0, key, value)
        return
    # Comments and blank lines after the previous key belong before the key that followed it.
    tail = _detach_tail(data, keys[position - 1])
    data.insert(position, key, value)
    _attach_tail(data, key, tail)


def _drop_passed_override(data: CommentedMap, on: dt.date) -> dt.date | None:
    """Remove a `review.next_due` the review has passed: the cycle now runs from `on`."""
    review = data.get("review")
    if not isinstance(review, CommentedMap):
        return None
    next_due = review.get("next_due")
    if not isinstance(next_due, dt.date) or next_due > on:
        return None
    tail = _detach_tail(data, "review")
    del review["next_due"]
    if len(review):
        _attach_tail(data, "review", tail)
        return next_due
    keys = list(data)
    position = keys.index("review")
    del data["review"]
    if position > 0:
        _attach_tail(data, keys[position - 1], tail)
    return next_due


def _tail_slot(container: Any, key: Any) -> tuple[Any, Any, int]:
    """Where ruamel keeps the comment that ends `container[key]`'s last line.

    The comments and blank lines after a block collection hang on its deepest last entry.
    """
    node = container[key]
    if isinstance(node, CommentedMap | CommentedSeq) and len(node) and not node.fa.flow_style():
        last = list(node)[-1] if isinstance(node, CommentedMap) else len(node) - 1
        return _tail_slot(node, last)
    return container, key, 0 if isinstance(container, CommentedSeq) else 2


def _detach_tail(container: Any, key: Any) -> str:
    """Take the lines after `container[key]` (comments, blank lines); its own EOL comment stays."""
    owner, owner_key, slot = _tail_slot(container, key)
    entry = owner.ca.items.get(owner_key)
    if not entry or entry[slot] is None:
        return ""
    token = entry[slot]
    value = str(token.value)
    cut = value.find("\n")
    if cut < 0:
        return ""
    keep, moved = value[: cut + 1], value[cut + 1 :]
    if keep.strip():
        token.value = keep
    else:
        entry[slot] = None
    return moved


def _attach_tail(container: Any, key: Any, tail: str) -> None:
    """Put lines taken by `_detach_tail` after `container[key]`."""
    if not tail:
        return
    owner, owner_key, slot = _tail_slot(container, key)
    entry = owner.ca.items.setdefault(owner_key, [None, None, None, None])
    existing = entry[slot]
    if existing is not None:
        existing.value = str(existing.value) + tail
    else:
        entry[slot] = CommentToken("\n" + tail, CommentMark(0), None)


def _replace(path: Path, data: bytes) -> None:
    """Write `data` to `path` atomically, so an editor or a build never sees half a file."""
    mode = path.stat().st_mode & 0o777
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
