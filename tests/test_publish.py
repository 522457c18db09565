"""Atomic publishing: a killed build, a failed build or two builds at once never leave `site/`
half-written; the next build cleans up what a killed one left behind."""

from __future__ import annotations

import contextlib
import fcntl
import os
import queue
import shutil
import signal
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import HANDBOOK, ROOT, built_once, make_project, run_handbook, tree_digest
from generator.publish import new_build_dir, remove_leftovers, swap_in

# Fixed day and clock: two builds of the same sources are byte-identical, so "the new site"
# is one known tree and a kill can only leave the old tree or the new one.
ENV = {"SOURCE_DATE_EPOCH": "1795000000"}
ARTIFACTS = ROOT / "tests" / "artifacts" / "publish"
BUILD = ("build", "--today", "2026-11-27")


def environment() -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), **ENV}
    return env


def start_build(project: Path, *extra: str) -> subprocess.Popen[str]:
    """Start a real `handbook build` in its own process group (it has PDF workers)."""
    return subprocess.Popen(
        [*HANDBOOK, *BUILD, *extra],
        cwd=project,
        env=environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def kill_build(process: subprocess.Popen[str]) -> None:
    """kill -9 the build and every worker it started (its process group, by id)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=60)


def copy_project(original: Path, destination: Path) -> Path:
    """A copy of a built project, keeping file times, so each test kills its own builds."""
    subprocess.run(["cp", "-a", str(original), str(destination)], check=True)
    return destination


def leftovers(project: Path) -> list[str]:
    return sorted(p.name for p in project.glob(".site-*"))


def edit_policy(project: Path) -> None:
    source = project / "policies" / "counter-service.yaml"
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace("Greet every visitor.", "Greet every visitor by name."))


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str], Path]:
    """A built project, and the tree its edited sources build to (built elsewhere)."""
    return built_once(tmp_path_factory, "publish", build_and_reference)


def build_and_reference(base: Path) -> tuple[Path, dict[str, str], Path]:
    project = make_project(base / "project", "small")
    # A copy, not a second make_project: templates must be the same files in both.
    reference = base / "reference"
    subprocess.run(["cp", "-a", str(project), str(reference)], check=True)
    result = run_handbook(*BUILD, cwd=project, env=ENV)
    assert result.returncode == 0, result.stderr
    edit_policy(reference)
    result = run_handbook(*BUILD, cwd=reference, env=ENV)
    assert result.returncode == 0, result.stderr
    return project, tree_digest(reference / "site"), reference


# Where in its write each round's build is killed: a moment of that build's own (its new build
# folder appearing, or its stderr line for a finished stage), then a delay from that moment.
# Together they cover the site being written, the cards, the PDFs, and the swap.
KILL_MOMENTS = [
    ("build folder", 0.0),  # created, empty: MkDocs is reading the theme and rendering
    ("first file", 0.0),  # the site's files are being written
    ("site", 0.0),  # site written; the cards are being written
    ("cards", 0.0),  # cards written; the PDFs are being written, then the swap
    ("PDFs", 0.0),  # every file written; the swap is next, or done
]
MIN_MID_WRITE_KILLS = 3


@dataclass
class Round:
    """One kill: when, whether the build was still writing, and how far its folder got."""

    moment: str
    delay: float
    mid_write: bool = False
    files_written: int = 0
    published: bool = False

    def __str__(self) -> str:
        where = f"{self.moment} +{self.delay:.1f} s"
        if self.mid_write:
            return f"{where}: killed mid-write, {self.files_written} files in its build folder"
        return f"{where}: the new site was already published"


def build_folders(project: Path) -> set[str]:
    return {p.name for p in project.glob(".site-build-*")}


def wait_for_moment(
    process: subprocess.Popen[str],
    lines: queue.Queue[str | None],
    project: Path,
    before: set[str],
    moment: str,
) -> Path | None:
    """Wait for `moment` of this build; returns its own build folder (None if it never made one).

    Its own folder is the one whose name was not there before it started (`before`): a killed
    build's folder stays until the next build removes it.
    """
    own: Path | None = None
    while own is None and process.poll() is None:
        new = build_folders(project) - before
        if new:
            [name] = new
            own = project / name
        time.sleep(0.005)
    if own is None or moment == "build folder":
        return own
    if moment == "first file":
        while process.poll() is None and not any(p.is_file() for p in own.rglob("*")):
            time.sleep(0.005)
        return own
    while (line := lines.get(timeout=600)) is not None:
        if line.startswith(f"handbook: {moment}: "):
            break
    return own


@pytest.mark.own_pdf_cache
@pytest.mark.slow
def test_kill_9_at_any_moment_leaves_the_old_site_or_the_new_one(
    published: tuple[Path, dict[str, str], Path], tmp_path: Path
) -> None:
    original, new_tree, _ = published
    project = copy_project(original, tmp_path / "project")
    old_tree = tree_digest(project / "site")
    assert old_tree != new_tree
    edit_policy(project)
    rounds = []
    for moment, delay in KILL_MOMENTS:
        # No cached PDFs: every round renders and writes them, as the first build of an edit does.
        shutil.rmtree(project / ".cache", ignore_errors=True)
        before = build_folders(project)
        process = start_build(project)
        lines: queue.Queue[str | None] = queue.Queue()
        reader = threading.Thread(target=read_lines, args=(process, lines), daemon=True)
        reader.start()
        own = wait_for_moment(process, lines, project, before, moment)
        time.sleep(delay)
        kill_build(process)
        reader.join(timeout=60)
        process.communicate(timeout=60)  # Closes the pipes; the reader has read them to the end.
        result = Round(moment, delay)
        digest = tree_digest(project / "site")
        assert digest in (old_tree, new_tree), f"site/ is neither old nor new: {moment} +{delay}"
        result.published = digest == new_tree
        killed = process.returncode == -signal.SIGKILL
        if killed and not result.published:
            # Killed while writing its own folder, before the swap: the folder is left behind.
            assert own is not None and own.is_dir(), f"no build folder left: {moment} +{delay}"
            result.mid_write = True
            result.files_written = sum(1 for p in own.rglob("*") if p.is_file())
        elif not killed:
            assert result.published, f"a build that finished must have published: {moment}"
        rounds.append(result)
        if result.published:  # Back to the old site, so the next kill can tell them apart.
            shutil.rmtree(project / "site")
            subprocess.run(["cp", "-a", str(original / "site"), str(project / "site")], check=True)
    mid_write = [r for r in rounds if r.mid_write]
    report = f"kill -9: {len(mid_write)} of {len(rounds)} kills landed mid-write\n" + "\n".join(
        str(r) for r in rounds
    )
    print(report)  # Shown with pytest -s; kept in tests/artifacts/ for the record.
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "kill-9.txt").write_text(report + "\n", encoding="utf-8")
    assert len(mid_write) >= MIN_MID_WRITE_KILLS, report
    # The kills landed at different points of the write, not all at one.
    assert len({r.files_written for r in mid_write}) >= 3, report
    result = run_handbook(*BUILD, cwd=project, env=ENV)
    assert result.returncode == 0, result.stderr
    assert tree_digest(project / "site") == new_tree
    assert leftovers(project) == []


def read_lines(process: subprocess.Popen[str], lines: queue.Queue[str | None]) -> None:
    """Pass the build's stderr on line by line (its stage lines), then None at its end."""
    assert process.stderr is not None
    for line in process.stderr:
        lines.put(line)
    lines.put(None)


@pytest.mark.slow
def test_a_second_build_waits_for_the_lock_and_leaves_the_site_alone(
    published: tuple[Path, dict[str, str], Path], tmp_path: Path
) -> None:
    original, new_tree, _ = published
    project = copy_project(original, tmp_path / "project")
    old_tree = tree_digest(project / "site")
    edit_policy(project)
    with open(project / ".site.lock", "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # The test plays the first build.
        process = start_build(project)
        assert process.stderr is not None
        waited = False
        for line in process.stderr:
            if "another build is running; waiting for it to finish" in line:
                waited = True
                break
        assert waited
        assert process.poll() is None
        assert tree_digest(project / "site") == old_tree
        assert leftovers(project) == []
        fcntl.flock(lock, fcntl.LOCK_UN)
        process.communicate(timeout=600)
    assert process.returncode == 0
    assert tree_digest(project / "site") == new_tree


@pytest.mark.slow
def test_two_builds_started_together_both_publish_whole_sites(
    published: tuple[Path, dict[str, str], Path], tmp_path: Path
) -> None:
    original, new_tree, _ = published
    project = copy_project(original, tmp_path / "project")
    edit_policy(project)
    first, second = start_build(project), start_build(project)
    outputs = [first.communicate(timeout=600), second.communicate(timeout=600)]
    assert (first.returncode, second.returncode) == (0, 0), outputs
    assert all("Traceback" not in err for _, err in outputs)
    assert tree_digest(project / "site") == new_tree
    assert leftovers(project) == []


def test_a_failed_build_publishes_nothing_and_cleans_up(
    published: tuple[Path, dict[str, str], Path], tmp_path: Path
) -> None:
    original, _, _ = published
    project = copy_project(original, tmp_path / "project")
    before = tree_digest(project / "site")
    (project / "templates" / "policy.md.j2").write_text("{{ no_such_value }}\n")
    result = run_handbook(*BUILD, cwd=project, env=ENV)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert tree_digest(project / "site") == before
    assert leftovers(project) == []


# --------------------------------------------------------------------------- the swap itself


def make_tree(folder: Path, content: str) -> Path:
    (folder / "sub").mkdir(parents=True)
    (folder / "index.html").write_text(content)
    (folder / "sub" / "page.html").write_text(content * 2)
    return folder


def test_swap_replaces_the_site_and_removes_the_old_tree(tmp_path: Path) -> None:
    site = make_tree(tmp_path / "site", "old")
    build_dir = new_build_dir(site)
    assert build_dir.parent == tmp_path and build_dir.name.startswith(".site-build-")
    make_tree(build_dir / "x", "new")
    (build_dir / "index.html").write_text("new")
    swap_in(build_dir, site)
    assert (site / "index.html").read_text() == "new"
    assert (site / "x" / "sub" / "page.html").read_text() == "newnew"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
    assert site.stat().st_mode & 0o777 == 0o755


def test_first_publish_creates_the_site(tmp_path: Path) -> None:
    site = tmp_path / "out" / "site"
    build_dir = new_build_dir(site)
    (build_dir / "index.html").write_text("first")
    swap_in(build_dir, site)
    assert (site / "index.html").read_text() == "first"
    assert sorted(p.name for p in site.parent.iterdir()) == ["site"]


def test_leftovers_of_a_killed_build_are_removed_but_not_other_outputs(tmp_path: Path) -> None:
    site = make_tree(tmp_path / "site", "good")
    make_tree(tmp_path / ".site-build-abc123", "half")
    make_tree(tmp_path / ".preview-build-xyz789", "another output's build in progress")
    remove_leftovers(site)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".preview-build-xyz789", "site"]
    assert (site / "index.html").read_text() == "good"


def test_a_build_killed_between_the_fallback_renames_gets_its_site_back(tmp_path: Path) -> None:
    # The state the two-rename fallback leaves if killed between its renames: no site/, the
    # last good tree parked as .site-old-*, the new one still a .site-build-* directory.
    make_tree(tmp_path / ".site-old-abc123", "good")
    make_tree(tmp_path / ".site-build-def456", "new but never swapped in")
    site = tmp_path / "site"
    remove_leftovers(site)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
    assert (site / "index.html").read_text() == "good"
