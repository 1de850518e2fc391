"""What the web transport keeps beside the chat state: each chat's transcript (so a reload shows the messages so
far) and the report files it made (served only to that chat, under an unguessable name).

It lives next to the chat state, in the same kind of store, so every replica sees the same: Redis keys under the
store's namespace (`<ns>web:log:<chat>`, `<ns>web:file:<token>`, `<ns>web:files:<chat>`, all expiring after
BOT_RETAIN_DAYS), a SQLite file beside the state file (`<name>-web.sqlite3`), or memory.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from bot.store import Store
from bot.store.base import retain_days

LOG_KEEP = 400  # transcript entries kept per chat (the oldest go first)


@dataclass(frozen=True)
class StoredFile:
    chat: str
    name: str
    mime: str
    content: bytes


class WebData(Protocol):
    def log_append(self, chat: str, entries: list[dict[str, Any]], message_id: str | None = None) -> bool:
        """Add to the transcript; with a `message_id` only once (False: that message is there already)."""

    def log_read(self, chat: str) -> list[dict[str, Any]]: ...

    def file_put(self, chat: str, name: str, mime: str, content: bytes) -> str: ...

    def file_get(self, token: str) -> StoredFile | None: ...

    def forget(self, chat: str) -> None:
        """The chat's transcript and files."""


def new_token() -> str:
    return secrets.token_urlsafe(24)  # 192 bits


class MemoryWebData:
    def __init__(self) -> None:
        self._logs: dict[str, list[dict[str, Any]]] = {}
        self._files: dict[str, StoredFile] = {}
        self._ids: dict[str, set[str]] = {}
        self._lock = threading.Lock()

    def log_append(self, chat: str, entries: list[dict[str, Any]], message_id: str | None = None) -> bool:
        with self._lock:
            if message_id is not None:
                if message_id in self._ids.setdefault(chat, set()):
                    return False
                self._ids[chat].add(message_id)
            log = self._logs.setdefault(chat, [])
            log.extend(json.loads(json.dumps(entries)))
            del log[:-LOG_KEEP]
        return True

    def log_read(self, chat: str) -> list[dict[str, Any]]:
        with self._lock:
            return json.loads(json.dumps(self._logs.get(chat, [])))

    def file_put(self, chat: str, name: str, mime: str, content: bytes) -> str:
        token = new_token()
        with self._lock:
            self._files[token] = StoredFile(chat, name, mime, content)
        return token

    def file_get(self, token: str) -> StoredFile | None:
        with self._lock:
            return self._files.get(token)

    def forget(self, chat: str) -> None:
        with self._lock:
            self._logs.pop(chat, None)
            self._ids.pop(chat, None)
            self._files = {t: f for t, f in self._files.items() if f.chat != chat}


class RedisWebData:
    def __init__(self, client: Any, namespace: str) -> None:
        self._redis = client
        self._ns = namespace + "web:"
        self._ttl = retain_days() * 86400

    def log_append(self, chat: str, entries: list[dict[str, Any]], message_id: str | None = None) -> bool:
        key = f"{self._ns}log:{chat}"
        if message_id is not None:
            ids = f"{self._ns}ids:{chat}"
            if not self._redis.sadd(ids, message_id):
                return False
            self._redis.expire(ids, self._ttl)
        pipe = self._redis.pipeline()
        pipe.rpush(key, *[json.dumps(e, ensure_ascii=False) for e in entries])
        pipe.ltrim(key, -LOG_KEEP, -1)
        pipe.expire(key, self._ttl)
        pipe.execute()
        return True

    def log_read(self, chat: str) -> list[dict[str, Any]]:
        return [json.loads(raw) for raw in self._redis.lrange(f"{self._ns}log:{chat}", 0, -1)]

    def file_put(self, chat: str, name: str, mime: str, content: bytes) -> str:
        token = new_token()
        pipe = self._redis.pipeline()
        pipe.hset(f"{self._ns}file:{token}", mapping={"chat": chat, "name": name, "mime": mime, "content": content})
        pipe.expire(f"{self._ns}file:{token}", self._ttl)
        pipe.sadd(f"{self._ns}files:{chat}", token)
        pipe.expire(f"{self._ns}files:{chat}", self._ttl)
        pipe.execute()
        return token

    def file_get(self, token: str) -> StoredFile | None:
        found = self._redis.hgetall(f"{self._ns}file:{token}")
        if not found:
            return None
        return StoredFile(found[b"chat"].decode(), found[b"name"].decode(), found[b"mime"].decode(), found[b"content"])

    def forget(self, chat: str) -> None:
        tokens = self._redis.smembers(f"{self._ns}files:{chat}")
        keys = [f"{self._ns}log:{chat}", f"{self._ns}ids:{chat}", f"{self._ns}files:{chat}"] + [f"{self._ns}file:{t.decode()}" for t in tokens]
        self._redis.delete(*keys)


