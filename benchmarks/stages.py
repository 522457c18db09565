"""Single stages for the benchmark: `load`, `site`, and `export` (a plain MkDocs project)."""

from __future__ import annotations

import json
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import yaml

from generator.prepare import Prepared, prepare
from generator.render import NavSection, Renderer, SiteOptions


def _report(seconds: float) -> None:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"seconds": seconds, "peak_rss": peak}))


def load(project: Path) -> None:
    """Time load + validate + review in-process."""
    started = time.perf_counter()
    prepare(project)
    _report(time.perf_counter() - started)


def site(project: Path) -> None:
    """Build the site alone (no PDFs, no cards) into a throwaway folder."""
    from generator.site import build_site

    prepared = prepare(project)
    pages = Renderer(prepared.handbook, prepared.report, SiteOptions()).site_pages()
    with tempfile.TemporaryDirectory(dir=project) as out:
        build_site(project, Path(out) / "site", lambda: pages)


def export(project: Path, destination: Path) -> None:
    """Write the same pages as a plain Material project: Markdown files, full navigation, search."""
    prepared = prepare(project)
    renderer = Renderer(prepared.handbook, prepared.report, SiteOptions())
    pages = renderer.site_pages()
    if destination.exists():
        shutil.rmtree(destination)
    docs = destination / "docs"
    for uri, content in pages.pages.items():
        target = docs / uri
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
    nav: list[object] = []
    for entry in pages.nav:
        if isinstance(entry, NavSection):
            nav.append({entry.title: [entry.index_uri, *({t: u} for t, u in entry.pages)]})
        else:
            nav.append({entry[0]: entry[1]})
    config = {
        "site_name": prepared.handbook.settings.title,
        "theme": {"name": "material", "font": False, "features": ["navigation.indexes"]},
        "markdown_extensions": ["attr_list", "md_in_html", "tables", {"toc": {"permalink": True}}],
        "plugins": ["search"],
        "nav": nav,
    }
    (destination / "mkdocs.yml").write_text(
        yaml.safe_dump(config, sort_keys=False), encoding="utf-8"
    )
    (destination / "book.html").write_text(_book_html(prepared), encoding="utf-8")


def _book_html(prepared: Prepared) -> str:
    """The book's print HTML from our renderer, with the print stylesheet linked in, so a plain
    WeasyPrint run lays out exactly the same document."""
    from generator.render import PRINT_STYLESHEET

    renderer = Renderer(prepared.handbook, prepared.report, SiteOptions())
    html = whole_book_html(renderer)
    css = (prepared.handbook.root / PRINT_STYLESHEET).resolve().as_uri()
    return html.replace("</head>", f'<link rel="stylesheet" href="{css}">\n</head>', 1)


def whole_book_html(renderer: Renderer) -> str:
    """The book as ONE document (front matter, then every policy's article), as a plain
    WeasyPrint run would lay it out; the build itself joins separately laid-out chapters."""
    from generator.render import print_book

    book = print_book(renderer)
    articles = [
        chapter.html[chapter.html.index("<article") : chapter.html.rindex("</article>") + 10]
        for chapter in book.chapters
    ]
    return book.front.html.replace("</body>", "\n".join(articles) + "\n</body>", 1)


def book(project: Path) -> None:
    """Render our book alone, as one document, through our PDF stage, into a throwaway file."""
    from generator.pdf import render_pdf
    from generator.render import PRINT_STYLESHEET

    prepared = prepare(project)
    html = whole_book_html(Renderer(prepared.handbook, prepared.report, SiteOptions()))
    rendered = render_pdf(
        html,
        root=project,
        base_dir=project,
        stylesheets=(project / PRINT_STYLESHEET,),
    )
    with tempfile.TemporaryDirectory(dir=project) as out:
        (Path(out) / "book.pdf").write_bytes(rendered.data)


if __name__ == "__main__":
    command, *rest = sys.argv[1:]
    if command == "load":
        load(Path(rest[0]))
    elif command == "site":
        site(Path(rest[0]))
    elif command == "book":
        book(Path(rest[0]))
    elif command == "export":
        export(Path(rest[0]), Path(rest[1]))
    else:
        raise SystemExit(f"unknown stage {command}")
