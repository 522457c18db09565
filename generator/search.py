"""Search entries: one per rule of a policy, plus one per page, and the Pagefind index of them.

The site stage (site.py) hands the built pages to `write_index`; the entries of a policy page come
from the model (`policy_entries`), so each principle, guideline, standard, procedure step,
definition and contact is found on its own and opens at its own anchor. Pagefind writes a chunked
index: a browser downloads only the parts a query needs, not one file of the whole handbook.
"""

from __future__ import annotations

import difflib
import functools
import html
import json
import re
import subprocess
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .errors import SourceError
from .model import Guideline, Handbook, Policy, Principle, Settings, Standard, Status
from .text import format_target, plain_text, slugify
from .views import PolicyView, standard_groups
from .vocabulary import compiled, expansions, load_vocabulary

# Rule titles are cut here: a result title is read at a glance, its preview holds the rest.
_TITLE_WORDS = 60
_PREVIEW_CHARS = 300

# Pagefind's weights (1 is ordinary text, headings default to 7). A rule's own words outrank
# what only describes the policy.
WEIGHT_TITLE = 7.0
WEIGHT_TEXT = 1.0
WEIGHT_DESCRIPTIVE = 0.2


@dataclass(frozen=True)
class SearchEntry:
    """One search result: where it opens, how it is titled, its preview and its words."""

    anchor: str  # "" for the page itself
    title: str
    preview: str
    text: str
    # Words that describe rather than state (tags, department): found, but ranked low.
    descriptive: str = ""
    # The words that name the rule (its first sentence, the policy title): ranked highest.
    heading: str = ""


@dataclass
class SearchPage:
    """The entries of one built page, or the page's own text when it has no entries."""

    url: str
    title: str
    entries: list[SearchEntry] = field(default_factory=list)


def _shorten(text: str, limit: int) -> str:
    """`text` cut at a word boundary before `limit` characters, with an ellipsis when cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:.")
    return cut + " …"


def _words(*texts: str | None) -> str:
    return " ".join(plain_text(t) for t in texts if t)


def _principle_text(item: Principle) -> str:
    return _words(item.text, *item.points)


def _guideline_text(item: Guideline) -> str:
    examples = [
        part
        for example in item.examples
        for part in (example.say, example.better, example.never, example.note)
    ]
    return _words(item.rule, item.why, *item.points, *examples, *item.avoid)


def _standard_text(item: Standard) -> str:
    return _words(item.commitment, item.detail, *item.points)


def _standard_columns(item: Standard) -> str:
    # The channel and target columns are found, but a preview ends on the rule's own text.
    target = format_target(item.target) if item.target else ""
    return " ".join(part for part in (item.channel, target) if part)


def policy_name(policy: Policy) -> str:
    """How a reader names the policy in a result title: its short title, else its title."""
    return policy.short_title or policy.title


def _rest(text: str, shown: str) -> str:
    """`text` without the words a result title already shows (`shown`, maybe cut with " …")."""
    text = " ".join(text.split())
    whole = shown.removesuffix(" …")
    if not text.startswith(whole):
        return text
    rest = text[len(whole) :].lstrip(" :;,")
    return f"… {rest}" if shown.endswith(" …") and rest else rest


def _rule(
    anchor: str, prefix: str, label: str, heading: str, text: str, columns: str = ""
) -> SearchEntry:
    words = plain_text(heading)
    shown = _shorten(words, _TITLE_WORDS)
    return SearchEntry(
        anchor=anchor,
        title=f"{prefix} · {label}: {shown}",
        preview=_shorten(_rest(text, shown), _PREVIEW_CHARS),
        text=" ".join(part for part in (text, columns) if part),
        # The label ("Telephone contact 4") is shared by many rules: it would rank them alike.
        descriptive=f"{prefix} {label}",
        heading=words,
    )


def policy_entries(view: PolicyView) -> list[SearchEntry]:
    """The page entry of a policy (previewed by its summary) and one entry per rule."""
    policy = view.policy
    name = policy_name(policy)
    number = f"Policy {policy.number}" if policy.number else ""
    page_text = " ".join(
        part for part in (number, _words(policy.summary, policy.purpose, policy.scope)) if part
    )
    entries = [
        SearchEntry(
            anchor="",
            title=f"{policy.title} ({policy.number})" if policy.number else policy.title,
            heading=" ".join(part for part in (policy.title, policy.number) if part),
            preview=_shorten(plain_text(policy.summary), _PREVIEW_CHARS),
            text=page_text,
            descriptive=" ".join([name, *policy.tags, *map(html.unescape, view.tags)]),
        )
    ]

    def add(anchor: str, label: str, heading: str, text: str, columns: str = "") -> None:
        entries.append(_rule(anchor, name, label, heading, text, columns))

    for number_, principle in enumerate(policy.principles, 1):
        add(
            f"principle-{number_}",
            f"Principle {number_}",
            principle.text,
            _principle_text(principle),
        )
    for group in policy.guidelines:
        for number_, item in enumerate(group.items, 1):
            add(
                f"{group.channel}-{number_}",
                f"{group.title} {number_}",
                item.rule,
                _guideline_text(item),
            )
    for _title, _slug, items in view.standard_groups:
        for anchor, standard in items:
            label = f"Standard {anchor.removeprefix('standard-')}"
            text, columns = _standard_text(standard), _standard_columns(standard)
            add(anchor, label, standard.commitment, text, columns)
    for procedure in policy.procedures:
        slug = slugify(procedure.title)
        for number_, step in enumerate(procedure.steps, 1):
            add(
                f"{slug}-{number_}",
                f"{procedure.title}, step {number_}",
                step.text,
                _principle_text(step),
            )
    for number_, definition in enumerate(policy.definitions, 1):
        text = f"{definition.term}: {plain_text(definition.meaning)}"
        add(f"definition-{number_}", "Definition", definition.term, text)
    owner = policy.owner
    owner_text = " ".join(p for p in (owner.name, owner.title, owner.email, owner.phone) if p)
    add("contact-owner", "Contact", "Policy owner", f"Policy owner: {owner_text}")
    for number_, contact in enumerate(policy.contacts, 1):
        parts = (contact.name, contact.phone, contact.email, contact.hours)
        text = f"{contact.role}: " + " ".join(p for p in parts if p)
        add(f"contact-{number_}", "Contact", contact.role, text)
    return entries


def rule_anchors(policy: Policy) -> list[str]:
    """The anchors of a policy's search entries, in page order (as `policy_entries` makes them)."""
    anchors = [f"principle-{number}" for number in range(1, len(policy.principles) + 1)]
    for group in policy.guidelines:
        anchors += [f"{group.channel}-{number}" for number in range(1, len(group.items) + 1)]
    anchors += [anchor for _title, _slug, items in standard_groups(policy) for anchor, _ in items]
    for procedure in policy.procedures:
        slug = slugify(procedure.title)
        anchors += [f"{slug}-{number}" for number in range(1, len(procedure.steps) + 1)]
    anchors += [f"definition-{number}" for number in range(1, len(policy.definitions) + 1)]
    anchors += ["contact-owner"]
    anchors += [f"contact-{number}" for number in range(1, len(policy.contacts) + 1)]
    return anchors


