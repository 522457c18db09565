"""Source errors as values: collected across every file, reported together, compiler style."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class SourceError:
    """One problem in one source file, located by line and field path."""

    path: str
    line: int
    field: str
    message: str

    def format(self) -> str:
        """Render as `path:line: field: message` (the field part is left out when empty)."""
        where = f"{self.path}:{self.line}" if self.line > 0 else self.path
        return (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )


@dataclass
class ErrorList:
    """An accumulating list of source errors that prints sorted and raises once."""

    errors: list[SourceError] = field(default_factory=list)

    def add(self, path: str, line: int, field_path: str, message: str) -> None:
        """Record one error."""
        self.errors.append(SourceError(path, line, field_path, message))

    def extend(self, errors: Iterable[SourceError]) -> None:
        """Record several errors."""
        self.errors.extend(errors)

    def __bool__(self) -> bool:
        return bool(self.errors)

    def __len__(self) -> int:
        return len(self.errors)

    def __iter__(self) -> Iterator[SourceError]:
        return iter(sorted(set(self.errors)))

    def raise_if_any(self) -> None:
        """Raise `BuildFailed` carrying every error collected so far."""
        if self.errors:
            raise BuildFailed(sorted(set(self.errors)))


class BuildFailed(Exception):
    """Raised once per build with every source error found; the CLI prints it, never a trace."""

    def __init__(self, errors: list[SourceError], summary_suffix: str = "nothing was published"):
        self.errors = errors
        self.summary_suffix = summary_suffix
        super().__init__(self.report())

    def report(self) -> str:
        """The full compiler-style report: one line per error, then a count."""
        lines = [error.format() for error in self.errors]
        files = len({error.path for error in self.errors})
        noun = "error" if len(self.errors) == 1 else "errors"
        file_noun = "file" if files == 1 else "files"
        lines.append(f"{len(self.errors)} {noun} in {files} {file_noun}; {self.summary_suffix}")
        return "\n".join(lines)


def format_path(parts: Iterable[str | int]) -> str:
    """Format a field path as a reader counts: `guidelines #1.items #3.rule` (lists from 1).

    The site numbers standards, steps and rules from 1, so an error about the second standard
    says `standards #2`, never the parser's `standards[1]`.
    """
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f" #{part + 1}"
        else:
            out += f".{part}" if out else part
    return out
