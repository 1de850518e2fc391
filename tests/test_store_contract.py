"""What every store promises, on all three (memory, SQLite, a real Redis): compare-and-set writes, rows that
do not load set aside (kept, not deleted) with the user told once and other chats untouched, /forget on
such a chat, and the reminder index."""

from __future__ import annotations

import sqlite3
import uuid
from datetime import datetime, timedelta

import pytest

from bot.model import ChatState, Event
from bot.service import RESET, BotService
from bot.store.memory import MemoryStore
from bot.store.redis import RedisStore
from bot.store.sqlite import SQLiteStore
from bot.timeutil import SHANGHAI

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=SHANGHAI)
POISONS = {
    "bad JSON": b'{"lang": "zh", "flows": {',
    "invalid UTF-8": b'{"lang": "\xff\xfe"}',
    "not an object": b"[1, 2, 3]",
    "wrong shape": b'{"lang": "zh", "flows": ["assess"]}',
    "unknown version": b'{"v": 99, "lang": "zh"}',
    "unknown field": b'{"lang": "zh", "history": []}',
    "bad reminder": b'{"lang": "zh", "reminders": [{"at": "soon", "deadline": "x", "text": {"zh": "t"}}]}',
    "deep nesting": b"[" * 100_000,
}


class Backend:
    """A store with two ways in from outside it: planting a raw row, and reading what was set aside."""

    def __init__(self, kind: str, tmp_path, redis_url: str | None) -> None:
        self.kind = kind
        if kind == "memory":
            self.store = MemoryStore()
        elif kind == "sqlite":
            self.path = tmp_path / "state.sqlite3"
            self.store = SQLiteStore(self.path)
        else:
            self.store = RedisStore(redis_url, namespace=f"test-{uuid.uuid4().hex}:")

    def plant(self, chat_id: str, raw: bytes) -> None:
        if self.kind == "memory":
            self.store._rows[chat_id] = (raw, 12345)
        elif self.kind == "sqlite":
            with sqlite3.connect(self.path) as db:  # another program writing the file
                db.execute("INSERT OR REPLACE INTO chats (chat_id, state, version, updated) VALUES (?, ?, 7, 0)", (chat_id, raw))
        else:
            self.store._redis.set(self.store.prefix + chat_id, raw)

    def set_aside(self, chat_id: str) -> list[bytes]:
        if self.kind == "memory":
            return [raw for cid, _, _, raw in self.store.quarantine if cid == chat_id]
        if self.kind == "sqlite":
            with sqlite3.connect(self.path) as db:
                return [row[0] for row in db.execute("SELECT state FROM quarantine WHERE chat_id = ?", (chat_id,))]
        fields = self.store._redis.hgetall(f"{self.store.namespace}quarantine:{chat_id}")
        return [value for field, value in fields.items() if not field.endswith(b" reason")]

    def close(self) -> None:
        if self.kind == "redis":
            keys = self.store._redis.keys(self.store.namespace.encode() + b"*")
            if keys:
                self.store._redis.delete(*keys)
            self.store.close()


@pytest.fixture(params=["memory", "sqlite", "redis"])
def backend(request, tmp_path):
    redis_url = request.getfixturevalue("redis_url") if request.param == "redis" else None
    backend = Backend(request.param, tmp_path, redis_url)
    yield backend
    backend.close()


@pytest.fixture(scope="module")
def engine():
    from bot.engine import Engine

    return Engine()


def reminder(at: datetime) -> dict:
    return {"at": at.isoformat(), "deadline": at.isoformat(), "text": {"zh": "提醒", "en": "Reminder"}}


# ------------------------------------------------------------------ compare-and-set


def test_a_write_needs_the_state_it_read(backend):
    store = backend.store
    first = store.read("c")
    assert first.state == ChatState()
    assert store.write("c", ChatState(lang="zh"), first.token)
    assert not store.write("c", ChatState(lang="en"), first.token)  # another write came in between
    second = store.read("c")
    assert second.state == ChatState(lang="zh")
    assert store.write("c", ChatState(lang="en", active="assess", flows={"assess": {}}), second.token)
    assert not store.write("c", ChatState(), second.token)
    assert store.load("c").lang == "en"


def test_an_empty_state_deletes_the_chat_and_a_new_one_starts_over(backend):
    store = backend.store
    store.save("c", ChatState(lang="zh"))
    stale = store.read("c")
    assert store.write("c", ChatState(), stale.token)
    assert store.chat_ids() == []
    store.save("c", ChatState(lang="en"))  # the chat comes back: the old token must not match it
    assert not store.write("c", ChatState(lang="zh"), stale.token)


