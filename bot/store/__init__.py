"""Per-chat state stores. Each keeps a ChatState as JSON under the chat's id."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol

from bot.model import ChatState


class Store(Protocol):
    def load(self, chat_id: str) -> ChatState: ...

    def save(self, chat_id: str, state: ChatState) -> None: ...

    def delete(self, chat_id: str) -> None: ...

    def chat_ids(self) -> list[str]: ...


def default_data_dir() -> Path:
    """BOT_DATA_DIR if set, else the user's data directory (e.g. ~/.local/share/incident-report-bot)."""
    configured = os.environ.get("BOT_DATA_DIR")
    if configured:
        return Path(configured)
    from platformdirs import user_data_dir

    return Path(user_data_dir("incident-report-bot", appauthor=False))


def open_store(url: str | None = None) -> Store:
    """Open a store from a URL: 'memory:', 'redis://…', 'sqlite:///path' or a plain file path.

    No URL means SQLite in the user's data directory.
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
