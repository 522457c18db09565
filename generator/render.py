"""Rendering: the Handbook and its review report, through Jinja templates, into pages.

Only this module knows Jinja (and the inline-Markdown converter and sanitizer that go with it).
Python prepares every value a template shows (labels, dates, anchors, deadlines); templates only
lay them out.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
import markdown
import nh3
from markupsafe import Markup

from .changes import Changes, Edition, PolicyVersion, compare, policy_versions
from .model import (
    Handbook,
    Person,
    Policy,
    Standard,
    StandardGroup,
    Status,
    Target,
    YearMonth,
)
from .review import URGENCY, PolicyReview, ReviewReport, ReviewStatus

if TYPE_CHECKING:  # only an annotation here; search.py imports this module's views.
    from .search import SearchEntry

STATUS_LABELS = {
    ReviewStatus.CURRENT: "Current",
    ReviewStatus.DUE_SOON: "Review due soon",
    ReviewStatus.OVERDUE: "Review overdue",
    ReviewStatus.RETIRED: "Retired",
    ReviewStatus.DRAFT: "Draft",
}
_ALLOWED_TAGS = {"em", "strong", "code", "a", "br", "img", "del"}
_ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}}
_URL_SCHEMES = {"http", "https", "mailto", "tel"}


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


def slugify(text: str) -> str:
    """A URL-safe lower-case slug of `text`."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"


def policy_uri(policy: Policy) -> str:
    """The Markdown source URI of a policy page (served at `<id>/`)."""
    return f"{policy.id}.md"


def format_date(value: dt.date | YearMonth | str | None) -> str:
    """A date as people read it in a handbook: 3 January 2017, April 2025."""
    if value is None:
        return "Not stated"
    if isinstance(value, str):
        return "Unknown" if value == "unknown" else value
    if isinstance(value, YearMonth):
        return value.first_day().strftime("%B %Y")
    return f"{value.day} {value.strftime('%B %Y')}"


def format_target(target: str | Target | None) -> str:
    """A standard's target as words: 'within 1 business day'."""
    if target is None:
        return ""
    if isinstance(target, str):
        return target
    return target.words()


_ESCAPED_AUTOLINK = re.compile(r"&lt;((?:https?|mailto|tel):[^\s<>]*?)&gt;", re.IGNORECASE)


@functools.cache
def _inline_converter() -> markdown.Markdown:
    return markdown.Markdown(output_format="html")


def inline_markdown(text: str | None, policy_urls: Mapping[str, str] | None = None) -> Markup:
    """Policy text (inline Markdown) as sanitized inline HTML; `policy:<id>` links resolved."""
    if not text:
        return Markup("")
    # Escape first, so no HTML in the text is ever parsed as HTML; then give back the one
    # angle-bracket form that is Markdown, an autolink to a web, mail or phone address.
    escaped = _ESCAPED_AUTOLINK.sub(r"<\1>", html.escape(text, quote=False))
    # One converter, reset per text: building a new one for each of a handbook's thousands of
    # texts took half the render stage.
    converted = _inline_converter().reset().convert(escaped)
    converted = re.sub(r"^<p>(.*)</p>$", r"\1", converted, flags=re.S)

    def resolve(match: re.Match[str]) -> str:
        target = match.group(1)
        policy_id, _, anchor = target.partition("#")
        url = (policy_urls or {}).get(policy_id, f"../{policy_id}/")
        return f'href="{url}{"#" + anchor if anchor else ""}"'

    converted = re.sub(r'href="policy:([^"]*)"', resolve, converted)
    cleaned = nh3.clean(
        converted,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes=_URL_SCHEMES,
        link_rel=None,
    )
    # The result lands in a Markdown page: braces would start attr_list `{: ...}` or look like
    # a template expression to a later stage. As entities they show as typed, even in URLs.
    return Markup(cleaned.replace("{", "&#123;").replace("}", "&#125;"))


# HTML's specials, plus what Markdown (with attr_list `{: ...}`) or a `{{ template }}` engine
# downstream could read as syntax: each becomes a numeric entity that shows as typed.
_PLAIN_SPECIALS = re.compile(r"[&<>\"'\\`*_{}\[\]()#+!|~]")


def plain(text: str | None) -> Markup:
    """Plain text escaped for both HTML and Markdown, so nothing in it is interpreted."""
    if not text:
        return Markup("")
    # One line: a line break would end a Markdown heading or a front-matter value early.
    one_line = " ".join(text.split())
    # One pass, so the '#' of an entity made for one character is never escaped again.
    return Markup(_PLAIN_SPECIALS.sub(lambda m: f"&#{ord(m.group())};", one_line))


def nav_title(text: str) -> str:
    """A title for the MkDocs navigation, escaped: the theme inserts nav titles unescaped."""
    # Material writes `{{ nav_item.title }}` into the page as HTML (MkDocs templates do not
    # autoescape); quotes stay as typed because the theme escapes the aria-labels it makes.
    return html.escape(text, quote=False)


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


