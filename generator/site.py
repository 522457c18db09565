"""The site stage: an MkDocs plugin that adds the generated pages, and a build entry point.

Only this module knows MkDocs. The plugin takes pages already rendered from the model. Run by
MkDocs itself (`mkdocs serve`, the preview), it asks `project_pages` for them on each rebuild:
that reads the sources through the whole pipeline, so it is given by the plugin MkDocs loads by
name (`generator.preview`, above the pipeline), never imported from here. While the sources have
errors the preview keeps the last good pages and shows the errors on every page.
"""

from __future__ import annotations

import html
import logging
import re
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal, Protocol
from urllib.parse import urlsplit

from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from .errors import BuildFailed
from .render import NavSection, SitePages
from .search import SearchEntry, SearchPage, material_stub, write_index

log = logging.getLogger("mkdocs.plugins.handbook")

PageSource = Callable[[], SitePages]


class PreviewOutput(Protocol):
    """What the preview tells the person running it (the CLI prints it)."""

    def ready(self, url: str) -> None:
        """The preview is about to answer at `url`."""

    def failed(self, report: str) -> None:
        """The sources have errors (compiler-style report); the last good pages stay."""

    def fixed(self) -> None:
        """The sources build again; the preview shows them."""


class HandbookPlugin(BasePlugin):  # type: ignore[type-arg,no-untyped-call]
    """Adds the handbook's generated pages and navigation to an MkDocs build."""

    # Set by `build_site`; under `mkdocs serve` it stays None and the plugin loads the sources.
    page_source: PageSource | None = None
    # Set by `serve`, which creates no plugin itself: MkDocs does, from mkdocs.yml.
    preview_output: PreviewOutput | None = None

    def __init__(self) -> None:
        super().__init__()
        self.pages: SitePages | None = None
        self.previewing = False
        self.last_good: SitePages | None = None
        # The error report the preview shows while the sources do not build.
        self.problem: str | None = None

    def on_startup(self, *, command: Literal["build", "gh-deploy", "serve"], dirty: bool) -> None:
        """Note a preview. Defining this keeps the plugin, and its last good pages, across
        the preview's rebuilds (MkDocs re-creates plugins without it)."""
        self.previewing = command == "serve"
        self.last_good = self.problem = None
        if self.previewing:
            self.page_source = None
        self.search_pages: list[SearchPage] = []

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        """Render the pages first, because the navigation must be known before files are read."""
        root = Path(config.config_file_path).parent
        if self.page_source is not None:
            self.pages = self.page_source()
        elif self.previewing:
            self.pages = self._preview_pages(root)
        else:
            try:
                self.pages = self.project_pages(root)
            except BuildFailed as failure:
                raise PluginError("\n" + failure.report()) from None
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
        # Material's search plugin stays for its search box, but its index of every page would
        # be thrown away (on_post_build writes Pagefind's and a settings-only stub), so it does
        # not index them: at 1,000 policies that was several seconds and most of its memory.
        search = config.plugins.get("material/search")
        if search is not None:
            events = config.plugins.events["page_context"]
            events[:] = [e for e in events if getattr(e, "__self__", None) is not search]
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
        """Collect the page's search entries (none for a page marked `search: exclude`); point
        links at pages' index.html, so the site also works opened from a folder; in a preview
        of sources with errors, show the errors at the top of every page."""
        self._collect_search_entries(page)
        if config.use_directory_urls:
            output = file_links(output)
        if self.problem is not None:
            banner = _error_banner(self.problem, kept=self.last_good is not None)
            output = _BODY_START.sub(lambda body: body[0] + banner, output, count=1)
        return output

    def on_post_template(
        self, output_content: str, template_name: str, config: MkDocsConfig
    ) -> str:
        """Make the 404 page's addresses relative: it is served at any mistyped address, and its
        own script (site_overrides/404.html) sets the `<base>` they resolve against."""
        if template_name != "404.html":
            return output_content
        prefix = urlsplit(config.site_url or "/").path
        prefix = prefix if prefix.endswith("/") else f"{prefix}/"
        return file_links(relative_to_base(output_content, prefix))

    def _collect_search_entries(self, page: Page) -> None:
        assert self.pages is not None
        flags = page.meta.get("search")
        if isinstance(flags, dict) and flags.get("exclude"):
            return
        title = html.unescape(page.title or "")
        entries = self.pages.search_entries.get(page.file.src_uri)
        if entries is None:
            text = _text_of(page.content or "")
            entries = [SearchEntry(anchor="", title=title, preview=_preview(text), text=text)]
        self.search_pages.append(SearchPage(url=page.url, title=title, entries=entries))

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
        stub = material_stub(
            separator or r"[\s\-]+", self.pages.synonyms, self.pages.search_settings
        )
        (site_dir / "search" / "search_index.json").write_text(stub, encoding="utf-8")

    def on_serve(self, server: Any, config: MkDocsConfig, builder: Any) -> Any:
        """Reload the preview when a policy or a template changes, not only docs_dir."""
        root = Path(config.config_file_path).parent
        for folder in ("policies", "templates", "site_overrides"):
            if (root / folder).is_dir():
                server.watch(str(root / folder))
        if self.preview_output is not None:
            self.preview_output.ready(server.url)
        return server

    def project_pages(self, root: Path) -> SitePages:
        """The pages of the project at `root`, read from its sources (raises BuildFailed)."""
        raise PluginError(
            "the handbook plugin was given no pages: build with `handbook build` or preview with"
            " `handbook serve`"
        )

    def _preview_pages(self, root: Path) -> SitePages:
        """The pages of the sources, or while they have errors the last good pages."""
        try:
            pages = self.project_pages(root)
        except BuildFailed as failure:
            failure.summary_suffix = (
                "the preview keeps the last good pages"
                if self.last_good
                else "the preview shows the pages once they are fixed"
            )
            problem = failure.report()
        except Exception as error:  # A template that does not render, say: still a preview.
            problem = _describe(error, root)
        else:
            if self.problem is not None and self.preview_output is not None:
                self.preview_output.fixed()
            self.problem = None
            self.last_good = pages
            return pages
        if problem != self.problem and self.preview_output is not None:
            self.preview_output.failed(problem)
        self.problem = problem
        return self.last_good or _error_pages()


