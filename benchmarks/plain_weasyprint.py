"""One plain WeasyPrint render of an HTML file: the engine's floor for the book."""

from __future__ import annotations

import sys

import weasyprint

if __name__ == "__main__":
    source, target = sys.argv[1:3]
    weasyprint.HTML(filename=source).write_pdf(target)
