"""Screenshots of the main page types at desktop and phone widths, into screenshots/ (ignored
by git), so that anyone can look at the site without building it."""

from __future__ import annotations

from typing import Any

import pytest

from browser.conftest import BROWSER_TESTS, Served
from conftest import ROOT

pytestmark = BROWSER_TESTS

SHOTS = ROOT / "screenshots"
PAGES = [("home", ""), ("policy", "corona-customer-care/"), ("reviews", "reviews/")]
WIDTHS = [("desktop", 1280, 900), ("phone", 390, 844)]


@pytest.mark.parametrize(("device", "width", "height"), WIDTHS)
def test_screenshots(device: str, width: int, height: int, served: Served, open_page: Any) -> None:
    from PIL import Image

    SHOTS.mkdir(exist_ok=True)
    visit = open_page(width=width, height=height)
    for name, path in PAGES:
        visit.page.goto(served.sample + path)
        target = SHOTS / f"{name}-{device}.png"
        visit.page.screenshot(path=str(target), full_page=True)
        with Image.open(target) as image:
            assert image.width == width
            assert image.height >= height
    assert visit.console_errors == []
