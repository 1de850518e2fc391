"""Language detection and picking the right text for a language."""

from __future__ import annotations

import re
from typing import Mapping

LANGS = ("zh", "en")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")


def detect_lang(text: str) -> str | None:
    """'zh' if the text holds any Chinese character, 'en' if it holds Latin letters only, else None."""
    if _CJK.search(text):
        return "zh"
    if _LATIN.search(text):
        return "en"
    return None


def normalize_lang(code: str | None) -> str | None:
    """Map a Telegram-style language code ('zh-hans', 'en-US') to one of LANGS."""
    if not code:
        return None
    code = code.lower()
    if code.startswith("zh"):
        return "zh"
    if code.startswith("en"):
        return "en"
    return None


def pick(texts: Mapping[str, str], lang: str) -> str:
    """The text in `lang`, falling back to Chinese (the Measures' own language)."""
    return texts.get(lang) or texts["zh"]
