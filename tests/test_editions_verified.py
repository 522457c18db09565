"""Stored editions cost nothing per build (issue 24): a build hashes only the edition files that
changed on disk since they last matched their manifest; `check` and `publish` hash every file,
and a tampered file is caught.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import PINOLE, PublishedEditions, copy_project, run_handbook, tree_digest
from generator.editions import read_manifests, verify_editions

pytestmark = pytest.mark.slow


@pytest.fixture
def copy(published_editions: PublishedEditions, tmp_path: Path) -> Path:
    return copy_project(published_editions.project, tmp_path / "copy")


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
