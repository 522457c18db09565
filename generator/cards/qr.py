"""The QR code on a card: the policy page's address as inline SVG. The one module that imports
segno.
"""

from __future__ import annotations

import segno


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
