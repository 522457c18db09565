"""The first search in Chromium, for `make bench` (or `python -m benchmarks.run --search-only`).

What a reader's browser downloads before the first result, and how long that result takes, for
our site (Pagefind behind Material's search box) and for a plain Material build of the same pages
(lunr over one JSON file). Writes benchmarks/search-results.json for results.md.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from benchmarks.synth import generate_project

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
QUERY = "voicemail greeting"
SAVED = HERE / "search-results.json"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        # The browser closing a connection mid-reply (its context closed after the first
        # result) is no error of the measurement; anything else is still printed.
        if isinstance(sys.exc_info()[1], BrokenPipeError | ConnectionResetError):
            return
        super().handle_error(request, client_address)


def _serve(folder: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(_Quiet, directory=str(folder))
    server = _Server(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def first_result(browser: Any, url: str) -> dict[str, float]:
    """Open `url` with an empty cache, type the query; bytes and seconds to the first result."""
    context = browser.new_context()
    sizes: list[int] = []

    def finished(request: Any) -> None:
        try:
            size = request.sizes()
            sizes.append(size["responseBodySize"] + size["responseHeadersSize"])
        except Exception:  # a request the browser gave up on has no sizes
            pass

    context.on("requestfinished", finished)
    page = context.new_page()
    page.goto(url, wait_until="load")
    page_bytes = sum(sizes)
    box = page.locator("input.md-search__input")
    box.click()
    started = time.perf_counter()
    page.keyboard.type(QUERY)
    page.locator("li.md-search-result__item").first.wait_for(timeout=120_000)
    seconds = time.perf_counter() - started
    total = sum(sizes)
    context.close()
    return {"seconds": seconds, "bytes": total, "search_bytes": total - page_bytes}


def measure(n: int, runs: int, work: Path, reuse: bool = False) -> dict[str, Any]:
    """Build both sites of `n` policies and measure a first search on each `runs` times
    (`reuse`: measure the sites a previous run built, if they are there)."""
    from playwright.sync_api import sync_playwright

    project = work / f"search-n{n}"
    ours = project / "site-search"
    plain = work / f"search-plain-n{n}"
    if not (reuse and (ours / "pagefind").is_dir() and (plain / "site" / "search").is_dir()):
        generate_project(project, n)
        subprocess.run(
            [sys.executable, "-m", "benchmarks.search", "--build", str(project), str(ours)],
            check=True,
            cwd=ROOT,
        )
        subprocess.run(
            [sys.executable, "-m", "benchmarks.stages", "export", str(project), str(plain)],
            check=True,
            cwd=ROOT,
        )
        subprocess.run(
            [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(plain / "mkdocs.yml")],
            check=True,
            cwd=plain,
            # Material's notice about MkDocs 2.0 would bury the bench's own lines.
            env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        )
    results: dict[str, Any] = {"n": n}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
        )
        for name, folder in (("pagefind", ours), ("lunr", plain / "site")):
            server, url = _serve(folder)
            try:
                samples = [first_result(browser, url) for _ in range(runs)]
            finally:
                server.shutdown()
            results[name] = {
                key: statistics.median(sample[key] for sample in samples) for key in samples[0]
            }
        browser.close()
    index = ours / "pagefind"
    results["pagefind"]["index_bytes"] = sum(
        f.stat().st_size for f in index.rglob("*") if f.is_file()
    )
    results["lunr"]["index_bytes"] = (
        (plain / "site" / "search" / "search_index.json").stat().st_size
    )
    return results


def _build(project: Path, destination: Path) -> None:
    from generator.prepare import prepare
    from generator.render import Renderer, SiteOptions
    from generator.site import build_site

    prepared = prepare(project)
    pages = Renderer(prepared.handbook, prepared.report, SiteOptions()).site_pages()
    build_site(project, destination, lambda: pages)


def measure_and_save(
    n: int, runs: int, work: Path, saved_path: Path = SAVED, reuse: bool = False
) -> dict[str, Any]:
    """Measure at `n` policies and save the figures for results.md (search-results.json)."""
    import datetime as dt
    import platform

    result = measure(n, runs, work, reuse)
    saved = {
        "date": dt.date.today().isoformat(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Chromium headless",
        "runs": runs,
        "query": QUERY,
        "note": os.environ.get("BENCH_NOTE", ""),
        "results": [result],
    }
    saved_path.write_text(json.dumps(saved, indent=2) + "\n", encoding="utf-8")
    return result


def main(argv: list[str] | None = None) -> int:
    """Measure search at each size and write benchmarks/search-results.json."""
    parser = argparse.ArgumentParser(prog="bench-search")
    parser.add_argument("--sizes", default="1000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work", type=Path, default=HERE / "work")
    parser.add_argument("--build", nargs=2, type=Path, help=argparse.SUPPRESS)
    parser.add_argument(
        "--reuse", action="store_true", help="measure the sites of the last run when they exist"
    )
    arguments = parser.parse_args(argv)
    if arguments.build:
        _build(*arguments.build)
        return 0
    for n in (int(size) for size in arguments.sizes.split(",")):
        print(f"search at N = {n}", flush=True)
        saved = measure_and_save(n, arguments.runs, arguments.work, SAVED, arguments.reuse)
        print(json.dumps(saved, indent=2))
    print(f"wrote {SAVED}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
