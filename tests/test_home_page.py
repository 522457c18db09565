"""The home page at any size (issue 25's budget): a small handbook shows each policy's summary;
a large one lists titles and leaves the summaries to each category's page, so the page a reader
opens first stays small."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import yaml

from conftest import ROOT


def home_and_categories(project: Path) -> tuple[str, dict[str, str]]:
    """The home page's Markdown and each category page's, rendered from `project`."""
    from generator.prepare import prepare
    from generator.render import Renderer, SiteOptions

    prepared = prepare(project, dt.date(2026, 12, 1))
    site = Renderer(prepared.handbook, prepared.report, SiteOptions()).site_pages()
    categories = {
        uri: text
        for uri, text in site.pages.items()
        if uri.endswith("/index.md") and uri.count("/") == 1
    }
    return site.pages["index.md"], categories


def summaries(project: Path) -> list[str]:
    """Every policy's summary as its source states it (first line: the start of the text)."""
    texts = []
    for path in sorted((project / "policies").glob("policy-*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        texts.append(" ".join(str(data["summary"]).split())[:60])
    return texts


def test_a_small_handbook_shows_every_summary_on_the_home_page(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT))
    from benchmarks.synth import generate_project

    project = generate_project(tmp_path / "project", 12)
    home, _ = home_and_categories(project)
    for summary in summaries(project):
        assert summary in " ".join(home.split())
    assert "each policy with its summary" not in home


def test_a_large_handbook_lists_titles_and_leaves_summaries_to_category_pages(
    tmp_path: Path,
) -> None:
    sys.path.insert(0, str(ROOT))
    from benchmarks.synth import generate_project

    project = generate_project(tmp_path / "project", 40)
    home, categories = home_and_categories(project)
    flat_home = " ".join(home.split())
    flat_categories = " ".join(" ".join(text.split()) for text in categories.values())
    for summary in summaries(project):
        assert summary not in flat_home
        assert summary in flat_categories
    # Every policy is still listed on the home page, and every category says where its
    # summaries are.
    for index in range(40):
        assert f'href="policy-{index:04d}/"' in home
    for uri in categories:
        slug = uri.split("/")[0]
        assert f'<a href="{slug}/">' in home
    assert home.count("each policy with its summary") == len(categories)
