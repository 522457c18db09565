"""`handbook serve`: the open page reloads by itself when a policy, a template or a file in
`site_overrides/` is saved."""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from browser.conftest import BROWSER_TESTS
from conftest import HANDBOOK, ROOT, make_project

pytestmark = BROWSER_TESTS

# Generous: the preview normally reloads in about a second, but a busy test machine must not
# turn into a failure. The measured delay is printed (pytest -s shows it).
RELOAD_WAIT_MS = 60_000


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def preview(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """`handbook serve` on a copy of the small handbook, in a subprocess."""
    project = make_project(tmp_path / "project", "small")
    address = f"127.0.0.1:{free_port()}"
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "NO_MKDOCS_2_WARNING": "1"}
    environment.pop("SOURCE_DATE_EPOCH", None)
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen(
        [*HANDBOOK, "--project", str(project), "serve", "--dev-addr", address],
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://{address}/"
    try:
        for _ in range(600):
            try:
                with urllib.request.urlopen(url + "phone-response/") as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError):
                pass
            assert server.poll() is None, (tmp_path / "serve.log").read_text()
            time.sleep(0.2)
        else:
            pytest.fail("handbook serve did not start: " + (tmp_path / "serve.log").read_text())
        yield url, project
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def wait_for_text(page: Any, selector: str, text: str) -> float:
    """Seconds until `selector` shows `text` after a reload (waits for the new page)."""
    started = time.monotonic()
    page.wait_for_function(
        "([selector, text]) => document.querySelector(selector)?.textContent.includes(text)",
        arg=[selector, text],
        timeout=RELOAD_WAIT_MS,
    )
    return time.monotonic() - started


def test_saving_a_policy_or_a_template_reloads_the_open_page(
    preview: tuple[str, Path], open_page: Any
) -> None:
    url, project = preview
    visit = open_page()
    page = visit.page
    page.goto(url + "phone-response/")
    assert "Telephone and Voicemail Response" in page.locator("article h1").inner_text()
    page.evaluate("() => { window.notReloaded = true; }")

    policy = project / "policies" / "phone-response.yaml"
    policy.write_text(
        policy.read_text().replace(
            "title: Telephone and Voicemail Response", "title: Answering the Telephone"
        )
    )
    seconds = wait_for_text(page, "article h1", "Answering the Telephone")
    print(f"policy edit shown after {seconds:.2f} s")
    # A real reload of the page, not an in-place update.
    assert page.evaluate("() => window.notReloaded === undefined")

    template = project / "templates" / "policy.md.j2"
    template.write_text(template.read_text().replace("## Revision history", "## Revision record"))
    seconds = wait_for_text(page, "article", "Revision record")
    print(f"template edit shown after {seconds:.2f} s")

    # site_overrides/: the theme override (footer block) and the handbook stylesheet.
    page.evaluate("() => { window.notReloaded = true; }")
    override = project / "site_overrides" / "main.html"
    text = override.read_text()
    edited = text.replace(
        "{{ handbook.edition | e }}</p>", "{{ handbook.edition | e }} (override saved)</p>", 1
    )
    assert edited != text
    override.write_text(edited)
    seconds = wait_for_text(page, ".hb-footer__edition", "(override saved)")
    print(f"site_overrides/main.html edit shown after {seconds:.2f} s")
    assert page.evaluate("() => window.notReloaded === undefined")

    stylesheet = project / "site_overrides" / "assets" / "handbook.css"
    with stylesheet.open("a") as out:
        out.write("\n.hb-footer__edition { letter-spacing: 3px; }\n")
    page.wait_for_function(
        "() => getComputedStyle(document.querySelector('.hb-footer__edition'))"
        ".letterSpacing === '3px'",
        timeout=RELOAD_WAIT_MS,
    )
    assert visit.console_errors == []
