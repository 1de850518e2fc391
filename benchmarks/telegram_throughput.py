"""Updates per second one Telegram adapter process handles, against the fake Bot API server.

For each framework: start `python -m bot telegram` on a SQLite store, queue N text updates from many chats
at once (the bot fetches them with getUpdates, 100 per call, as from Telegram), and time from queueing to the
last reply received by the fake server. Two workloads: a command (/help: routing, state, one reply) and a
knowledge-base question (matching dominates). Goal (issue 5): ≥ 1,000 updates/s. Prints figures; asserts nothing.
usage: python benchmarks/telegram_throughput.py [--updates N] [--chats N] [--framework ptb|aiogram]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.service import BotService  # noqa: E402
from bot.store.memory import MemoryStore  # noqa: E402
from bot.transports.telegram.common import split_text  # noqa: E402
from tests.fake_telegram import BotProcess, FakeTelegram  # noqa: E402

WORKLOADS = {"command (/help)": "/help", "question (报告邮箱是什么)": "报告邮箱是什么"}


def messages_per_update(text: str) -> int:
    """How many Telegram messages the core's reply to `text` becomes (asked of the core itself)."""
    replies = BotService(MemoryStore()).handle("tg:1", text, lang_hint="zh-hans")
    return sum(len(split_text(reply.text)) + len(reply.files) for reply in replies)


def measure(framework: str, text: str, updates: int, chats: int) -> float:
    fake = FakeTelegram().start()
    with tempfile.TemporaryDirectory() as workdir:
        bot = BotProcess(framework, fake, Path(workdir)).start()
        try:
            per_update = messages_per_update(text)
            warm_up = [fake.send_message(chat, text) for chat in range(1, 11)]
            fake.wait_for(lambda: fake.sent_count() >= len(warm_up) * per_update, 60, "the warm-up replies")
            before = fake.sent_count()
            started = time.perf_counter()
            for n in range(updates):
                fake.send_message(1_000_000 + n % chats, text)
            fake.wait_for(lambda: fake.sent_count() >= before + updates * per_update, 600, "all replies")
            return updates / (time.perf_counter() - started)
        finally:
            bot.stop()
            fake.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=5000)
    parser.add_argument("--chats", type=int, default=500)
    parser.add_argument("--framework", choices=["ptb", "aiogram"], action="append")
    args = parser.parse_args()
    print(f"{args.updates} updates from {args.chats} chats, one adapter process, SQLite store (goal ≥ 1,000 updates/s)")
    for framework in args.framework or ["ptb", "aiogram"]:
        for name, text in WORKLOADS.items():
            rate = measure(framework, text, args.updates, args.chats)
            print(f"  {framework:8} {name:28} {rate:8.0f} updates/s")


if __name__ == "__main__":
    main()
