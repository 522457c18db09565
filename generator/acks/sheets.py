"""`handbook signoff --edition NAME`: the sign-off sheets of one edition, one PDF per department
and one for everyone, under `signoff/NAME/` (outside `site/`: they carry names). Laid out through
`render.signoff` and `pdf.render_pdf`, tagged PDF/UA-1 like every other PDF."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..obligations import Requirement, edition_requirements
from ..pdf import PdfMetadata, render_pdf, source_date
from ..render.signoff import (
    SIGNOFF_STYLESHEET,
    SheetPerson,
    SheetPolicy,
    SignoffSheet,
    signoff_html,
)
from ..text import plain_text, slugify
from .project import AckProject
from .roster import Person

SIGNOFF_DIR = "signoff"
EVERYONE = "everyone"


class SignoffRefused(Exception):
    """Sheets that cannot be made as asked (no such edition, nothing to sign)."""


@dataclass(frozen=True)
class WrittenSheet:
    """One sheet written: its file, who it is for, how many people and pages."""

    path: Path
    audience: str
    people: int
    pages: int


def _where(project: AckProject, requirement: Requirement) -> str:
    label = requirement.number or requirement.title
    where = f"the handbook, edition {requirement.edition}, {label}, p. 1"
    site_url = project.handbook.settings.site_url
    if site_url:
        base = site_url if site_url.endswith("/") else f"{site_url}/"
        where += f" · {base}{requirement.policy_id}/"
    return where


def _summary(requirement: Requirement) -> str:
    told = " ".join(plain_text(entry.summary) for entry in requirement.entries)
    if requirement.added:
        return f"New in this edition. {told}".strip() if told else "New in this edition."
    return told or "Substantively revised in this edition."


def _policies(project: AckProject, requirements: list[Requirement]) -> list[SheetPolicy]:
    return [
        SheetPolicy(
            number=r.number,
            title=r.title,
            version=r.version,
            summary=_summary(r),
            where=_where(project, r),
            departments="everyone" if r.departments is None else ", ".join(r.departments),
        )
        for r in requirements
    ]


def _people(people: list[Person]) -> list[SheetPerson]:
    ordered = sorted(people, key=lambda p: (p.name.casefold(), p.id))
    return [SheetPerson(p.name, p.id, p.department) for p in ordered]


def plan_sheets(project: AckProject, edition_name: str) -> list[tuple[str, SignoffSheet]]:
    """(file stem, sheet) for each department the edition asks something of, then everyone."""
    edition = next((e for e in project.history if e.name == edition_name), None)
    if edition is None:
        published = ", ".join(e.name for e in project.history) or "none yet"
        raise SignoffRefused(f"no edition {edition_name!r} in editions/ (published: {published})")
    requirements = [r for r in edition_requirements(project.history) if r.edition == edition_name]
    if not requirements:
        raise SignoffRefused(
            f"edition {edition_name!r} asks no one to acknowledge anything (no policy in it is "
            "new or substantively revised, or each says acknowledge: none)"
        )
    within = project.handbook.settings.acknowledge_within_days
    due = (edition.date + dt.timedelta(days=within)).isoformat()

    def sheet(
        stem: str,
        audience: str,
        asked: list[Requirement],
        people: list[Person],
        show_department: bool,
    ) -> tuple[str, SignoffSheet]:
        return stem, SignoffSheet(
            sheet_id=f"{edition_name}/{stem}",
            edition=edition_name,
            edition_date=edition.date.isoformat(),
            audience=audience,
            due=due,
            policies=_policies(project, asked),
            people=_people(people),
            show_department=show_department,
        )

    sheets: list[tuple[str, SignoffSheet]] = []
    everyone: list[Person] = []
    for department in project.roster.departments():
        mine = [r for r in requirements if r.applies_to(department)]
        members = [p for p in project.roster.people if p.department == department]
        if not mine:
            continue
        everyone += members
        sheets.append(sheet(slugify(department), department, mine, members, False))
    sheets.append(sheet(EVERYONE, "Everyone", requirements, everyone, True))
    return sheets


def write_sheets(project: AckProject, edition_name: str) -> list[WrittenSheet]:
    """Render every sheet of the edition into `signoff/NAME/`, each file replaced whole."""
    plan = plan_sheets(project, edition_name)
    folder = project.root / SIGNOFF_DIR / edition_name
    folder.mkdir(parents=True, exist_ok=True)
    settings = project.handbook.settings
    written = []
    for stem, sheet in plan:
        rendered = render_pdf(
            signoff_html(project.handbook, sheet),
            root=project.root,
            base_dir=project.root / "templates" / "print",
            stylesheets=(project.root / SIGNOFF_STYLESHEET,),
            metadata=PdfMetadata(
                title=f"Sign-off sheet {sheet.sheet_id}",
                author=settings.organization,
                subject=f"{settings.title}, edition {edition_name}: acknowledgements",
                language=settings.language,
                created=source_date(),
                modified=source_date(),
            ),
        )
        target = folder / f"{stem}.pdf"
        # A half-written sheet must never be printed: write beside it, then rename over it.
        handle, temporary = tempfile.mkstemp(prefix=f".{stem}-", suffix=".pdf", dir=folder)
        with os.fdopen(handle, "wb") as stream:
            stream.write(rendered.data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
        written.append(WrittenSheet(target, sheet.audience, len(sheet.people), rendered.pages))
    return written
