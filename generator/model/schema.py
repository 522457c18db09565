"""JSON Schema export: the schemas editors use for policy files and handbook.yaml."""

from __future__ import annotations

import json

from .policy import Policy
from .settings import Settings

POLICY_SCHEMA_FILE = "policy.schema.json"
HANDBOOK_SCHEMA_FILE = "handbook.schema.json"


def json_schemas() -> dict[str, str]:
    """The JSON Schemas for policy files and handbook.yaml, as file name -> JSON text."""
    schemas = {
        POLICY_SCHEMA_FILE: Policy.model_json_schema(mode="validation"),
        HANDBOOK_SCHEMA_FILE: Settings.model_json_schema(mode="validation"),
    }
    # yaml-language-server accepts a top-level $schema id.
    out = {}
    for name, schema in schemas.items():
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        out[name] = json.dumps(schema, indent=2, sort_keys=True) + "\n"
    return out
