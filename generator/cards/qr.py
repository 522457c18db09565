"""The QR code on a card: the policy page's address as inline SVG. The one module that imports
segno.
"""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path

import segno

from ..caches import write_cache_file

# Codes drawn by earlier builds, by size and address: segno takes about 5 ms to encode one (most
# of it choosing the best of eight masks), 5 s of every build at 1,000 cards.
QR_CACHE = Path(".cache") / "qr.json"


def qr_svg(url: str, size_mm: float) -> str:
    """A QR code for `url` as inline SVG vector art, `size_mm` square (quiet zone included)."""
    code = segno.make(url, error="m", micro=False)
    # The title is the figure's alternative text in the tagged PDF (PDF/UA-1 requires one).
    svg: str = code.svg_inline(
        scale=1,
        border=2,
        omitsize=True,
        dark="#000",
        light="#fff",
        svgclass="card-qr",
        title=f"QR code linking to {url}",
    )
    return svg.replace("<svg ", f'<svg width="{size_mm}mm" height="{size_mm}mm" ', 1)


class QrCodes:
    """`qr_svg`, remembering between builds the codes of the project at `root`."""

    def __init__(self, root: Path) -> None:
        self.path = root / QR_CACHE
        self.known = self._read()
        self.used: dict[str, str] = {}

    def svg(self, url: str, size_mm: float) -> str:
        """The code of `url`, `size_mm` square: as drawn before, or drawn now."""
        key = f"{size_mm}:{url}"
        drawn = self.known.get(key)
        if drawn is None:
            drawn = qr_svg(url, size_mm)
        self.used[key] = drawn
        return drawn

    def save(self) -> None:
        """Keep the codes this build used (only those), if they differ from what was kept."""
        if self.used == self.known:
            return
        text = json.dumps({"drawn_by": _drawer(), "codes": self.used}, sort_keys=True)
        write_cache_file(self.path, text.encode())  # Not kept: the next build draws them again.

    def _read(self) -> dict[str, str]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict) or data.get("drawn_by") != _drawer():
            return {}
        codes = data.get("codes")
        if not isinstance(codes, dict):
            return {}
        return {k: v for k, v in codes.items() if isinstance(k, str) and isinstance(v, str)}


@functools.cache
def _drawer() -> str:
    """What draws the codes: this module and segno's version. Another may draw another code
    for the same address, and then nothing kept is used."""
    source = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()
    return f"{source}:segno={segno.__version__}"
