"""PDFs through WeasyPrint: the book, one PDF per policy, and the card sheets built on it.

The package's modules, each below the ones that use it (no import circle):

- `common`: the shared pieces, errors (`PdfError`, `ResourceRefused`), `PdfMetadata`,
  `RenderedPdf`, `source_date`; no PDF library.
- `structure`: the structure tree of a tagged PDF, walked and repaired (pikepdf).
- `layout`: laying documents out, `render_pdf` and its one URL fetcher (the only module that
  imports WeasyPrint and pydyf).
- `assemble`: the book joined from its chapters' PDFs, `assemble_book` (pikepdf).
- `impose`: pages of PDFs drawn on the pages of another, `impose_pages` (pikepdf).
- `jobs`: the job type (`PdfJob`, `PdfFailure`, `PdfBatchFailed`) and `render_job`.
- `cache`: `PdfCache`, rendered PDFs by content hash.
- `pool`: `PdfBatch`, the worker processes that render a batch of jobs.

WeasyPrint and pikepdf are imported inside functions, on first use: `import generator.pdf`
loads neither, and the parent process of a build never pays the WeasyPrint import.
"""

from __future__ import annotations

from .assemble import Chapter, assemble_book
from .cache import CACHE_FORMAT, FONT_DIRS, PdfCache
from .common import PDF_VARIANT, PdfError, PdfMetadata, RenderedPdf, ResourceRefused, source_date
from .impose import Placement, impose_pages
from .jobs import PdfBatchFailed, PdfFailure, PdfJob, render_job
from .layout import FRONT_MATTER_PAGES, project_fetcher, render_pdf, resolve_project_url, shorten
from .pool import PdfBatch, release_freed_memory
from .structure import repair_tags

__all__ = [
    "CACHE_FORMAT",
    "FONT_DIRS",
    "FRONT_MATTER_PAGES",
    "PDF_VARIANT",
    "Chapter",
    "PdfBatch",
    "PdfBatchFailed",
    "PdfCache",
    "PdfError",
    "PdfFailure",
    "PdfJob",
    "PdfMetadata",
    "Placement",
    "RenderedPdf",
    "ResourceRefused",
    "assemble_book",
    "impose_pages",
    "project_fetcher",
    "release_freed_memory",
    "render_job",
    "render_pdf",
    "repair_tags",
    "resolve_project_url",
    "shorten",
    "source_date",
]