# ------------------------------------------------------------------ rows that do not load


@pytest.mark.parametrize("poison", list(POISONS))
def test_a_row_that_does_not_load_is_set_aside_and_the_user_told_once(backend, engine, poison):
    store = backend.store
    service = BotService(store, engine)
    service.handle("neighbour", "/assess", NOW, lang_hint="en")
    neighbour = store.load("neighbour")
    backend.plant("c", POISONS[poison])

    first = service.handle("c", "/start", NOW)
    assert first[0].text == RESET["zh"]
    assert first[1].buttons  # and the chat goes on: the greeting with its menu
    assert backend.set_aside("c") == [POISONS[poison]]  # kept byte for byte for inspection
    second = service.handle("c", "/contacts", NOW)
    assert RESET["zh"] not in [reply.text for reply in second]
    assert store.load("neighbour") == neighbour
    assert RESET["en"] not in [reply.text for reply in service.handle("neighbour", "/start", NOW)]


def test_forget_works_on_a_chat_whose_row_does_not_load(backend, engine):
    backend.plant("c", POISONS["wrong shape"])
    replies = BotService(backend.store, engine).handle("c", "/forget", NOW)
    assert replies[0].text == RESET["zh"] and "已删除" in replies[-1].text
    assert backend.store.chat_ids() == [] and backend.set_aside("c") == []  # forgetting includes the copy


def test_a_reminder_pass_that_finds_a_row_that_does_not_load_tells_the_user(backend, engine):
    """The reminder due in that row is lost with it, so the user hears of the reset then, not at some later message."""
    backend.plant("c", POISONS["bad reminder"])
    service = BotService(backend.store, engine)
    assert [reply.text for reply in service.due_reminders("c", NOW)] == [RESET["zh"]]
    assert len(backend.set_aside("c")) == 1
    assert RESET["zh"] not in [reply.text for reply in service.handle("c", "/contacts", NOW)]


def test_check_lists_exactly_the_rows_that_do_not_load(backend):
    backend.store.save("good", ChatState(lang="zh"))
    for name, raw in POISONS.items():
        backend.plant(name, raw)
    report = backend.store.check()
    assert sorted(problem.chat_id for problem in report.problems) == sorted(POISONS)
    assert backend.store.load("good") == ChatState(lang="zh") and backend.set_aside("bad JSON") == []  # nothing moved


# ------------------------------------------------------------------ the reminder index


def test_the_reminder_index_follows_every_write(backend):
    store = backend.store
    store.save("soon", ChatState(reminders=[reminder(NOW + timedelta(minutes=5)), reminder(NOW + timedelta(days=30))]))
    store.save("later", ChatState(reminders=[reminder(NOW + timedelta(days=2))]))
    store.save("none", ChatState(lang="zh"))
    assert store.reminders_due(NOW + timedelta(hours=1)) == [("soon", NOW + timedelta(minutes=5))]
    assert [key for key, _ in store.reminders_due(NOW + timedelta(days=3))] == ["soon", "later"]
    snapshot = store.read("soon")
    assert store.write("soon", ChatState(reminders=[reminder(NOW + timedelta(days=30))]), snapshot.token)
    assert store.next_reminder("soon") == NOW + timedelta(days=30)
    store.delete("later")
    assert store.reminders_due(NOW + timedelta(days=3)) == [] and store.next_reminder("later") is None


def test_service_delivers_due_reminders_once_and_reindexes(backend, engine):
    store = backend.store
    store.save("c", ChatState(lang="en", reminders=[reminder(NOW - timedelta(minutes=1)), reminder(NOW + timedelta(hours=2))]))
    service = BotService(store, engine)
    assert [reply.text for reply in service.due_reminders("c", NOW)] == ["Reminder"]
    assert service.due_reminders("c", NOW) == []
    assert store.next_reminder("c") == NOW + timedelta(hours=2)


def test_the_reset_is_told_in_the_language_telegram_reports_when_the_chat_has_none(backend, engine):
    backend.plant("c", POISONS["bad JSON"])
    replies = BotService(backend.store, engine).handle("c", "/start", NOW, lang_hint="en-GB")
    assert replies[0].text == RESET["en"]
    assert replies[1:] == engine.step(ChatState(), Event("c", "/start", NOW, "en-GB"))[1]  # the greeting, in English too
