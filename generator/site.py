"""The site stage: an MkDocs plugin that adds the generated pages, and a build entry point.

Only this module knows MkDocs. The plugin takes pages already rendered from the model. Run by
MkDocs itself (`mkdocs serve`, the preview), it asks `project_pages` for them on each rebuild:
that reads the sources through the whole pipeline, so it is given by the plugin MkDocs loads by
name (`generator.preview`, above the pipeline), never imported from here. While the sources have
errors the preview keeps the last good pages and shows the errors on every page.

It is one piece: only this module may import MkDocs, so the plugin, the build entry point and
the reuse of unchanged pages (which hooks the same MkDocs events) stay together.
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
import os
import re
import shutil
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol
from urllib.parse import urlsplit

from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from .caches import package_versions, write_cache_file
from .errors import BuildFailed
from .render import NavSection, SitePages
from .search import PendingIndex, SearchEntry, SearchPage, material_stub

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
    # Set by `build_site` when the last published site may lend its unchanged pages.
    reuse: SiteReuse | None = None
    # ---- bounded memory (issue 24): a build writes the search index once the PDF layouts are
    # done (Pagefind takes 750 MB at 1,000 policies; beside the layout workers, over 1.5 GiB).
    defer_search = False
    pending_index: PendingIndex | None = None

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
        """Add the generated pages as in-memory files; nothing is written to docs_dir. A page
        whose built HTML the last published site already has is marked to be reused."""
        assert self.pages is not None
        reusable = self.reuse.plan(self.pages, config) if self.reuse is not None else set()
        for uri, content in self.pages.pages.items():
            existing = files.get_file_from_path(uri)
            if existing is not None:
                files.remove(existing)
            kind = _ReusedPage if uri in reusable else File
            files.append(kind.generated(config, uri, content=content))
        return files

    def on_pre_build(self, config: MkDocsConfig) -> None:
        """Start a new search index for this build (a preview rebuilds many times)."""
        self.search_pages = []

    @event_priority(100)  # Before the tags plugin, which reads only the front matter.
    def on_page_markdown(
        self, markdown: str, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
        """Give the page the edition its footer names (site_overrides/main.html). A reused
        page whose search entries come from the model needs no conversion: its HTML is not
        written, and its anchors and links are restored from the record."""
        if self.pages is not None:
            page.meta["hb_edition"] = self.pages.edition_of(page.file.src_uri)
        if self.reuse is not None and page.file.src_uri in self.reuse.light:
            return ""
        return markdown

    def on_page_content(self, html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
        """Note each converted page's anchors and links to anchors (for the record), or put
        back those of a page that was not converted, so MkDocs checks links as in a clean
        build."""
        if self.reuse is not None:
            self.reuse.anchors_of(page, files)
        return html

    @event_priority(-100)  # After the tags plugin has filled its listings into the pages.
    def on_env(self, env: Any, config: MkDocsConfig, files: Files) -> Any:
        """Every page is read now: collect the search entries of all of them (reused pages
        too, so the index is whole), then let the reused ones skip writing."""
        if self.reuse is not None:
            self.reuse.settle(files)
        for file in files.documentation_pages():
            if file.page is not None:
                self._collect_search_entries(file.page)
        if self.reuse is not None:
            for file in files.documentation_pages():
                if isinstance(file, _ReusedPage) and file.src_uri in self.reuse.reused:
                    file.written_before = True
        return env

    def on_post_page(self, output: str, page: Page, config: MkDocsConfig) -> str:
        """Point links at pages' index.html, so the site also works opened from a folder; in a
        preview of sources with errors, show the errors at the top of every page."""
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
        """Put the reused pages in place, write the chunked search index, and empty Material's
        one-file index."""
        assert self.pages is not None
        site_dir = Path(config.site_dir)
        if self.reuse is not None:
            self.reuse.place(site_dir)
        language = self.pages.theme.get("language") or "en"
        index = PendingIndex(
            tuple(self.search_pages), site_dir / "pagefind", language, self.pages.synonyms
        )
        self.search_pages = []
        if self.defer_search:
            self.pending_index = index
        else:
            index.write()
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


# ---- incremental site (issue 24): a page whose Markdown, and everything every page shares
# (navigation, titles, theme, settings, engine versions), are as when the published site was
# built takes its HTML from that site. MkDocs still reads and converts every page, so titles,
# anchors, links, tags and the search index are those of a clean build; only the writing of
# reused pages, which draws the navigation into each one, is skipped.

_RECORD_VERSION = 2
# A page with a tags listing is filled in from every page's tags (Material's tags plugin): its
# HTML does not follow from its own Markdown, so it is always built again.
_LISTING_MARK = "<!-- material/tags"
_ENGINES = ("mkdocs", "mkdocs-material", "markdown", "pymdown-extensions", "jinja2", "pygments")


class _ReusedPage(File):
    """A generated page whose HTML the published site already has: read and converted like
    every page, but not written again (a dirty build asks this before reading and writing)."""

    written_before = False

    def is_modified(self) -> bool:
        """Read the page (True) until every page is read; then skip writing it (False)."""
        return not self.written_before


def _digest(*parts: str | bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()


def _folder_parts(folder: Path) -> list[str | bytes]:
    if not folder.is_dir():
        return []
    files = sorted(path for path in folder.rglob("*") if path.is_file())
    return [
        part for path in files for part in (path.relative_to(folder).as_posix(), path.read_bytes())
    ]


def _stamp(path: Path) -> list[int] | None:
    # Size, modification time and inode: a page changed by hand in the published site is
    # built again rather than trusted.
    try:
        info = path.stat()
    except OSError:
        return None
    return [info.st_size, info.st_mtime_ns, info.st_ino]


def _site_key(pages: SitePages, config: MkDocsConfig) -> str:
    """What every built page depends on besides its own Markdown."""
    shared = {
        "version": _RECORD_VERSION,
        "engines": package_versions(*_ENGINES),
        "nav": _nav_config(pages),
        "uris": sorted(pages.pages),
        # The footer's edition is each page's own (in its page key), not shared by all.
        "theme": {name: value for name, value in pages.theme.items() if name != "edition"},
        "site_url": config.site_url,
        "use_directory_urls": config.use_directory_urls,
    }
    return _digest(
        json.dumps(shared, sort_keys=True),
        Path(__file__).read_bytes(),  # This module rewrites every page's links (file_links).
        Path(config.config_file_path).read_bytes(),
        *_folder_parts(Path(config.theme.custom_dir or "")),
        *_folder_parts(Path(config.docs_dir)),
    )


def _titles_key(files: Files) -> str:
    # Titles as MkDocs settled them (from the navigation or a page's first heading): each page
    # shows its neighbours' titles, so a changed one means building every page again.
    pages = [
        (file.src_uri, file.page.title or "", file.page.url)
        for file in files.documentation_pages()
        if file.page is not None
    ]
    return _digest(json.dumps(pages))


@dataclass
class SiteReuse:
    """Pages of this build taken from the published site at `published`, whose build is
    recorded in `record_file` (under `.cache/`)."""

    published: Path
    record_file: Path
    site_key: str = ""
    titles_key: str = ""
    page_keys: dict[str, str] = field(default_factory=dict)
    destinations: dict[str, str] = field(default_factory=dict)
    candidates: dict[str, str] = field(default_factory=dict)
    # Candidates not converted at all (see `on_page_markdown`), and each page's anchors and
    # links to other pages' anchors, as MkDocs found them when it converted the page.
    light: set[str] = field(default_factory=set)
    anchors: dict[str, list[str]] = field(default_factory=dict)
    links: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)
    fresh_only: bool = False

    def reset(self) -> None:
        """Forget the record: the build starts again and reuses nothing."""
        for collected in (self.candidates, self.reused, self.anchors, self.links):
            collected.clear()
        self.light.clear()
        self.fresh_only = True

    reused: dict[str, str] = field(default_factory=dict)

    def _record(self) -> dict[str, Any]:
        try:
            data = json.loads(self.record_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        fits = isinstance(data, dict) and data.get("version") == _RECORD_VERSION
        return data if fits and data.get("published") == str(self.published) else {}

    def plan(self, pages: SitePages, config: MkDocsConfig) -> set[str]:
        """The pages that may be reused: same shared key, same Markdown, and the published
        file as it was written."""
        self.site_key = _site_key(pages, config)
        self.page_keys = {
            uri: _digest(self.site_key, uri, content, pages.edition_of(uri))
            for uri, content in pages.pages.items()
        }
        record = {} if self.fresh_only else self._record()
        if record.get("site") != self.site_key:
            return set()
        self.titles_key = str(record.get("titles", ""))
        recorded = record.get("pages", {})
        for uri, content in pages.pages.items():
            entry = recorded.get(uri)
            if _LISTING_MARK in content or not isinstance(entry, list) or len(entry) != 5:
                continue
            if entry[0] == self.page_keys[uri] and _stamp(self.published / entry[1]) == entry[2:]:
                self.candidates[uri] = entry[1]
        anchors, links = record.get("anchors", {}), record.get("links", {})
        for uri in self.candidates:
            # Its search entries come from the model, or it has none: nothing needs its HTML.
            searched = uri in pages.search_entries or uri in pages.excluded_from_search
            if searched and uri in anchors and uri in links:
                self.light.add(uri)
                self.anchors[uri] = list(anchors[uri])
                self.links[uri] = dict(links[uri])
        return set(self.candidates)

    def anchors_of(self, page: Page, files: Files) -> None:
        """Record a converted page's anchors and links, or restore a light page's."""
        uri = page.file.src_uri
        if uri in self.light:
            page.present_anchor_ids = set(self.anchors[uri])
            targets = {file.src_uri: file for file in files}
            page.links_to_anchors = {
                targets[target]: dict(found)
                for target, found in self.links[uri].items()
                if target in targets
            }
            return
        self.anchors[uri] = sorted(page.present_anchor_ids or ())
        self.links[uri] = {
            target.src_uri: dict(found) for target, found in (page.links_to_anchors or {}).items()
        }

    def settle(self, files: Files) -> None:
        """Once every page is read: reuse the candidates only if every title is as recorded."""
        for file in files.documentation_pages():
            self.destinations[file.src_uri] = file.dest_uri
        titles = _titles_key(files)
        if titles == self.titles_key:
            self.reused = dict(self.candidates)
        elif self.light:
            # A page that was not converted cannot be written now: build again, whole.
            raise _ReuseRefused
        self.titles_key = titles

    def place(self, site_dir: Path) -> None:
        """Put the reused pages' HTML into the new build: hard links to the published files
        (the old site is removed after the swap), or copies where links are refused."""
        for destination in self.reused.values():
            target = site_dir / destination
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(self.published / destination, target)
            except OSError:
                shutil.copy2(self.published / destination, target)

    def remember(self) -> None:
        """After the swap: record what the published site now holds, for the next build."""
        pages = {
            uri: [self.page_keys[uri], destination, *stamp]
            for uri, destination in self.destinations.items()
            if uri in self.page_keys and (stamp := _stamp(self.published / destination)) is not None
        }
        record = {
            "version": _RECORD_VERSION,
            "published": str(self.published),
            "site": self.site_key,
            "titles": self.titles_key,
            "pages": pages,
            "anchors": self.anchors,
            "links": self.links,
        }
        # Without a record the next build builds every page: slower, never wrong.
        write_cache_file(self.record_file, json.dumps(record, sort_keys=True).encode())


def site_reuse(root: Path, published: Path) -> SiteReuse:
    """Reuse from the site published at `published`, recorded under the project's `.cache/`."""
    published = published.resolve()
    name = hashlib.sha256(str(published).encode("utf-8")).hexdigest()[:16]
    return SiteReuse(published, root / ".cache" / "site" / f"{name}.json")


