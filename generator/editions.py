"""Editions on disk: `editions/NAME/` keeps the sources and PDFs exactly as published, with a
manifest of hashes. An edition is a fact about the past: it is written once, atomically, and
never rewritten.

Only files and hashes here. A snapshot's sources are read like the live ones, by
`model.load_handbook` with the edition's folder as the project root.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .caches import write_cache_file

EDITIONS_DIR = "editions"
MANIFEST = "manifest.json"
SOURCES = "policies"
PDFS = "pdf"
BOOK_PDF = "handbook.pdf"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_STAGING_PREFIX = ".staging-"


class EditionRefused(Exception):
    """An edition that cannot be published as asked (name taken, date before the last one ...)."""


@dataclass(frozen=True)
class PolicyEntry:
    """One policy as an edition recorded it."""

    id: str
    title: str
    number: str | None
    status: str
    version: str | None
    source: str
    pdf: str | None


@dataclass(frozen=True)
class Manifest:
    """What an edition is: its name, date, summary, predecessor, counts and file hashes."""

    name: str
    date: dt.date
    summary: str
    previous: str | None
    sequence: int
    counts: dict[str, int]
    policies: tuple[PolicyEntry, ...]
    files: dict[str, str]
    folder: Path

    def policy(self, policy_id: str) -> PolicyEntry | None:
        """The recorded entry of a policy, or None when the edition did not have it."""
        return next((entry for entry in self.policies if entry.id == policy_id), None)

    def as_json(self) -> str:
        """The manifest file's text."""
        data: dict[str, Any] = {
            "name": self.name,
            "date": self.date.isoformat(),
            "summary": self.summary,
            "previous": self.previous,
            "sequence": self.sequence,
            "counts": self.counts,
            "policies": [entry.__dict__ for entry in self.policies],
            "files": self.files,
        }
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


@dataclass(frozen=True)
class EditionRequest:
    """`handbook publish --edition NAME --date D --summary TEXT`, before anything is written."""

    name: str
    date: dt.date
    summary: str


def editions_dir(root: Path) -> Path:
    """The folder that holds every edition of the project at `root`."""
    return root / EDITIONS_DIR


def read_manifests(root: Path) -> list[Manifest]:
    """Every published edition, oldest first; none when `editions/` does not exist yet."""
    folder = editions_dir(root)
    if not folder.is_dir():
        return []
    manifests = []
    for path in sorted(folder.glob(f"*/{MANIFEST}")):
        if path.parent.name.startswith("."):
            continue
        data = json.loads(path.read_text(encoding="utf-8"))
        manifests.append(
            Manifest(
                name=data["name"],
                date=dt.date.fromisoformat(data["date"]),
                summary=data["summary"],
                previous=data["previous"],
                sequence=int(data["sequence"]),
                counts=dict(data["counts"]),
                policies=tuple(PolicyEntry(**entry) for entry in data["policies"]),
                files=dict(data["files"]),
                folder=path.parent,
            )
        )
    return sorted(manifests, key=lambda manifest: manifest.sequence)


def check_request(root: Path, request: EditionRequest, real_today: dt.date) -> None:
    """Refuse a name that is taken or malformed, a date before the latest edition's or in the
    future, and an empty summary; raises `EditionRefused` saying why."""
    if not _NAME.fullmatch(request.name):
        raise EditionRefused(
            f"edition name {request.name!r} must be letters, digits, '.', '-' or '_' "
            "(for example 2026-1)"
        )
    if (editions_dir(root) / request.name).exists():
        raise EditionRefused(
            f"edition '{request.name}' already exists in {EDITIONS_DIR}/; an edition is never "
            "overwritten: choose a new name"
        )
    if not request.summary.strip():
        raise EditionRefused("a change summary is required: say what this edition changes")
    if request.date > real_today:
        raise EditionRefused(f"{request.date} is in the future (today is {real_today})")
    manifests = read_manifests(root)
    if manifests and request.date < manifests[-1].date:
        latest = manifests[-1]
        raise EditionRefused(
            f"{request.date} is before the latest edition '{latest.name}' of {latest.date}; "
            "editions are published in date order"
        )


def sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes, in hex."""
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def stage_edition(
    root: Path,
    request: EditionRequest,
    policies: list[PolicyEntry],
    counts: dict[str, int],
    pdf_dir: Path,
) -> Path:
    """Write the whole edition into a hidden folder beside the others; `commit_edition` names it.

    The sources are byte copies of `policies/*.yaml`; the PDFs are byte copies of those just
    built into `pdf_dir`.
    """
    folder = editions_dir(root)
    folder.mkdir(parents=True, exist_ok=True)
    staged = Path(tempfile.mkdtemp(prefix=f"{_STAGING_PREFIX}{request.name}-", dir=folder))
    try:
        (staged / SOURCES).mkdir()
        for source in sorted((root / SOURCES).glob("*.yaml")):
            shutil.copyfile(source, staged / SOURCES / source.name)
        (staged / PDFS).mkdir()
        shutil.copyfile(pdf_dir / BOOK_PDF, staged / PDFS / BOOK_PDF)
        for entry in policies:
            if entry.pdf is not None:
                shutil.copyfile(pdf_dir / Path(entry.pdf).name, staged / entry.pdf)
        manifests = read_manifests(root)
        files = {
            str(path.relative_to(staged)): sha256(path)
            for path in sorted(staged.rglob("*"))
            if path.is_file()
        }
        manifest = Manifest(
            name=request.name,
            date=request.date,
            summary=request.summary.strip(),
            previous=manifests[-1].name if manifests else None,
            sequence=manifests[-1].sequence + 1 if manifests else 1,
            counts=counts,
            policies=tuple(policies),
            files=files,
            folder=folder / request.name,
        )
        (staged / MANIFEST).write_text(manifest.as_json(), encoding="utf-8")
        os.chmod(staged, 0o755)  # mkdtemp makes it private; the edition is shared.
    except BaseException:
        shutil.rmtree(staged, ignore_errors=True)
        raise
    return staged


def commit_edition(staged: Path, root: Path, name: str) -> Path:
    """Give the staged edition its name in one rename; never over an existing edition."""
    target = editions_dir(root) / name
    if target.exists():
        discard_staged(staged)
        raise EditionRefused(f"edition '{name}' appeared while publishing; nothing was recorded")
    os.rename(staged, target)
    # Verified as written: the new edition's files have no stamps yet, so they are hashed
    # where they landed and recorded; the builds after this one do not read them again.
    verify_editions(root, read_manifests(root), every_file=False)
    return target


def discard_staged(staged: Path) -> None:
    """Throw away an edition that was staged for a build that failed."""
    shutil.rmtree(staged, ignore_errors=True)


def remove_staging_leftovers(root: Path) -> None:
    """Remove half-written editions that a killed publish left behind."""
    folder = editions_dir(root)
    if folder.is_dir():
        for leftover in folder.glob(f"{_STAGING_PREFIX}*"):
            shutil.rmtree(leftover, ignore_errors=True)


# ---- verification without rereading (issue 24): fifty editions of 1,000 policies are tens of
# thousands of files; a build hashes only those whose stat changed since they last matched.

VERIFIED_CACHE = Path(".cache") / "editions-verified.json"
_CACHE_VERSION = 1


@dataclass(frozen=True)
class Verification:
    """What verifying the editions found: tampered files per edition, and how many were read."""

    tampered: dict[str, list[str]]
    hashed: int
    unchanged: int


def _stamp(path: Path) -> list[int] | None:
    # The change time and inode are in the stamp too: a tool that restores a file's
    # modification time (touch -r, some copy programs) cannot restore those.
    try:
        info = path.stat()
    except OSError:
        return None
    return [info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino]


def _read_verified(root: Path) -> dict[str, list[Any]]:
    try:
        data = json.loads((root / VERIFIED_CACHE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("version") != _CACHE_VERSION:
        return {}
    files = data.get("files")
    return files if isinstance(files, dict) else {}


def _write_verified(root: Path, files: dict[str, list[Any]]) -> None:
    path = root / VERIFIED_CACHE
    text = json.dumps({"version": _CACHE_VERSION, "files": files}, sort_keys=True)
    write_cache_file(path, text.encode())  # Not written: the next build hashes again.


def verify_editions(root: Path, manifests: list[Manifest], *, every_file: bool) -> Verification:
    """Check the editions' files against their manifests.

    With `every_file` (`check`, `publish`, a new edition) every file is hashed. Otherwise only
    files whose size, modification time, change time or inode differ from when they last
    matched their manifest's hash (recorded in `.cache/`) are hashed again.
    """
    known = _read_verified(root)
    remembered: dict[str, list[Any]] = {}
    tampered: dict[str, list[str]] = {}
    hashed = unchanged = 0
    for manifest in manifests:
        for name, digest in manifest.files.items():
            key = f"{manifest.folder.name}/{name}"
            path = manifest.folder / name
            stamp = _stamp(path)  # Taken before reading: a write during the read shows next time.
            if stamp is not None and not every_file and known.get(key) == [digest, *stamp]:
                unchanged += 1
                remembered[key] = [digest, *stamp]
                continue
            hashed += 1
            if stamp is not None and path.is_file() and sha256(path) == digest:
                remembered[key] = [digest, *stamp]
            else:
                tampered.setdefault(manifest.name, []).append(name)
    if remembered != known:
        _write_verified(root, remembered)
    return Verification(tampered, hashed, unchanged)


def copy_pdfs(source: Path, destination: Path, names: list[str]) -> None:
    """Copy published PDFs byte for byte into the site (hard links would let the site share
    inodes with the edition, and a later edit of one would change the other)."""
    destination.mkdir(parents=True, exist_ok=True)
    for name in names:
        if (source / name).is_file():
            shutil.copyfile(source / name, destination / name)
