"""Print views: the book and the per-policy PDFs (issue 6), as print HTML for generator/pdf.py.

Python decides every value the print templates show (running headers, review lines, link
targets, page labels); the templates under templates/print/ only lay them out. Made through a
`BaseRenderer` (base.py); no library of its own beyond markupsafe's `Markup` for filter output.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markupsafe import Markup

from ..model import Policy
from ..review import PolicyReview, ReviewStatus
from ..text import format_date, inline_markdown, plain_text, slugify
from ..views import PolicyView
from .base import BaseRenderer

PRINT_STYLESHEET = Path("templates") / "print" / "print.css"
BOOK_PDF = "handbook.pdf"
PAPER_SIZES = {"letter": "letter", "a4": "A4"}
# Links to other policies print as plain text when the PDF has nowhere for them to go.
_UNLINKED = re.compile(r"<a(?: title=\"[^\"]*\")?>(.*?)</a>", re.S)


@dataclass(frozen=True)
class PrintPolicy:
    """One policy as it prints: its view, anchor, running header, footer and links."""

    view: PolicyView
    anchor: str
    running: str
    review_text: str
    related: list[tuple[Policy, str | None]]
    # The loose-leaf footer before "Page X of Y": number (or title) and latest revision.
    leaf: str
    # The PDF page label of its pages without the number: "03600.001, p. " for "03600.001, p. 2".
    label_prefix: str
    # Where the book's contents says the policy starts: its first page label, "03600.001, p. 1";
    # just "p. 1" when it has no number, as the entry beside it already gives the title.
    contents_where: str


@dataclass(frozen=True)
class PrintPart:
    """A category of the book: its policies in handbook order."""

    name: str
    anchor: str
    description: str | None
    policies: list[PrintPolicy]


@dataclass(frozen=True)
class PrintDocument:
    """Print HTML for one PDF: its file name under site/pdf/ and the facts for its metadata."""

    filename: str
    html: str
    title: str
    subject: str
    keywords: tuple[str, ...]
    policy_ids: tuple[str, ...]
    # Page labels: front matter (named pages cover, front) i, ii, ...; the rest numbered from 1,
    # after this prefix when there is one.
    page_labels: bool = False
    label_prefix: str | None = None
    # A policy's chapter of the book: its category, and the link addresses that mean it
    # (its site page, the contents' "chapter:" link), which go to its first page in the book.
    part: str | None = None
    link_urls: tuple[str, ...] = ()


@dataclass(frozen=True)
class PrintBook:
    """The book: freshly laid-out front matter, then each policy's own PDF as a chapter."""

    front: PrintDocument
    chapters: list[PrintDocument]


def print_anchor(policy: Policy) -> str:
    """The id of a policy's first page in print, the target of contents and related links."""
    return f"policy-{policy.id}"


def review_footer(review: PolicyReview | None) -> str:
    """The review line of a printed policy: 'Review due 2027-03-01' or 'Review overdue since …'.

    "Overdue since" names the next-review date itself: the day the review fell due.
    """
    if review is None:
        return "No review date"
    if review.status is ReviewStatus.RETIRED:
        return "Retired"
    if review.next_review is None:
        return "No review date"
    day = review.next_review.isoformat()
    if review.status is ReviewStatus.OVERDUE:
        return f"Review overdue since {day}"
    return f"Review due {day}"


def revision_note(policy: Policy) -> str | None:
    """The latest revision as a footer says it: 'Version 2.0, revised 2026-11-27'; a policy only
    ever reviewed says 'Reviewed …', since a review changes no page."""
    standing = policy.standing
    if standing.revised is None:
        return f"Reviewed {standing.reviewed.isoformat()}" if standing.reviewed else None
    revised = standing.revised.isoformat()
    if standing.version:
        return f"Version {standing.version}, revised {revised}"
    return f"Revised {revised}"


def leaf_reference(policy: Policy) -> str:
    """What names a policy's loose-leaf pages: its number, or its title when it has none."""
    return policy.number or policy.title


def chapter_link(policy: Policy) -> str:
    """The contents' link to a chapter; the book assembly points it at the chapter's first page."""
    return f"chapter:{policy.id}"


def running_header(policy: Policy) -> str:
    """The running header of a policy's pages: its number and title."""
    return f"{policy.number} · {policy.title}" if policy.number else policy.title


