"""Validating one loaded source file: pydantic's errors become plain `file:line: field` errors.

Each error's location is cleaned of pydantic's union-branch names, found in the line marks the
loader recorded, and told in plain words, with an example of the shape the field wants.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

from ..errors import ErrorList, format_path
from ..load import LoadedFile
from .fields import _show
from .settings import RETIRED_SETTINGS, Settings

# Example values for the fields an error most often asks for; any other field gets "...".
_EXAMPLE_VALUES = {
    "id": "counter-service",
    "title": "Customer Service Standards",
    "category": "Customer Service",
    "summary": "What the policy asks of staff, in a sentence or two.",
    "name": "Jane Alvarez",
    "role": "City Manager",
    "commitment": "Return voicemail messages within one business day.",
    "rule": "Answer the phone by the third ring.",
    "text": "Treat every customer with courtesy.",
    "channel": "telephone",
    "term": "Customer",
    "meaning": "Anyone who contacts the City for a service.",
    "date": "2025-04-15",
    "within": "1",
    "unit": "business_day",
    "organization": "City of Example",
    "subtitle": "Policies for staff who serve the public",
}


def _message(
    error: Mapping[str, Any], model: type[BaseModel], loc: tuple[str | int, ...], typed: str | None
) -> str:
    """A plain-language message for one pydantic error at the cleaned location `loc`.

    `typed` is the number exactly as the source wrote it, when the value was a number.
    """
    kind = error["type"]
    value = error.get("input")
    if kind == "extra_forbidden":
        name = str(error["loc"][-1])
        if model is Settings and len(loc) == 1 and name in RETIRED_SETTINGS:
            return RETIRED_SETTINGS[name]
        close = difflib.get_close_matches(name, _fields_of(model, loc), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        return f"unknown field '{name}'{hint}"
    if kind == "missing":
        return _missing(model, loc)
    if kind == "number_type" and typed is not None:
        return (
            "write the policy number in quotes, exactly as the source writes it: "
            f'number: "{typed}" (without quotes it is read as a number, which can drop zeros)'
        )
    if kind in ("string_type", "text_type") and typed is not None:
        return (
            f'expected text, got the number {value}; put it in quotes exactly as typed: "{typed}"'
        )
    if kind in ("string_type",):
        return f"expected text, got {_show(value)}"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"expected a whole number, got {_show(value)}"
    if kind in ("bool_type", "bool_parsing"):
        return f"expected true or false, got {_show(value)}"
    if kind in ("tuple_type", "list_type"):
        if isinstance(value, str) and not isinstance(loc[-1], int):
            return f"expected a list, got {_show(value)}; write {_shape(model, loc, value)}"
        return f"expected a list, got {_show(value)}"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        shape = _shape(model, loc, value if isinstance(value, str) else None)
        if isinstance(loc[-1], int):
            return f"expected fields for this item, got {_show(value)}; write {shape}"
        return f"expected fields under '{loc[-1]}:', got {_show(value)}; write {shape}"
    if kind in ("enum", "literal_error"):
        expected = error.get("ctx", {}).get("expected", "")
        return f"expected one of {expected}, got {_show(value)}"
    return str(error["msg"])


def _missing(model: type[BaseModel], loc: tuple[str | int, ...]) -> str:
    """Say which mapping lacks the required field at `loc`, with an example of it."""
    name, where = loc[-1], loc[:-1]
    example = _shape(model, loc)
    if where:
        return f"'{name}' is missing here; add it beside the other fields, e.g. {example}"
    if model is Settings:
        return f"handbook.yaml has no '{name}', which it needs; add it, e.g. {example}"
    return f"the policy has no '{name}', which every policy needs; add it, e.g. {example}"


def _shape(model: type[BaseModel], loc: tuple[str | int, ...], example: str | None = None) -> str:
    """A one-line example of the field at `loc` written in the right shape.

    A mapping shows its first required field on the line below; a list item starts with '- '.
    """
    name = loc[-1]
    inner, is_list = _model_at(model, loc)
    dash = "- " if is_list else ""
    if inner is None:
        value = example if example is not None else _EXAMPLE_VALUES.get(str(name), "...")
        if is_list:
            return f"'{name}:' with '  - {value}' on the line below"
        return f"{name}: {value}"
    fields = inner.model_fields
    lead = next((key for key, info in fields.items() if info.is_required()), next(iter(fields)))
    value = example if example is not None else _EXAMPLE_VALUES.get(lead, "...")
    if isinstance(name, int):
        return f"'- {lead}: {value}'"
    return f"'{name}:' with '  {dash}{lead}: {value}' on the line below"


def _model_at(
    model: type[BaseModel], loc: tuple[str | int, ...]
) -> tuple[type[BaseModel] | None, bool]:
    """The model a value at `loc` must match (None when not a mapping), and whether it is a list."""
    current: Any = model
    is_list = False
    for part in loc:
        if isinstance(part, int):
            is_list = False
            continue
        field = getattr(current, "model_fields", {}).get(part) if current is not None else None
        if field is None:
            return None, False
        current = _model_in(field.annotation)
        is_list = _is_list(field.annotation)
    return current, is_list


def _is_list(annotation: Any) -> bool:
    if getattr(annotation, "__origin__", None) is list:
        return True
    return any(_is_list(arg) for arg in getattr(annotation, "__args__", ()) or ())


def _fields_of(model: type[BaseModel], loc: tuple[str | int, ...]) -> list[str]:
    """Field names of the (sub)model that holds the last element of `loc`."""
    current: Any = model
    for part in loc[:-1]:
        if isinstance(part, int) or current is None:
            continue
        field = getattr(current, "model_fields", {}).get(part)
        if field is None:
            # Union branches show up as extra loc parts named after the member type.
            continue
        current = _model_in(field.annotation)
    return list(getattr(current, "model_fields", {}).keys())


def _model_in(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _model_in(arg)
        if found is not None:
            return found
    metadata_origin = getattr(annotation, "__origin__", None)
    if metadata_origin is not None and metadata_origin is not annotation:
        return _model_in(metadata_origin)
    return None


_UNION_PART = re.compile(r"^(?:[A-Z][A-Za-z]*|function-.*|str|int|date|tuple\[.*|literal\[.*)")


def _clean_loc(loc: tuple[str | int, ...], model: type[BaseModel]) -> tuple[str | int, ...]:
    """Drop pydantic's union-branch and validator names from an error location."""
    known: set[str] = set()
    stack: list[Any] = [model]
    seen: set[Any] = set()
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        for name, field in current.model_fields.items():
            known.add(name)
            stack.extend(_models_in(field.annotation))
    return tuple(part for part in loc if isinstance(part, int) or part in known)


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    found: list[type[BaseModel]] = []
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        found.append(annotation)
    for arg in getattr(annotation, "__args__", ()) or ():
        found.extend(_models_in(arg))
    origin = getattr(annotation, "__origin__", None)
    if origin is not None and origin is not annotation:
        found.extend(_models_in(origin))
    return found


