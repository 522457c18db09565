"""Rendering: the Handbook and its review report, through Jinja templates, into pages.

Only this module knows Jinja; the text helpers (generator/text.py) and the page views
(generator/views.py) it uses sit below it, shared with search.
Python prepares every value a template shows (labels, dates, anchors, deadlines); templates only
lay them out.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from .changes import Changes, Edition, PolicyVersion, compare, policy_versions
from .model import (
    Handbook,
    Policy,
    Status,
)
from .review import URGENCY, PolicyReview, ReviewReport, ReviewStatus
from .search import SearchEntry, policy_entries

# Re-exported ("X as X"): callers import these from here.
from .text import format_date as format_date
from .text import format_target as format_target
from .text import inline_markdown as inline_markdown
from .text import nav_title, plain_text
from .text import plain as plain
from .text import slugify as slugify
from .views import STATUS_LABELS as STATUS_LABELS
from .views import PolicyView as PolicyView
from .views import ReviewBanner as ReviewBanner
from .views import (
    policy_tags,
    policy_tags_audience,
    review_banner,
    standard_groups,
)
from .views import who_to_ask as who_to_ask


@dataclass(frozen=True)
class SiteOptions:
    """What varies between site builds of the same handbook."""

    include_drafts: bool = False
    pdf_links: bool = False
    card_links: bool = False


@dataclass
class NavSection:
    """A navigation section: a category with its index page and policy pages."""

    title: str
    index_uri: str
    pages: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class SitePages:
    """Generated Markdown pages by source URI, and the navigation that orders them."""

    pages: dict[str, str]
    nav: list[tuple[str, str] | NavSection]
    excluded_from_search: set[str]
    # Site-wide facts the theme shows (site name, footer edition, page language).
    theme: dict[str, str] = field(default_factory=dict)
    # Search entries of the policy pages by source URI (a page entry, then one per rule), and
    # the handbook's synonyms applied when they are indexed (generator/search.py).
    search_entries: dict[str, list[SearchEntry]] = field(default_factory=dict)
    synonyms: dict[str, list[str]] = field(default_factory=dict)


def policy_uri(policy: Policy) -> str:
    """The Markdown source URI of a policy page (served at `<id>/`)."""
    return f"{policy.id}.md"


def make_environment(templates_dir: Path) -> jinja2.Environment:
    """The one Jinja environment: strict undefined, autoescaping, our filters."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir),
        undefined=jinja2.StrictUndefined,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters["md"] = inline_markdown
    environment.filters["plain"] = plain
    environment.filters["date"] = format_date
    environment.filters["target"] = format_target
    environment.filters["slug"] = slugify
    return environment


