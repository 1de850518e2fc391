"""Telegram start-up with many stored conversations: the reminder index against reading every chat.

Fills a SQLite store with N conversations (default 100,000; 1 % with a reminder two days ahead, 10 rows that
do not load), then prints: the time to find what is due by reading the index (what start-up does now) and by
reading every chat (what it did before), and for each framework the seconds from starting
`python -m bot telegram` to its first long poll, on an empty store and on the full one (fake Bot API server,
no network). Asserts nothing.
usage: python benchmarks/store_startup.py [--conversations N] [--framework ptb|aiogram]
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.model import ChatState  # noqa: E402
from bot.store.sqlite import SQLiteStore  # noqa: E402
from bot.timeutil import now_shanghai  # noqa: E402
from bot.transports.telegram.common import chat_key  # noqa: E402
from tests.fake_telegram import BotProcess, FakeTelegram  # noqa: E402


def fill(path: Path, conversations: int) -> None:
    """N conversations in one transaction (saving them one by one would take minutes)."""
    SQLiteStore(path).close()
    later = (now_shanghai() + timedelta(days=2)).isoformat(timespec="seconds")
    waiting = ChatState(lang="zh", active="assess", flows={"assess": {"step": "level", "answers": {"cii": False}}},
                        reminders=[{"at": later, "deadline": later, "text": {"zh": "⏰", "en": "⏰"}}])
    plain = ChatState(lang="zh", active="assess", flows={"assess": {"step": "level", "answers": {"cii": False}}})
    rows = [(chat_key(n), (waiting if n % 100 == 0 else plain).to_json(), 1, time.time()) for n in range(conversations)]
    rows[-10:] = [(chat_key(conversations + n), '{"flows": [', 1, time.time()) for n in range(10)]
    with sqlite3.connect(path) as db:
        db.executemany("INSERT INTO chats (chat_id, state, version, updated) VALUES (?, ?, ?, ?)", rows)
        db.executemany("INSERT INTO reminders (chat_id, due) VALUES (?, ?)",
                       [(chat_key(n), time.time() + 2 * 86400) for n in range(0, conversations - 10, 100)])


def seconds_to_first_poll(framework: str, store: Path, workdir: Path) -> float:
    workdir.mkdir(parents=True, exist_ok=True)
    fake = FakeTelegram().start()
    bot = BotProcess(framework, fake, workdir, store=str(store))
    try:
        began = time.perf_counter()
        bot.start()
        return time.perf_counter() - began
    finally:
        bot.stop()
        fake.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--framework", choices=["ptb", "aiogram"], action="append")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        full, empty = workdir / "full.sqlite3", workdir / "empty.sqlite3"
        fill(full, args.conversations)
        SQLiteStore(empty).close()
        print(f"{args.conversations:,} conversations, {full.stat().st_size / 1e6:.1f} MB")

        store = SQLiteStore(full)
        began = time.perf_counter()
        due = store.reminders_due(now_shanghai() + timedelta(seconds=60))
        print(f"reminder index (start-up now): {len(due)} due, {1000 * (time.perf_counter() - began):.1f} ms")
        shutil.copy(full, workdir / "copy.sqlite3")  # reading every chat sets the bad rows aside: not in the real file
        every = SQLiteStore(workdir / "copy.sqlite3")
        began = time.perf_counter()
        pending = sum(bool(every.load(key).reminders) for key in every.chat_ids())
        print(f"every chat read (start-up before): {pending} with reminders, {time.perf_counter() - began:.2f} s")

        for framework in args.framework or ["ptb", "aiogram"]:
            print(f"{framework}: first long poll after {seconds_to_first_poll(framework, empty, workdir / f'{framework}-empty'):.2f} s "
                  f"(empty store), {seconds_to_first_poll(framework, full, workdir / f'{framework}-full'):.2f} s (full store)")


if __name__ == "__main__":
    main()
