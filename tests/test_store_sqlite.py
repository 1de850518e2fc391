"""The SQLite store's own promises: files of the old schema upgraded in place, a damaged file refused in one
line (exit 2) and left as it was, a lock held elsewhere waited for at most a second, `store check` and
`store vacuum`, and `chat --jsonl` without --chat-id leaving nothing behind."""

from __future__ import annotations

import json
import os
import sqlite3
import time
from datetime import timedelta

import pytest

from bot.model import ChatState
from bot.service import BotService
from bot.store import StoreError
from bot.store.sqlite import SQLiteStore
from bot.timeutil import now_shanghai
from tests.conftest import run_bot

OLD_ROW = {"lang": "en", "active": None, "flows": {}, "buttons": [], "reminders": []}


def old_schema_file(path, rows: dict[str, str]) -> None:
    """A state file as the bot wrote it before versions and the reminder index."""
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE chats (chat_id TEXT PRIMARY KEY, state TEXT NOT NULL)")
        db.executemany("INSERT INTO chats VALUES (?, ?)", rows.items())


def test_a_file_of_the_old_schema_is_upgraded_in_place(tmp_path):
    path = tmp_path / "state.sqlite3"
    soon = (now_shanghai() + timedelta(minutes=5)).isoformat(timespec="seconds")
    with_reminder = {**OLD_ROW, "reminders": [{"at": soon, "deadline": soon, "text": {"zh": "提醒", "en": "Reminder"}}]}
    old_schema_file(path, {"tg:1": json.dumps(OLD_ROW), "tg:2": json.dumps(with_reminder), "tg:3": "not json"})
    store = SQLiteStore(path)
    assert store.load("tg:1") == ChatState(lang="en")
    assert [key for key, _ in store.reminders_due(now_shanghai() + timedelta(hours=1))] == ["tg:2"]
    snapshot = store.read("tg:1")
    assert store.write("tg:1", ChatState(lang="zh"), snapshot.token)
    store.close()
    assert SQLiteStore(path).load("tg:1") == ChatState(lang="zh")  # opening again changes nothing


def test_a_file_of_a_newer_schema_is_refused(tmp_path):
    path = tmp_path / "state.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version = 99")
    with pytest.raises(StoreError, match="newer version"):
        SQLiteStore(path)


@pytest.mark.parametrize(
    "command",
    [["chat"], ["chat", "--jsonl", "--chat-id", "x"], ["store", "check"], ["store", "vacuum"]],
    ids=" ".join,
)
def test_a_damaged_file_is_one_line_and_exit_2_and_is_left_as_it_was(command, tmp_path):
    path = tmp_path / "state.sqlite3"
    damaged = b"SQLite format 3\x00" + os.urandom(4080)
    path.write_bytes(damaged)
    result = run_bot(*command, "--store", str(path), input="/start\n")
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and str(path) in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == "" and path.read_bytes() == damaged


def test_a_lock_held_elsewhere_costs_a_second_at_most_then_the_apology(tmp_path):
    path = tmp_path / "state.sqlite3"
    service = BotService(SQLiteStore(path))
    service.handle("c", "/lang en")
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process in the middle of a write that never ends
    try:
        replies = service.handle("c", "/assess")
    finally:
        other.execute("ROLLBACK")
    assert len(replies) == 1 and replies[0].text.startswith("Sorry")
    assert service.store.load("c").active is None
    assert service.handle("c", "/assess")[0].text  # and the next message goes through


def test_store_check_names_the_rows_that_do_not_load(tmp_path):
    path = tmp_path / "state.sqlite3"
    SQLiteStore(path).save("fine", ChatState(lang="zh"))
    assert run_bot("store", "check", "--store", str(path)).returncode == 0
    with sqlite3.connect(path) as db:
        db.execute("INSERT INTO chats (chat_id, state) VALUES ('broken', '{\"v\": 7}')")
    result = run_bot("store", "check", "--store", str(path))
    assert result.returncode == 1
    assert "2 conversation(s), 1 that do not load" in result.stdout
    assert result.stderr == "does not load: broken: unknown version 7\n"


def test_store_vacuum_drops_idle_conversations_but_not_those_waiting_for_a_reminder(tmp_path):
    path = tmp_path / "state.sqlite3"
    store = SQLiteStore(path)
    later = (now_shanghai() + timedelta(days=3)).isoformat(timespec="seconds")
    store.save("idle", ChatState(lang="zh"))
    store.save("waiting", ChatState(lang="zh", reminders=[{"at": later, "deadline": later, "text": {"zh": "x"}}]))
    store.save("recent", ChatState(lang="zh"))
    with sqlite3.connect(path) as db:
        db.execute("UPDATE chats SET updated = ? WHERE chat_id != 'recent'", (time.time() - 3 * 86400,))
    result = run_bot("store", "vacuum", "--store", str(path), env={"BOT_RETAIN_DAYS": "2"})
    assert result.returncode == 0, result.stderr
    assert "removed 1 conversation(s) idle for more than 2 days" in result.stdout
    assert sorted(SQLiteStore(path).chat_ids()) == ["recent", "waiting"]


def test_jsonl_without_a_chat_id_leaves_nothing_behind(tmp_path):
    data = tmp_path / "data"
    result = run_bot("chat", "--jsonl", input="/assess\n是\n", env={"BOT_DATA_DIR": str(data)})
    assert result.returncode == 0 and len(result.stdout.splitlines()) == 2
    state = data / "state.sqlite3"
    assert not state.exists() or SQLiteStore(state).chat_ids() == []


def test_vacuum_while_another_process_holds_the_file_says_try_again(tmp_path):
    path = tmp_path / "state.sqlite3"
    SQLiteStore(path).save("c", ChatState(lang="zh"))
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        result = run_bot("store", "vacuum", "--store", str(path))
    finally:
        other.execute("ROLLBACK")
    assert result.returncode == 2 and "busy" in result.stderr and result.stderr.count("\n") == 1
