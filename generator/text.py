"""Text as pages show it: slugs, dates, targets, and inline Markdown made into sanitized HTML.

Below both rendering (generator/render/) and search (generator/search.py), which share these
helpers. Only this module imports the inline-Markdown converter (markdown) and the sanitizer (nh3).
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import re
from collections.abc import Mapping

import markdown
import nh3
from markupsafe import Markup

from .model import Target, YearMonth

_ALLOWED_TAGS = {"em", "strong", "code", "a", "br", "img", "del"}
_ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}}
_URL_SCHEMES = {"http", "https", "mailto", "tel"}


def slugify(text: str) -> str:
    """A URL-safe lower-case slug of `text`."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"


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


# ---- issue 24: each text is converted once per build. The same rule text is shown on its
# policy page, an earlier version's page, the print HTML and the search entries, and converting
# it again each time was most of the render stage; the conversion depends on the text alone
# (links to policies are resolved after it), so the cached HTML is the same, byte for byte.
@functools.lru_cache(maxsize=1 << 16, typed=True)  # A Markup text escapes differently.
def _converted(text: str) -> str:
    # Escape first, so no HTML in the text is ever parsed as HTML; then give back the one
    # angle-bracket form that is Markdown, an autolink to a web, mail or phone address.
    escaped = _ESCAPED_AUTOLINK.sub(r"<\1>", html.escape(text, quote=False))
    # One converter, reset per text: building a new one for each of a handbook's thousands of
    # texts took half the render stage.
    converted = _inline_converter().reset().convert(escaped)
    return re.sub(r"^<p>(.*)</p>$", r"\1", converted, flags=re.S)


def inline_markdown(text: str | None, policy_urls: Mapping[str, str] | None = None) -> Markup:
    """Policy text (inline Markdown) as sanitized inline HTML; `policy:<id>` links resolved."""
    if not text:
        return Markup("")
    converted = _converted(text)

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


def plain_text(text: str | None) -> str:
    """Inline Markdown reduced to its words, for PDF metadata such as the subject."""
    return html.unescape(re.sub(r"<[^>]+>", "", str(inline_markdown(text))))


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9])")


def lead_sentence(text: str | None, limit: int = 110) -> str:
    """The first sentence of a text's words, cut at a word before `limit` characters with '…':
    a one-line reminder of what a policy is, where the policy itself follows in full."""
    words = " ".join(plain_text(text).split())
    first = _SENTENCE_END.split(words, maxsplit=1)[0]
    if len(first) <= limit:
        return first
    return first[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"