def _print_markdown(policy_urls: Mapping[str, str]) -> Any:
    """A text filter for print: `policy:` links go where `policy_urls` says, or print as text."""

    def convert(text: str | None) -> Markup:
        # Unknown ids resolve to a scheme the sanitizer drops, leaving a bare <a> to unwrap.
        urls = {**{pid: f"unlinked:{pid}" for pid in _ids_in(text)}, **policy_urls}
        converted = str(inline_markdown(text, urls))
        # A fragment names a spot on a site page; in print the link goes to the policy's start.
        converted = re.sub(r'href="(#policy-[a-z0-9-]+)#[^"]*"', r'href="\1"', converted)
        return Markup(_UNLINKED.sub(r"\1", converted))

    return convert


def _ids_in(text: str | None) -> list[str]:
    return re.findall(r"\]\(\s*policy:([a-z0-9-]+)", text or "")


def _print_policy(
    renderer: BaseRenderer, policy: Policy, targets: Mapping[str, str]
) -> PrintPolicy:
    view = renderer.view(policy)
    reference = leaf_reference(policy)
    return PrintPolicy(
        view=view,
        anchor=print_anchor(policy),
        running=running_header(policy),
        review_text=review_footer(view.review),
        related=[(other, targets.get(other.id)) for other in view.related],
        leaf=" · ".join(part for part in (reference, revision_note(policy)) if part),
        label_prefix=f"{reference}, p. ",
        contents_where=f"{policy.number}, p. 1" if policy.number else "p. 1",
    )


def _print_context(renderer: BaseRenderer) -> dict[str, Any]:
    settings = renderer.handbook.settings
    return {"paper": PAPER_SIZES[settings.paper], "site_url": settings.site_url}


def _site_targets(renderer: BaseRenderer) -> dict[str, str]:
    """Where a policy link points from a single-policy PDF: its site page, when the site has
    an address; otherwise nowhere, as a relative link would name the build machine's files."""
    site_url = renderer.handbook.settings.site_url
    if not site_url:
        return {}
    base = site_url if site_url.endswith("/") else f"{site_url}/"
    return {policy.id: f"{base}{policy.id}/" for policy in renderer.published()}


def print_book(renderer: BaseRenderer) -> PrintBook:
    """The whole handbook as one printable book: front matter (cover, contents) laid out here,
    then every published policy's own PDF as a chapter, grouped by category."""
    settings = renderer.handbook.settings
    published = renderer.published()
    targets = {policy.id: chapter_link(policy) for policy in published}
    descriptions = {c.name: c.description for c in settings.categories}
    parts = []
    for name in renderer.handbook.categories():
        members = [p for p in published if p.category == name]
        if members:
            parts.append(
                PrintPart(
                    name=name,
                    anchor=f"part-{slugify(name)}",
                    description=descriptions.get(name),
                    policies=[_print_policy(renderer, p, targets) for p in members],
                )
            )
    document = renderer.render(
        "print/book.html.j2",
        parts=parts,
        policy_count=len(published),
        published=format_date(renderer.report.today),
        changes=renderer.whats_new(),
        text=_print_markdown({}),
        **_print_context(renderer),
    )
    front = PrintDocument(
        filename=BOOK_PDF,
        html=document,
        title=settings.title,
        subject=f"{settings.title}, {renderer.edition_label()}: every published policy",
        keywords=tuple(part.name for part in parts),
        policy_ids=tuple(policy.id for policy in published),
        page_labels=True,
    )
    chapters = [
        print_policy(renderer, policy)
        for part in parts
        for policy in (i.view.policy for i in part.policies)
    ]
    return PrintBook(front=front, chapters=chapters)


def print_policy(renderer: BaseRenderer, policy: Policy) -> PrintDocument:
    """One policy as its own PDF, in the book's design."""
    targets = {**_site_targets(renderer), policy.id: f"#{print_anchor(policy)}"}
    item = _print_policy(renderer, policy, targets)
    document = renderer.render(
        "print/policy.html.j2",
        item=item,
        # Its own edition, not the handbook's: an unchanged policy's PDF (and its chapter of
        # the book) stays byte for byte the same, and comes from the cache, after an edit of
        # another policy.
        edition_label=renderer.edition_label(policy.id),
        text=_print_markdown(targets),
        **_print_context(renderer),
    )
    keywords = [policy.category, *policy.tags]
    if policy.number:
        keywords.insert(0, policy.number)
    site = _site_targets(renderer).get(policy.id)
    return PrintDocument(
        filename=f"{policy.id}.pdf",
        html=document,
        title=policy.title,
        subject=plain_text(policy.summary),
        keywords=tuple(keywords),
        policy_ids=(policy.id,),
        page_labels=True,
        label_prefix=item.label_prefix,
        part=policy.category,
        link_urls=tuple(url for url in (chapter_link(policy), site) if url),
    )
