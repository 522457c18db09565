"""The committed JSON Schemas match the model, every policy file points at them, and they agree
with the loader: every file the loader accepts validates as an editor sees it, and what the loader
refuses for a field or type reason the schema refuses too."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from ruamel.yaml import YAML
from ruamel.yaml.constructor import SafeConstructor

from conftest import FIXTURES, ROOT
from generator.model import json_schemas, load_handbook

HANDBOOKS = [ROOT, *sorted(path for path in (FIXTURES / "handbooks").iterdir() if path.is_dir())]
SOURCES = [path for root in HANDBOOKS for path in sorted((root / "policies").glob("*.yaml"))]
INVALID = FIXTURES / "invalid"


class _EditorConstructor(SafeConstructor):
    """YAML 1.2 as yaml-language-server reads it: a date is a string, never a timestamp."""


_EditorConstructor.add_constructor(
    "tag:yaml.org,2002:timestamp", SafeConstructor.construct_yaml_str
)


def editor_view(path: Path) -> Any:
    """The file's data as an editor validates it against the schema."""
    yaml = YAML(typ="safe", pure=True)
    yaml.version = (1, 2)
    yaml.Constructor = _EditorConstructor
    return yaml.load(path.read_text(encoding="utf-8"))


def schema_errors(path: Path, handbook: bool) -> list[str]:
    """Where and why the committed schema refuses the file, as an editor would underline it."""
    name = "handbook.schema.json" if handbook else "policy.schema.json"
    schema = json.loads((ROOT / "schema" / name).read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator.iter_errors(editor_view(path))
    ]


def test_committed_schema_is_current() -> None:
    for name, text in json_schemas().items():
        committed = (ROOT / "schema" / name).read_text(encoding="utf-8")
        assert committed == text, f"schema/{name} is stale: run `make schema`"


def test_policy_files_point_at_the_schema() -> None:
    for path in (ROOT / "policies").glob("*.yaml"):
        first_line = path.read_text(encoding="utf-8").splitlines()[0]
        expected = "handbook" if path.name == "handbook.yaml" else "policy"
        assert first_line == (
            f"# yaml-language-server: $schema=../schema/{expected}.schema.json"
        ), path.name


@pytest.mark.parametrize("root", HANDBOOKS, ids=lambda root: root.name)
def test_the_loader_accepts_every_sample_and_fixture_handbook(root: Path) -> None:
    handbook = load_handbook(root)
    assert len(handbook.policies) == len(list((root / "policies").glob("*.yaml"))) - 1


@pytest.mark.parametrize("path", SOURCES, ids=lambda path: str(path.relative_to(ROOT)))
def test_every_accepted_file_validates_against_the_committed_schema(path: Path) -> None:
    assert schema_errors(path, handbook=path.name == "handbook.yaml") == []


# Catalogue cases the loader refuses for a reason JSON Schema can state: an unknown field, a
# missing field, a wrong type, text where fields are expected, an empty title, a date in another
# format, a value outside its list or range.
REFUSED = [
    "unknown-field",
    "missing-owner",
    "missing-commitment",
    "wrong-type",
    "owner-text",
    "approval-text",
    "number-unquoted",
    "number-trailing-zero",
    "sexagesimal",
    "standard-position",
    "empty-title",
    "date-format",
    "date-words",
    "bad-status",
    "review-cycle",
    "handbook/retired-edition",
]


@pytest.mark.parametrize("case", REFUSED)
def test_the_schema_refuses_what_the_loader_refuses(case: str) -> None:
    # The catalogue test proves the loader refuses the file with these lines.
    assert (INVALID / f"{case}.expected").read_text(encoding="utf-8").strip()
    assert schema_errors(INVALID / f"{case}.yaml", handbook=case.startswith("handbook/")) != []
