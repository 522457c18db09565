"""The PDF job: one document to render, its failure, and rendering it in this process.

Plain Python; rendering goes through `layout`, which imports WeasyPrint only when it renders.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .common import PdfError, PdfMetadata, RenderedPdf
from .layout import render_pdf


@dataclass(frozen=True)
class PdfJob:
    """One PDF to render: `name` is its path under `site/pdf/`."""

    name: str
    html: str
    root: Path
    base_dir: Path
    stylesheets: tuple[Path, ...] = ()
    metadata: PdfMetadata | None = None
    page_labels: bool = False
    label_prefix: str | None = None
    # Policies whose text the document shows; errors are traced back to their files.
    policy_ids: tuple[str, ...] = ()
    # Element ids whose place in the layout the render reports (`RenderedPdf.extents`).
    extents: tuple[str, ...] = ()


@dataclass(frozen=True)
class PdfFailure:
    """A job that could not be rendered, with WeasyPrint's complaint."""

    job: PdfJob
    error: PdfError


class PdfBatchFailed(Exception):
    """One or more documents of a batch failed; every failure is reported."""

    def __init__(self, failures: list[PdfFailure]) -> None:
        self.failures = failures
        super().__init__("; ".join(f"{f.job.name}: {f.error}" for f in failures))


def render_job(job: PdfJob) -> RenderedPdf:
    """Render one job here, in this process (`render_pdf` with the job's settings)."""
    return render_pdf(
        job.html,
        root=job.root,
        base_dir=job.base_dir,
        stylesheets=job.stylesheets,
        metadata=job.metadata,
        page_labels=job.page_labels,
        label_prefix=job.label_prefix,
        extents=job.extents,
    )


def _render_job(job: PdfJob) -> RenderedPdf | PdfError:
    try:
        return render_job(job)
    except PdfError as error:
        return error
