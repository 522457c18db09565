"""Word-level redlines: which words of a text were deleted and which inserted.

Only this module knows diff-match-patch. Words are diffed as units (each word mapped to one
character, the library's documented line-mode trick applied to words), then the semantic
clean-up merges small equalities so a redline reads as phrases, not confetti.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from diff_match_patch import diff_match_patch

_TOKEN = re.compile(r"\s+|\w+|[^\w\s]")


class Mark(StrEnum):
    """What a piece of a redline is."""

    SAME = "same"
    DELETED = "deleted"
    INSERTED = "inserted"


@dataclass(frozen=True)
class Segment:
    """A run of text with its mark."""

    mark: Mark
    text: str


_MARKS = {0: Mark.SAME, -1: Mark.DELETED, 1: Mark.INSERTED}


def _encode(text: str, vocabulary: dict[str, str], words: list[str]) -> str:
    encoded = []
    for token in _TOKEN.findall(text):
        if token not in vocabulary:
            words.append(token)
            # Private-use and beyond: any code point works as long as it is unique per token.
            vocabulary[token] = chr(0xF0000 + len(words))
        encoded.append(vocabulary[token])
    return "".join(encoded)


def redline(old: str, new: str) -> list[Segment]:
    """The word-level differences from `old` to `new`, in reading order."""
    engine = diff_match_patch()
    engine.Diff_Timeout = 0  # Deterministic: no time limit that could change the result.
    vocabulary: dict[str, str] = {}
    words: list[str] = []
    encoded_old = _encode(old, vocabulary, words)
    encoded_new = _encode(new, vocabulary, words)
    decode = {code: word for word, code in vocabulary.items()}
    diffs = engine.diff_main(encoded_old, encoded_new, False)
    engine.diff_cleanupSemantic(diffs)
    segments: list[Segment] = []
    for operation, encoded in diffs:
        text = "".join(decode[code] for code in encoded)
        mark = _MARKS[operation]
        if segments and segments[-1].mark is mark:
            segments[-1] = Segment(mark, segments[-1].text + text)
        else:
            segments.append(Segment(mark, text))
    return segments