# Links in a page, as MkDocs, Material and our templates write them: `<a ... href="...">`, and
# the `<link rel="next|prev" href="...">` that Material's `n` and `p` keys follow; the value
# double-quoted and HTML-escaped, so it can hold neither `"` nor a tag of its own.
_ANCHOR_HREF = re.compile(r'(<(?:a|link)\s[^>]*?\bhref=")([^"]*)(")')


def file_links(page_html: str) -> str:
    """Rewrite relative links to a folder (`../phone-response/`, `..`) to its `index.html`,
    in `<a>` and `<link>` (rel=next/prev) alike.

    A web server answers `phone-response/` with its index.html, but a browser opening the site
    from a folder (file://) shows a directory listing instead. The folder addresses themselves
    stay valid on a server, so bookmarks and the QR codes on printed cards keep working.
    """

    def to_file(match: re.Match[str]) -> str:
        return match[1] + _index_link(match[2]) + match[3]

    return _ANCHOR_HREF.sub(to_file, page_html)


# Addresses in attributes as MkDocs writes them (double-quoted, escaped).
_URL_ATTRIBUTE = re.compile(r'(\s(?:href|src)=")([^"]*)(")')


def relative_to_base(page_html: str, prefix: str) -> str:
    """Turn addresses under the absolute path `prefix` (`/handbook/assets/...`) relative."""

    def strip(match: re.Match[str]) -> str:
        value = match[2]
        if value.startswith(prefix) and not value.startswith("//"):
            value = value[len(prefix) :] or "./"
        return match[1] + value + match[3]

    return _URL_ATTRIBUTE.sub(strip, page_html)


def _index_link(href: str) -> str:
    cut = min((i for i in (href.find("#"), href.find("?")) if i >= 0), default=len(href))
    path, rest = href[:cut], href[cut:]
    if not path or path.startswith("/") or ":" in path:
        return href  # A fragment, an absolute path, or another scheme (https:, mailto:).
    if path.endswith("/"):
        return path + "index.html" + rest
    if path.rsplit("/", 1)[-1] in (".", ".."):
        return path + "/index.html" + rest
    return href


_BODY_START = re.compile(r"<body\b[^>]*>")


def _error_banner(problem: str, *, kept: bool) -> str:
    """The preview's error notice, placed first in the page body (styled in handbook.css)."""
    shown = "this preview shows the last good pages" if kept else "there is nothing to show yet"
    return (
        '<div class="hb-preview-errors" role="alert">'
        f"<p><strong>The sources have errors: {shown}.</strong> "
        "Fix the lines below and save; the page reloads by itself.</p>"
        f"<pre>{html.escape(problem)}</pre></div>"
    )


def _error_pages() -> SitePages:
    """What a preview shows when the sources have had errors from the start."""
    return SitePages(
        pages={"index.md": "# The handbook has errors\n\nThe errors are listed above.\n"},
        nav=[("Errors", "index.md")],
        excluded_from_search=set(),
    )


def _describe(error: Exception, root: Path) -> str:
    """An unexpected rebuild failure in a line, at its template's file and line when known."""
    message = f"{type(error).__name__}: {error}"
    # Jinja's template errors carry the template's file and line.
    filename, line = getattr(error, "filename", None), getattr(error, "lineno", None)
    if isinstance(filename, str) and isinstance(line, int):
        where = Path(filename)
        shown = where.relative_to(root) if where.is_relative_to(root) else where
        return f"{shown}:{line}: {message}"
    return message


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


def serve(root: Path, dev_addr: str, output: PreviewOutput) -> None:
    """Serve a live-reloading preview; edits to policies/ and templates/ rebuild the page.

    Raises OSError when the address is taken, before building anything.
    """
    from mkdocs.commands.serve import serve as mkdocs_serve

    host, _, port = dev_addr.rpartition(":")
    with socket.socket() as probe:  # MkDocs would find out only after its first build.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, int(port)))
    HandbookPlugin.preview_output = output
    try:
        # Not strict: a warning must not stop the preview, which shows the last good pages.
        mkdocs_serve(
            config_file=str(root / "mkdocs.yml"), dev_addr=dev_addr, livereload=True, strict=False
        )
    finally:
        HandbookPlugin.preview_output = None
