"""The default store: one SQLite file, one row per chat, committed on every save.

Saving commits at once (WAL mode) so a `kill -9` right after a reply loses nothing.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path

from bot.model import ChatState


class SQLiteStore:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS chats (chat_id TEXT PRIMARY KEY, state TEXT NOT NULL)")

    def load(self, chat_id: str) -> ChatState:
        with self._lock:
            row = self._db.execute("SELECT state FROM chats WHERE chat_id = ?", (chat_id,)).fetchone()
        return ChatState.from_dict(json.loads(row[0])) if row else ChatState()

    def save(self, chat_id: str, state: ChatState) -> None:
        payload = json.dumps(state.to_dict(), ensure_ascii=False)
        with self._lock:
            self._db.execute(
                "INSERT INTO chats (chat_id, state) VALUES (?, ?) "
                "ON CONFLICT(chat_id) DO UPDATE SET state = excluded.state",
                (chat_id, payload),
            )

    def delete(self, chat_id: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM chats WHERE chat_id = ?", (chat_id,))

    def chat_ids(self) -> list[str]:
        with self._lock:
            return [row[0] for row in self._db.execute("SELECT chat_id FROM chats")]

    def close(self) -> None:
        with self._lock:
            self._db.close()
