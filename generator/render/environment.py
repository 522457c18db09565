"""The one Jinja environment: strict undefined values, autoescaping, and the text filters.

Only this module imports Jinja (jinja2); the filters come from generator/text.py.
"""

from __future__ import annotations

from pathlib import Path

import jinja2

from ..text import format_date, format_target, inline_markdown, lead_sentence, plain, slugify


def make_environment(templates_dir: Path) -> jinja2.Environment:
    """The one Jinja environment: strict undefined, autoescaping, our filters."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir),
        undefined=jinja2.StrictUndefined,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters["md"] = inline_markdown
    environment.filters["plain"] = plain
    environment.filters["date"] = format_date
    environment.filters["target"] = format_target
    environment.filters["slug"] = slugify
    environment.filters["lead"] = lead_sentence
    return environment
