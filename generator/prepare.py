"""The first stage of every command: load and validate the sources once, read the published
editions back, and review the handbook, into the model every later stage takes.

Kept apart from the pipeline's build so that a command which only checks (`handbook check`,
the acknowledgements, a build that stops at an error) never imports the rendering, layout and
site libraries: about a third of a second each time, and the tests run hundreds of them.
"""

from __future__ import annotations

import datetime as dt
import functools
import gc
import hashlib
import os
import pickle
import sys
import zoneinfo
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from .caches import package_versions, write_cache_file
from .changes import Edition, unexplained_changes
from .editions import EditionRequest, Manifest, read_manifests, verify_editions
from .errors import BuildFailed, SourceError
from .model import Handbook, load_handbook, rule_errors, stale_copies
from .review import ReviewReport, review_handbook
from .search import best_bet_errors


def real_today(handbook: Handbook) -> dt.date:
    """The actual current date in the handbook's time zone."""
    return dt.datetime.now(zoneinfo.ZoneInfo(handbook.settings.timezone)).date()


def real_today_of(root: Path) -> dt.date:
    """Today's date in the handbook's time zone (the machine's, if the handbook does not load)."""
    try:
        return real_today(load_handbook(root))
    except BuildFailed:
        return dt.date.today()


def resolve_today(handbook: Handbook, override: dt.date | None) -> dt.date:
    """The day reviews are computed for: --today, else SOURCE_DATE_EPOCH, else now (local)."""
    if override is not None:
        return override
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    zone = zoneinfo.ZoneInfo(handbook.settings.timezone)
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), zone).date()
        except (ValueError, OverflowError):
            raise BuildFailed(
                [
                    SourceError(
                        "SOURCE_DATE_EPOCH", 0, "", f"expected seconds since 1970, got {epoch!r}"
                    )
                ],
                "nothing was published",
            ) from None
    return dt.datetime.now(zone).date()


@dataclass(frozen=True)
class Prepared:
    """The validated model and its review report: what every output is built from."""

    handbook: Handbook
    report: ReviewReport
    # ---- editions (issue 12): every published edition, oldest first, with its sources read
    # back; the last one is the edition being published when `prepare` was given one.
    history: tuple[Edition, ...] = ()


def load_history(
    root: Path, *, verify_every_file: bool = False, progress: Progress | None = None
) -> tuple[Edition, ...]:
    """Every edition in `editions/`, its stored sources validated like the live ones.

    An edition whose files no longer match its manifest fails the build: an edition is never
    rewritten. Only files changed on disk since they last matched are hashed, unless
    `verify_every_file`. One whose sources no longer validate (the schema changed since) is
    kept with the reason, and shown from its PDFs as published. An edition's validated model
    is read back from `.cache/` when neither its files nor this code changed since.
    """
    errors: list[SourceError] = []
    editions: list[Edition] = []
    try:
        manifests = read_manifests(root)
    except (ValueError, KeyError, TypeError) as failure:
        raise BuildFailed(
            [SourceError("editions", 0, "", f"a manifest.json cannot be read: {failure}")]
        ) from None
    verified = verify_editions(root, manifests, every_file=verify_every_file)
    reused = 0
    for manifest in manifests:
        for name in verified.tampered.get(manifest.name, []):
            errors.append(
                SourceError(
                    f"editions/{manifest.name}/{name}",
                    0,
                    "",
                    "differs from its SHA-256 in manifest.json; a published edition is never "
                    "changed: restore the file from version control",
                )
            )
        if manifest.name in verified.tampered:
            continue  # The build fails below; its sources are not worth reading.
        snapshot, problem, cached = _snapshot(root, manifest)
        reused += cached
        editions.append(
            Edition(manifest.name, manifest.date, manifest.summary, snapshot, manifest, problem)
        )
    if errors:
        raise BuildFailed(errors)
    if editions:
        (progress or NoProgress()).note(
            LOAD,
            f"{_editions(len(editions))}: {len(editions) - reused} read, "
            f"{reused} unchanged from the cache",
        )
    return tuple(editions)


def _editions(count: int) -> str:
    return f"{count} stored edition{'' if count == 1 else 's'}"


# ---- stored snapshots (issue 24): an edition's sources never change, yet reading and
# validating them again was 40 % of every build's first stage at 1,000 policies. Its validated
# model is kept in .cache/ and read back while its files and this code are as they were.

SNAPSHOT_CACHE = Path(".cache") / "editions"
_SNAPSHOT_FORMAT = "1"


@functools.cache
def _code_fingerprint() -> str:
    """What besides an edition's files decides its model: this package and the readers' versions."""
    digest = hashlib.sha256(f"{_SNAPSHOT_FORMAT}:{sys.version}".encode())
    package = Path(__file__).parent
    for path in sorted(package.rglob("*")):
        if path.suffix in (".py", ".yaml") and path.is_file():
            digest.update(path.relative_to(package).as_posix().encode())
            digest.update(path.read_bytes())
    readers = package_versions("pydantic", "pydantic-core", "PyYAML", "Markdown", "nh3")
    digest.update(":".join(readers).encode())
    return digest.hexdigest()