def best_bet_errors(handbook: Handbook) -> list[SourceError]:
    """handbook.yaml's `best_bets` whose address names no rule of a published policy."""
    origin = handbook.settings_origin
    published = {p.id: p for p in handbook.policies if p.status is not Status.RETIRED}
    errors = []
    for phrase, address in handbook.settings.best_bets.items():
        policy_id, _, anchor = address.partition("#")
        policy = published.get(policy_id)
        if policy is None:
            close = difflib.get_close_matches(policy_id, sorted(published), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            problem = f"no published policy with id '{policy_id}'{hint}"
        elif anchor and anchor not in (anchors := rule_anchors(policy)):
            close = difflib.get_close_matches(anchor, anchors, n=1)
            hint = f" (did you mean '{policy_id}#{close[0]}'?)" if close else ""
            problem = f"'{policy_id}' has no rule '#{anchor}'{hint}"
        else:
            continue
        errors.append(origin.error(f"'{address}': {problem}", "best_bets", phrase))
    return errors


@functools.cache
def _synonym_pattern(alternatives: tuple[str, ...]) -> re.Pattern[str]:
    # One pattern per searched-for word, compiled once: it runs over every part of every entry.
    words = "|".join(re.escape(alternative) for alternative in alternatives)
    return re.compile(rf"(?<!\w)(?:{words})", re.IGNORECASE)


def synonym_words(text: str, synonyms: Mapping[str, Sequence[str]]) -> list[str]:
    """The searched-for words whose handbook words occur in `text` (a word or its start)."""
    return [
        word
        for word, alternatives in synonyms.items()
        if alternatives and _synonym_pattern(tuple(alternatives)).search(text)
    ]


def _record_html(
    entry: SearchEntry,
    page_title: str,
    language: str,
    synonyms: Mapping[str, Sequence[str]],
    href: str,
) -> str:
    """A small HTML document Pagefind indexes for one entry: weights say what ranks higher.
    Each part carries the searched-for words of its own synonyms, at its own weight."""
    esc = html.escape

    def part(weight: float, text: str) -> str:
        words = " ".join([text, *synonym_words(text, synonyms)])
        return f'<p data-pagefind-weight="{weight}">{esc(words)}</p>'

    return (
        f'<html lang="{esc(language)}"><body><main>'
        + part(WEIGHT_TITLE, entry.heading or entry.title)
        + part(WEIGHT_TEXT, entry.text)
        + part(WEIGHT_DESCRIPTIVE, entry.descriptive)
        + f'<span data-pagefind-meta="title[data-value]" data-value="{esc(entry.title)}"></span>'
        + f'<span data-pagefind-meta="preview[data-value]" data-value="{esc(entry.preview)}">'
        + "</span>"
        + f'<span data-pagefind-meta="page[data-value]" data-value="{esc(page_title)}"></span>'
        + f'<span data-pagefind-meta="href[data-value]" data-value="{esc(href)}"></span>'
        + "</main></body></html>"
    )


def _write(
    pages: Iterable[SearchPage],
    output: Path,
    language: str,
    synonyms: Mapping[str, Sequence[str]],
) -> None:
    from pagefind.service import get_executable

    binary = get_executable()
    if binary is None:
        raise RuntimeError("Pagefind's binary is not installed (the pagefind[bin] package)")
    # Every record is written as a small file and the folder indexed by one run of Pagefind's
    # own command: its Python service answers one request per 0.1 s poll (20 s for 200 records),
    # and was seen to leave pagefind-entry.json empty when it was stopped after writing. A
    # record's address (page and #anchor) cannot come from a file name, so it travels as the
    # `href` meta, which the search worker links to.
    with tempfile.TemporaryDirectory(prefix=".search-", dir=output.parent) as folder:
        number = 0
        for page in pages:
            for entry in page.entries:
                number += 1
                href = page.url + (f"#{entry.anchor}" if entry.anchor else "")
                record = _record_html(entry, page.title, language, synonyms, href)
                (Path(folder) / f"{number:06d}.html").write_text(record, encoding="utf-8")
        command = [str(binary), "--site", folder, "--output-path", str(output.resolve())]
        command += ["--force-language", language, "--quiet"]
        subprocess.run(command, check=True, capture_output=True)


def write_index(
    pages: Iterable[SearchPage],
    output: Path,
    language: str,
    synonyms: Mapping[str, Sequence[str]],
) -> None:
    """Write the Pagefind index of `pages` into `output` (the site's `pagefind/` folder)."""
    _write(pages, output, language, synonyms)


@dataclass(frozen=True)
class PendingIndex:
    """A site's search index, to be written later (`write`) into its `pagefind/` folder."""

    pages: tuple[SearchPage, ...]
    output: Path
    language: str
    synonyms: Mapping[str, Sequence[str]]

    @property
    def entries(self) -> int:
        """How many search entries (rules and pages) the index holds."""
        return sum(len(page.entries) for page in self.pages)

    def write(self) -> None:
        """Write the index now."""
        write_index(self.pages, self.output, self.language, self.synonyms)


def search_settings(
    settings: Settings,
    entries: Mapping[str, Sequence[SearchEntry]],
    categories: Sequence[tuple[str, str]],
) -> dict[str, object]:
    """What the search worker needs besides the index: the vocabulary applied to a query
    (the default groups with handbook.yaml's `synonyms`), the best bets with the title and
    preview of their rule, and the categories and contacts page to suggest when nothing
    answers. `entries` are the policy pages' entries by source URI (`<id>.md`)."""
    bets = []
    for phrase, address in settings.best_bets.items():
        policy_id, _, anchor = address.partition("#")
        for entry in entries.get(f"{policy_id}.md", []):
            if entry.anchor == anchor:
                href = f"{policy_id}/" + (f"#{anchor}" if anchor else "")
                words = " ".join(phrase.lower().split())
                bets.append({"phrase": words, "href": href, "title": entry.title})
                bets[-1]["preview"] = entry.preview
    table = expansions(load_vocabulary(), settings.synonyms)
    return {
        "vocabulary": compiled(table),
        "best_bets": bets,
        "categories": [{"name": name, "href": href} for name, href in categories],
        "contacts": "contacts/",
    }


def material_stub(
    separator: str, synonyms: Mapping[str, Sequence[str]], handbook: Mapping[str, object]
) -> str:
    """Material's search_index.json without documents: its config, our synonyms for the
    search worker (so a page opened from a result highlights the words that were found), and
    the worker's own settings (`search_settings`)."""
    config = {
        "lang": ["en"],
        "separator": separator,
        "pipeline": [],
        "synonyms": synonyms,
        "handbook": handbook,
    }
    return json.dumps({"config": config, "docs": []}, separators=(",", ":"))
