"""Synthetic handbooks of N policies, shaped like the five sample policies."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_LINE = "# yaml-language-server: $schema=../schema/policy.schema.json\n"


def _sample_policies() -> list[dict[str, Any]]:
    policies = []
    for path in sorted((ROOT / "policies").glob("*.yaml")):
        if path.name != "handbook.yaml":
            policies.append(yaml.safe_load(path.read_text(encoding="utf-8")))
    return policies


def generate_project(destination: Path, count: int) -> Path:
    """Write a complete project with `count` policies cycled from the sample ones."""
    if destination.exists():
        shutil.rmtree(destination)
    destination.mkdir(parents=True)
    for name in ("mkdocs.yml",):
        shutil.copy(ROOT / name, destination / name)
    for folder in ("templates", "site_overrides", "schema"):
        shutil.copytree(ROOT / folder, destination / folder)
    policies_dir = destination / "policies"
    policies_dir.mkdir()
    # A best bet names a sample policy's rule: the same rule of its first synthetic copy.
    settings = (ROOT / "policies" / "handbook.yaml").read_text(encoding="utf-8")
    for index, sample in enumerate(_sample_policies()[:count]):
        settings = settings.replace(f" {sample['id']}#", f" policy-{index:04d}#")
    (policies_dir / "handbook.yaml").write_text(settings, encoding="utf-8")
    _write_policies(policies_dir, range(count), count)
    return destination


def add_policies(project: Path, count: int) -> int:
    """Add `count` new policies after the existing ones (HR's handbook after an edition);
    return how many there are now."""
    policies_dir = project / "policies"
    existing = len(list(policies_dir.glob("policy-*.yaml")))
    _write_policies(policies_dir, range(existing, existing + count), existing)
    return existing + count


def _write_policies(policies_dir: Path, indices: range, related_among: int) -> None:
    samples = _sample_policies()
    for index in indices:
        data = dict(samples[index % len(samples)])
        policy_id = f"policy-{index:04d}"
        data["id"] = policy_id
        data["number"] = f"{90000 + index:05d}.001"
        data["title"] = f"{data['title']} ({index:04d})"
        # Spread the policies over a few categories, as a real handbook would.
        data["category"] = f"Category {index % 8 + 1}"
        data["related"] = [
            f"policy-{(index + step) % related_among:04d}" for step in (1, 2) if related_among > 2
        ]
        text = SCHEMA_LINE + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
        (policies_dir / f"{policy_id}.yaml").write_text(text, encoding="utf-8")


def edit_one_policy(project: Path, index: int = 0, revised: dt.date | None = None) -> None:
    """A one-word edit in the text of one rule of one policy, as HR makes it (not its title:
    a title is also in the book's contents, and the site's navigation on every page). With
    `revised` (after an edition, where no change goes unexplained), with an editorial
    revision_history entry of that date."""
    path = project / "policies" / f"policy-{index:04d}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if revised is not None:
        history = list(data.get("revision_history") or [])
        summary = f"Wording of one rule ({len(history) + 1})."
        history.append({"date": revised, "kind": "editorial", "summary": summary})
        data["revision_history"] = history
    for group in data.get("guidelines") or []:
        for item in group.get("items") or []:
            if item.get("rule"):
                item["rule"] = _one_more_word(item["rule"])
                break
        else:
            continue
        break
    else:
        principle = data["principles"][0]
        if isinstance(principle, dict):
            principle["text"] = _one_more_word(principle["text"])
        else:
            data["principles"][0] = _one_more_word(principle)
    text = SCHEMA_LINE + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    path.write_text(text, encoding="utf-8")


def _one_more_word(text: str) -> str:
    """The text with one word changed: 'Always' before it, or taken away again."""
    return text[len("Always ") :] if text.startswith("Always ") else f"Always {text}"