def _snapshot_key(manifest: Manifest) -> str:
    # The manifest's hashes were just verified; the listing and stamps of the sources folder
    # catch a file the manifest does not name (the loader reads every *.yaml there).
    digest = hashlib.sha256(_code_fingerprint().encode())
    digest.update(str(manifest.folder.resolve()).encode())
    digest.update(manifest.as_json().encode())
    sources = manifest.folder / "policies"
    for path in sorted(sources.glob("*.y*ml")) if sources.is_dir() else []:
        info = path.stat()
        digest.update(f"{path.name}:{info.st_size}:{info.st_mtime_ns}:{info.st_ino}".encode())
    return digest.hexdigest()


def _snapshot(root: Path, manifest: Manifest) -> tuple[Handbook | None, str | None, bool]:
    """An edition's model (or why its sources no longer validate), and whether it was cached."""
    path = root / SNAPSHOT_CACHE / f"{manifest.name}.pickle"
    key = _snapshot_key(manifest)
    try:
        with path.open("rb") as stream:
            # Our own file, written below for this key: as trusted as the code that wrote it.
            stored_key, snapshot, problem = pickle.load(stream)
        if stored_key == key:
            return snapshot, problem, True
    except Exception:  # Any unreadable cache is only read again from the sources.
        pass
    snapshot, problem = None, None
    try:
        snapshot = load_handbook(manifest.folder, stored=True)
    except BuildFailed as failure:
        first = failure.errors[0].format()
        problem = f"its sources no longer validate (editions/{manifest.name}/{first})"
    _store(path, (key, snapshot, problem))
    return snapshot, problem, False


def _store(path: Path, value: object) -> None:
    """Keep `value` in `path`; one that cannot be pickled is not kept (the sources are read)."""
    try:
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # Unpicklable: the same as no cache.
        return
    write_cache_file(path, data)


# ---- progress (issue 9): the stages of a build, as the CLI shows them and times them.

LOAD = "load + validate"
REVIEW = "review"
RENDER = "render"
SITE = "site"
SEARCH = "search index"
PDFS = "PDFs"
CARDS = "cards"
PUBLISH = "publish"


class Progress(Protocol):
    """Told when each stage of a build starts, advances and ends; the CLI shows it."""

    def start(self, stage: str) -> None:
        """`stage` began."""

    def count(self, stage: str, total: int, done: int) -> None:
        """`stage` has `total` items (documents), `done` of them already (from the cache)."""

    def advance(self, stage: str) -> None:
        """One more item of `stage` is done (may be called from another thread)."""

    def finish(self, stage: str) -> None:
        """`stage` ended successfully."""

    def note(self, stage: str, text: str) -> None:
        """Something `stage` did besides its documents ("book unchanged from the cache")."""


class NoProgress:
    """Progress that nobody watches (tests, `mkdocs serve`)."""

    def start(self, stage: str) -> None:
        """Ignore the start."""

    def count(self, stage: str, total: int, done: int) -> None:
        """Ignore the count."""

    def advance(self, stage: str) -> None:
        """Ignore the step."""

    def finish(self, stage: str) -> None:
        """Ignore the end."""

    def note(self, stage: str, text: str) -> None:
        """Ignore the note."""


@contextmanager
def reported_stage(progress: Progress, name: str) -> Iterator[None]:
    """Tell `progress` that stage `name` starts, and that it ended when the block does."""
    progress.start(name)
    yield
    progress.finish(name)


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    # Loading a large handbook allocates hundreds of thousands of small objects and frees
    # none, so Python's cycle collector keeps rescanning them: that was a third of the time
    # at 1,000 policies. Nothing built here forms cycles that must be freed early.
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def prepare(
    root: Path,
    today: dt.date | None = None,
    *,
    progress: Progress | None = None,
    edition: EditionRequest | None = None,
    strict_drafts: bool = False,
    verify_every_file: bool = False,
) -> Prepared:
    """Load, validate and review the handbook at `root`, with its published editions.

    `edition`, when given, is the edition this build publishes: it joins the history with the
    current sources as its snapshot. `strict_drafts` makes a draft's problems errors.
    `verify_every_file` (and publishing) hashes every stored file of every edition;
    otherwise only those changed on disk since they last matched.
    """
    progress = progress or NoProgress()
    with _no_cyclic_gc():
        with reported_stage(progress, LOAD):
            handbook = load_handbook(root, strict_drafts=strict_drafts)
            # ---- search (issue 25): a best bet names a rule that exists.
            bet_errors = best_bet_errors(handbook)
            if bet_errors:
                raise BuildFailed(sorted(bet_errors))
            history = load_history(
                root,
                verify_every_file=verify_every_file or edition is not None,
                progress=progress,
            )
            # One fact, one place: cards cite rules, targets and short forms state their
            # rule's limit. Asked of the current sources only: an edition is read as published.
            errors = rule_errors(handbook)
            if history:
                # No silent edit: a change since the latest edition needs a history entry.
                errors += unexplained_changes(handbook, history[-1])
                # A limit a rule changed is not left stated in the policy's other texts.
                if history[-1].handbook is not None:
                    errors += stale_copies(handbook, history[-1].handbook, history[-1].name)
            if errors:
                raise BuildFailed(sorted(errors))
            if edition is not None:
                history += (Edition(edition.name, edition.date, edition.summary, handbook),)
        with reported_stage(progress, REVIEW):
            day = resolve_today(handbook, today)
            report = review_handbook(handbook, day, real_today(handbook))
    return Prepared(handbook, report, history)