class _ReuseRefused(Exception):
    """Titles changed where the page keys could not tell: the build starts again, whole."""


@dataclass(frozen=True)
class SiteBuilt:
    """How many pages the site build wrote, and how many it took from the published site."""

    pages: int
    reused: int
    # The search index, not yet written, when the build was asked to defer it.
    pending_index: PendingIndex | None = None


class _DirtyNotice(logging.Filter):
    # MkDocs warns that a dirty build leaves navigation stale; ours reuses a page only when
    # the navigation and titles are unchanged, and in strict mode the warning would abort.
    def filter(self, record: logging.LogRecord) -> bool:
        return "'dirty' build" not in record.getMessage()


def build_site(
    root: Path,
    site_dir: Path,
    page_source: PageSource,
    *,
    site_url: str | None = None,
    strict: bool = True,
    reuse: SiteReuse | None = None,
    defer_search: bool = False,
) -> SiteBuilt:
    """Build the MkDocs site of the project at `root` into `site_dir`, from rendered pages;
    with `reuse`, unchanged pages are taken from the published site. With `defer_search` the
    search index is not written but returned, for the caller to write (`pending_index`)."""
    overrides: dict[str, Any] = {"site_dir": str(site_dir), "strict": strict}
    if site_url:
        overrides["site_url"] = site_url
    config = load_config(str(root / "mkdocs.yml"), **overrides)
    plugin = config.plugins.get("handbook")
    if not isinstance(plugin, HandbookPlugin):
        raise PluginError("mkdocs.yml must list the 'handbook' plugin")
    plugin.page_source = page_source
    plugin.reuse = reuse
    plugin.defer_search = defer_search
    plugin.pending_index = None
    from mkdocs.commands.build import build

    # Dirty only so that MkDocs asks each page whether to write it; site_dir is a new folder.
    dirty = reuse is not None
    notice = _DirtyNotice()
    logging.getLogger("mkdocs.commands.build").addFilter(notice)
    config.plugins.on_startup(command="build", dirty=dirty)
    try:
        build(config, dirty=dirty)
    except _ReuseRefused:
        refused = True
    else:
        refused = False
    finally:
        config.plugins.on_shutdown()
        logging.getLogger("mkdocs.commands.build").removeFilter(notice)
    if refused:
        assert reuse is not None
        for leftover in list(site_dir.iterdir()):
            if leftover.is_dir():
                shutil.rmtree(leftover)
            else:
                leftover.unlink()
        reuse.reset()
        return build_site(
            root,
            site_dir,
            page_source,
            site_url=site_url,
            strict=strict,
            reuse=reuse,
            defer_search=defer_search,
        )
    pages = len(plugin.pages.pages) if plugin.pages is not None else 0
    reused = len(reuse.reused) if reuse is not None else 0
    return SiteBuilt(pages, reused, plugin.pending_index)


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
