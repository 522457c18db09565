"""Publishing: build into a temporary directory beside `site/`, then swap it in atomically.

A failed or killed build never touches the last good `site/`. Leftover temporary directories
from a killed build are removed by the next one. A lock keeps two builds from interleaving.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import fcntl
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

# Named after the output folder, so builds of two outputs in one parent folder (site/ and
# preview/) never take each other's temporary directories for leftovers.
_TEMP_SUFFIX = "-build-"
_OLD_SUFFIX = "-old-"
_RENAME_EXCHANGE = 2  # renameat2 flag: swap two paths in one atomic step (Linux 3.15+).
_AT_FDCWD = -100


@contextlib.contextmanager
def build_lock(site_dir: Path) -> Iterator[None]:
    """Hold an exclusive lock for one build; a second build waits for the first to finish."""
    lock_path = site_dir.parent / f".{site_dir.name}.lock"
    with open(lock_path, "a+") as lock_file:
        try:
            fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print("handbook: another build is running; waiting for it to finish", file=sys.stderr)
            fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def _prefix(site_dir: Path, suffix: str) -> str:
    return f".{site_dir.name}{suffix}"


def remove_leftovers(site_dir: Path) -> None:
    """Remove temporary directories that a killed build left beside `site/`."""
    old_trees = sorted(site_dir.parent.glob(f"{_prefix(site_dir, _OLD_SUFFIX)}*"))
    if old_trees and not site_dir.exists():
        # Killed between the two renames of the fallback swap: the old tree is the last good
        # site, so put it back rather than delete it.
        os.replace(old_trees[-1], site_dir)
    for leftover in site_dir.parent.glob(f"{_prefix(site_dir, _TEMP_SUFFIX)}*"):
        shutil.rmtree(leftover, ignore_errors=True)
    for leftover in site_dir.parent.glob(f"{_prefix(site_dir, _OLD_SUFFIX)}*"):
        shutil.rmtree(leftover, ignore_errors=True)


def new_build_dir(site_dir: Path) -> Path:
    """A fresh temporary directory on the same filesystem as `site/`, so the swap is a rename."""
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=_prefix(site_dir, _TEMP_SUFFIX), dir=site_dir.parent))


def _exchange(first: Path, second: Path) -> bool:
    libc_name = ctypes.util.find_library("c")
    if libc_name is None:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    result = renameat2(
        _AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE
    )
    if result == 0:
        return True
    if ctypes.get_errno() in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False
    raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()), str(first))


def swap_in(build_dir: Path, site_dir: Path) -> None:
    """Make `build_dir` the new `site/`; the old one is removed only after the swap."""
    os.chmod(build_dir, 0o755)  # mkdtemp makes it private; a web server must read it.
    if not site_dir.exists():
        os.replace(build_dir, site_dir)
        return
    if _exchange(build_dir, site_dir):
        shutil.rmtree(build_dir, ignore_errors=True)
        return
    # No atomic exchange here: two renames, with the old tree kept until the new one is in place.
    old = Path(tempfile.mkdtemp(prefix=_prefix(site_dir, _OLD_SUFFIX), dir=site_dir.parent))
    os.rmdir(old)
    os.replace(site_dir, old)
    os.replace(build_dir, site_dir)
    shutil.rmtree(old, ignore_errors=True)


def discard(build_dir: Path) -> None:
    """Throw away a failed build's temporary directory."""
    shutil.rmtree(build_dir, ignore_errors=True)
