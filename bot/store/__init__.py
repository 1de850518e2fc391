"""Per-chat state stores: SQLite (default), memory, Redis. Each keeps a ChatState as JSON under the chat's
id, writes by compare-and-set (see base.py), sets aside rows that do not load, and indexes reminders."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import Protocol

from bot.model import ChatState
from bot.store.base import Report, Snapshot, StoreError

__all__ = ["Store", "StoreError", "default_data_dir", "open_store"]


class Store(Protocol):
    def read(self, chat_id: str) -> Snapshot:
        """The chat's state and its token; a row that does not load is set aside and replaced by a fresh state."""

    def write(self, chat_id: str, state: ChatState, token: object, forget: bool = False) -> bool:
        """Store `state` if the row still has `token`; False if another process changed it since the read.
        An empty state deletes the chat; `forget` also the rows of it that were set aside."""

    def load(self, chat_id: str) -> ChatState: ...

    def save(self, chat_id: str, state: ChatState) -> None: ...

    def delete(self, chat_id: str) -> None:
        """Everything stored for the chat, whatever it holds, including rows set aside."""

    def chat_ids(self) -> list[str]: ...

    def reminders_due(self, until: datetime) -> list[tuple[str, datetime]]:
        """(chat id, next reminder time) of the chats whose next reminder is due by `until`: an index read."""

    def next_reminder(self, chat_id: str) -> datetime | None: ...

    def check(self) -> Report: ...

    def vacuum(self) -> Report: ...


def default_data_dir() -> Path:
    """BOT_DATA_DIR if set, else the user's data directory (e.g. ~/.local/share/incident-report-bot)."""
    configured = os.environ.get("BOT_DATA_DIR")
    if configured:
        return Path(configured)
    from platformdirs import user_data_dir

    return Path(user_data_dir("incident-report-bot", appauthor=False))


def open_store(url: str | None = None) -> Store:
    """Open a store from a URL: 'memory:', 'redis://…', 'sqlite:///path' or a plain file path.

    No URL means SQLite in the user's data directory. A store that cannot be used (a damaged file, an
    unreachable server) raises StoreError with a one-line reason.
    """
    if url is None or url == "":
        from bot.store.sqlite import SQLiteStore

        return SQLiteStore(default_data_dir() / "state.sqlite3")
    if url == "memory:":
        from bot.store.memory import MemoryStore

        return MemoryStore()
    if url.startswith(("redis://", "rediss://", "unix://")):
        from bot.store.redis import RedisStore

        return RedisStore(url)
    from bot.store.sqlite import SQLiteStore

    path = url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else url
    return SQLiteStore(Path(path))
