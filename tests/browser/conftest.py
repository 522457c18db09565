"""Real headless Chromium against the built sites, served under a sub-path by a local server.

One browser and one build of each site per test worker. Every browser test module is marked
BROWSER_TESTS, an xdist group that keeps them on one worker under `pytest -n 2 --dist
loadgroup`, so one Chromium runs and each site is built once. pytest stays pinned below 9.2
(constraints.txt) until pytest-xdist groups again there: 3.8 marks a group by renaming the test
through an attribute pytest 9.2 no longer reads (pytest-xdist issue #1386), and the tests would
spread over both workers, each with its own browser and sites. Nothing depends on the grouping
but the time it saves.
"""

from __future__ import annotations

import functools
import http.server
import subprocess
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from conftest import ROOT, make_project, run_handbook

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-gpu"]
TODAY = "2026-11-27"
# Both sites are served below a sub-path, as on an intranet server: /sample/handbook/...
SAMPLE_PATH = "/sample/handbook/"
LIFECYCLE_PATH = "/lifecycle/handbook/"


# Every browser test module sets this, so that `--dist loadgroup` runs them on one worker.
BROWSER_TESTS = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.xdist_group("browser"),
]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves files without a log line per request."""

    def log_message(self, format: str, *args: Any) -> None:
        pass


def folder_handler(folder: Path) -> Callable[..., http.server.BaseHTTPRequestHandler]:
    """A quiet handler serving the files of `folder`."""
    return functools.partial(QuietHandler, directory=str(folder))


@contextmanager
def serving(handler: Callable[..., http.server.BaseHTTPRequestHandler]) -> Iterator[str]:
    """A local server with `handler` on a free port while the block runs: its origin."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class Served:
    """The local test server: its origin and the base URL of each site."""

    origin: str
    sample: str
    lifecycle: str
    sample_dir: Path
    lifecycle_dir: Path


@pytest.fixture(scope="session")
def served(sample_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The sample handbook and the lifecycle fixture handbook, served on 127.0.0.1."""
    work = tmp_path_factory.mktemp("browser")
    project = make_project(work / "lifecycle-project", "lifecycle")
    result = run_handbook("build", "--today", TODAY, cwd=project)
    assert result.returncode == 0, result.stderr
    www = work / "www"
    for url_path, site in ((SAMPLE_PATH, sample_site), (LIFECYCLE_PATH, project / "site")):
        target = www / url_path.strip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.symlink_to(site, target_is_directory=True)
    with serving(folder_handler(www)) as origin:
        yield Served(
            origin,
            origin + SAMPLE_PATH,
            origin + LIFECYCLE_PATH,
            sample_site,
            project / "site",
        )


def ensure_chromium() -> None:
    """Install Debian's chromium with apt when it is missing (needs root, as in `make test`)."""
    if not CHROMIUM.exists():
        subprocess.run([str(ROOT / "scripts" / "ensure-debian-packages"), "chromium"], check=True)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium for the whole session."""
    ensure_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass
class Visit:
    """A browser page that records every request, console error and page error."""

    page: Any
    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def foreign_requests(self, origin: str) -> list[str]:
        """Requests to anything but the local test server."""
        host = urlsplit(origin).netloc
        return [url for url in self.requests if urlsplit(url).netloc != host]


@pytest.fixture
def open_page(browser: Any) -> Iterator[Any]:
    """A factory for recorded pages: open_page(scheme="dark", width=390, javascript=False)."""
    contexts: list[Any] = []

    def factory(
        *, scheme: str = "light", width: int = 1280, height: int = 900, javascript: bool = True
    ) -> Visit:
        context = browser.new_context(
            viewport={"width": width, "height": height},
            color_scheme=scheme,
            java_script_enabled=javascript,
        )
        contexts.append(context)
        page = context.new_page()
        visit = Visit(page)
        page.on("request", lambda request: visit.requests.append(request.url))
        page.on(
            "console",
            lambda message: (
                visit.console_errors.append(message.text) if message.type == "error" else None
            ),
        )
        page.on("pageerror", lambda error: visit.console_errors.append(str(error)))
        return visit

    yield factory
    for context in contexts:
        context.close()


def site_pages(site: Path) -> list[str]:
    """Every page of a built site as a URL path relative to the site root ('' is home)."""
    pages = []
    for html_file in sorted(site.rglob("index.html")):
        relative = html_file.parent.relative_to(site).as_posix()
        pages.append("" if relative == "." else relative + "/")
    return pages