class SQLiteWebData:
    SCHEMA = """
    CREATE TABLE IF NOT EXISTS log (id INTEGER PRIMARY KEY, chat TEXT NOT NULL, entry TEXT NOT NULL, at REAL NOT NULL);
    CREATE INDEX IF NOT EXISTS log_by_chat ON log (chat, id);
    CREATE TABLE IF NOT EXISTS files (token TEXT PRIMARY KEY, chat TEXT NOT NULL, name TEXT NOT NULL, mime TEXT NOT NULL,
                                      content BLOB NOT NULL, at REAL NOT NULL);
    CREATE INDEX IF NOT EXISTS files_by_chat ON files (chat);
    CREATE TABLE IF NOT EXISTS ids (chat TEXT NOT NULL, mid TEXT NOT NULL, at REAL NOT NULL, PRIMARY KEY (chat, mid));
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, timeout=5, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode = WAL")
        self._db.execute("PRAGMA synchronous = NORMAL")
        self._db.executescript(self.SCHEMA)
        cutoff = time.time() - retain_days() * 86400
        self._db.execute("DELETE FROM log WHERE at < ?", (cutoff,))
        self._db.execute("DELETE FROM files WHERE at < ?", (cutoff,))
        self._db.execute("DELETE FROM ids WHERE at < ?", (cutoff,))

    def log_append(self, chat: str, entries: list[dict[str, Any]], message_id: str | None = None) -> bool:
        now = time.time()
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                if message_id is not None:
                    added = self._db.execute("INSERT OR IGNORE INTO ids (chat, mid, at) VALUES (?, ?, ?)", (chat, message_id, now)).rowcount
                    if not added:
                        self._db.execute("ROLLBACK")
                        return False
                self._db.executemany(
                    "INSERT INTO log (chat, entry, at) VALUES (?, ?, ?)", [(chat, json.dumps(e, ensure_ascii=False), now) for e in entries]
                )
                self._db.execute(
                    "DELETE FROM log WHERE chat = ? AND id NOT IN (SELECT id FROM log WHERE chat = ? ORDER BY id DESC LIMIT ?)",
                    (chat, chat, LOG_KEEP),
                )
                self._db.execute("COMMIT")
            except BaseException:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise
        return True

    def log_read(self, chat: str) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._db.execute("SELECT entry FROM log WHERE chat = ? ORDER BY id", (chat,)).fetchall()
        return [json.loads(row[0]) for row in rows]

    def file_put(self, chat: str, name: str, mime: str, content: bytes) -> str:
        token = new_token()
        with self._lock:
            self._db.execute(
                "INSERT INTO files (token, chat, name, mime, content, at) VALUES (?, ?, ?, ?, ?, ?)", (token, chat, name, mime, content, time.time())
            )
        return token

    def file_get(self, token: str) -> StoredFile | None:
        with self._lock:
            row = self._db.execute("SELECT chat, name, mime, content FROM files WHERE token = ?", (token,)).fetchone()
        return None if row is None else StoredFile(row[0], row[1], row[2], bytes(row[3]))

    def forget(self, chat: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM log WHERE chat = ?", (chat,))
            self._db.execute("DELETE FROM ids WHERE chat = ?", (chat,))
            self._db.execute("DELETE FROM files WHERE chat = ?", (chat,))


def open_web_data(store: Store) -> WebData:
    """The web's own data, in the same place as `store`'s chats."""
    from bot.store.memory import MemoryStore

    if isinstance(store, MemoryStore):
        return MemoryWebData()
    from bot.store.sqlite import SQLiteStore

    if isinstance(store, SQLiteStore):
        return SQLiteWebData(store.path.with_name(store.path.stem + "-web.sqlite3"))
    from bot.store.redis import RedisStore

    if isinstance(store, RedisStore):
        return RedisWebData(store._redis, store.namespace)
    return MemoryWebData()
