"""The site stage: an MkDocs plugin that adds the generated pages, and a build entry point.

Only this module knows MkDocs. The plugin takes pages already rendered from the model; when it
runs under `mkdocs serve` (no model handed in), it loads the model itself on each rebuild.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from .render import NavSection, SitePages
from .search import SearchEntry, SearchPage, material_stub, write_index

log = logging.getLogger("mkdocs.plugins.handbook")

PageSource = Callable[[], SitePages]


class HandbookPlugin(BasePlugin):  # type: ignore[type-arg,no-untyped-call]
    """Adds the handbook's generated pages and navigation to an MkDocs build."""

    # Set by `build_site`; under `mkdocs serve` it stays None and the plugin loads the sources.
    page_source: PageSource | None = None

    def __init__(self) -> None:
        super().__init__()
        self.pages: SitePages | None = None
        self.search_pages: list[SearchPage] = []

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        """Render the pages first, because the navigation must be known before files are read."""
        source = self.page_source or _pages_from_project(Path(config.config_file_path).parent)
        self.pages = source()
        config.nav = _nav_config(self.pages)
        # The site name, edition and organization come from handbook.yaml, not mkdocs.yml.
        theme = self.pages.theme
        if theme.get("site_name"):
            # Material writes site_name unescaped into <title>, the header and aria-labels.
            config.site_name = html.escape(theme["site_name"], quote=True)
        config.extra["handbook"] = dict(theme)
        language = theme.get("language")
        if language and _theme_has_language(config, language):
            config.theme["language"] = language
        return config

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        """Add the generated pages as in-memory files; nothing is written to docs_dir."""
        assert self.pages is not None
        for uri, content in self.pages.pages.items():
            existing = files.get_file_from_path(uri)
            if existing is not None:
                files.remove(existing)
            files.append(File.generated(config, uri, content=content))
        return files

    def on_pre_build(self, config: MkDocsConfig) -> None:
        """Start a new search index for this build (a preview rebuilds many times)."""
        self.search_pages = []

    def on_post_page(self, output: str, page: Page, config: MkDocsConfig) -> str:
        """Collect the page's search entries; a page marked `search: exclude` has none."""
        assert self.pages is not None
        flags = page.meta.get("search")
        if isinstance(flags, dict) and flags.get("exclude"):
            return output
        title = html.unescape(page.title or "")
        entries = self.pages.search_entries.get(page.file.src_uri)
        if entries is None:
            text = _text_of(page.content or "")
            entries = [SearchEntry(anchor="", title=title, preview=_preview(text), text=text)]
        self.search_pages.append(SearchPage(url=page.url, title=title, entries=entries))
        return output

    def on_post_build(self, config: MkDocsConfig) -> None:
        """Write the chunked search index, and empty Material's one-file index."""
        assert self.pages is not None
        site_dir = Path(config.site_dir)
        language = self.pages.theme.get("language") or "en"
        write_index(self.search_pages, site_dir / "pagefind", language, self.pages.synonyms)
        # Material's search box stays; its worker is ours (site_overrides/main.html) and asks
        # Pagefind. Material still reads this file for its settings, so it keeps only those.
        material = config.plugins.get("material/search")
        separator = material.config.separator if material is not None else r"[\s\-]+"
        stub = material_stub(separator or r"[\s\-]+", self.pages.synonyms)
        (site_dir / "search" / "search_index.json").write_text(stub, encoding="utf-8")

    def on_serve(self, server: Any, config: MkDocsConfig, builder: Any) -> Any:
        """Reload the preview when a policy or a template changes, not only docs_dir."""
        root = Path(config.config_file_path).parent
        for folder in ("policies", "templates", "site_overrides"):
            if (root / folder).is_dir():
                server.watch(str(root / folder))
        return server


def _text_of(content: str) -> str:
    # The words of a page's HTML, for the pages that have no entries of their own.
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", content)).split())


def _preview(text: str) -> str:
    return text if len(text) <= 300 else text[:300].rsplit(" ", 1)[0] + " …"


def _theme_has_language(config: MkDocsConfig, language: str) -> bool:
    # Material fails on a language it has no translations for; keep mkdocs.yml's then.
    return any(
        (Path(folder) / "partials" / "languages" / f"{language}.html").is_file()
        for folder in config.theme.dirs
    )


def _pages_from_project(root: Path) -> PageSource:
    def load() -> SitePages:
        # Imported here so the plugin module stays light when a model is handed in.
        from .errors import BuildFailed
        from .pipeline import prepare_site_pages

        try:
            return prepare_site_pages(root)
        except BuildFailed as failure:
            raise PluginError("\n" + failure.report()) from None

    return load


def _nav_config(pages: SitePages) -> list[Any]:
    nav: list[Any] = []
    for entry in pages.nav:
        if isinstance(entry, NavSection):
            nav.append({entry.title: [entry.index_uri, *({t: u} for t, u in entry.pages)]})
        else:
            title, uri = entry
            nav.append({title: uri})
    return nav


def build_site(
    root: Path,
    site_dir: Path,
    page_source: PageSource,
    *,
    site_url: str | None = None,
    strict: bool = True,
) -> None:
    """Build the MkDocs site of the project at `root` into `site_dir`, from rendered pages."""
    overrides: dict[str, Any] = {"site_dir": str(site_dir), "strict": strict}
    if site_url:
        overrides["site_url"] = site_url
    config = load_config(str(root / "mkdocs.yml"), **overrides)
    plugin = config.plugins.get("handbook")
    if not isinstance(plugin, HandbookPlugin):
        raise PluginError("mkdocs.yml must list the 'handbook' plugin")
    plugin.page_source = page_source
    from mkdocs.commands.build import build

    config.plugins.on_startup(command="build", dirty=False)
    try:
        build(config)
    finally:
        config.plugins.on_shutdown()


def serve(root: Path, dev_addr: str) -> None:
    """Serve a live-reloading preview; edits to policies/ and templates/ rebuild the page."""
    from mkdocs.commands.serve import serve as mkdocs_serve

    mkdocs_serve(config_file=str(root / "mkdocs.yml"), dev_addr=dev_addr, livereload=True)
