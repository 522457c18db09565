"""One fact, one place (issue 22): desk cards cite rules, a rule's target and short form state its
own time limit, and a revision that changes a limit leaves no copy stating the old one.

The scenario is the README's own example: Pinole's emails are answered within three business days
instead of two. Changing only the standard's text fails `check` at every place that still says
two; changing them all publishes a handbook that says three everywhere.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import (
    PINOLE,
    PINOLE_EMAIL_COPIES,
    PINOLE_EMAIL_TARGET,
    ROOT,
    PublishedEditions,
    make_project,
    run_handbook,
)
from generator.model import Revision, figures, load_handbook, policy_versions, rule_errors
from generator.model.rules import Figure
from html_reading import article, page, text_of

# The sample's own edition (editions/2026-11) is the one a revision is compared against.
TODAY = "2026-12-07"
HISTORY_ENTRY = (
    f"  - date: {TODAY}\n    kind: substantive\n"
    "    summary: Emails are now answered within three business days.\n"
)


def sample_with_edition(tmp_path: Path) -> Path:
    """A copy of the sample handbook with its published edition 2026-11."""
    project = make_project(tmp_path / "project", None)
    shutil.copytree(ROOT / "editions", project / "editions")
    return project


def revise_pinole(project: Path, *, copies: int, target: bool, extra: str = "") -> list[str]:
    """Change the email deadline from two to three business days in the standard's text and
    in the first `copies` other places (short form, summary), and the target when asked; add a
    substantive history entry (with `extra` lines). Returns the file's lines."""
    source = project / "policies" / f"{PINOLE}.yaml"
    text = source.read_text(encoding="utf-8")
    for before, after in PINOLE_EMAIL_COPIES[: 1 + copies]:
        assert text.count(before) == 1
        text = text.replace(before, after)
    if target:
        text = text.replace(
            PINOLE_EMAIL_TARGET, PINOLE_EMAIL_TARGET.replace("within: 2", "within: 3")
        )
    assert text.count("\ncard:") == 1
    text = text.replace("\ncard:", f"\n{HISTORY_ENTRY}{extra}card:")
    source.write_text(text, encoding="utf-8")
    return text.splitlines()


def line_of(lines: list[str], needle: str, after: int = 0) -> int:
    """The 1-based number of the first line at or after line `after` that starts with `needle`
    (leading spaces aside)."""
    return next(
        n for n, line in enumerate(lines, 1) if n > after and line.strip().startswith(needle)
    )


# --------------------------------------------------------------------------- the scenario


def test_changing_only_the_standard_fails_check_at_every_copy(tmp_path: Path) -> None:
    project = sample_with_edition(tmp_path)
    lines = revise_pinole(project, copies=0, target=False)
    standard = line_of(lines, "Acknowledge and reply to emails") - 1
    short, target, summary = (
        line_of(lines, "short:", standard),
        line_of(lines, "target:", standard),
        line_of(lines, "summary:"),
    )
    result = run_handbook("check", "--today", TODAY, cwd=project)
    assert result.returncode == 1
    path = f"policies/{PINOLE}.yaml"
    assert result.stderr.splitlines() == [
        f"{path}:{summary}: summary: still says two business days; standard 8 now says three "
        "business days (changed since edition 2026-11); correct it, or if it deliberately "
        'stays, add unchanged: ["summary"] to the revision_history entry of this change',
        f"{path}:{short}: standard 8, short: the short form says two business "
        "days but the text of standard 8 says three business days; a short form states the "
        "rule's own limit",
        f"{path}:{target}: standard 8, target: the target says two business days "
        "but the text of standard 8 says three business days; state the same limit in both",
        "3 errors in 1 file; nothing was published",
    ]


def test_changing_every_copy_passes_check(tmp_path: Path) -> None:
    project = sample_with_edition(tmp_path)
    revise_pinole(project, copies=2, target=True)
    result = run_handbook("check", "--today", TODAY, "--fail-on", "never", cwd=project)
    assert result.returncode == 0, result.stderr


def test_a_text_deliberately_unchanged_is_confirmed_in_the_history_entry(tmp_path: Path) -> None:
    project = sample_with_edition(tmp_path)
    revise_pinole(project, copies=1, target=True, extra='    unchanged: ["summary"]\n')
    result = run_handbook("check", "--today", TODAY, "--fail-on", "never", cwd=project)
    assert result.returncode == 0, result.stderr


def squeezed_pdf_text(pdf: Path) -> str:
    """A PDF's words without whitespace or hyphens (a PDF breaks lines where a page does not)."""
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    return re.sub(r"[\s¶-]+", "", text)


@pytest.mark.slow
def test_the_published_card_page_pdf_and_book_all_say_three(
    published_editions: PublishedEditions,
) -> None:
    site = published_editions.project / "site"
    texts = {
        "page": re.sub(r"[\s¶-]+", "", text_of(article(page(site, PINOLE)))),
        "pdf": squeezed_pdf_text(site / "pdf" / f"{PINOLE}.pdf"),
        "book": squeezed_pdf_text(site / "pdf" / "handbook.pdf"),
        "card": squeezed_pdf_text(site / "pdf" / "cards" / f"{PINOLE}.pdf"),
    }
    for where, text in texts.items():
        assert "threebusinessdays" in text, where
        assert "twobusinessdays" not in text, where
    assert "within3businessdays" in texts["page"]
    assert "Version2.0" in texts["card"]


