"""The handbook's MkDocs plugin as MkDocs loads it by name (`handbook` in mkdocs.yml).

Run by MkDocs itself (the preview of `handbook serve`, or a plain `mkdocs build`), the plugin has
no pages handed in: it reads the sources through the whole pipeline on each rebuild. That makes
it a module above the pipeline, so `site` (MkDocs) and `pipeline` never import each other.
"""

from __future__ import annotations

from pathlib import Path

from .pipeline import prepare_site_pages
from .render import SitePages
from .site import HandbookPlugin


class ProjectPlugin(HandbookPlugin):  # type: ignore[no-untyped-call]
    """The site plugin that renders the project's own sources when MkDocs runs it."""

    def project_pages(self, root: Path) -> SitePages:
        """The pages of the project at `root`: load, validate, review and render its sources."""
        return prepare_site_pages(root)
