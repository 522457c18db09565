"""What every part of the PDF package shares: its errors, the metadata a PDF is given and the
rendered PDF handed back. Plain Python; it imports no PDF library, so every other module of the
package can build on it without an import circle."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

PDF_VARIANT = "pdf/ua-1"


class PdfError(Exception):
    """A document could not be rendered faithfully: a refused or missing resource, a bad style.

    `messages` holds what WeasyPrint reported, one line each; `urls` the resources involved, so
    the pipeline can name the policy text that referred to them.
    """

    def __init__(self, messages: Sequence[str], urls: Sequence[str] = ()) -> None:
        self.messages = list(messages)
        self.urls = list(urls)
        super().__init__("; ".join(self.messages))

    def __reduce__(self) -> tuple[Any, ...]:
        # Travels back from pool workers; the default pickling would pass the joined text.
        return (PdfError, (self.messages, self.urls))


class ResourceRefused(ValueError):
    """The fetcher will not serve this URL (outside the project, or not a file)."""


@dataclass(frozen=True)
class PdfMetadata:
    """Document information written into the PDF (Info dictionary and XMP)."""

    title: str
    author: str = ""
    subject: str = ""
    keywords: tuple[str, ...] = ()
    language: str = "en"
    # Fixed dates keep builds reproducible; None leaves the date out entirely.
    created: dt.datetime | None = None
    modified: dt.datetime | None = None


@dataclass(frozen=True)
class RenderedPdf:
    """A rendered PDF: its bytes, page count and each page's size in points."""

    data: bytes
    pages: int
    page_sizes_pt: list[tuple[float, float]] = field(default_factory=list)
    # Project files the document read (images, stylesheets): part of its cache key.
    resources: tuple[str, ...] = ()
    # Where the elements the job asked about were laid out: id -> (page index, top, bottom),
    # in points from the top of that page, margins included.
    extents: dict[str, tuple[int, float, float]] = field(default_factory=dict)


def source_date() -> dt.datetime | None:
    """The build time fixed by SOURCE_DATE_EPOCH, or None when it is not set or not a number."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    try:
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC) if epoch else None
    except (ValueError, OverflowError):
        return None
