"""`handbook serve`: the open page reloads by itself when a policy, a template or a file in
`site_overrides/` is saved; while a policy has an error, every page stays served and shows the
error, until the file is fixed."""

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
def preview(tmp_path: Path) -> Iterator[tuple[str, Path, Path]]:
    """`handbook serve` on a copy of the small handbook, in a subprocess: its URL, the
    project folder and the file its terminal output goes to."""
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
        yield url, project, tmp_path / "serve.log"
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
    preview: tuple[str, Path, Path], open_page: Any
) -> None:
    url, project, _ = preview
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
    edited = text.replace("{{ edition | e }}</p>", "{{ edition | e }} (override saved)</p>", 1)
    assert edited != text
    override.write_text(edited)
    seconds = wait_for_text(page, ".hb-footer__edition", "(override saved)")
    print(f"site_overrides/main.html edit shown after {seconds:.2f} s")
    assert page.evaluate("() => window.notReloaded === undefined")

    stylesheet = project / "site_overrides" / "assets" / "handbook.css"
    with stylesheet.open("a") as out:
        out.write("\n.hb-footer__edition { letter-spacing: 3px; }\n")
    page.wait_for_function(
        # The page may be mid-reload (no footer yet) when the condition is checked.
        "() => { const footer = document.querySelector('.hb-footer__edition');"
        " return footer !== null && getComputedStyle(footer).letterSpacing === '3px'; }",
        timeout=RELOAD_WAIT_MS,
    )
    assert visit.console_errors == []


def test_an_error_shows_on_every_page_which_stay_served_until_it_is_fixed(
    preview: tuple[str, Path, Path], open_page: Any
) -> None:
    url, project, log = preview
    # The terminal says where the preview is.
    assert f"Preview at {url} " in log.read_text()
    visit = open_page()
    page = visit.page
    page.goto(url + "counter-service/")
    counter_title = page.locator("article h1").inner_text()

    policy = project / "policies" / "phone-response.yaml"
    good = policy.read_text()
    line = good.splitlines().index("title: Telephone and Voicemail Response") + 1
    policy.write_text(good.replace("title: Telephone", "tittle: Telephone"))
    error = f"policies/phone-response.yaml:{line}: unknown field 'tittle' (did you mean 'title'?)"

    # The open page, of another policy, reloads with the error shown above its own content.
    wait_for_text(page, ".hb-preview-errors", error)
    assert page.locator(".hb-preview-errors").is_visible()
    assert page.locator("article h1").inner_text() == counter_title
    # The page of the policy with the error stays served: its last good version.
    page.goto(url + "phone-response/")
    assert "Telephone and Voicemail Response" in page.locator("article h1").inner_text()
    assert error in page.locator(".hb-preview-errors").inner_text()
    # The terminal shows the same error.
    assert error in log.read_text()

    policy.write_text(
        good.replace("title: Telephone and Voicemail", "title: Answering Telephones and")
    )
    wait_for_text(page, "article h1", "Answering Telephones and Response")
    assert page.locator(".hb-preview-errors").count() == 0
    assert "The errors are fixed" in log.read_text()
    assert visit.console_errors == []
