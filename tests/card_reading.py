"""Reading desk-card PDFs back: page sizes, text, and QR codes as a phone camera would see them."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pdfplumber
import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from conftest import ROOT

MM = 72 / 25.4
SITE_URL = "https://intranet.example.gov/handbook/"
ARTIFACTS = ROOT / "tests" / "artifacts" / "cards"


def page_sizes_mm(pdf: Path) -> list[tuple[float, float]]:
    """Each page's media box in millimetres."""
    reader = PdfReader(pdf)
    return [(float(p.mediabox.width) / MM, float(p.mediabox.height) / MM) for p in reader.pages]


def assert_size(actual: tuple[float, float], expected: tuple[float, float]) -> None:
    assert actual[0] == pytest.approx(expected[0], abs=0.5), actual
    assert actual[1] == pytest.approx(expected[1], abs=0.5), actual


def page_png(pdf: Path, page_number: int, dpi: int = 300) -> Image.Image:
    """One page rendered by poppler, as a person's printer would see it."""
    png = subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-f", str(page_number), "-l", str(page_number), "-png", pdf],
        check=True,
        capture_output=True,
    ).stdout
    return Image.open(io.BytesIO(png))


def qr_codes(pdf: Path, page_number: int) -> list[tuple[str, float, float]]:
    """Each QR code on a page: its text and its centre, in millimetres from the top left."""
    image = page_png(pdf, page_number)
    found = []
    for barcode in zxingcpp.read_barcodes(image):
        corners = [barcode.position.top_left, barcode.position.bottom_right]
        x = sum(c.x for c in corners) / 2 * 25.4 / 300
        y = sum(c.y for c in corners) / 2 * 25.4 / 300
        found.append((barcode.text, x, y))
    return found


def page_text(pdf: Path, index: int) -> str:
    with pdfplumber.open(pdf) as document:
        return " ".join((document.pages[index].extract_text() or "").split())


def set_handbook_field(project: Path, field: str, value: str | None) -> None:
    """Set (or with None, remove) one top-level field of the project's handbook.yaml."""
    path = project / "policies" / "handbook.yaml"
    lines = [line for line in path.read_text().splitlines() if not line.startswith(f"{field}:")]
    if value is not None:
        lines.append(f"{field}: {value}")
    path.write_text("\n".join(lines) + "\n")
