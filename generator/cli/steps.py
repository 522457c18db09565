"""Steps the commands need that are logic, not parsing, calling or printing.

Staging an edition from a finished build, and the handbook's real today. They belong below the CLI
(in the pipeline or editions) and wait here until they move there.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import BuildFailed

if TYPE_CHECKING:
    from collections.abc import Callable

    from ..editions import EditionRequest
    from ..pipeline import Prepared


def edition_stager(
    prepared: Prepared, request: EditionRequest | None, staged: list[Path]
) -> Callable[[Path], None] | None:
    """The step that writes the edition from the finished build, before the site is swapped."""
    if request is None:
        return None
    from ..changes import policy_counts
    from ..editions import PolicyEntry, stage_edition
    from ..model import Status

    def stage(build_dir: Path) -> None:
        handbook = prepared.handbook
        entries = [
            PolicyEntry(
                id=policy.id,
                title=policy.title,
                number=policy.number,
                status=policy.status.value,
                version=policy.version,
                source=f"policies/{policy.id}.yaml",
                pdf=f"pdf/{policy.id}.pdf" if policy.status is Status.ACTIVE else None,
            )
            for policy in handbook.policies
        ]
        counts = policy_counts(handbook)
        staged.append(stage_edition(handbook.root, request, entries, counts, build_dir / "pdf"))

    return stage


def discard_all_staged(staged: list[Path]) -> None:
    """Remove the editions staged by a build that failed."""
    from ..editions import discard_staged

    for folder in staged:
        discard_staged(folder)


def real_today_of(root: Path) -> dt.date:
    """Today's date in the handbook's time zone (the machine's, if the handbook does not load)."""
    from ..model import load_handbook
    from ..pipeline import real_today

    try:
        return real_today(load_handbook(root))
    except BuildFailed:
        return dt.date.today()
