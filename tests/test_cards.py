"""Desk reference cards: card content and imposition rules (real builds: test_cards_build.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from generator.cards import (
    CARD_SIZES,
    SHEET_SIZES,
    card_contacts,
    derived_points,
    impose,
    review_line,
    sheet_pages,
)
from generator.model import Card, Contact, Standard, load_handbook
from generator.review import review_policy

# --------------------------------------------------------------------------- imposition


@pytest.mark.parametrize(
    ("card", "sheet", "columns", "rows"),
    [
        ("a6", "a4", 2, 2),
        ("a6", "letter", 2, 1),
        ("4x6", "letter", 2, 1),
        ("4x6", "a4", 2, 1),
        ("3x5", "letter", 2, 2),
        ("3x5", "a4", 2, 2),
    ],
)
def test_cards_per_sheet(card: str, sheet: str, columns: int, rows: int) -> None:
    layout = impose(CARD_SIZES[card], SHEET_SIZES[sheet])
    assert (layout.columns, layout.rows) == (columns, rows)


@pytest.mark.parametrize("card", sorted(CARD_SIZES))
@pytest.mark.parametrize("sheet", sorted(SHEET_SIZES))
def test_backs_sit_behind_their_fronts_after_a_long_edge_flip(card: str, sheet: str) -> None:
    size, paper = CARD_SIZES[card], SHEET_SIZES[sheet]
    layout = impose(size, paper)
    for slot in range(layout.per_sheet):
        front_x, front_y = layout.position(slot, "front")
        back_x, back_y = layout.position(slot, "back")
        # Flipping on the long (vertical) edge mirrors x and keeps y.
        assert back_x == pytest.approx(paper.width_mm - front_x - size.width_mm, abs=0.01)
        assert back_y == pytest.approx(front_y)
        assert front_x >= 0 and front_x + size.width_mm <= paper.width_mm + 1e-6
        assert front_y >= 0 and front_y + size.height_mm <= paper.height_mm + 1e-6


@pytest.mark.parametrize("card", sorted(CARD_SIZES))
@pytest.mark.parametrize("sheet", sorted(SHEET_SIZES))
def test_crop_marks_lie_on_the_cut_lines(card: str, sheet: str) -> None:
    size, paper = CARD_SIZES[card], SHEET_SIZES[sheet]
    layout = impose(size, paper)
    cuts_x = [layout.left_mm + c * size.width_mm for c in range(layout.columns + 1)]
    cuts_y = [layout.top_mm + r * size.height_mm for r in range(layout.rows + 1)]
    assert layout.marks
    for mark in layout.marks:
        for x, y in ((mark.x1, mark.y1), (mark.x2, mark.y2)):
            assert -1e-6 <= x <= paper.width_mm + 1e-6
            assert -1e-6 <= y <= paper.height_mm + 1e-6
        if mark.x1 == mark.x2:
            assert any(mark.x1 == pytest.approx(x, abs=0.01) for x in cuts_x)
        else:
            assert mark.y1 == mark.y2
            assert any(mark.y1 == pytest.approx(y, abs=0.01) for y in cuts_y)
    # Every inner cut between two columns and two rows is marked.
    for x in cuts_x[1:-1]:
        assert any(m.x1 == m.x2 == pytest.approx(x, abs=0.01) for m in layout.marks)
    for y in cuts_y[1:-1]:
        assert any(m.y1 == m.y2 == pytest.approx(y, abs=0.01) for m in layout.marks)


def test_sheet_pages_alternate_front_and_back_and_fill_in_order() -> None:
    layout = impose(CARD_SIZES["a6"], SHEET_SIZES["a4"])
    cards = [object() for _ in range(5)]
    pages = sheet_pages(cards, layout)  # type: ignore[arg-type]
    assert [(p.side, p.number, len(p.cards)) for p in pages] == [
        ("front", 1, 4),
        ("back", 1, 4),
        ("front", 2, 1),
        ("back", 2, 1),
    ]
    assert all(p.marks for p in pages if p.side == "front")
    assert not any(p.marks for p in pages if p.side == "back")


def test_derived_card_puts_deadlines_first(small_project: Path) -> None:
    handbook = load_handbook(small_project)
    title, points = derived_points(handbook.policy("phone-response"))
    assert title == "Service standards"
    assert [(p.text, p.ref) for p in points] == [
        ("Return voicemail: within 1 business day.", "Std 1"),
        ("Answer email: same day.", "Std 2"),
    ]


def test_a_derived_point_states_its_deadline_once(small_project: Path) -> None:
    # Issue 23: "Return voicemails within one business day: within 1 business day."
    policy = load_handbook(small_project).policy("phone-response")
    standard = Standard.model_validate(
        {
            "commitment": "Return voicemails within one business day.",
            "target": {"within": 1, "unit": "business_day"},
        }
    )
    revised = policy.model_copy(update={"standards": [standard]})
    _, points = derived_points(revised)
    assert [(p.text, p.ref) for p in points] == [
        ("Return voicemails within one business day.", "Std 1")
    ]


def test_review_line_says_due_or_overdue_since(small_project: Path) -> None:
    handbook = load_handbook(small_project)
    policy = handbook.policy("phone-response")  # last reviewed 2025-06-10, 12-month cycle
    current = review_policy(policy, dt.date(2025, 7, 1), 12, 30)
    overdue = review_policy(policy, dt.date(2026, 7, 1), 12, 30)
    assert review_line(current) == ("Review due 2026-06-10", "current")
    assert review_line(overdue) == ("Review overdue since 2026-06-10", "overdue")


# --------------------------------------------------------------------------- who to call


def test_card_names_only_the_contacts_its_policy_names(small_project: Path) -> None:
    handbook = load_handbook(small_project)
    settings = handbook.settings
    assert settings.contacts and not settings.contacts_apply_to_every_policy
    named = handbook.policy("phone-response")
    assert [c.name for c in card_contacts(named, settings)] == ["Human Resources Department"]
    # counter-service names no contact: the handbook-wide one is not put on its card.
    assert card_contacts(handbook.policy("counter-service"), settings) == ()


def test_handbook_contacts_on_every_card_only_when_handbook_yaml_says_so(
    small_project: Path,
) -> None:
    handbook_yaml = small_project / "policies" / "handbook.yaml"
    handbook_yaml.write_text(
        handbook_yaml.read_text() + "contacts_apply_to_every_policy: true\n", encoding="utf-8"
    )
    handbook = load_handbook(small_project)
    settings = handbook.settings
    unnamed = card_contacts(handbook.policy("counter-service"), settings)
    assert [(c.name, c.phone) for c in unnamed] == [("Human Resources", "555-0199")]
    # A policy's own contacts still win over the handbook's.
    named = card_contacts(handbook.policy("phone-response"), settings)
    assert [c.name for c in named] == ["Human Resources Department"]
    # A `card:` block's contacts win over both, and `contacts: []` names nobody.
    policy = handbook.policy("counter-service")
    silent = policy.model_copy(update={"card": Card(points=["Smile."], contacts=[])})
    assert card_contacts(silent, settings) == ()
    own = Contact(role="Desk", name="Front desk")
    listed = policy.model_copy(update={"card": Card(points=["Smile."], contacts=[own])})
    assert card_contacts(listed, settings) == (own,)
