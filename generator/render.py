"""Rendering: the Handbook and its review report, through Jinja templates, into pages.

Only this module knows Jinja (and the inline-Markdown converter and sanitizer that go with it).
Python prepares every value a template shows (labels, dates, anchors, deadlines); templates only
lay them out.
"""

from __future__ import annotations

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

if TYPE_CHECKING:  # cards.py imports this module; these names are only annotations here.
    from .cards import CardGeometry, CardListing, CardView, PageRule, SheetLayout, SheetPage
    from .search import SearchEntry

STATUS_LABELS = {
    ReviewStatus.CURRENT: "Current",
    ReviewStatus.DUE_SOON: "Review due soon",
    ReviewStatus.OVERDUE: "Review overdue",
    ReviewStatus.RETIRED: "Retired",
    ReviewStatus.DRAFT: "Draft",
}
UNIT_LABELS = {
    "hour": ("hour", "hours"),
    "day": ("day", "days"),
    "business_day": ("business day", "business days"),
    "week": ("week", "weeks"),
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
    singular, plural = UNIT_LABELS[target.unit]
    text = f"within {target.within} {singular if target.within == 1 else plural}"
    return f"{text} ({target.note})" if target.note else text


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


def _days(count: int) -> str:
    return f"{count} day" if count == 1 else f"{count} days"


def _how_long(days: int) -> str:
    """A span as people say it: '73 days', 'about 7 months', 'over 8 years'."""
    if days < 90:
        return _days(days)
    if days < 730:
        return f"about {round(days / 30.44)} months"
    return f"over {days // 365} years"


def review_banner(policy: Policy, review: PolicyReview | None) -> ReviewBanner | None:
    """The page notice for a policy that is overdue, due soon, retired or a draft; else None."""
    owner = policy.owner.name or policy.owner.title or "the policy owner"
    if policy.status is Status.RETIRED:
        return ReviewBanner(
            "retired",
            "Retired",
            "This policy is retired and no longer applies. It is kept for the record.",
            "Questions:",
            policy.owner,
        )
    if policy.status is Status.DRAFT:
        return ReviewBanner(
            "draft",
            "Draft",
            "This policy is a draft. It is not in force until it is approved and published.",
            "Comments to:",
            policy.owner,
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
            policy.owner,
        )
    if review.status is ReviewStatus.DUE_SOON:
        when = "today" if review.days_left == 0 else f"in {_days(review.days_left)}"
        return ReviewBanner(
            "due-soon",
            "Review due soon",
            f"This policy is due for its annual review on {due} ({when}). "
            f"Questions about it go to {owner}.",
            "Contact:",
            policy.owner,
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

    def __init__(self, handbook: Handbook, report: ReviewReport, options: SiteOptions) -> None:
        self.handbook = handbook
        self.report = report
        self.options = options
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

    def site_pages(self) -> SitePages:
        """Every generated page of the site, and the navigation."""
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
        recent = sorted(
            ((entry.date, policy) for policy in published for entry in policy.revision_history),
            key=lambda pair: (pair[0], pair[1].id),
            reverse=True,
        )[:5]
        pages["index.md"] = self.render(
            "index.md.j2",
            categories=[
                (name, slugify(name), [self.view(p) for p in by_category[name]])
                for name in categories
            ],
            recent=recent,
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
        # ---- cards (issue 7): the "Desk cards" page, when the build makes the card PDFs.
        if self.options.card_links:
            from .cards import card_listing

            pages["cards.md"] = render_cards_page(self, card_listing(self))
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


# ---- cards: desk reference cards (issue 7). What goes on a card and where it sits on a sheet
# is decided in generator/cards.py; these functions only put it through the card templates.


def _card_markdown(policy_urls: Mapping[str, str]) -> Any:
    def convert(text: str) -> Markup:
        return inline_markdown(text, policy_urls)

    return convert


def render_card_document(
    renderer: Renderer,
    cards: Sequence[CardView],
    geometry: CardGeometry,
    *,
    page_rules: Sequence[PageRule],
    side_pages: Sequence[tuple[str, str]],
    measure: bool,
    policy_urls: Mapping[str, str],
) -> str:
    """Print HTML of desk cards, each card a front page then a back page."""
    return renderer.render(
        "cards/card.html.j2",
        cards=cards,
        geometry=geometry,
        page_rules=page_rules,
        side_pages=side_pages,
        measure=measure,
        card_md=_card_markdown(policy_urls),
    )


def render_sheet_document(
    renderer: Renderer,
    pages: Sequence[SheetPage],
    geometry: CardGeometry,
    layout: SheetLayout,
    *,
    caption_top_mm: float | None,
    policy_urls: Mapping[str, str],
) -> str:
    """Print HTML of card sheets: fronts and backs on alternate pages, crop marks on fronts."""
    return renderer.render(
        "cards/sheet.html.j2",
        pages=pages,
        geometry=geometry,
        layout=layout,
        caption_top_mm=caption_top_mm,
        card_md=_card_markdown(policy_urls),
    )


def render_cards_page(renderer: Renderer, listing: CardListing) -> str:
    """The site's "Desk cards" page: every card PDF and the two print sheets."""
    return renderer.render("cards.md.j2", listing=listing)


# ---- print: the book and the per-policy PDFs (issue 6). Python decides every value the print
# templates show (running headers, review lines, link targets); generator/pdf.py renders them.

PRINT_STYLESHEET = Path("templates") / "print" / "print.css"
BOOK_PDF = "handbook.pdf"
PAPER_SIZES = {"letter": "letter", "a4": "A4"}
# Links to other policies print as plain text when the PDF has nowhere for them to go.
_UNLINKED = re.compile(r"<a(?: title=\"[^\"]*\")?>(.*?)</a>", re.S)


@dataclass(frozen=True)
class PrintPolicy:
    """One policy as it prints: its view, anchor, running header, review line and links."""

    view: PolicyView
    anchor: str
    running: str
    review_text: str
    related: list[tuple[Policy, str | None]]


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
    page_labels: bool = False


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
    return PrintPolicy(
        view=view,
        anchor=print_anchor(policy),
        running=running_header(policy),
        review_text=review_footer(view.review),
        related=[(other, targets.get(other.id)) for other in view.related],
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


def print_book(renderer: Renderer) -> PrintDocument:
    """The whole handbook as one printable book: cover, contents, a part per category."""
    settings = renderer.handbook.settings
    published = renderer.published()
    targets = {policy.id: f"#{print_anchor(policy)}" for policy in published}
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
        text=_print_markdown(targets),
        **_print_context(renderer),
    )
    return PrintDocument(
        filename=BOOK_PDF,
        html=document,
        title=settings.title,
        subject=f"{settings.title}, {settings.edition}: every published policy",
        keywords=tuple(part.name for part in parts),
        policy_ids=tuple(policy.id for policy in published),
        page_labels=True,
    )


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
    return PrintDocument(
        filename=f"{policy.id}.pdf",
        html=document,
        title=policy.title,
        subject=plain_text(policy.summary),
        keywords=tuple(keywords),
        policy_ids=(policy.id,),
    )


def print_documents(renderer: Renderer) -> list[PrintDocument]:
    """Every PDF of the handbook: the book first, then one per published policy."""
    return [print_book(renderer), *(print_policy(renderer, p) for p in renderer.published())]
