"""The committed JSON Schemas match the model, and every policy file points at them."""

from __future__ import annotations

from conftest import ROOT
from generator.model import json_schemas


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
