"""An incremental site (issue 24): a rebuild takes unchanged pages from the published site, and
what it publishes is byte for byte what a clean build of the same sources publishes.

One project is built once, then changed step by step (a one-word edit, a changed template, a
changed handbook.yaml, a changed title, a retired policy, a new policy). After each change it is
built again where it is, and a copy without its `site/` and without the site's record in
`.cache/` is built from scratch; the two trees must be identical. (The copy keeps the PDF cache:
what is compared here is the site, and PDFs from the cache are tested in test_pdf.py.)
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import PINOLE, ROOT, make_project, run_handbook, tree_digest

pytestmark = pytest.mark.slow

EPOCH = {"SOURCE_DATE_EPOCH": "1795000000"}  # 2026-11-18: reviews and dates fixed.
SITE_LINE = re.compile(
    r"handbook: site: [0-9.]+ s \(([0-9]+) pages: ([0-9]+) rebuilt, ([0-9]+) unchanged\)"
)


def site_counts(stderr: str) -> tuple[int, int, int]:
    """(pages, rebuilt, unchanged) from the build's site line."""
    match = SITE_LINE.search(stderr)
    assert match is not None, stderr
    pages, rebuilt, unchanged = (int(group) for group in match.groups())
    assert pages == rebuilt + unchanged
    return pages, rebuilt, unchanged


def build_both_ways(project: Path, tmp_path: Path, name: str) -> tuple[int, int, int]:
    """Build `project` in place and a clean copy of it; assert identical sites; return the
    in-place build's site counts."""
    incremental = run_handbook("build", cwd=project, env=EPOCH)
    assert incremental.returncode == 0, incremental.stderr
    clean = tmp_path / f"clean-{name}"
    shutil.copytree(
        project, clean, ignore=lambda folder, names: ["site"] if folder == str(project) else []
    )
    shutil.rmtree(clean / ".cache" / "site")
    fresh = run_handbook("build", cwd=clean, env=EPOCH)
    assert fresh.returncode == 0, fresh.stderr
    assert site_counts(fresh.stderr)[2] == 0  # The clean build reused nothing.
    ours, theirs = tree_digest(project / "site"), tree_digest(clean / "site")
    assert sorted(ours) == sorted(theirs), name
    assert [path for path in ours if ours[path] != theirs[path]] == [], name
    shutil.rmtree(clean)
    return site_counts(incremental.stderr)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def new_policy(project: Path) -> None:
    source = (project / "policies" / f"{PINOLE}.yaml").read_text(encoding="utf-8")
    text = source.replace(f"id: {PINOLE}\n", "id: pinole-copy\n", 1)
    text = re.sub(r"(?m)^title: .*$", "title: A Second Service Policy", text, count=1)
    text = re.sub(r"(?m)^short_title: .*$", "short_title: Second", text, count=1)
    assert "A Second Service Policy" in text and "short_title: Second" in text
    (project / "policies" / "pinole-copy.yaml").write_text(text, encoding="utf-8")


