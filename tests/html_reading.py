"""Reading built HTML back the way a person sees it."""

from __future__ import annotations

from pathlib import Path

from bs4 import BeautifulSoup, Tag


def page(site: Path, uri: str) -> BeautifulSoup:
    """Parse a built page, e.g. `corona-customer-care/` or `` for the home page."""
    return BeautifulSoup((site / uri / "index.html").read_text(encoding="utf-8"), "html.parser")


def article(soup: BeautifulSoup) -> Tag:
    """The page's main content, without navigation."""
    found = soup.select_one("article")
    assert found is not None
    return found


def text_of(node: Tag) -> str:
    """Visible text with whitespace folded."""
    return " ".join(node.get_text(" ").split())
