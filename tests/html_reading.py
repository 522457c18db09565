"""Reading built HTML back the way a person sees it."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

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


def search_records(site: Path) -> list[dict[str, Any]]:
    """Every record of the site's Pagefind search index, read back from its gzipped fragments."""
    records = []
    for fragment in sorted((site / "pagefind" / "fragment").glob("*.pf_fragment")):
        data = gzip.decompress(fragment.read_bytes()).removeprefix(b"pagefind_dcd")
        record = json.loads(data)
        # A record links to its `href` meta (page and #anchor), as the search worker does.
        record["url"] = record["meta"].get("href", record["url"])
        records.append(record)
    return records