# --------------------------------------------------------------------------- cards cite rules


def test_every_card_point_of_the_sample_cites_a_rule() -> None:
    handbook = load_handbook(ROOT)
    assert rule_errors(handbook) == []
    for policy in handbook.policies:
        if policy.card is None:
            # Only the training guide, known by its contents alone, has no rules to cite.
            assert policy.contents and not policy.standards and not policy.guidelines
            continue
        points = policy.card.points + (policy.card.back.points if policy.card.back else [])
        assert points and all(point.cites for point in points), policy.id
        phrases = policy.card.say + policy.card.avoid
        assert all(phrase.rule for phrase in phrases), policy.id


def test_a_renamed_or_deleted_rule_fails_at_the_card_line(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project", None)
    corona = project / "policies" / "corona-customer-care.yaml"
    text = corona.read_text(encoding="utf-8")
    # The in-person guidelines renamed: the phrases the card cites from them lose their rule.
    text = text.replace("  - channel: in-person\n", "  - channel: in-person-contact\n")
    corona.write_text(text, encoding="utf-8")
    portland = project / "policies" / "portland-bes-customer-service.yaml"
    text = portland.read_text(encoding="utf-8")
    # Its ninth standard deleted: the card's point citing standard-9 has no rule left.
    deleted = re.search(r"  - commitment: Meet turn-around times\.\n(    .*\n)+", text)
    assert deleted is not None
    text = text.replace(deleted.group(0), "")
    portland.write_text(text, encoding="utf-8")
    corona_lines = corona.read_text(encoding="utf-8").splitlines()
    portland_lines = text.splitlines()
    corona_card = line_of(corona_lines, "card:")
    say = line_of(corona_lines, "- rule: in-person-5", line_of(corona_lines, "say:", corona_card))
    avoid = line_of(
        corona_lines, "- rule: in-person-5", line_of(corona_lines, "avoid:", corona_card)
    )
    card = line_of(portland_lines, "- rule: standard-9", line_of(portland_lines, "card:"))

    result = run_handbook("check", "--today", TODAY, cwd=project)

    assert result.returncode == 1
    hint = "rules are named as on the page: standard-8, principle-2, in-person-5"
    assert result.stderr.splitlines() == [
        f"policies/corona-customer-care.yaml:{say}: card.say #2.rule: no rule 'in-person-5' in "
        f"this policy (did you mean 'in-person-contact-5'?); {hint}",
        f"policies/corona-customer-care.yaml:{avoid}: card.avoid #1.rule: no rule 'in-person-5' "
        f"in this policy (did you mean 'in-person-contact-5'?); {hint}",
        f"policies/portland-bes-customer-service.yaml:{card}: card.points #7.rule: no rule "
        f"'standard-9' in this policy (did you mean 'standard-8'?); {hint}",
        "3 errors in 2 files; nothing was published",
    ]


# --------------------------------------------------------------------------- figures


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("generally within two business days", {Figure(2, "business_day")}),
        (
            "same day, or at the very least within 24 hours",
            {Figure(0, "same_day"), Figure(24, "hour")},
        ),
        ("within **one business day**", {Figure(1, "business_day")}),
        ("Providing same-day response", {Figure(0, "same_day")}),
        ("within 3 working days", {Figure(3, "business_day")}),
        ("Greet visitors promptly and warmly.", set()),
    ],
)
def test_number_words_and_digits_both_count(text: str, expected: set[Figure]) -> None:
    assert figures(text) == expected


# --------------------------------------------------------------------------- only true claims


def test_versions_count_from_the_version_first_published() -> None:
    def entry(kind: str, day: str) -> Revision:
        return Revision.model_validate({"date": day, "kind": kind, "summary": "x"})

    adopted = dt.date(2025, 4, 30)  # Pinole: "Approved: April 2025", published with no entry
    history = [entry("editorial", "2026-12-07"), entry("substantive", "2027-01-05")]
    assert policy_versions(history, adopted) == ["1.1", "2.0"]
    assert policy_versions(history[1:], adopted) == ["2.0"]
    # A first entry no later than the adoption is the first issue itself.
    assert policy_versions([entry("substantive", "2025-04-01")], adopted) == ["1.0"]


@pytest.mark.slow
def test_contacts_page_names_no_office_for_another_organizations_policies(
    sample_site: Path,
) -> None:
    contacts = article(page(sample_site, "contacts"))
    assert "any policy in this handbook" not in text_of(contacts)
    sections = {
        heading.get("id"): text_of(heading.find_next("ul")) for heading in contacts.find_all("h3")
    }
    with_hr = [policy for policy, text in sections.items() if "Human Resources" in text]
    assert with_hr == [PINOLE]


@pytest.mark.slow
def test_a_computed_review_date_says_so(sample_site: Path) -> None:
    corona = text_of(article(page(sample_site, "corona-customer-care")))
    assert re.search(
        r"Next review\s+3 January 2018 \(by this handbook's 12-month review cycle; the source "
        r"sets none\)",
        corona,
    )
