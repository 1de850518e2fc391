"""Text normalization shared by the questions users type and the phrasings in faq/.

Both sides go through the same pipeline, so whatever a user may type differently (width, case, 繁體,
punctuation, an abbreviation, a common typo) meets the phrasing on equal terms:
NFKC (full width → half width) → lower case → 繁→简 (OpenCC, Taiwan phrases included) → synonyms
replaced by one private-use character per concept → punctuation, spaces and stopwords removed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Iterable

from bot.numerals import arabic_numbers

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")  # lone surrogates: not text, and OpenCC cannot encode them
_DROP = re.compile(r"[^\w\ue000-\uefff]+|_")
CONCEPT_BASE = 0xE000  # private-use area: one character per canonical concept
# "不是关基" / "not CII": a concept the question rules out must not pull it towards that concept's answers.
# "是不是关基" / "属不属于" / "涉不涉及" ask whether it is: no negation.
_NEGATED = re.compile(r"(?:(?<!是)不是|(?<!属)不属于|(?<!涉)不涉及|并非|非|not|non|isn't|aren't)\s*[\ue000-\uefff]")


@lru_cache(maxsize=1)
def _converter():
    import opencc

    return opencc.OpenCC("tw2sp")


def to_simplified(text: str) -> str:
    """繁→简 with OpenCC; skipped for text without Chinese characters (no dictionary load). A lone surrogate
    (from JSON such as "\\ud800", or undecodable input) becomes U+FFFD, as OpenCC takes only valid UTF-8."""
    if not _CJK.search(text):
        return text
    return _converter().convert(_SURROGATE.sub("\ufffd", text))


def fold(text: str) -> str:
    """Width, case and script folding, without synonyms: the form used to compare raw strings."""
    return to_simplified(unicodedata.normalize("NFKC", text).lower())


def words(text: str) -> str:
    """Folded, numerals as digits, punctuation as single spaces: 'E-Mail' and 'e mail', '五百万' and '500万' meet."""
    text = arabic_numbers(fold(text)).replace("@", " 邮箱 ")  # '@' marks an e-mail address, which '.' alone would not tell from a website
    return " ".join(_DROP.sub(" ", text).split())


def _is_word_char(char: str) -> bool:
    return char.isascii() and char.isalnum()


class PhraseTable:
    """Finds phrases in `words()` text, longest first; an English phrase only as whole words
    ('fine' never matches inside 'define').

    A dictionary scan rather than one large regex: it is as fast per question and costs nothing to
    load from the index cache, where recompiling a regex of a thousand alternatives would not.
    """

    def __init__(self, phrases: Iterable[str]) -> None:
        self._by_first: dict[str, list[str]] = {}
        for phrase in sorted({words(p) for p in phrases} - {""}, key=len, reverse=True):
            self._by_first.setdefault(phrase[0], []).append(phrase)

    def _match_at(self, text: str, i: int) -> str | None:
        for phrase in self._by_first.get(text[i], ()):
            if not text.startswith(phrase, i):
                continue
            end = i + len(phrase)
            if phrase.isascii() and end < len(text) and _is_word_char(text[end]):
                continue
            return phrase
        return None

    def replace(self, text: str, replacement: Callable[[str], str]) -> str:
        """Every phrase found (left to right, longest first) replaced by replacement(phrase)."""
        out: list[str] = []
        i = 0
        while i < len(text):
            starts_word = not (i > 0 and _is_word_char(text[i - 1]) and _is_word_char(text[i]))
            phrase = self._match_at(text, i) if starts_word else None
            if phrase is None:
                out.append(text[i])
                i += 1
            else:
                out.append(replacement(phrase))
                i += len(phrase)
        return "".join(out)

    def search(self, text: str) -> bool:
        return any(
            self._match_at(text, i) is not None
            for i in range(len(text))
            if not (i > 0 and _is_word_char(text[i - 1]) and _is_word_char(text[i]))
        )


@dataclass(frozen=True)
class Normalizer:
    """Folds text and maps every synonym to its concept character."""

    concepts: tuple[str, ...]  # canonical terms; concept i is chr(CONCEPT_BASE + i)
    synonyms: PhraseTable
    lookup: dict[str, int]  # `words()` form of each variant → concept index
    stopwords: PhraseTable

    @classmethod
    def build(cls, canonical: dict[str, list[str]], stopwords: list[str]) -> "Normalizer":
        lookup: dict[str, int] = {}
        for index, (term, others) in enumerate(canonical.items()):
            for variant in [term, *others]:
                if words(variant):
                    lookup.setdefault(words(variant), index)
        return cls(tuple(canonical), PhraseTable(lookup), lookup, PhraseTable(stopwords))

    def concept_char(self, term: str) -> str:
        return chr(CONCEPT_BASE + self.lookup[words(term)])

    def canonical(self, text: str) -> str:
        """The matching form: folded, concepts substituted, stopwords and punctuation removed.

        Words stay apart by single spaces (English needs them); compare without spaces where order matters.
        """
        text = self.synonyms.replace(words(text), lambda variant: f" {chr(CONCEPT_BASE + self.lookup[variant])} ")
        text = _NEGATED.sub(" ", text)
        text = self.stopwords.replace(text, lambda _: " ")
        return " ".join(text.split())


def is_concept(char: str) -> bool:
    return CONCEPT_BASE <= ord(char) < CONCEPT_BASE + 0x1000
