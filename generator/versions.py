"""The installed versions of the libraries an output depends on, for the caches' keys."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version


def package_versions(*names: str) -> list[str]:
    """`name=version` for each package, `name=?` for one that is not installed."""
    found = []
    for name in names:
        try:
            found.append(f"{name}={version(name)}")
        except PackageNotFoundError:
            found.append(f"{name}=?")
    return found