class Renderer:
    """Renders the pages of one handbook with one Jinja environment."""

    def __init__(
        self,
        handbook: Handbook,
        report: ReviewReport,
        options: SiteOptions,
        history: Sequence[Edition] = (),
    ) -> None:
        self.handbook = handbook
        self.report = report
        self.options = options
        self.history = list(history)
        self._versions: dict[str, list[PolicyVersion]] = {}
        self.environment = make_environment(handbook.root / "templates")

    def published(self) -> list[Policy]:
        """Policies that appear in the navigation: active, plus drafts when asked for."""
        return [
            policy
            for policy in self.handbook.policies
            if policy.status is Status.ACTIVE
            or (policy.status is Status.DRAFT and self.options.include_drafts)
        ]

    def retired(self) -> list[Policy]:
        """Retired policies, listed on the archive page only."""
        return [p for p in self.handbook.policies if p.status is Status.RETIRED]

    def view(self, policy: Policy) -> PolicyView:
        """Prepare one policy for its page."""
        try:
            review: PolicyReview | None = self.report.for_policy(policy.id)
        except KeyError:
            review = None
        status = review.status if review else ReviewStatus.CURRENT
        known = {p.id: p for p in self.handbook.policies}
        in_print = policy.status is not Status.RETIRED
        return PolicyView(
            policy=policy,
            review=review,
            status_label=STATUS_LABELS[status],
            status_class=status.value,
            standard_groups=standard_groups(policy),
            related=[known[r] for r in policy.related if r in known],
            url=f"{policy.id}/",
            # PDFs and cards are made for published policies only, not for retired ones.
            pdf_url=f"pdf/{policy.id}.pdf" if self.options.pdf_links and in_print else None,
            card_url=f"pdf/cards/{policy.id}.pdf" if self.options.card_links and in_print else None,
            category_slug=slugify(policy.category),
            banner=review_banner(policy, review),
            # A retired page is off the navigation; its tags would lead back to it.
            tags=[] if policy.status is Status.RETIRED else policy_tags(policy),
            versions=self.versions_of(policy.id),
        )

    def render(self, template: str, **context: Any) -> str:
        """Render one template with the handbook-wide context added."""
        return self.environment.get_template(template).render(
            handbook=self.handbook,
            settings=self.handbook.settings,
            report=self.report,
            labels=STATUS_LABELS,
            review_summary=self.report.summary(),
            **context,
        )

    def site_pages(self, cards_page: str | None = None) -> SitePages:
        """Every generated page of the site, and the navigation; `cards_page` is the "Desk
        cards" page's Markdown (generator/cards.py makes it) when the build makes cards."""
        pages: dict[str, str] = {}
        search_entries: dict[str, list[SearchEntry]] = {}
        nav: list[tuple[str, str] | NavSection] = [("Home", "index.md")]
        published = self.published()
        by_category: dict[str, list[Policy]] = {}
        for policy in published:
            by_category.setdefault(policy.category, []).append(policy)
        categories = [name for name in self.handbook.categories() if name in by_category]
        descriptions = {c.name: c.description for c in self.handbook.settings.categories}
        for name in categories:
            slug = slugify(name)
            section = NavSection(nav_title(name), f"{slug}/index.md")
            pages[section.index_uri] = self.render(
                "category.md.j2",
                name=name,
                description=descriptions.get(name),
                policies=[self.view(p) for p in by_category[name]],
            )
            for policy in by_category[name]:
                uri = policy_uri(policy)
                view = self.view(policy)
                pages[uri] = self.render("policy.md.j2", view=view)
                search_entries[uri] = policy_entries(view)
                section.pages.append((nav_title(policy.title), uri))
            nav.append(section)
        pages["index.md"] = self.render(
            "index.md.j2",
            categories=[
                (name, slugify(name), [self.view(p) for p in by_category[name]])
                for name in categories
            ],
            recent=recently_revised(published),
            counts=self.report.counts(),
            book_pdf_url="pdf/handbook.pdf" if self.options.pdf_links else None,
        )
        # Only policies with a page: unpublished drafts would be broken links.
        has_page = {p.id for p in published} | {p.id for p in self.retired()}
        pages["reviews.md"] = self.render(
            "reviews.md.j2",
            groups=[
                (
                    STATUS_LABELS[status],
                    status.value,
                    [r for r in self.report.with_status(status) if r.policy.id in has_page],
                )
                for status in sorted(ReviewStatus, key=URGENCY.__getitem__)  # most urgent first
            ],
        )
        nav.append(("Review status", "reviews.md"))
        pages["contacts.md"] = self.render(
            "contacts.md.j2",
            policies=[self.view(p) for p in published],
        )
        nav.append(("Contacts", "contacts.md"))
        # ---- cards (issue 7): the "Desk cards" page, made by the cards stage when the build
        # makes the card PDFs.
        if cards_page is not None:
            pages["cards.md"] = cards_page
            nav.append(("Desk cards", "cards.md"))
        tagged = [view for view in (self.view(p) for p in published) if view.tags]
        if tagged:
            pages["tags.md"] = self.render(
                "tags.md.j2",
                departments=sorted({view.tags[0] for view in tagged if view.policy.department}),
                audiences=sorted(
                    {tag for view in tagged for tag in policy_tags_audience(view.policy)}
                ),
            )
            nav.append(("Tags", "tags.md"))
        excluded: set[str] = set()
        retired = self.retired()
        if retired:
            pages["archive.md"] = self.render(
                "archive.md.j2", policies=[self.view(p) for p in retired]
            )
            nav.append(("Archive", "archive.md"))
            for policy in retired:
                uri = policy_uri(policy)
                pages[uri] = self.render("policy.md.j2", view=self.view(policy))
                excluded.add(uri)
        # ---- editions (issue 12): what's new, the editions, every earlier version. Off the
        # navigation and out of search: they are reached from the home and policy pages.
        edition_pages = self.edition_pages()
        pages.update(edition_pages)
        excluded.update(edition_pages)
        settings = self.handbook.settings
        theme = {
            "site_name": settings.title,
            "organization": settings.organization,
            "edition": settings.edition,
            "language": settings.language,
        }
        return SitePages(
            pages=pages,
            nav=nav,
            excluded_from_search=excluded,
            theme=theme,
            search_entries=search_entries,
            synonyms={word: list(words) for word, words in settings.synonyms.items()},
        )

    # ---- editions (issue 12)

    def versions_of(self, policy_id: str) -> list[PolicyVersion]:
        """A policy's published versions, oldest first (computed once per renderer)."""
        if policy_id not in self._versions:
            self._versions[policy_id] = policy_versions(self.history, policy_id)
        return self._versions[policy_id]

    def whats_new(self) -> Changes:
        """The current sources against the latest edition; when nothing changed since, that
        edition against the one before. No edition yet: nothing to compare."""
        if not self.history:
            return Changes(None, None, [])
        latest = self.history[-1]
        if latest.handbook is None:
            return Changes(latest.name, None, [])
        since = compare(latest.handbook, self.handbook, latest.name, None)
        if since.policies:
            return since
        before = self.history[-2] if len(self.history) >= 2 else None
        if before is None or before.handbook is None:
            return Changes(before.name if before else None, latest.name, [])
        return compare(before.handbook, latest.handbook, before.name, latest.name)

    def edition_pages(self) -> dict[str, str]:
        """What's new, the list of editions, and a page per published version of a policy."""
        pdfs = self.options.pdf_links
        pages = {
            "whats-new.md": self.render(
                "whats-new.md.j2", changes=self.whats_new(), editions=self.history
            ),
            "editions.md": self.render(
                "editions.md.j2", editions=list(reversed(self.history)), pdfs=pdfs
            ),
        }
        version_renderer = self._version_renderer()
        current = {policy.id for policy in self.handbook.policies}
        ids = dict.fromkeys(
            [p.id for p in self.handbook.policies]
            + [pid for edition in self.history for pid in edition.published_ids()]
        )
        for policy_id in ids:
            versions = self.versions_of(policy_id)
            withdrawn = policy_id not in current
            if withdrawn and versions:
                # Its address still answers, with what was published.
                pages[f"{policy_id}.md"] = self.render(
                    "withdrawn.md.j2", title=versions[-1].title, versions=versions
                )
            for version in versions:
                uri = f"{policy_id}/versions/{version.edition.name}.md"
                view = version_renderer.view(version.policy) if version.policy else None
                if view is not None:
                    view = dataclasses.replace(
                        view,
                        pdf_url=None,
                        card_url=None,
                        banner=None,
                        # Review dates belong to the policy as it stands now, not this version.
                        review=None,
                        status_label=(
                            "Superseded"
                            if version.in_force_to
                            else "No longer in the handbook"
                            if withdrawn
                            else "Current version"
                        ),
                        status_class="retired" if version.in_force_to or withdrawn else "current",
                        tags=[],
                        versions=versions,
                        base="../../../",
                    )
                pages[uri] = version_renderer.render(
                    "policy.md.j2" if view is not None else "version-stored.md.j2",
                    view=view,
                    version=version,
                    policy_id=policy_id,
                    withdrawn=withdrawn,
                    redline=compare_versions(version),
                    pdf_url=(
                        f"../../../pdf/editions/{version.edition.name}/{version.pdf_name}"
                        if pdfs and version.pdf_name
                        else None
                    ),
                )
        return pages

    def _version_renderer(self) -> Renderer:
        """A renderer whose policy links work three folders down (<id>/versions/<NAME>/)."""
        renderer = Renderer(self.handbook, self.report, self.options, self.history)
        urls = {policy.id: f"../../../{policy.id}/" for policy in self.handbook.policies}
        for edition in self.history:
            urls.update({pid: f"../../../{pid}/" for pid in edition.published_ids()})
        renderer.environment.filters["md"] = functools.partial(inline_markdown, policy_urls=urls)
        return renderer


