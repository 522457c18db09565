"""The search vocabulary: everyday words with the words policies use for the same thing.

The default groups are a reviewed data file shipped with the project (`vocabulary.yaml` beside
this module); `synonyms` in handbook.yaml adds words or overrides them. The result is compiled
into a small table that the search worker (site_overrides/assets/search-worker.js) applies to
what a reader types: the index itself stays as the policies say it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import BuildFailed, SourceError
from .load import read_source

DEFAULT_VOCABULARY = Path(__file__).with_name("vocabulary.yaml")
_FIELDS = {"handbook", "everyday", "example"}


@dataclass(frozen=True)
class WordGroup:
    """One group: the handbook's words for a thing, what people type instead, an example."""

    name: str
    handbook: tuple[str, ...]
    everyday: tuple[str, ...]
    example_question: str
    example_rule: str


def _words(value: object) -> tuple[str, ...] | None:
    if not isinstance(value, list) or not all(isinstance(word, str) for word in value):
        return None
    return tuple(" ".join(word.lower().split()) for word in value)


@functools.cache
def load_vocabulary(path: Path = DEFAULT_VOCABULARY) -> tuple[WordGroup, ...]:
    """The word groups of a vocabulary file (raises BuildFailed with every problem at once)."""
    display = path.name
    loaded, errors = read_source(path, display)
    groups: list[WordGroup] = []
    if loaded is not None:
        if not isinstance(loaded.data, dict):
            errors.append(SourceError(display, 1, "", "expected groups of words"))
            raise BuildFailed(errors)
        for name, group in loaded.data.items():
            line = loaded.line_of((name,))
            if not isinstance(group, dict) or set(group) != _FIELDS:
                errors.append(
                    SourceError(display, line, str(name), "expected handbook, everyday, example")
                )
                continue
            handbook, everyday = _words(group["handbook"]), _words(group["everyday"])
            example = group["example"]
            if handbook is None or everyday is None or not handbook:
                errors.append(SourceError(display, line, str(name), "expected lists of words"))
                continue
            if not isinstance(example, dict) or set(example) != {"question", "rule"}:
                errors.append(
                    SourceError(display, line, str(name), "example: expected question, rule")
                )
                continue
            groups.append(
                WordGroup(str(name), handbook, everyday, example["question"], example["rule"])
            )
    if errors:
        raise BuildFailed(errors)
    return tuple(groups)


def expansions(
    groups: Sequence[WordGroup], synonyms: Mapping[str, Sequence[str]]
) -> dict[str, list[list[str]]]:
    """What each typed word or phrase also searches for, as lists of words: its groups'
    handbook words, or its words in the handbook's `synonyms`, which replace the default for
    that word (an empty list switches the word off)."""
    table: dict[str, list[list[str]]] = {}
    for group in groups:
        for word in (*group.handbook, *group.everyday):
            table.setdefault(word, []).append(list(group.handbook))
    for word, handbook_words in synonyms.items():
        table[" ".join(word.lower().split())] = [[w.lower() for w in handbook_words]]
    return {word: lists for word, lists in sorted(table.items()) if any(lists)}


def words_for(table: Mapping[str, Sequence[Sequence[str]]], word: str) -> list[str]:
    """The words `word` stands for in `table`, without itself."""
    return list(dict.fromkeys(w for found in table.get(word, []) for w in found if w != word))


def compiled(table: Mapping[str, Sequence[Sequence[str]]]) -> dict[str, object]:
    """The table as the search worker reads it: each list of words once (`lists`), and each
    typed word or phrase with the indexes of its lists (`words`); about 12 kB."""
    lists: list[list[str]] = []
    index: dict[tuple[str, ...], int] = {}
    words: dict[str, list[int]] = {}
    for word, found in table.items():
        for group in found:
            key = tuple(group)
            if key not in index:
                index[key] = len(lists)
                lists.append(list(group))
            words.setdefault(word, []).append(index[key])
    return {"lists": lists, "words": words}


_SEPARATORS = re.compile(r"[\s,;:!?()\"/]+|\.(?!\d)")
_EDGES = re.compile(r"^\W+|\W+$")


def tokens(question: str) -> list[str]:
    """A question's words as the search worker reads them: lower case, curly apostrophes
    straightened, no punctuation around them, no possessive "'s"."""
    text = question.lower().replace("\u2018", "'").replace("\u2019", "'")
    words = (_EDGES.sub("", word) for word in _SEPARATORS.split(text))
    return [word.removesuffix("'s") for word in words if word]


def searched_words(question: str, table: Mapping[str, Sequence[Sequence[str]]]) -> list[str]:
    """The words a question is searched for: each word and the longest phrase of the table
    starting at it, with what they stand for (as the search worker reads a question)."""
    words = tokens(question)
    longest = max((len(word.split()) for word in table), default=1)
    found: list[str] = []
    start = 0
    while start < len(words):
        for size in range(min(longest, len(words) - start), 0, -1):
            phrase = " ".join(words[start : start + size])
            if phrase in table or size == 1:
                found.extend([phrase, *words_for(table, phrase)])
                start += size
                break
    return list(dict.fromkeys(found))
