"""What every store shares: the snapshot a read returns, the errors, retention and the reminder index key.

A read returns the state with a token (the row's version, or for Redis a hash of its content); a write
succeeds only if the row still has that token, so two processes that step the same chat at once cannot
overwrite each other's answers: the one that loses the race reads again and steps again (BotService).
"""

from __future__ import annotations

from bot.errors import StoreError  # noqa: F401  (re-exported: the stores raise it)

import os
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.model import ChatState
from bot.timeutil import parse_iso

DEFAULT_RETAIN_DAYS = 90
FRESH_AFTER_RESET = ChatState(reset=True)  # what a row that could not be read is replaced with




@dataclass(frozen=True)
class Snapshot:
    """A chat's state as read, and what a write must find in the store to replace it (None: no row)."""

    state: ChatState
    token: object = None


@dataclass(frozen=True)
class Problem:
    """A stored row that does not load, for `store check` (the reason names no content)."""

    chat_id: str
    reason: str


@dataclass
class Report:
    """What `store check` or `store vacuum` found or did, as lines for a person."""

    lines: list[str]
    problems: list[Problem]


def retain_days() -> int:
    """BOT_RETAIN_DAYS: how long an idle conversation is kept (Redis TTL, SQLite `store vacuum`); default 90."""
    raw = os.environ.get("BOT_RETAIN_DAYS", "").strip()
    if not raw:
        return DEFAULT_RETAIN_DAYS
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= 36500:
        raise StoreError(f"BOT_RETAIN_DAYS must be a whole number of days from 1 to 36500, not {raw[:20]!r}")
    return int(raw)


def keep_until(state: ChatState, now: datetime, days: int) -> datetime:
    """When an idle chat may go: `days` after now, but never before its last reminder (+1 day)."""
    last = max((parse_iso(r["at"]) for r in state.reminders), default=now)
    return max(now + timedelta(days=days), last + timedelta(days=1))


def due_key(state: ChatState) -> float | None:
    """The chat's entry in the reminder index: its next reminder as a Unix time, or None."""
    return min((parse_iso(r["at"]).timestamp() for r in state.reminders), default=None)
