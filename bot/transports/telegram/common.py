"""What both Telegram adapters share that needs no framework: message size, keyboards, group manners,
the commands menu, and retrying a send.

Texts go out as plain text (no parse_mode), so whatever a user typed, and whatever the core quotes back,
shows literally: there is no markup for it to break and nothing to escape.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from typing import TypeVar

from bot.i18n import pick
from bot.model import Button

log = logging.getLogger(__name__)

TEXT_LIMIT = 4096  # Telegram's message length, in UTF-16 code units
CALLBACK_DATA_LIMIT = 64  # bytes
ROW_WIDTH = 28  # display columns two buttons may share (a CJK character counts two)
CHAT_KEY_PREFIX = "tg:"  # store keys of Telegram chats, so one store can serve several transports
UPDATE_TYPES = ["message", "callback_query"]
CONCURRENT_UPDATES = 64  # updates of different chats handled at once; the Bridge keeps each chat in order
ERROR_TEXT = "出错了，请重试 / Something went wrong, please try again"

COMMAND_MENU = (
    ("start", {"zh": "开始 / 主菜单", "en": "Start / main menu"}),
    ("assess", {"zh": "评估报告时限", "en": "Assess reporting deadlines"}),
    ("report", {"zh": "起草报告", "en": "Draft a report"}),
    ("incidents", {"zh": "事件列表，点选切换", "en": "Incidents, press one to switch"}),
    ("incident", {"zh": "切换事件：/incident 编号", "en": "Switch incident: /incident number"}),
    ("export", {"zh": "导出当前事件的完整记录", "en": "Export the open incident's record"}),
    ("contacts", {"zh": "六类报告渠道", "en": "The six reporting channels"}),
    ("faq", {"zh": "常见问题", "en": "FAQ topics"}),
    ("help", {"zh": "帮助", "en": "Help"}),
    ("cancel", {"zh": "取消当前对话", "en": "Cancel the current conversation"}),
    ("lang", {"zh": "切换语言：/lang zh 或 /lang en", "en": "Language: /lang zh or /lang en"}),
    ("forget", {"zh": "删除本会话保存的全部内容", "en": "Delete everything stored for this chat"}),
)

Keyboard = list[list[tuple[str, str]]]  # rows of (label, callback data)
T = TypeVar("T")


def chat_key(chat_id: int) -> str:
    return f"{CHAT_KEY_PREFIX}{chat_id}"


def chat_id_of(key: str) -> int | None:
    """The Telegram chat id behind a store key, or None for another transport's chat."""
    if not key.startswith(CHAT_KEY_PREFIX):
        return None
    try:
        return int(key[len(CHAT_KEY_PREFIX):])
    except ValueError:
        return None


def command_menu(lang: str) -> list[tuple[str, str]]:
    """(command, description) pairs for setMyCommands in one language."""
    return [(command, pick(description, lang)) for command, description in COMMAND_MENU]


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Cut a text into messages of at most `limit` UTF-16 units, at a line break, else a space, else anywhere.

    Whitespace at the cuts is dropped (Telegram trims it anyway); empty pieces are never produced.
    """
    pieces: list[str] = []
    rest = text.strip()
    while utf16_len(rest) > limit:
        window = rest[:limit]
        while utf16_len(window) > limit:  # astral characters take two units
            window = window[:-1]
        cut = window.rfind("\n")
        if cut < limit // 2:
            cut = max(cut, window.rfind(" "))
        if cut <= 0:
            cut = len(window)
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return [piece for piece in pieces if piece]


def callback_data(button: Button) -> str | None:
    """The button's data if it fits Telegram's 64 bytes; else its label, which the engine maps back to the
    data while these are the chat's latest buttons; None if neither fits."""
    for candidate in (button.data, button.label):
        if 0 < len(candidate.encode("utf-8")) <= CALLBACK_DATA_LIMIT:
            return candidate
    return None


def keyboard(buttons: list[Button]) -> Keyboard:
    """Inline-keyboard rows: two short labels share a row, a long one gets its own."""
    rows: Keyboard = []
    for button in buttons:
        data = callback_data(button)
        if data is None:
            log.error("button dropped: neither its data nor its label fits in 64 bytes: %r", button.data[:80])
            continue
        row = rows[-1] if rows else None
        if row is not None and len(row) == 1 and _width(row[0][0]) + _width(button.label) <= ROW_WIDTH:
            row.append((button.label, data))
        else:
            rows.append([(button.label, data)])
    return rows


def _width(label: str) -> int:
    return sum(2 if ord(char) > 0x2E7F else 1 for char in label)


def addressed_text(text: str, *, private: bool, bot_username: str, replied_to_bot: bool) -> str | None:
    """The text to hand to the core, or None when a group message is not meant for this bot.

    In a group the bot answers commands (unless addressed to another bot: /help@OtherBot), messages that
    mention it (the mention is removed) and replies to its own messages; it stays quiet otherwise.
    """
    if private:
        return text
    if text.startswith("/"):
        _, at, target = text.split(maxsplit=1)[0].partition("@")
        return text if not at or target.lower() == bot_username.lower() else None
    mention = re.compile(rf"@{re.escape(bot_username)}\b", re.IGNORECASE)
    if mention.search(text):
        return " ".join(mention.sub(" ", text).split())
    return text if replied_to_bot else None


def backoff(attempt: int) -> float:
    """Seconds to wait before retry number `attempt` (0-based) after a network error or a 5xx."""
    return min(0.5 * 2**attempt, 8.0)


async def retrying(call: Callable[[], Awaitable[T]], retry_delay: Callable[[Exception, int], float | None], attempts: int = 5) -> T:
    """Run `call`, retrying while `retry_delay` names a wait for the error (429: its retry_after; network
    errors and 5xx: backoff) and attempts remain; any other error, or the last one, propagates."""
    attempt = 0
    while True:
        try:
            return await call()
        except Exception as error:
            delay = retry_delay(error, attempt)
            attempt += 1
            if delay is None or attempt >= attempts:
                raise
            log.warning("Bot API call failed (%s); retrying in %.1f s", error, delay)
            await asyncio.sleep(delay)
