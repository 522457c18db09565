"""Stored editions cost nothing per build (issue 24): a build hashes only the edition files that
changed on disk since they last matched their manifest; `check` and `publish` hash every file,
and a tampered file is caught. An edition's validated model is read back from `.cache/`.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from conftest import PINOLE, PublishedEditions, run_handbook, tree_digest
from generator.editions import read_manifests, verify_editions
from generator.model import load_handbook
from generator.prepare import LOAD, SNAPSHOT_CACHE, NoProgress, load_history

pytestmark = pytest.mark.slow


def stored_files(project: Path) -> int:
    return sum(len(manifest.files) for manifest in read_manifests(project))


def test_after_publishing_a_build_reads_no_stored_file(
    published_editions: PublishedEditions,
) -> None:
    project = published_editions.project
    verified = verify_editions(project, read_manifests(project), every_file=False)
    assert verified.tampered == {}
    assert verified.hashed == 0
    assert verified.unchanged == stored_files(project) > 0


def test_a_build_hashes_again_only_the_files_changed_on_disk(copy: Path) -> None:
    manifests = read_manifests(copy)
    # A copied project's files are new files to the cache: hashed once, then not again.
    first = verify_editions(copy, manifests, every_file=False)
    assert (first.tampered, first.hashed) == ({}, stored_files(copy))
    again = verify_editions(copy, manifests, every_file=False)
    assert (again.tampered, again.hashed) == ({}, 0)
    stored = copy / "editions" / "A" / "policies" / f"{PINOLE}.yaml"
    stored.write_bytes(stored.read_bytes())  # Same bytes, written again: checked again, fine.
    rewritten = verify_editions(copy, manifests, every_file=False)
    assert (rewritten.tampered, rewritten.hashed) == ({}, 1)
    every = verify_editions(copy, manifests, every_file=True)
    assert (every.tampered, every.hashed) == ({}, stored_files(copy))


def test_a_tampered_file_with_its_time_restored_fails_build_check_and_publish(copy: Path) -> None:
    stored = copy / "editions" / "A" / "policies" / f"{PINOLE}.yaml"
    assert run_handbook("build", cwd=copy).returncode == 0  # Every stamp recorded.
    before = stored.stat()
    text = stored.read_text(encoding="utf-8")
    assert "within: 2" in text
    stored.write_text(text.replace("within: 2", "within: 5", 1), encoding="utf-8")
    os.utime(stored, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert stored.stat().st_size == before.st_size
    editions = tree_digest(copy / "editions")
    site = tree_digest(copy / "site")
    message = f"editions/A/policies/{PINOLE}.yaml: differs from its SHA-256 in manifest.json"
    for command in (
        ["build"],
        ["check"],
        ["publish", "--edition", "C", "--summary", "Tampered."],
    ):
        result = run_handbook(*command, cwd=copy)
        assert result.returncode == 1, command
        assert message in result.stderr, command
    assert tree_digest(copy / "editions") == editions
    assert tree_digest(copy / "site") == site


class Notes(NoProgress):
    """The stage notes a build would print."""

    def __init__(self) -> None:
        self.notes: list[tuple[str, str]] = []

    def note(self, stage: str, text: str) -> None:
        """Keep the note."""
        self.notes.append((stage, text))


def test_an_editions_model_comes_from_the_cache_equal_to_its_sources(copy: Path) -> None:
    shutil.rmtree(copy / SNAPSHOT_CACHE, ignore_errors=True)
    first, again = Notes(), Notes()
    read = load_history(copy, progress=first)
    cached = load_history(copy, progress=again)
    assert first.notes == [(LOAD, "2 stored editions: 2 read, 0 unchanged from the cache")]
    assert again.notes == [(LOAD, "2 stored editions: 0 read, 2 unchanged from the cache")]
    assert [edition.name for edition in cached] == ["A", "B"]
    for edition, from_sources in zip(cached, read, strict=True):
        assert edition.handbook is not None and edition.problem is None
        assert edition.handbook == from_sources.handbook
        assert edition.handbook == load_handbook(copy / "editions" / edition.name, stored=True)


def test_an_unreadable_cache_is_read_again_from_the_sources(copy: Path) -> None:
    load_history(copy)
    stored = copy / SNAPSHOT_CACHE / "A.pickle"
    assert stored.is_file()
    stored.write_bytes(b"not a pickle")
    notes = Notes()
    history = load_history(copy, progress=notes)
    assert notes.notes == [(LOAD, "2 stored editions: 1 read, 1 unchanged from the cache")]
    assert history[0].handbook == load_handbook(copy / "editions" / "A", stored=True)
    again = Notes()
    load_history(copy, progress=again)  # Written again whole.
    assert again.notes == [(LOAD, "2 stored editions: 0 read, 2 unchanged from the cache")]


def test_a_moved_project_reads_its_editions_again(copy: Path, tmp_path: Path) -> None:
    load_history(copy)
    moved = tmp_path / "moved"
    shutil.copytree(copy, moved)  # The cache comes along, made for the old folder.
    notes = Notes()
    history = load_history(moved, progress=notes)
    assert notes.notes == [(LOAD, "2 stored editions: 2 read, 0 unchanged from the cache")]
    assert all(edition.handbook is not None for edition in history)
    assert history[0].handbook == load_handbook(moved / "editions" / "A", stored=True)


def test_the_build_says_how_many_editions_came_from_the_cache(copy: Path) -> None:
    shutil.rmtree(copy / SNAPSHOT_CACHE, ignore_errors=True)
    lines = []
    for _ in range(2):
        result = run_handbook("build", cwd=copy)
        assert result.returncode == 0, result.stderr
        lines += [line for line in result.stderr.splitlines() if "load + validate" in line]
    assert len(lines) == 2
    assert lines[0].endswith("(2 stored editions: 2 read, 0 unchanged from the cache)")
    assert lines[1].endswith("(2 stored editions: 0 read, 2 unchanged from the cache)")
