"""The default store: one SQLite file (WAL mode), committed on every write, so a `kill -9` right after a
reply loses nothing.

Tables (schema version 1, in PRAGMA user_version; a file of schema 0 is upgraded on opening):
  chats(chat_id, state, version, updated)        one row per chat; state is ChatState.to_json()
  reminders(chat_id, due)                         each chat's next reminder (Unix time), indexed by due,
                                                  so the Telegram bot reads only what is due, not every chat
  quarantine(id, chat_id, moved, reason, state)   rows that did not load, kept for inspection

Each write is a compare-and-set inside BEGIN IMMEDIATE: it succeeds only if the row still has the version
it was read with. An update adds one to the version; a new row gets a random one, so a chat deleted and
created again never repeats a version a slow writer may still hold. A lock held by another process is
waited for at most BUSY_MS (then the message fails with the service's apology, the state untouched).
"""

from __future__ import annotations

import logging
import random
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from bot.model import ChatState, StateError
from bot.store.base import FRESH_AFTER_RESET, Problem, Report, Snapshot, StoreError, due_key, retain_days
from bot.timeutil import SHANGHAI

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
BUSY_MS = 1000

SCHEMA = """
CREATE TABLE IF NOT EXISTS chats (
    chat_id TEXT PRIMARY KEY, state TEXT NOT NULL, version INTEGER NOT NULL DEFAULT 1, updated REAL NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS reminders (chat_id TEXT PRIMARY KEY, due REAL NOT NULL);
CREATE INDEX IF NOT EXISTS reminders_by_due ON reminders (due);
CREATE TABLE IF NOT EXISTS quarantine (
    id INTEGER PRIMARY KEY, chat_id TEXT NOT NULL, moved REAL NOT NULL, reason TEXT NOT NULL, state BLOB);
CREATE INDEX IF NOT EXISTS quarantine_by_chat ON quarantine (chat_id);
"""


