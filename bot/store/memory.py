"""A store that forgets on exit: for tests, one-shot runs and `chat --jsonl` without --chat-id.

It keeps the same promises as the others (compare-and-set writes, unreadable rows set aside, a reminder
index), so tests on it hold for them; rows are kept as JSON text, as a real store would.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from datetime import datetime

from bot.model import ChatState, StateError
from bot.store.base import FRESH_AFTER_RESET, Problem, Report, Snapshot, due_key
from bot.timeutil import SHANGHAI

log = logging.getLogger(__name__)


class MemoryStore:
    def __init__(self) -> None:
        self._rows: dict[str, tuple[str | bytes, int]] = {}  # chat id → (stored JSON, version)
        self._due: dict[str, float] = {}
        self.quarantine: list[tuple[str, float, str, str | bytes]] = []  # (chat id, when, reason, row)
        self._versions = itertools.count(1)
        self._lock = threading.Lock()

    def read(self, chat_id: str) -> Snapshot:
        with self._lock:
            if chat_id not in self._rows:
                return Snapshot(ChatState())
            raw, version = self._rows[chat_id]
            try:
                return Snapshot(ChatState.from_json(raw), version)
            except StateError as error:
                self.quarantine.append((chat_id, time.time(), str(error), raw))
                log.warning("the stored state of chat %s did not load (%s); set aside, the chat starts afresh", chat_id, error)
                return Snapshot(FRESH_AFTER_RESET, self._put(chat_id, FRESH_AFTER_RESET))

    def write(self, chat_id: str, state: ChatState, token: object, forget: bool = False) -> bool:
        with self._lock:
            if self._rows.get(chat_id, (None, None))[1] != token:
                return False
            self._put(chat_id, state, forget)
            return True

    def load(self, chat_id: str) -> ChatState:
        return self.read(chat_id).state

    def save(self, chat_id: str, state: ChatState) -> None:
        with self._lock:
            self._put(chat_id, state)

    def delete(self, chat_id: str) -> None:
        with self._lock:
            self._put(chat_id, ChatState(), forget=True)

    def chat_ids(self) -> list[str]:
        with self._lock:
            return list(self._rows)

    def reminders_due(self, until: datetime) -> list[tuple[str, datetime]]:
        with self._lock:
            due = sorted((at, chat_id) for chat_id, at in self._due.items() if at <= until.timestamp())
        return [(chat_id, datetime.fromtimestamp(at, SHANGHAI)) for at, chat_id in due]

    def next_reminder(self, chat_id: str) -> datetime | None:
        with self._lock:
            at = self._due.get(chat_id)
        return None if at is None else datetime.fromtimestamp(at, SHANGHAI)

    def check(self) -> Report:
        with self._lock:
            rows = list(self._rows.items())
        problems = []
        for chat_id, (raw, _) in rows:
            try:
                ChatState.from_json(raw)
            except StateError as error:
                problems.append(Problem(chat_id, str(error)))
        return Report([f"memory: {len(rows)} conversation(s), {len(problems)} that do not load"], problems)

    def vacuum(self) -> Report:
        return Report(["memory: nothing to compact"], [])

    def _put(self, chat_id: str, state: ChatState, forget: bool = False) -> int | None:
        """Under the lock: the row and its index entry (an empty state removes the chat, `forget` also what was
        set aside); the new version."""
        self._due.pop(chat_id, None)
        if state == ChatState():
            self._rows.pop(chat_id, None)
            if forget:
                self.quarantine = [entry for entry in self.quarantine if entry[0] != chat_id]
            return None
        version = next(self._versions)
        self._rows[chat_id] = (state.to_json(), version)
        due = due_key(state)
        if due is not None:
            self._due[chat_id] = due
        return version
