"""The validated handbook model: one frozen Handbook read once from `policies/`.

Only this package knows pydantic. Validation errors are mapped back to `file:line: field: message`
using the line marks the loader recorded, and every file's errors are collected before failing.

Its modules, each importing only those above it:

- `fields`: what one field accepts (dates, YearMonth, text with its Markdown checks, web and email
  addresses, ids, policy numbers, search words).
- `policy`: the Policy model and its parts (principles, guidelines, standards, procedures, card,
  revision history and the versions it gives), on the `Strict` base.
- `settings`: `policies/handbook.yaml`, the Settings model.
- `validate`: one loaded file validated, pydantic's errors told in plain words at file:line.
- `rules`: a policy's rules by site address, the time limits texts state, the card and
  figure checks.
- `handbook`: the Handbook, `load_handbook` and the rules that span files.
- `schema`: the JSON Schemas of policy files and handbook.yaml.
"""

from .fields import (
    Date,
    DateOrMonth,
    DateOrUnknown,
    Email,
    PlainText,
    PolicyNumber,
    SearchWord,
    Slug,
    Text,
    Url,
    YearMonth,
    latest_day,
    link_targets,
)
from .handbook import HANDBOOK_FILE, Handbook, Origin, field_texts, load_handbook
from .policy import (
    UNIT_LABELS,
    Approval,
    Card,
    CardPhrase,
    CardPoint,
    CardSide,
    Contact,
    ContentsEntry,
    Definition,
    Example,
    Guideline,
    GuidelineGroup,
    Person,
    Policy,
    Principle,
    Procedure,
    Reference,
    Review,
    Revision,
    RevisionKind,
    SourceDocument,
    Standard,
    StandardGroup,
    Standing,
    Status,
    Strict,
    Target,
    policy_versions,
)
from .rules import (
    Figure,
    Rule,
    figures,
    policy_rules,
    rule_errors,
    rule_name,
    say_figures,
    stale_copies,
    target_figures,
)
from .schema import HANDBOOK_SCHEMA_FILE, POLICY_SCHEMA_FILE, json_schemas
from .settings import Category, ReviewDefaults, Settings

__all__ = [
    "HANDBOOK_FILE",
    "HANDBOOK_SCHEMA_FILE",
    "POLICY_SCHEMA_FILE",
    "UNIT_LABELS",
    "Approval",
    "Card",
    "CardPhrase",
    "CardPoint",
    "CardSide",
    "Category",
    "Contact",
    "ContentsEntry",
    "Date",
    "DateOrMonth",
    "DateOrUnknown",
    "Definition",
    "Email",
    "Example",
    "Figure",
    "Guideline",
    "GuidelineGroup",
    "Handbook",
    "Origin",
    "Person",
    "PlainText",
    "Policy",
    "PolicyNumber",
    "Principle",
    "Procedure",
    "Reference",
    "Review",
    "ReviewDefaults",
    "Revision",
    "RevisionKind",
    "Rule",
    "SearchWord",
    "Settings",
    "Slug",
    "SourceDocument",
    "Standard",
    "StandardGroup",
    "Standing",
    "Status",
    "Strict",
    "Target",
    "Text",
    "Url",
    "YearMonth",
    "field_texts",
    "figures",
    "json_schemas",
    "latest_day",
    "link_targets",
    "load_handbook",
    "policy_rules",
    "policy_versions",
    "rule_errors",
    "rule_name",
    "say_figures",
    "stale_copies",
    "target_figures",
]
