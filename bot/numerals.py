"""Chinese numerals: '两千五百' → 2500, and '五百万' → '500万' inside a text.

Users write thresholds both ways ('500万元', '五百万元'); the knowledge base and the grading questions meet
them on digits.
"""

from __future__ import annotations

import re
from decimal import Decimal

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_SIZES = {"十": 10, "百": 100, "千": 1000}
# A numeral with a size character (十, 百, 千) or followed by 万/亿: '一般', '第一时间' and '三天' stay as they are.
# Both patterns start only where a run of their characters starts (the lookbehinds), so a long run is scanned
# once, not once per character; digits are ASCII only (re.ASCII): '٣' or '²' is no number here.
_MAGNITUDE = re.compile(r"(?<![\d.])(?P<n>\d+(?:\.\d+)?)\s*(?P<unit>million|billion)\b", re.IGNORECASE | re.ASCII)
_IN_TEXT = re.compile(
    r"(?<![零〇一二两三四五六七八九十百千])"
    r"(?:[零〇一二两三四五六七八九十百千]*[十百千][零〇一二两三四五六七八九十百千]*|[零〇一二两三四五六七八九]+(?=[万亿]))"
)


def chinese_number(text: str) -> float | None:
    """A Chinese numeral below 10000 ('十五', '两', '一百零五', '两千五百'), or None."""
    if not text or any(char not in _DIGITS and char not in _SIZES for char in text):
        return None
    total, digit = 0, None
    for char in text:
        if char in _DIGITS:
            if digit is not None and _DIGITS[char] != 0:
                return None  # two digits in a row: "二三"
            digit = _DIGITS[char] if _DIGITS[char] != 0 else None
        else:
            size = _SIZES[char]
            if total % (size * 10) >= size or (total and total < size):
                return None  # "十十", "十百": a smaller unit before a larger one
            total += (digit if digit is not None else 1) * size
            digit = None
    return float(total + (digit or 0))


def arabic_numbers(text: str) -> str:
    """Numbers written the way the knowledge base writes them: Chinese numerals as digits ('损失五百万元' →
    '损失500万元') and English magnitudes in 万/亿 ('12 million' → '1200万'); other text left alone."""

    def convert(match: re.Match[str]) -> str:
        value = chinese_number(match.group(0))
        return match.group(0) if value is None else str(int(value))

    def magnitude(match: re.Match[str]) -> str:
        value = Decimal(match["n"]) * (10**6 if match["unit"].lower() == "million" else 10**9)
        size, unit = (10**8, "亿") if value >= 10**8 else (10**4, "万")
        digits = f"{value / size:f}"
        return (digits.rstrip("0").rstrip(".") if "." in digits else digits) + unit

    return _MAGNITUDE.sub(magnitude, _IN_TEXT.sub(convert, text))


def ascii_int(text: str, max_digits: int = 6) -> int | None:
    """A whole number written in ASCII digits ('3' → 3), else None: '٣', '²', '፩', '3.0' and numbers longer
    than `max_digits` (no button or report item has one; int() refuses more than 4,300 digits) are none.
    Callers fold width first (NFKC), as for all typed text, so a full-width '３' is 3.

    Where the bot reads a number a user picks (a button, a report item), str.isdigit() is not enough: it is
    true for digits int() cannot read ('²', '፩') and for numbers too long to convert.
    """
    return int(text) if text.isascii() and text.isdigit() and len(text) <= max_digits else None
