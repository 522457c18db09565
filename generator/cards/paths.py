"""Where the cards stage publishes its files, relative to the site folder: shared by the build,
which writes them, and the "Desk cards" page, which links them. No library.
"""

from __future__ import annotations

from pathlib import Path

CARDS_DIR = Path("pdf") / "cards"


def card_path(policy_id: str) -> str:
    """Where a policy's card PDF is published, relative to the site folder."""
    return (CARDS_DIR / f"{policy_id}.pdf").as_posix()


def sheet_path(sheet_key: str) -> str:
    """Where a print sheet is published, relative to the site folder."""
    return (CARDS_DIR / f"sheet-{sheet_key}.pdf").as_posix()
