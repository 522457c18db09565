"""The PDF cache: rendered PDFs by a hash of their job, this package's code, the PDF libraries'
versions and the installed fonts (asked of fontconfig through ctypes). Imports no PDF library."""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import functools
import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, BinaryIO

from ..caches import package_versions
from .common import PDF_VARIANT, RenderedPdf
from .jobs import PdfJob, render_job

# Bump when a change in this package alters the bytes written for unchanged inputs.
CACHE_FORMAT = "4"
# A folder for the cache other than PROJECT/.cache/pdf: one a CI job restores between runs, or
# one several checkouts (or a test session's many projects) share. Such a folder is never pruned.
CACHE_ENV = "HANDBOOK_PDF_CACHE"
FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))


@functools.cache
def _engine_fingerprint() -> str:
    """What besides a job's inputs decides its bytes: this package, the PDF libraries, the fonts."""
    digest = hashlib.sha256(CACHE_FORMAT.encode())
    # Every module of the package, in a fixed order: a change to any of them may change bytes.
    for module in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(module.read_bytes())
    for package in package_versions("weasyprint", "pydyf", "fonttools", "tinycss2", "cssselect2"):
        digest.update(package.encode())
    font_dirs, config_files = _fontconfig_paths()
    for folder in font_dirs:
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    stat = path.stat()
                    digest.update(f"{path}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    # Which installed font a family name picks is fontconfig's configuration.
    for path in config_files:
        if path.is_file():
            digest.update(f"{path}:{_file_digest(str(path))}".encode())
    return digest.hexdigest()


def _fontconfig_paths() -> tuple[list[Path], list[Path]]:
    """The font folders and configuration files of fontconfig, which finds WeasyPrint's fonts.

    Asked of fontconfig itself: besides the system folders it reads the user's own
    (~/.local/share/fonts, ~/.fonts), and a font installed there changes the PDFs as much.
    """
    name = ctypes.util.find_library("fontconfig")
    if name is None:
        home = Path.home()
        return [*FONT_DIRS, home / ".local" / "share" / "fonts", home / ".fonts"], []
    library = ctypes.CDLL(name)
    library.FcInitLoadConfig.restype = ctypes.c_void_p
    library.FcConfigDestroy.argtypes = [ctypes.c_void_p]
    library.FcStrListNext.restype = ctypes.c_char_p
    library.FcStrListNext.argtypes = [ctypes.c_void_p]
    library.FcStrListDone.argtypes = [ctypes.c_void_p]
    config = library.FcInitLoadConfig()  # Reads the configuration only; scans no fonts.

    def strings(function: Any) -> list[Path]:
        function.restype = ctypes.c_void_p
        function.argtypes = [ctypes.c_void_p]
        listing = function(config)
        found = []
        while (entry := library.FcStrListNext(listing)) is not None:
            found.append(Path(os.fsdecode(entry)))
        library.FcStrListDone(listing)
        return sorted(found)

    try:
        return strings(library.FcConfigGetFontDirs), strings(library.FcConfigGetConfigFiles)
    finally:
        library.FcConfigDestroy(config)


def _file_digest(path: str) -> str:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return "missing"


def _portable(path: str | Path, root: Path) -> str:
    """A file as the cache records it: relative to the project when inside it, so that a project
    moved or copied to another folder keeps its cache (the PDFs do not depend on the folder)."""
    for base in (root, root.resolve()):
        with contextlib.suppress(ValueError):
            return Path(path).relative_to(base).as_posix()
    return str(path)


def _located(recorded: str, root: Path) -> str:
    """A recorded file as a path here: relative ones are in the project at `root`."""
    return recorded if os.path.isabs(recorded) else str(root / recorded)


class PdfCache:
    """Rendered PDFs by content hash in a folder outside `site/` (PROJECT/.cache/pdf)."""

    def __init__(self, folder: Path, *, shared: bool = False) -> None:
        self.folder = folder
        # A shared folder holds other projects' renders too: `prune` leaves it alone.
        self.shared = shared
        # Every key this build asked for: what `prune` keeps.
        self.used: set[str] = set()

    @classmethod
    def of_project(cls, root: Path) -> PdfCache:
        """The cache of the project at `root`: PROJECT/.cache/pdf, or the shared folder that
        HANDBOOK_PDF_CACHE names."""
        shared = os.environ.get(CACHE_ENV)
        if shared:
            return cls(Path(shared), shared=True)
        return cls(root / ".cache" / "pdf")

    def key(self, job: PdfJob) -> str:
        """The hash of everything that decides the job's bytes, except files it reads."""
        digest = hashlib.sha256(_engine_fingerprint().encode())
        digest.update(job.html.encode("utf-8"))
        digest.update(
            repr(
                (job.metadata, job.page_labels, job.label_prefix, job.extents, PDF_VARIANT)
            ).encode()
        )
        digest.update(str(job.base_dir.resolve().relative_to(job.root.resolve())).encode())
        for sheet in job.stylesheets:
            digest.update(f"{_portable(sheet, job.root)}:{_file_digest(str(sheet))}".encode())
        key = digest.hexdigest()
        self.used.add(key)
        return key

    def prune(self, keep: set[str]) -> None:
        """Delete the cached renders not in `keep` (those of documents since edited or gone), so
        the cache holds one handbook's worth, not every version ever built."""
        if self.shared:
            return
        try:
            entries = list(self.folder.iterdir())
        except OSError:
            return
        for path in entries:
            if path.suffix in (".pdf", ".json") and path.stem not in keep:
                with contextlib.suppress(OSError):
                    path.unlink()

    def get(self, key: str, root: Path) -> RenderedPdf | None:
        """A cached render, if its recorded resources (images, CSS imports; those inside the
        project at `root` recorded relative to it) are unchanged."""
        try:
            record = json.loads((self.folder / f"{key}.json").read_text(encoding="utf-8"))
            resources = [_located(path, root) for path in record["resources"]]
            for path, digest in zip(resources, record["resources"].values(), strict=True):
                if _file_digest(path) != digest:
                    return None
            data = (self.folder / f"{key}.pdf").read_bytes()
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if hashlib.sha256(data).hexdigest() != record.get("sha256"):
            return None
        return RenderedPdf(
            data=data,
            pages=int(record["pages"]),
            page_sizes_pt=[(float(w), float(h)) for w, h in record["page_sizes_pt"]],
            resources=tuple(resources),
            extents={
                name: (int(page), float(top), float(bottom))
                for name, (page, top, bottom) in record.get("extents", {}).items()
            },
        )

    def rendered(self, job: PdfJob) -> RenderedPdf:
        """The job's PDF from the cache, or rendered here and stored."""
        key = self.key(job)
        cached = self.get(key, job.root)
        if cached is None:
            cached = render_job(job)
            self.put(key, cached, job.root)
        return cached

    def derived(
        self, name: str, inputs: Sequence[bytes | str], make: Callable[[], bytes], root: Path
    ) -> bytes:
        """A PDF made from other PDFs (a card sheet) by `make`, or the one made before from
        the same `inputs` (and the same code of this package); e.g. a card sheet whose cards
        did not change is not placed again."""
        key = self._derived_key(name, inputs)
        self.used.add(key)
        cached = self.get(key, root)
        if cached is not None:
            return cached.data
        data = make()
        self.put(key, RenderedPdf(data=data, pages=0), root)
        return data

    def derived_file(
        self,
        name: str,
        inputs: Sequence[bytes | str],
        make: Callable[[Path], None],
        output: Path,
        root: Path,
    ) -> bool:
        """Write to `output` the PDF that `make` writes from `inputs` (the book joined from its
        chapters), or copy the one made before from the same inputs and code; True when copied.
        Never held in memory whole: the book of 1,000 policies is hundreds of megabytes."""
        key = self._derived_key(name, inputs)
        self.used.add(key)
        if self._copy_cached(key, output):
            return True
        make(output)
        self._put_file(key, output)
        return False

    def _derived_key(self, name: str, inputs: Sequence[bytes | str]) -> str:
        # pikepdf joins and places the pages: its version decides their bytes as well.
        (pikepdf,) = package_versions("pikepdf")
        digest = hashlib.sha256(f"{_engine_fingerprint()}derived:{name}:{pikepdf}".encode())
        for part in inputs:
            data = part.encode("utf-8") if isinstance(part, str) else part
            digest.update(hashlib.sha256(data).digest())
        return digest.hexdigest()

    def _copy_cached(self, key: str, output: Path) -> bool:
        """Copy a cached file to `output` in chunks, checking its recorded SHA-256 on the way."""
        try:
            record = json.loads((self.folder / f"{key}.json").read_text(encoding="utf-8"))
            expected = record["sha256"]
            digest = hashlib.sha256()
            with (self.folder / f"{key}.pdf").open("rb") as source, output.open("wb") as out:
                while chunk := source.read(1 << 20):
                    digest.update(chunk)
                    out.write(chunk)
        except (OSError, ValueError, KeyError, TypeError):
            output.unlink(missing_ok=True)
            return False
        if digest.hexdigest() != expected:
            output.unlink(missing_ok=True)
            return False
        return True

    def _put_file(self, key: str, made: Path) -> None:
        """Store a copy of a made file, read in chunks (see `_store`)."""

        def copy(out: BinaryIO) -> str:
            digest = hashlib.sha256()
            with made.open("rb") as source:
                while chunk := source.read(1 << 20):
                    digest.update(chunk)
                    out.write(chunk)
            return digest.hexdigest()

        self._store(key, copy, {"pages": 0, "page_sizes_pt": [], "resources": {}, "extents": {}})

    def put(self, key: str, rendered: RenderedPdf, root: Path) -> None:
        """Store a render of a job of the project at `root` (see `_store`)."""

        def write(out: BinaryIO) -> str:
            out.write(rendered.data)
            return hashlib.sha256(rendered.data).hexdigest()

        record = {
            "pages": rendered.pages,
            "page_sizes_pt": rendered.page_sizes_pt,
            "resources": {_portable(path, root): _file_digest(path) for path in rendered.resources},
            "extents": rendered.extents,
        }
        self._store(key, write, record)

    def _store(self, key: str, write: Callable[[BinaryIO], str], record: dict[str, Any]) -> None:
        """Write an entry's PDF with `write` (which returns its SHA-256), then its record with
        that hash; a failure to write the cache never fails the build."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            # Written under temporary names and renamed, so a killed build leaves no half file.
            handle, temporary = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
            with os.fdopen(handle, "wb") as out:
                digest = write(out)
            os.replace(temporary, self.folder / f"{key}.pdf")
            handle, temporary = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
            with os.fdopen(handle, "w", encoding="utf-8") as text:
                text.write(json.dumps({**record, "sha256": digest}))
            os.replace(temporary, self.folder / f"{key}.json")
        except OSError:
            pass
