"""Telegram start-up reads the reminder index, not every chat: it costs the same however many chats are
stored, and a row that does not load can no longer keep the bot from starting (it waits, untouched, until
its chat writes; then it is set aside and the user told)."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta

import pytest

from bot.model import ChatState
from bot.service import RESET, BotService
from bot.store.sqlite import SQLiteStore
from bot.timeutil import now_shanghai
from bot.transports.telegram.bridge import RECHECK_SECONDS, Bridge
from bot.transports.telegram.common import chat_key
from tests.fake_telegram import BotProcess, FakeTelegram

POISON = b'{"lang": "zh", "flows": ['


class CountingStore(SQLiteStore):
    """The real SQLite store, counting the chats it reads."""

    reads = 0

    def read(self, chat_id):
        self.reads += 1
        return super().read(chat_id)


def reminder(at: datetime) -> dict:
    return {"at": at.isoformat(timespec="seconds"), "deadline": at.isoformat(timespec="seconds"), "text": {"zh": "⏰ 提醒：测试", "en": "⏰ test"}}


def plant(path, chat_ids: list[str], raw: bytes) -> None:
    with sqlite3.connect(path) as db:  # another program damaging rows
        db.executemany("INSERT OR REPLACE INTO chats (chat_id, state, version, updated) VALUES (?, ?, 1, 0)", [(c, raw) for c in chat_ids])


def test_start_up_reads_only_the_reminders_due_soon(tmp_path):
    path = tmp_path / "state.sqlite3"
    store = CountingStore(path)
    now = now_shanghai()
    for n in range(300):
        store.save(chat_key(n), ChatState(lang="zh", buttons=[{"label": "x", "data": "y"}]))
    for n in range(300, 400):
        store.save(chat_key(n), ChatState(lang="zh", reminders=[reminder(now + timedelta(days=2))]))
    store.save(chat_key(400), ChatState(lang="zh", reminders=[reminder(now - timedelta(minutes=1))]))
    store.save(chat_key(401), ChatState(lang="zh", reminders=[reminder(now + timedelta(seconds=RECHECK_SECONDS / 2))]))
    store.save("terminal", ChatState(lang="zh", reminders=[reminder(now - timedelta(minutes=1))]))  # not Telegram's to send
    plant(path, [chat_key(n) for n in range(500, 510)], POISON)

    bridge = Bridge(BotService(store), sender=None, retry_delay=lambda error, attempt: None)
    store.reads = 0
    bridge.load_reminders()
    assert store.reads == 0  # no chat was read, only the index
    assert bridge.reminders.pop_due(now + timedelta(seconds=RECHECK_SECONDS)) == [chat_key(400), chat_key(401)]
    with sqlite3.connect(path) as db:  # the damaged rows are left for their chats
        assert db.execute("SELECT count(*) FROM quarantine").fetchone() == (0,)
        assert db.execute("SELECT count(*) FROM chats WHERE state = ?", (POISON,)).fetchone() == (10,)


@pytest.mark.parametrize("framework", ["ptb", "aiogram"])
def test_a_bot_with_damaged_rows_starts_delivers_reminders_and_resets_only_that_chat(framework, tmp_path):
    fake = FakeTelegram().start()
    process = BotProcess(framework, fake, tmp_path)
    try:
        store = SQLiteStore(process.store)
        store.save(chat_key(6002), ChatState(lang="zh", reminders=[reminder(now_shanghai() - timedelta(minutes=1))]))
        store.close()
        plant(process.store, [chat_key(6001), chat_key(6003)], POISON)
        process.start()
        assert [s.text for s in fake.wait_sent(6002, 1)] == ["⏰ 提醒：测试"]
        fake.send_message(6001, "/start")
        reset, greeting = fake.wait_sent(6001, 2)
        assert reset.text == RESET["zh"] and greeting.button_data
        fake.send_message(6001, "/contacts")
        assert RESET["zh"] not in [s.text for s in fake.wait_sent(6001, 1)]
        assert "Traceback" not in process.output()
    finally:
        process.stop()
        fake.stop()


class IndexDown(SQLiteStore):
    """The real store, whose reminder index cannot be read (a Redis that just went away, say)."""

    def next_reminder(self, chat_id):
        raise ConnectionError("index unreachable")


async def test_replies_go_out_even_when_the_reminder_index_cannot_be_read(tmp_path):
    sent = []

    class Sender:
        async def send_text(self, chat_id, text, rows):
            sent.append(text)

    bridge = Bridge(BotService(IndexDown(tmp_path / "state.sqlite3")), Sender(), retry_delay=lambda error, attempt: None)
    await bridge.message(7, "/contacts", "zh-hans")
    assert sent and "12387" in sent[0]