class SQLiteStore:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, timeout=BUSY_MS / 1000, check_same_thread=False, isolation_level=None)
        except (sqlite3.Error, OSError) as error:
            raise StoreError(f"cannot use the state store {self.path}: {error}") from None
        try:
            self._db.execute(f"PRAGMA busy_timeout = {BUSY_MS}")
            self._set_up(time.monotonic() + BUSY_MS / 1000)
        except sqlite3.Error as error:
            self._db.close()
            damaged = not isinstance(error, sqlite3.OperationalError)  # "file is not a database", "malformed"
            hint = "; it is left as it is: move it aside to start afresh" if damaged else ""
            raise StoreError(f"cannot use the state store {self.path}: {error}{hint}") from None

    # ------------------------------------------------------------------ reading and writing one chat
    def read(self, chat_id: str) -> Snapshot:
        """The chat's state and version; a row that does not load is set aside and replaced by a fresh state."""
        while True:  # again only if the unreadable row changed before it could be set aside
            with self._lock:
                row = self._db.execute("SELECT CAST(state AS BLOB), version FROM chats WHERE chat_id = ?", (chat_id,)).fetchone()
            if row is None:
                return Snapshot(ChatState())
            try:
                return Snapshot(ChatState.from_json(row[0]), row[1])
            except StateError as error:
                moved = self._set_aside(chat_id, row[1], str(error))
                if moved is not None:
                    return moved

    def write(self, chat_id: str, state: ChatState, token: object, forget: bool = False) -> bool:
        """Store `state` if the row still has the version `token` (None: still no row). An empty state deletes
        the chat; `forget` (the user's /forget) also deletes what was set aside for it."""
        with self._lock, self._transaction():
            if self._version(chat_id) != token:
                return False
            self._put(chat_id, state, token, forget)
        if forget:
            self._truncate_log()
        return True

    def load(self, chat_id: str) -> ChatState:
        return self.read(chat_id).state

    def save(self, chat_id: str, state: ChatState) -> None:
        """Store `state` whatever the row holds (tests, tools); conversations go through write()."""
        with self._lock, self._transaction():
            self._put(chat_id, state, self._version(chat_id))

    def delete(self, chat_id: str) -> None:
        """Everything stored for the chat, including rows set aside; the write-ahead log is then folded into the
        file and truncated, so no copy of the chat's text stays in the -wal file either (/forget)."""
        with self._lock, self._transaction():
            self._put(chat_id, ChatState(), None, forget=True)
        self._truncate_log()

    def _truncate_log(self) -> None:
        """Fold the write-ahead log into the file and truncate it: after /forget no copy of the chat's text may
        stay in the -wal file (the file's own freed pages are zeroed by secure_delete)."""
        with self._lock:
            try:
                self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            except sqlite3.OperationalError:  # another process holds the log just now: its next checkpoint folds it
                log.info("wal checkpoint after a delete deferred (busy)")

    def chat_ids(self) -> list[str]:
        with self._lock:
            return [row[0] for row in self._db.execute("SELECT chat_id FROM chats")]

    # ------------------------------------------------------------------ the reminder index
    def reminders_due(self, until: datetime) -> list[tuple[str, datetime]]:
        """(chat id, next reminder time) of the chats whose next reminder is due by `until`, earliest first."""
        with self._lock:
            rows = self._db.execute("SELECT chat_id, due FROM reminders WHERE due <= ? ORDER BY due", (until.timestamp(),)).fetchall()
        return [(chat_id, datetime.fromtimestamp(due, SHANGHAI)) for chat_id, due in rows]

    def next_reminder(self, chat_id: str) -> datetime | None:
        with self._lock:
            row = self._db.execute("SELECT due FROM reminders WHERE chat_id = ?", (chat_id,)).fetchone()
        return None if row is None else datetime.fromtimestamp(row[0], SHANGHAI)

    # ------------------------------------------------------------------ housekeeping
    def check(self) -> Report:
        """The file's integrity and every row that does not load (nothing is changed)."""
        with self._lock, self._one_line_errors():
            integrity = [row[0] for row in self._db.execute("PRAGMA quick_check")]
            rows = self._db.execute("SELECT chat_id, CAST(state AS BLOB) FROM chats").fetchall()
            quarantined = self._db.execute("SELECT count(*) FROM quarantine").fetchone()[0]
        problems = []
        for chat_id, raw in rows:
            try:
                ChatState.from_json(raw)
            except StateError as error:
                problems.append(Problem(chat_id, str(error)))
        lines = [f"{self.path}: {len(rows)} conversation(s), {len(problems)} that do not load, {quarantined} set aside earlier"]
        if integrity != ["ok"]:
            lines += [f"integrity: {line}" for line in integrity]
            problems.append(Problem("", "the file fails PRAGMA quick_check"))
        return Report(lines, problems)

    def vacuum(self) -> Report:
        """Delete conversations idle longer than the retention period (unless a reminder is still ahead) and
        rows set aside that long ago, then compact the file."""
        cutoff = time.time() - retain_days() * 86400
        size = self._size()
        with self._lock, self._one_line_errors():
            with self._transaction():
                idle = self._db.execute(
                    "DELETE FROM chats WHERE updated < ? AND chat_id NOT IN (SELECT chat_id FROM reminders WHERE due >= ?)",
                    (cutoff, time.time()),
                ).rowcount
                self._db.execute("DELETE FROM reminders WHERE chat_id NOT IN (SELECT chat_id FROM chats)")
                old = self._db.execute("DELETE FROM quarantine WHERE moved < ?", (cutoff,)).rowcount
            self._db.execute("VACUUM")
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        lines = [
            f"removed {idle} conversation(s) idle for more than {retain_days()} days and {old} row(s) set aside that long ago",
            f"{self.path}: {size} → {self._size()} bytes (with its write-ahead log)",
        ]
        return Report(lines, [])

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _size(self) -> int:
        wal = self.path.with_name(self.path.name + "-wal")
        return self.path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)

    # ------------------------------------------------------------------ inside
    @contextmanager
    def _one_line_errors(self) -> Iterator[None]:
        """For the tools that go through the whole file: damage found on the way, or a bot holding the file
        busy, is one line (StoreError), not a traceback."""
        try:
            yield
        except sqlite3.OperationalError as error:  # "database is locked": the bot is writing
            raise StoreError(f"the state store {self.path} is busy ({error}); try again") from None
        except sqlite3.DatabaseError as error:  # "database disk image is malformed"
            raise StoreError(f"the state store {self.path} is damaged ({error}); keep a copy and try `sqlite3 {self.path} .recover`") from None

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """BEGIN IMMEDIATE: the write lock is taken before reading, so a compare-and-set cannot interleave."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
            self._db.execute("COMMIT")
        except BaseException:
            if self._db.in_transaction:  # never leave one open: the next BEGIN would fail
                self._db.execute("ROLLBACK")
            raise

    def _version(self, chat_id: str) -> int | None:
        row = self._db.execute("SELECT version FROM chats WHERE chat_id = ?", (chat_id,)).fetchone()
        return None if row is None else row[0]

    def _put(self, chat_id: str, state: ChatState, version: int | None, forget: bool = False) -> None:
        """Inside a transaction: the row and its reminder index entry (an empty state deletes both; `forget`
        the rows set aside too)."""
        if state == ChatState():
            for table in ("chats", "reminders", "quarantine") if forget else ("chats", "reminders"):
                self._db.execute(f"DELETE FROM {table} WHERE chat_id = ?", (chat_id,))
            return
        if version is None:
            self._db.execute(
                "INSERT INTO chats (chat_id, state, version, updated) VALUES (?, ?, ?, ?)",
                (chat_id, state.to_json(), secrets.randbits(62), time.time()),
            )
        else:
            self._db.execute(
                "UPDATE chats SET state = ?, version = version + 1, updated = ? WHERE chat_id = ?", (state.to_json(), time.time(), chat_id)
            )
        due = due_key(state)
        if due is None:
            self._db.execute("DELETE FROM reminders WHERE chat_id = ?", (chat_id,))
        else:
            self._db.execute("INSERT INTO reminders (chat_id, due) VALUES (?, ?) ON CONFLICT (chat_id) DO UPDATE SET due = excluded.due", (chat_id, due))

    def _set_aside(self, chat_id: str, version: int, reason: str) -> Snapshot | None:
        """Move an unreadable row to the quarantine table and start the chat afresh; None if it changed meanwhile."""
        with self._lock, self._transaction():
            if self._version(chat_id) != version:
                return None
            self._db.execute(
                "INSERT INTO quarantine (chat_id, moved, reason, state) SELECT chat_id, ?, ?, CAST(state AS BLOB) FROM chats WHERE chat_id = ?",
                (time.time(), reason, chat_id),
            )
            self._put(chat_id, FRESH_AFTER_RESET, version)
        log.warning("the stored state of chat %s did not load (%s); set aside, the chat starts afresh", chat_id, reason)
        return Snapshot(FRESH_AFTER_RESET, version + 1)

    def _set_up(self, deadline: float) -> None:
        """WAL mode and the schema. Two processes creating the file at once can get "database is locked" at
        once, without the busy timeout (SQLite refuses to wait where waiting could deadlock), so that is
        retried after a short random pause until `deadline`."""
        while True:
            try:
                self._db.execute("PRAGMA journal_mode = WAL")
                self._db.execute("PRAGMA synchronous = NORMAL")
                self._db.execute("PRAGMA secure_delete = ON")  # a deleted chat leaves no bytes in free pages
                self._upgrade()
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or time.monotonic() > deadline:
                    raise
                time.sleep(random.uniform(0.005, 0.05))

    def _upgrade(self) -> None:
        """Create the tables, or bring a file of an older schema up to date (once, in one transaction)."""
        if self._db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION:
            return
        with self._transaction():
            found = self._db.execute("PRAGMA user_version").fetchone()[0]
            if found > SCHEMA_VERSION:
                raise StoreError(f"the state store {self.path} was written by a newer version of the bot (schema {found})")
            if found == SCHEMA_VERSION:
                return  # another process upgraded it meanwhile
            columns = {row[1] for row in self._db.execute("PRAGMA table_info(chats)")}
            if columns and "version" not in columns:  # schema 0: chat_id and state only
                self._db.execute("ALTER TABLE chats ADD COLUMN version INTEGER NOT NULL DEFAULT 1")
                self._db.execute("ALTER TABLE chats ADD COLUMN updated REAL NOT NULL DEFAULT 0")
                self._db.execute("UPDATE chats SET updated = ?", (time.time(),))
            for statement in SCHEMA.split(";"):  # not executescript: it would commit the transaction first
                self._db.execute(statement)
            self._index_existing()
            self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def _index_existing(self) -> None:
        """Fill the reminder index from rows written before it existed (unreadable rows wait for their chat)."""
        for chat_id, raw in self._db.execute("SELECT chat_id, CAST(state AS BLOB) FROM chats").fetchall():
            try:
                due = due_key(ChatState.from_json(raw))
            except StateError:
                continue
            if due is not None:
                self._db.execute("INSERT OR REPLACE INTO reminders (chat_id, due) VALUES (?, ?)", (chat_id, due))
