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

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_DROP = re.compile(r"[^\w\ue000-\uefff]+|_")
CONCEPT_BASE = 0xE000  # private-use area: one character per canonical concept


@lru_cache(maxsize=1)
def _converter():
    import opencc

    return opencc.OpenCC("tw2sp")


def to_simplified(text: str) -> str:
    """繁→简 with OpenCC; skipped for text without Chinese characters (no dictionary load)."""
    if not _CJK.search(text):
        return text
    return _converter().convert(text)


def fold(text: str) -> str:
    """Width, case and script folding, without synonyms: the form used to compare raw strings."""
    return to_simplified(unicodedata.normalize("NFKC", text).lower())


def _variant_pattern(variant: str) -> str:
    """A regex for one variant: ASCII words must stand alone ('fine' never matches inside 'define')."""
    words = variant.split()
    body = r"\s*".join(re.escape(w) for w in words)
    if variant.isascii():
        return rf"(?<![a-z0-9]){body}(?![a-z0-9])"
    return body


def words(text: str) -> str:
    """Folded, with punctuation turned into single spaces: 'E-Mail' and 'e mail' become the same."""
    return " ".join(_DROP.sub(" ", fold(text)).split())


def squash(text: str) -> str:
    """Folded, with punctuation and spaces removed: for comparing short fixed phrases such as greetings."""
    return _DROP.sub("", fold(text))


def phrase_pattern(phrases: list[str]) -> re.Pattern[str] | None:
    """One regex finding any of the phrases in folded text (longest first; English words stand alone)."""
    folded = sorted({words(p) for p in phrases if words(p)}, key=len, reverse=True)
    return re.compile("|".join(_variant_pattern(p) for p in folded)) if folded else None


@dataclass(frozen=True)
class Normalizer:
    """Folds text and maps every synonym to its concept character."""

    concepts: tuple[str, ...]  # canonical terms; concept i is chr(CONCEPT_BASE + i)
    pattern: re.Pattern[str] | None
    lookup: dict[str, int]  # folded variant (spaces removed) → concept index
    stopwords: re.Pattern[str] | None

    @classmethod
    def build(cls, canonical: dict[str, list[str]], stopwords: list[str]) -> "Normalizer":
        concepts = tuple(canonical)
        lookup: dict[str, int] = {}
        variants: list[str] = []
        for index, (term, others) in enumerate(canonical.items()):
            for variant in [term, *others]:
                folded = words(variant)
                if not folded:
                    continue
                lookup.setdefault(folded.replace(" ", ""), index)
                variants.append(folded)
        return cls(concepts, phrase_pattern(variants), lookup, phrase_pattern(stopwords))

    def concept_char(self, term: str) -> str:
        folded = words(term).replace(" ", "")
        return chr(CONCEPT_BASE + self.lookup[folded])

    def canonical(self, text: str) -> str:
        """The matching form: folded, concepts substituted, stopwords and punctuation removed.

        Words stay apart by single spaces (English needs them); compare without spaces where order matters.
        """
        folded = words(text)
        if self.pattern is not None:
            folded = self.pattern.sub(self._substitute, folded)
        if self.stopwords is not None:
            folded = self.stopwords.sub(" ", folded)
        return " ".join(_DROP.sub(" ", folded).split())

    def _substitute(self, match: re.Match[str]) -> str:
        key = re.sub(r"\s+", "", match.group(0))
        return " " + chr(CONCEPT_BASE + self.lookup[key]) + " "


def is_concept(char: str) -> bool:
    return CONCEPT_BASE <= ord(char) < CONCEPT_BASE + 0x1000
