"""The seed's spam part, used only to keep it out: never to answer from.

The seed file holds the CAC Q&A below a marker line and unrelated SEO spam (a repair hotline and lists of
districts) above it. The spam is read here so that the knowledge-base check can prove none of it leaked into
faq/, and so that questions about it are recognised as out of scope instead of being fuzzily matched to the
reporting hotline.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from bot import SEEDS_DIR

MARKER = "《国家网络安全事件报告管理办法》答记者问"
_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")
_PHONE = re.compile(r"\d{3}-\d{3}-\d{4}|\d{10,}")


@dataclass(frozen=True)
class SpamProfile:
    phrases: frozenset[str]  # strings that must never appear in anything the bot says: places, the brand
    bigrams: frozenset[str]  # two-character pieces found only in the spam's sales lines
    phones: frozenset[str]  # phone numbers, digits only

    def looks_like_spam_query(self, folded: str) -> bool:
        """True for a question about the spam's subject (two or more of its distinctive bigrams, or its phone)."""
        digits = re.sub(r"\D", "", folded)
        if any(phone in digits for phone in self.phones):
            return True
        hits = {folded[i : i + 2] for i in range(len(folded) - 1)} & self.bigrams
        return len(hits) >= 2

    def leaked(self, text: str) -> list[str]:
        """The spam strings found in a text of ours."""
        found = [phrase for phrase in self.phrases if phrase in text]
        digits = re.sub(r"\D", "", text)
        found += [phone for phone in self.phones if phone in digits]
        return found


def split_seed(text: str) -> tuple[str, str]:
    """(spam part, real part) of a seed document."""
    head, marker, tail = text.partition(MARKER)
    if not marker:
        return "", text
    return head, marker + tail


@lru_cache(maxsize=1)
def spam_profile(seeds_dir: Path = SEEDS_DIR) -> SpamProfile:
    spam_lines: list[str] = []
    real = ""
    for path in sorted(seeds_dir.glob("*.txt")):
        head, tail = split_seed(path.read_text(encoding="utf-8"))
        spam_lines += [line for line in head.splitlines() if line.strip()]
        real += tail
    phrases: set[str] = set()
    line_bigrams: list[set[str]] = []
    phones: set[str] = set()
    for line in spam_lines:
        phones.update(re.sub(r"\D", "", p) for p in _PHONE.findall(line))
        if "、" in line:  # a list of districts: each place name is a phrase we must not repeat
            phrases.update(name.strip() for name in line.split("、") if len(name.strip()) >= 3)
            continue
        line_bigrams.append(
            {run[i : i + 2] for run in _CJK_RUN.findall(line) for i in range(len(run) - 1) if run[i : i + 2] not in real}
        )
    counts = Counter(bigram for found in line_bigrams for bigram in found)
    brand = {bigram for bigram, count in counts.items() if count * 2 >= len(line_bigrams)}  # in half the sales lines
    return SpamProfile(frozenset(phrases | brand), frozenset(counts), frozenset(phones))