def test_each_rebuild_equals_a_clean_build(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project", None)
    policies = project / "policies"
    first = run_handbook("build", cwd=project, env=EPOCH)
    assert first.returncode == 0, first.stderr
    pages, rebuilt, unchanged = site_counts(first.stderr)
    assert (rebuilt, unchanged) == (pages, 0)

    # Nothing changed: every page but the tags listing (filled in from every page) is reused.
    assert build_both_ways(project, tmp_path, "nothing")[1] == 1

    steps: list[tuple[str, Callable[[], None], bool]] = [
        (
            "one-word edit",
            lambda: edit(
                policies / f"{PINOLE}.yaml",
                "committed to exceptional customer service",
                "committed to excellent customer service",
            ),
            True,
        ),
        (
            "changed template",
            lambda: edit(
                project / "templates" / "policy.md.j2",
                "<dt>Owner</dt>",
                "<dt>Policy owner</dt>",
            ),
            True,
        ),
        (
            "changed handbook.yaml",
            lambda: edit(
                policies / "handbook.yaml",
                "description: Training material for staff who serve customers.",
                "description: Training material for all staff who serve customers.",
            ),
            True,
        ),
        (
            "changed title",
            lambda: edit(
                policies / f"{PINOLE}.yaml",
                "\ntitle: Customer Service Philosophy and Standards\n",
                "\ntitle: Customer Service Philosophy and Service Standards\n",
            ),
            False,
        ),
        (
            "retired policy",
            lambda: edit(
                policies / "utility-customer-service-training.yaml",
                "id: utility-customer-service-training\n",
                "id: utility-customer-service-training\nstatus: retired\n",
            ),
            False,
        ),
        ("new policy", lambda: new_policy(project), False),
    ]
    for name, change, reuses in steps:
        change()
        pages, rebuilt, unchanged = build_both_ways(project, tmp_path, name)
        if reuses:
            # Only the pages that show the change are built again.
            assert 0 < rebuilt < pages and unchanged > 0, name
        else:
            # The navigation changed, and every page draws it: all are built again.
            assert unchanged == 0, name


def test_a_stale_or_broken_record_or_a_page_edited_in_site_never_leaves_a_wrong_page(
    tmp_path: Path,
) -> None:
    project = make_project(tmp_path / "project", "small")
    assert run_handbook("build", cwd=project, env=EPOCH).returncode == 0
    clean = tree_digest(project / "site")
    (record,) = (project / ".cache" / "site").glob("*.json")

    # A page changed by hand in the published site is built again, not trusted.
    page = project / "site" / "phone-response" / "index.html"
    page.write_text(page.read_text(encoding="utf-8").replace("</main>", "x</main>"))
    again = run_handbook("build", cwd=project, env=EPOCH)
    assert again.returncode == 0, again.stderr
    assert site_counts(again.stderr)[1] == 2  # That page and the tags listing.
    assert tree_digest(project / "site") == clean

    # A record whose titles do not match what MkDocs read: the site is built again, whole.
    data = json.loads(record.read_text(encoding="utf-8"))
    data["titles"] = "stale"
    record.write_text(json.dumps(data), encoding="utf-8")
    stale = run_handbook("build", cwd=project, env=EPOCH)
    assert stale.returncode == 0, stale.stderr
    assert site_counts(stale.stderr)[2] == 0
    assert tree_digest(project / "site") == clean

    # A record that cannot be read: nothing is reused.
    record.write_text("{not json", encoding="utf-8")
    broken = run_handbook("build", cwd=project, env=EPOCH)
    assert broken.returncode == 0, broken.stderr
    assert site_counts(broken.stderr)[2] == 0
    assert tree_digest(project / "site") == clean
    assert site_counts(run_handbook("build", cwd=project, env=EPOCH).stderr)[1] == 1


def test_the_first_edit_after_a_publish_rebuilds_only_that_policys_pages(tmp_path: Path) -> None:
    """Issue 24: once an edition is published, a one-word edit of one policy changes the
    edition its pages name ("…, with changes not yet published"), and that of the pages of the
    whole handbook, but not the footer of any other policy's page: those are reused, and the
    site is still byte for byte a clean build's."""
    sys.path.insert(0, str(ROOT))
    from benchmarks.synth import edit_one_policy, generate_project

    count = 20
    project = generate_project(tmp_path / "project", count)
    published = run_handbook(
        "publish",
        "--edition",
        "E1",
        "--date",
        "2026-11-18",
        "--summary",
        "First.",
        cwd=project,
        env=EPOCH,
    )
    assert published.returncode == 0, published.stderr
    edit_one_policy(project, 0, dt.date(2026, 11, 18))
    pages, rebuilt, unchanged = build_both_ways(project, tmp_path, "first edit after a publish")
    # Every policy has its page and the page of its version in E1; of those, only the edited
    # policy's two are built again. The rest of the rebuilt pages are the handbook's own
    # (home, what's new, categories ...), whose footer now says changes are not yet published.
    assert unchanged == 2 * (count - 1), (pages, rebuilt, unchanged)
    assert rebuilt == pages - 2 * (count - 1)
    assert unchanged > rebuilt

    # A second edit, of another policy (a copy of the same sample one): its two pages and the
    # pages that list what changed.
    edit_one_policy(project, 5, dt.date(2026, 11, 18))
    pages, rebuilt, unchanged = build_both_ways(project, tmp_path, "second edit")
    assert unchanged >= 2 * (count - 2), (pages, rebuilt, unchanged)