def site_path(loc: tuple[str | int, ...], groups: list[int | None]) -> str:
    """A field path as the site names it: a standard by its number on the page, counted
    through the groups (`standard 8, target.within`), never `standards #2.standards #4...`.

    `groups` has one entry per item of `standards`: the size of a group, or None for a
    standard outside any group.
    """
    if len(loc) < 2 or loc[0] != "standards" or not isinstance(loc[1], int):
        return format_path(loc)
    index, rest = loc[1], loc[2:]
    if index >= len(groups):
        return format_path(loc)
    number = sum(1 if size is None else size for size in groups[:index])
    if groups[index] is not None:
        if len(rest) < 2 or rest[0] != "standards" or not isinstance(rest[1], int):
            return format_path(loc)  # The group itself (its title), not one standard.
        number, rest = number + rest[1], rest[2:]
    inner = format_path(rest)
    return f"standard {number + 1}, {inner}" if inner else f"standard {number + 1}"


def _groups(data: dict[str, Any]) -> list[int | None]:
    """The group sizes of a policy file's raw `standards` (see `site_path`)."""
    standards = data.get("standards")
    if not isinstance(standards, list):
        return []
    sizes: list[int | None] = []
    for entry in standards:
        members = entry.get("standards") if isinstance(entry, dict) else None
        sizes.append(len(members) if isinstance(members, list) else None)
    return sizes


def _validate(model: type[BaseModel], loaded: LoadedFile, errors: ErrorList) -> BaseModel | None:
    if loaded.data is None:
        errors.add(
            loaded.path, 1, "", "file is empty; write its fields, one per line (name: value)"
        )
        return None
    if not isinstance(loaded.data, dict):
        errors.add(
            loaded.path,
            1,
            "",
            f"expected fields, one per line (name: value), got {_show(loaded.data)}",
        )
        return None
    try:
        return model.model_validate(loaded.data)
    except ValidationError as failure:
        reported: set[tuple[tuple[str | int, ...], str]] = set()
        for error in failure.errors():
            loc = _clean_loc(tuple(error["loc"]), model)
            if error["type"] == "extra_forbidden":
                loc = (*loc, error["loc"][-1])
            typed = loaded.numbers.get(loc) if isinstance(error.get("input"), int | float) else None
            message = _message(error, model, loc, typed)
            if (loc, message) in reported:
                continue
            reported.add((loc, message))
            where = loc[:-1] if error["type"] in ("extra_forbidden", "missing") else loc
            field_path = site_path(where, _groups(loaded.data))
            errors.add(loaded.path, loaded.line_of(loc), field_path, message)
        return None
