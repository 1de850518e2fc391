"""Text from outside, made safe before the core reads it: valid Unicode, and no longer than a documented cap.

Everything a user or a program can send arrives through here: the engine cleans and cuts each message, the
report flow cuts each item, and the line-reading commands (`chat`, `chat --jsonl`, `ask`) read bytes and
decode them with replacement, so an invalid byte spoils one character, never the session.

Caps (README, "Input limits"): a message is read up to MESSAGE_LIMIT characters (Telegram's own limit, so a
Telegram message is never cut), a report item is kept up to ITEM_LIMIT characters; the user is told when
text was cut. A stdin line is read up to LINE_BYTES bytes and the rest of it is skipped, so memory stays
bounded whatever a pipe sends; what is read is still more than MESSAGE_LIMIT characters, so the cut is told.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import BinaryIO

MESSAGE_LIMIT = 4096  # characters of one message
ITEM_LIMIT = 2000  # characters of one report item
LINE_BYTES = 4 * MESSAGE_LIMIT + 4  # at most 4 bytes a character in UTF-8: a longer line is over MESSAGE_LIMIT

_SURROGATE = re.compile(r"[\ud800-\udfff]")


def clean(text: str) -> str:
    """Lone surrogates (from JSON such as "\\ud800" or a decoder's surrogateescape) become U+FFFD: they are
    not text, cannot be written as UTF-8, and would fail every later encode (OpenCC, .docx, stdout)."""
    return _SURROGATE.sub("\ufffd", text)


def cut(text: str, limit: int) -> tuple[str, bool]:
    """The text cut to `limit` characters, and whether it was cut."""
    return (text, False) if len(text) <= limit else (text[:limit], True)


def read_lines(stream: BinaryIO) -> Iterator[str]:
    """Lines of a byte stream as text (line ending removed): invalid UTF-8 becomes U+FFFD, and a line longer
    than LINE_BYTES is read up to there and its rest skipped, still as one line."""
    while True:
        raw = stream.readline(LINE_BYTES)
        if not raw:
            return
        if not raw.endswith(b"\n"):
            _skip_rest_of_line(stream)
        yield raw.decode("utf-8", "replace").rstrip("\r\n")


def _skip_rest_of_line(stream: BinaryIO) -> None:
    while True:
        more = stream.readline(LINE_BYTES)
        if not more or more.endswith(b"\n"):
            return
