"""Reproducible builds: with SOURCE_DATE_EPOCH set, two builds of the same sources in different
folders, at different times, give byte-identical trees, file by file (HTML, search index,
sitemap and its gzip, JSON, ICS, PDFs: every file the build writes)."""

from __future__ import annotations

import datetime as dt
import gzip
import os
import shutil
import time
from pathlib import Path

import pytest

from conftest import make_project, run_handbook, tree_digest

EPOCH = 1_795_000_000  # 2026-11-18T11:06:40Z


@pytest.mark.slow
def test_two_builds_of_the_same_sources_are_byte_identical(tmp_path: Path) -> None:
    first = make_project(tmp_path / "first", "small")
    # Same sources, another folder, fresh modification times and no shared cache.
    second = tmp_path / "elsewhere" / "second"
    shutil.copytree(first, second)
    for path in (second / "policies").iterdir():
        later = path.stat().st_mtime + 3600  # Not the clock: tests never read it.
        os.utime(path, (later, later))
    env = {"SOURCE_DATE_EPOCH": str(EPOCH)}

    one = run_handbook("build", cwd=first, env=env)
    time.sleep(1.1)  # A clock second later: any timestamp that leaks in would differ.
    two = run_handbook("build", cwd=second, env=env)

    assert one.returncode == 0, one.stderr
    assert two.returncode == 0, two.stderr
    first_tree = tree_digest(first / "site")
    second_tree = tree_digest(second / "site")
    assert sorted(first_tree) == sorted(second_tree)
    differing = [name for name in first_tree if first_tree[name] != second_tree[name]]
    assert differing == []
    # The build took its date from SOURCE_DATE_EPOCH, not the clock.
    day = dt.datetime.fromtimestamp(EPOCH, dt.UTC).date().isoformat()
    assert f"<lastmod>{day}</lastmod>" in (first / "site" / "sitemap.xml").read_text("utf-8")
    with gzip.open(first / "site" / "sitemap.xml.gz") as packed:
        assert packed.read() == (first / "site" / "sitemap.xml").read_bytes()
    assert len(first_tree) > 20
