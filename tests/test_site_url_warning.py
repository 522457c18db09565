"""The desk cards' QR codes lead somewhere (issue 23): a build warns, once, while `site_url` is
an example address such as the sample's intranet.example.gov."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import run_handbook
from generator.cards.build import is_example_address


@pytest.mark.parametrize(
    "url",
    [
        "https://intranet.example.gov/handbook/",
        "https://example.com/",
        "http://hr.example.org/h/",
        "https://handbook.test/",
        "http://localhost:8000/",
    ],
)
def test_example_hosts_are_recognized(url: str) -> None:
    assert is_example_address(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://intranet.cityofexample.gov/handbook/",
        "https://hr.corona.ca.us/handbook/",
        "https://examples.com/",
    ],
)
def test_real_hosts_are_not(url: str) -> None:
    assert not is_example_address(url)


@pytest.mark.slow
def test_a_build_with_an_example_site_url_warns_once(small_project: Path) -> None:
    result = run_handbook("build", "--today", "2026-11-27", cwd=small_project)
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if "is an example address" in line]
    assert warnings == [
        "policies/handbook.yaml:6: warning: site_url https://intranet.example.gov/handbook/ is "
        "an example address, so the QR codes on the desk cards lead nowhere; set site_url in "
        "policies/handbook.yaml to the handbook's real address (README: Desk cards)"
    ]
