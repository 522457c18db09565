"""What the build's caches under `.cache/` share: the versions of the libraries their keys name,
and writing their files whole or not at all."""

from __future__ import annotations

import os
import tempfile
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path


def package_versions(*names: str) -> list[str]:
    """`name=version` for each package, `name=?` for one that is not installed."""
    found = []
    for name in names:
        try:
            found.append(f"{name}={version(name)}")
        except PackageNotFoundError:
            found.append(f"{name}=?")
    return found


def write_cache_file(path: Path, data: bytes) -> None:
    """Write `data` to `path` under a temporary name and rename it, so a killed build leaves no
    half file; a cache that cannot be written only means the next build does the work again."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    except OSError:
        return
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except OSError:
        Path(temporary).unlink(missing_ok=True)
