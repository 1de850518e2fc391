"""Memory for 10,000 live conversations in one Telegram adapter process, against the fake Bot API server.

For each framework: (1) start `python -m bot telegram` on an empty SQLite store and note its resident memory
(RSS) after a warm-up; (2) 10,000 chats each start an assessment (/assess: a conversation in progress), in
waves of 200, and RSS is read again; (3) every one of those conversations is given a pending deadline reminder in the store and
the bot is restarted, so all 10,000 are rescheduled into its reminder queue at start-up; RSS is compared with
a start on an empty store. Goal (issue 5): < 100 MB for 10,000 conversations. Prints figures; asserts nothing.
usage: python benchmarks/memory_conversations.py [--conversations N] [--framework ptb|aiogram]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.store.sqlite import SQLiteStore  # noqa: E402
from bot.timeutil import now_shanghai  # noqa: E402
from bot.transports.telegram.common import chat_key  # noqa: E402
from tests.fake_telegram import BotProcess, FakeTelegram  # noqa: E402

FIRST_CHAT = 10_000_000
WAVE = 200  # conversations start in waves: a single burst of 10,000 queued updates would measure PTB's
#             unbounded update queue (it fetches faster than it handles), not what a conversation costs


def started(framework: str, fake: FakeTelegram, workdir: Path) -> BotProcess:
    bot = BotProcess(framework, fake, workdir).start()
    before = fake.sent_count()
    for chat in range(1, 11):
        fake.send_message(chat, "/help")
    fake.wait_for(lambda: fake.sent_count() >= before + 10, 60, "the warm-up replies")
    return bot


def give_reminders(store_path: str, conversations: int) -> None:
    store = SQLiteStore(Path(store_path))
    due = (now_shanghai() + timedelta(days=1)).isoformat(timespec="seconds")
    for n in range(conversations):
        key = chat_key(FIRST_CHAT + n)
        state = store.load(key)
        state.reminders = [{"at": due, "deadline": due, "text": {"zh": "⏰ 提醒", "en": "⏰ Reminder"}}]
        store.save(key, state)
    store.close()


def measure(framework: str, conversations: int) -> None:
    with tempfile.TemporaryDirectory() as empty_dir, tempfile.TemporaryDirectory() as full_dir:
        fake = FakeTelegram().start()
        try:
            bot = started(framework, fake, Path(full_dir))
            empty_rss = bot.rss_kib()
            for wave in range(0, conversations, WAVE):
                before = fake.sent_count()
                chats = range(FIRST_CHAT + wave, FIRST_CHAT + min(wave + WAVE, conversations))
                for chat in chats:
                    fake.send_message(chat, "/assess")
                fake.wait_for(lambda: fake.sent_count() >= before + len(chats), 120, "a wave's first questions")
            live_rss = bot.rss_kib()
            bot.stop()
            give_reminders(bot.store, conversations)
            restarted = started(framework, fake, Path(full_dir))
            restarted_rss = restarted.rss_kib()
            restarted.stop()
            fresh = started(framework, fake, Path(empty_dir))
            fresh_rss = fresh.rss_kib()
            fresh.stop()
        finally:
            fake.stop()
        store_mib = Path(bot.store).stat().st_size / 2**20
    print(f"  {framework:8} baseline RSS {empty_rss / 1024:6.1f} MiB")
    print(f"  {framework:8} +{conversations} conversations handled live: RSS {live_rss / 1024:6.1f} MiB "
          f"(+{(live_rss - empty_rss) / 1024:.1f} MiB, {(live_rss - empty_rss) * 1024 / conversations:.0f} bytes each)")
    print(f"  {framework:8} restart with them stored, each with a pending reminder: RSS {restarted_rss / 1024:6.1f} MiB "
          f"(+{(restarted_rss - fresh_rss) / 1024:.1f} MiB over a start on an empty store); SQLite file {store_mib:.1f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=10_000)
    parser.add_argument("--framework", choices=["ptb", "aiogram"], action="append")
    args = parser.parse_args()
    print(f"{args.conversations} conversations in one adapter process, SQLite store (goal < 100 MB)")
    for framework in args.framework or ["ptb", "aiogram"]:
        measure(framework, args.conversations)


if __name__ == "__main__":
    main()
