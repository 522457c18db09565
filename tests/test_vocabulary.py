"""The default search vocabulary (generator/vocabulary.yaml): a reviewed data file, one test
per group, and how handbook.yaml's `synonyms` extend or override it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from generator.errors import BuildFailed
from generator.vocabulary import (
    compiled,
    expansions,
    load_vocabulary,
    searched_words,
    tokens,
)

GROUPS = load_vocabulary()
TABLE = expansions(GROUPS, {})
# The search worker's question words (site_overrides/assets/search-worker.js, STOP_WORDS): a
# group's word among them would only be found inside a phrase.
WORKER = Path(__file__).parents[1] / "site_overrides" / "assets" / "search-worker.js"
STOP_WORDS = set(
    " ".join(
        re.findall(r'"([^"]*)"', WORKER.read_text().split("var STOP_WORDS")[1].split(";")[0])
    ).split()
)


def finds(rule: str, word: str) -> bool:
    """Whether a rule's text holds `word`, or a longer word starting with it."""
    return re.search(rf"(?<!\w){re.escape(word)}", rule, re.IGNORECASE) is not None


@pytest.mark.parametrize("group", GROUPS, ids=[group.name for group in GROUPS])
def test_each_group_finds_the_rule_of_its_example(group: object) -> None:
    from generator.vocabulary import WordGroup

    assert isinstance(group, WordGroup)
    question_words = set(tokens(group.example_question))
    # The example asks in everyday words: not already in the rule's own words ...
    handbook_hits = [
        w for w in group.handbook if w in question_words and finds(group.example_rule, w)
    ]
    assert handbook_hits == [], f"the example question already uses the rule's word {handbook_hits}"
    # ... and the group's words bring the question to the rule.
    searched = searched_words(group.example_question, TABLE)
    assert any(finds(group.example_rule, word) for word in searched if word in group.handbook)
    # Words are written as the worker compares them, and each once.
    for word in (*group.handbook, *group.everyday):
        assert word == " ".join(word.lower().split()), word
        assert word not in STOP_WORDS, f"{word!r} is a question word: it would never be searched"
    assert len(set(group.handbook)) == len(group.handbook)
    assert len(set(group.everyday)) == len(group.everyday)
    assert not set(group.handbook) & set(group.everyday)


def test_a_handbook_word_finds_the_others_and_an_everyday_word_finds_them_one_way() -> None:
    assert "angry" in searched_words("irate", TABLE)  # both directions among handbook words
    assert "irate" in searched_words("shouting", TABLE)  # everyday -> handbook
    assert "shouting" not in searched_words("irate", TABLE)  # not back


def test_a_phrase_is_read_whole() -> None:
    searched = searched_words("can I take a day off", TABLE)
    assert "day off" in searched and "absent" in searched
    assert "in charge of" in searched_words("who is in charge of this", TABLE)


def test_handbook_synonyms_extend_and_override_the_default() -> None:
    table = expansions(GROUPS, {"hangry": ["irate"], "boss": ["director"], "sick": []})
    assert searched_words("hangry", table) == ["hangry", "irate"]  # a word added
    assert searched_words("boss", table) == ["boss", "director"]  # the default replaced
    assert searched_words("sick", table) == ["sick"]  # the default switched off


def test_the_compiled_table_is_small_and_complete() -> None:
    shipped = compiled(TABLE)
    size = len(json.dumps(shipped, separators=(",", ":")).encode())
    assert size < 20_000, size  # in search_index.json, loaded with the first page
    words, lists = shipped["words"], shipped["lists"]
    assert isinstance(words, dict) and isinstance(lists, list)
    for word, found in TABLE.items():
        assert [lists[index] for index in words[word]] == found


def test_a_broken_vocabulary_file_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "vocabulary.yaml"
    path.write_text("absence:\n  handbook: absent\n  everyday: [day off]\n  example: {}\n")
    with pytest.raises(BuildFailed) as failure:
        load_vocabulary.__wrapped__(path)
    assert failure.value.errors[0].format() == (
        "vocabulary.yaml:1: absence: expected lists of words"
    )