def recently_revised(published: Sequence[Policy], limit: int = 5) -> list[tuple[dt.date, Policy]]:
    """Each policy once, at its latest substantive or editorial revision, newest first."""
    revised = [
        (revision.date, policy)
        for policy in published
        if (revision := policy.last_revision()) is not None
    ]
    return sorted(revised, key=lambda pair: (pair[0], pair[1].id), reverse=True)[:limit]


def compare_versions(version: PolicyVersion) -> Changes | None:
    """The redline of a version against the version before it (None for the first)."""
    if version.previous is None or version.previous.policy is None or version.policy is None:
        return None
    from .changes import ChangeKind, PolicyChange, field_changes, new_entries

    before, after = version.previous.policy, version.policy
    change = PolicyChange(
        after.id,
        after.title,
        ChangeKind.SUBSTANTIVE,
        new_entries(before, after),
        field_changes(before, after),
        after.version,
    )
    return Changes(version.previous.edition.name, version.edition.name, [change])


# ---- print: the book and the per-policy PDFs (issue 6). Python decides every value the print
# templates show (running headers, review lines, link targets); generator/pdf.py renders them.

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


def _print_policy(renderer: Renderer, policy: Policy, targets: Mapping[str, str]) -> PrintPolicy:
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


def _print_context(renderer: Renderer) -> dict[str, Any]:
    settings = renderer.handbook.settings
    return {"paper": PAPER_SIZES[settings.paper], "site_url": settings.site_url}


def _site_targets(renderer: Renderer) -> dict[str, str]:
    """Where a policy link points from a single-policy PDF: its site page, when the site has
    an address; otherwise nowhere, as a relative link would name the build machine's files."""
    site_url = renderer.handbook.settings.site_url
    if not site_url:
        return {}
    base = site_url if site_url.endswith("/") else f"{site_url}/"
    return {policy.id: f"{base}{policy.id}/" for policy in renderer.published()}


def print_book(renderer: Renderer) -> PrintBook:
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
        subject=f"{settings.title}, {settings.edition}: every published policy",
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


def print_policy(renderer: Renderer, policy: Policy) -> PrintDocument:
    """One policy as its own PDF, in the book's design."""
    targets = {**_site_targets(renderer), policy.id: f"#{print_anchor(policy)}"}
    item = _print_policy(renderer, policy, targets)
    document = renderer.render(
        "print/policy.html.j2",
        item=item,
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
