"""Rendering: the Handbook and its review report, through Jinja templates, into pages.

Python prepares every value a template shows (labels, dates, anchors, deadlines); templates only
lay them out. The package, from the bottom up:

- `environment`: the one Jinja environment and its filters; the only module that imports jinja2.
- `base`: `SiteOptions` and `BaseRenderer`, what every page shares: the published policies,
  a policy's view, its versions, what's new, and rendering a template with the handbook.
- `versions`: the edition pages: what's new, the editions, each published version of a policy.
- `pages`: `Renderer`, the site's pages and navigation (`SitePages`, `NavSection`).
- `printing`: the print views of the book and the per-policy PDFs.

Below the package, and shared with generator/search.py: generator/text.py (slugs, dates, inline
Markdown; owns markdown and nh3) and generator/views.py (`PolicyView`, review banners, tags).
Every name the rest of the generator imports from `generator.render` is re-exported here.
"""

from ..text import (
    format_date,
    format_target,
    inline_markdown,
    nav_title,
    plain,
    plain_text,
    slugify,
)
from ..views import (
    STATUS_LABELS,
    PolicyView,
    ReviewBanner,
    policy_tags,
    policy_tags_audience,
    review_banner,
    who_to_ask,
)
from .base import BaseRenderer, SiteOptions
from .environment import make_environment
from .pages import NavSection, Renderer, SitePages, policy_uri, recently_revised
from .printing import (
    BOOK_PDF,
    PAPER_SIZES,
    PRINT_STYLESHEET,
    PrintBook,
    PrintDocument,
    PrintPart,
    PrintPolicy,
    chapter_link,
    leaf_reference,
    print_anchor,
    print_book,
    print_policy,
    review_footer,
    revision_note,
    running_header,
)
from .versions import EditionPages, compare_versions, edition_pages

__all__ = [
    "BOOK_PDF",
    "PAPER_SIZES",
    "PRINT_STYLESHEET",
    "STATUS_LABELS",
    "BaseRenderer",
    "EditionPages",
    "NavSection",
    "PolicyView",
    "PrintBook",
    "PrintDocument",
    "PrintPart",
    "PrintPolicy",
    "Renderer",
    "ReviewBanner",
    "SiteOptions",
    "SitePages",
    "chapter_link",
    "compare_versions",
    "edition_pages",
    "format_date",
    "format_target",
    "inline_markdown",
    "leaf_reference",
    "make_environment",
    "nav_title",
    "plain",
    "plain_text",
    "policy_tags",
    "policy_tags_audience",
    "policy_uri",
    "print_anchor",
    "print_book",
    "print_policy",
    "recently_revised",
    "review_banner",
    "review_footer",
    "revision_note",
    "running_header",
    "slugify",
    "who_to_ask",
]
