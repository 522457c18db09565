"""PDF/UA-1: every PDF the sample handbook builds (book, policy PDFs, cards, sheets) passes
`page-validation`'s PDF/UA-1 profile with no failed rule."""

from __future__ import annotations

from pathlib import Path

import pytest
from page import ValidationProfile, validate_pdf

pytestmark = pytest.mark.slow


def failed_rules(path: Path) -> list[str]:
    """Each failed rule once, with its message: what a person fixing the PDF reads."""
    report = validate_pdf(path, profile=ValidationProfile.PDF_UA_1)
    return sorted({f"{failure.rule_id}: {failure.message}" for failure in report.failures})


def test_every_pdf_of_the_sample_passes_pdf_ua_1(sample_site: Path) -> None:
    pdfs = sorted((sample_site / "pdf").rglob("*.pdf"))
    names = {path.relative_to(sample_site / "pdf").as_posix() for path in pdfs}
    # Book, five policies, five cards, two sheets: nothing escapes the check by being absent.
    assert {"handbook.pdf", "cards/sheet-letter.pdf", "cards/sheet-a4.pdf"} <= names
    assert len(pdfs) == 13, names
    failures = {
        name: rules
        for name, rules in ((p.relative_to(sample_site).as_posix(), failed_rules(p)) for p in pdfs)
        if rules
    }
    assert failures == {}
