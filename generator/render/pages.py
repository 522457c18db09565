"""The site's pages: the home, category, policy, review, contact, tag and archive pages, and the
navigation that orders them, with each policy page's search entries (generator/search.py).

`Renderer` adds them to what every page shares (base.py); the edition pages come from
versions.py. No library of its own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..model import Policy
from ..review import URGENCY, ReviewStatus
from ..search import SearchEntry, policy_entries, search_settings
from ..text import nav_title, slugify
from ..views import STATUS_LABELS, policy_tags_audience
from .base import BaseRenderer
from .versions import edition_pages


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
    # The edition each page's footer names, by source URI: a policy's own pages name that
    # policy's (BaseRenderer.edition_label of it), the others the handbook's (theme's).
    page_editions: dict[str, str] = field(default_factory=dict)
    # Search entries of the policy pages by source URI (a page entry, then one per rule), and
    # the handbook's synonyms applied when they are indexed (generator/search.py).
    search_entries: dict[str, list[SearchEntry]] = field(default_factory=dict)
    synonyms: dict[str, list[str]] = field(default_factory=dict)
    # ---- search (issue 25): what the search box needs besides the index: the vocabulary it
    # applies to a query, the best bets, and what to suggest when nothing answers.
    search_settings: dict[str, object] = field(default_factory=dict)

    def edition_of(self, uri: str) -> str:
        """The edition the footer of the page at `uri` names."""
        return self.page_editions.get(uri) or self.theme.get("edition", "")


def policy_uri(policy: Policy) -> str:
    """The Markdown source URI of a policy page (served at `<id>/`)."""
    return f"{policy.id}.md"


# The home page shows each policy's summary while the handbook is small enough to read that way.
# Beyond this, it lists titles only and each category's page carries the summaries: at 1,000
# policies the summaries made the home page 570 KB, most of what a reader downloaded before their
# first search result (issue 25's budget is 1 MB).
HOME_SUMMARIES_UP_TO = 30


class Renderer(BaseRenderer):
    """Renders the pages of one handbook with one Jinja environment."""

    def site_pages(self, cards_page: str | None = None) -> SitePages:
        """Every generated page of the site, and the navigation; `cards_page` is the "Desk
        cards" page's Markdown (generator/cards.py makes it) when the build makes cards."""
        pages: dict[str, str] = {}
        # The policy each of its own pages is of, for the edition its footer names.
        policy_of: dict[str, str] = {}
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
                policy_of[uri] = policy.id
                search_entries[uri] = policy_entries(view)
                section.pages.append((nav_title(policy.title), uri))
            nav.append(section)
        pages["index.md"] = self.render(
            "index.md.j2",
            summaries=len(published) <= HOME_SUMMARIES_UP_TO,
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
        # What's new is in the navigation (issue 23), out of search (its words are the
        # policies'); the editions and earlier versions are reached from it.
        nav.append(("What's new", "whats-new.md"))
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
                policy_of[uri] = policy.id
                excluded.add(uri)
        # ---- editions (issue 12): what's new, the editions, every earlier version: out of
        # search; the editions and versions are reached from what's new and the policy pages.
        of_editions = edition_pages(self)
        pages.update(of_editions.pages)
        excluded.update(of_editions.pages)
        policy_of.update(of_editions.policy_of)
        settings = self.handbook.settings
        handbook_edition = self.edition_label()
        theme = {
            "site_name": settings.title,
            "organization": settings.organization,
            "edition": handbook_edition,
            "language": settings.language,
        }
        # ---- issue 24: the footer's edition is each page's own, so that a one-word edit
        # after a publish changes the footer of that policy's pages only, not of every page.
        page_editions = {
            uri: self.edition_label(policy_of[uri]) if uri in policy_of else handbook_edition
            for uri in pages
        }
        return SitePages(
            pages=pages,
            nav=nav,
            excluded_from_search=excluded,
            theme=theme,
            page_editions=page_editions,
            search_entries=search_entries,
            synonyms={word: list(words) for word, words in settings.synonyms.items()},
            search_settings=search_settings(
                settings, search_entries, [(name, f"{slugify(name)}/") for name in categories]
            ),
        )


def recently_revised(published: Sequence[Policy], limit: int = 5) -> list[tuple[dt.date, Policy]]:
    """Each policy once, at its latest substantive or editorial revision, newest first."""
    revised = [
        (revision.date, policy)
        for policy in published
        if (revision := policy.last_revision()) is not None
    ]
    return sorted(revised, key=lambda pair: (pair[0], pair[1].id), reverse=True)[:limit]