@dataclass(frozen=True)
class ReviewBanner:
    """The notice at the top of a policy page that is not simply current."""

    status: str
    title: str
    message: str
    contact: str
    owner: Person

    def as_meta(self) -> dict[str, str | None]:
        """The banner as page front matter, for the theme override that shows it."""
        return {
            "status": self.status,
            "title": self.title,
            "message": self.message,
            "contact": self.contact,
            "name": ", ".join(n for n in (self.owner.name, self.owner.title) if n) or None,
            "email": self.owner.email,
            "phone": self.owner.phone,
            "tel": self.owner.phone.replace(" ", "") if self.owner.phone else None,
        }


@dataclass(frozen=True)
class PolicyView:
    """Everything a policy page shows, prepared for the template."""

    policy: Policy
    review: PolicyReview | None
    status_label: str
    status_class: str
    standard_groups: list[tuple[str, str, list[tuple[str, Standard]]]]
    related: list[Policy]
    url: str
    pdf_url: str | None
    card_url: str | None
    category_slug: str
    banner: ReviewBanner | None = None
    tags: list[str] = field(default_factory=list)
    # ---- editions (issue 12): the published versions, and the way back to the site root.
    versions: list[PolicyVersion] = field(default_factory=list)
    base: str = "../"


def _days(count: int) -> str:
    return f"{count} day" if count == 1 else f"{count} days"


def _how_long(days: int) -> str:
    """A span as people say it: '73 days', 'about 7 months', 'over 8 years'."""
    if days < 90:
        return _days(days)
    if days < 730:
        return f"about {round(days / 30.44)} months"
    return f"over {days // 365} years"


def who_to_ask(policy: Policy) -> Person:
    """Whom a page notice sends readers to: the owner, else the policy's first contact."""
    # A source may name no owner but a contact for questions (Pinole names only HR).
    if policy.owner.name is None and policy.contacts:
        contact = policy.contacts[0]
        return Person(name=contact.name, email=contact.email, phone=contact.phone)
    return policy.owner


def review_banner(policy: Policy, review: PolicyReview | None) -> ReviewBanner | None:
    """The page notice for a policy that is overdue, due soon, retired or a draft; else None."""
    asked = who_to_ask(policy)
    owner = asked.name or asked.title or "the policy owner"
    if policy.status is Status.RETIRED:
        return ReviewBanner(
            "retired",
            "Retired",
            "This policy is retired and no longer applies. It is kept for the record.",
            "Questions:",
            asked,
        )
    if policy.status is Status.DRAFT:
        return ReviewBanner(
            "draft",
            "Draft",
            "This policy is a draft. It is not in force until it is approved and published.",
            "Comments to:",
            asked,
        )
    if review is None or review.next_review is None:
        return None
    due = format_date(review.next_review)
    if review.status is ReviewStatus.OVERDUE:
        return ReviewBanner(
            "overdue",
            "Review overdue",
            f"This policy was due for its annual review on {due} and has been overdue for "
            f"{_how_long(review.days_overdue)}. Parts of it may be out of date: before relying on "
            f"it, check with {owner}.",
            "Contact:",
            asked,
        )
    if review.status is ReviewStatus.DUE_SOON:
        when = "today" if review.days_left == 0 else f"in {_days(review.days_left)}"
        return ReviewBanner(
            "due-soon",
            "Review due soon",
            f"This policy is due for its annual review on {due} ({when}). "
            f"Questions about it go to {owner}.",
            "Contact:",
            asked,
        )
    return None


def policy_tags_audience(policy: Policy) -> list[str]:
    """The applies_to tags of a policy, escaped as in `policy_tags`."""
    return [html.escape(name, quote=True) for name in policy.applies_to if name]


def policy_tags(policy: Policy) -> list[str]:
    """Tag names for the tags plugin: department and who the policy applies to, HTML-escaped
    because Material prints tag names into the page unescaped."""
    department = [html.escape(policy.department, quote=True)] if policy.department else []
    return list(dict.fromkeys(department + policy_tags_audience(policy)))


def _standard_groups(policy: Policy) -> list[tuple[str, str, list[tuple[str, Standard]]]]:
    """Standards grouped for display, each with a stable anchor (standard-3, ...)."""
    groups: list[tuple[str, str, list[tuple[str, Standard]]]] = []
    loose: list[tuple[str, Standard]] = []
    number = 0
    for entry in policy.standards:
        if isinstance(entry, StandardGroup):
            items = []
            for standard in entry.standards:
                number += 1
                items.append((f"standard-{number}", standard))
            groups.append((entry.title, slugify(entry.title), items))
        else:
            number += 1
            loose.append((f"standard-{number}", entry))
    if loose:
        groups.insert(0, ("", "standards", loose))
    return groups


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
            standard_groups=_standard_groups(policy),
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
        from .search import policy_entries

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


def plain_text(text: str | None) -> str:
    """Inline Markdown reduced to its words, for PDF metadata such as the subject."""
    return html.unescape(re.sub(r"<[^>]+>", "", str(inline_markdown(text))))


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
