"""Hostile titles in a real browser: Material's search inserts result titles as HTML, so this is
where an unescaped title would run. Every page and the search results must run nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_safety_hostile import hostile, hostile_project

from browser.conftest import BROWSER_TESTS, folder_handler, serving
from conftest import run_handbook

pytestmark = BROWSER_TESTS

# Runs in the page: any element a payload could have injected into the search results.
INJECTED = """() => [...document.querySelectorAll('body *')]
    .filter(e => ['SCRIPT', 'IMG', 'IFRAME'].includes(e.tagName) && e.outerHTML.includes('xss')
              || [...e.attributes].some(a => a.name.startsWith('on')))
    .map(e => e.outerHTML.slice(0, 120))"""


@pytest.fixture(scope="module")
def hostile_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The hostile handbook, built and served on 127.0.0.1."""
    project = hostile_project(tmp_path_factory.mktemp("hostile-browser") / "project")
    result = run_handbook("build", "--today", "2026-11-27", cwd=project)
    assert result.returncode == 0, result.stderr
    with serving(folder_handler(project / "site")) as origin:
        yield origin + "/"


def test_search_results_show_hostile_titles_as_text(
    hostile_url: str, open_page: Any, tmp_path: Path
) -> None:
    visit = open_page()
    page = visit.page
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(hostile_url + "counter-service/")
    assert page.evaluate(INJECTED) == []
    box = page.locator("input.md-search__input")
    box.click()
    box.fill("script")
    box.press("End")  # Material searches on key events; fill() alone sends none.
    page.locator(".md-search-result__item").first.wait_for()
    shown = page.locator(".md-search-result").inner_text()
    injected = page.evaluate(INJECTED)
    page.screenshot(path=str(tmp_path / "search.png"))
    assert dialogs == []
    assert injected == []
    # The policy title (its rules' titles) shows as typed. A contact's hours (Contacts page) may
    # be left out of a preview, which ends on a rule's text; where it shows, it shows as typed.
    assert "alert('xss-1')" not in shown or "P8 <script>alert('xss-1')</script>" in shown
    assert "P10 <img src=x onerror=alert('xss-3')>" in shown
    assert page.title() == f"{hostile(10)} - {hostile(1)}"
