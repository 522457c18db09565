"""The one Jinja environment: strict undefined values, autoescaping, and the text filters.

Only this module imports Jinja (jinja2); the filters come from generator/text.py.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import jinja2

from ..text import format_date, format_target, inline_markdown, lead_sentence, plain, slugify

# How our templates are read; the compiled code depends on it.
_OPTIONS: dict[str, Any] = {
    "trim_blocks": True,
    "lstrip_blocks": True,
    "keep_trailing_newline": True,
    "autoescape": True,
}
# Compiled templates, kept under the project's .cache/: compiling ours took about a third of a
# second of every build (and the site, the versions and the cards each compiled their own).
# Jinja checks each against its template's source; the folder is per Jinja version and options.
BYTECODE_CACHE = Path(".cache") / "jinja"


def make_environment(templates_dir: Path) -> jinja2.Environment:
    """The one Jinja environment: strict undefined, autoescaping, our filters."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir),
        bytecode_cache=_bytecode_cache(templates_dir.parent / BYTECODE_CACHE),
        undefined=jinja2.StrictUndefined,
        **_OPTIONS,
    )
    environment.filters["md"] = inline_markdown
    environment.filters["plain"] = plain
    environment.filters["date"] = format_date
    environment.filters["target"] = format_target
    environment.filters["slug"] = slugify
    environment.filters["lead"] = lead_sentence
    return environment


def _bytecode_cache(cache: Path) -> jinja2.BytecodeCache | None:
    """Jinja's own cache of compiled templates under `cache`; none where it cannot be made."""
    version = json.dumps([jinja2.__version__, _OPTIONS], sort_keys=True)
    folder = cache / hashlib.sha256(version.encode()).hexdigest()[:16]
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return jinja2.FileSystemBytecodeCache(str(folder))
