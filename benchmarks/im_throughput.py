"""Events per second one Feishu, DingTalk or WeCom adapter process handles against its fake, and its memory
with 10,000 live chats (outside CI; prints figures, asserts nothing).

For each platform: start `python -m bot <platform>` on a SQLite store against the fake in tests/fake_<platform>.py,
push N "/help" messages from many single chats at once over the platform's long connection, and time from the
first push to the last reply the fake received (goal, issue 13: ≥ 300 events/s). Then a "/start" from each of
10,000 new chats (500 at a time), and the process's resident memory before and after (the store is on disk;
what stays in memory per chat is the adapter's and the bridge's bookkeeping).
usage: python benchmarks/im_throughput.py [--events N] [--chats N] [--live N] [--platform wecom|feishu|dingtalk]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fake_im import wait_until  # noqa: E402
from tests.test_im_e2e import FACTORIES  # noqa: E402

PLATFORMS = ["wecom", "feishu", "dingtalk"]
LIVE_BATCH = 500


def sent_count(fake) -> int:
    with fake.cond:
        return sum(len(messages) for messages in fake.sent.values())


def measure(name: str, events: int, chats: int, live: int) -> tuple[float, int, int]:
    with tempfile.TemporaryDirectory() as workdir:
        platform = FACTORIES[name](Path(workdir)).start()
        try:
            fake = platform.fake
            for n in range(10):  # warm-up: imports, the first SQLite writes
                platform.say(f"warm{n}", "/help", False)
            wait_until(lambda: sent_count(fake) >= 10, 60, "the warm-up replies")
            before = sent_count(fake)
            started = time.perf_counter()
            for n in range(events):
                platform.say(f"bench{n % chats}", "/help", False)
            wait_until(lambda: sent_count(fake) >= before + events, 600, "all replies")
            rate = events / (time.perf_counter() - started)
            idle = platform.process.rss_kib()
            for batch in range(0, live, LIVE_BATCH):  # in batches: what stays per chat, not the burst's peak
                before = sent_count(fake)
                chats = range(batch, min(batch + LIVE_BATCH, live))
                for n in chats:
                    platform.say(f"live{n}", "/start", False)
                wait_until(lambda: sent_count(fake) >= before + len(chats), 900, "the greetings")
            return rate, idle, platform.process.rss_kib()
        finally:
            platform.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=3000)
    parser.add_argument("--chats", type=int, default=300)
    parser.add_argument("--live", type=int, default=10_000)
    parser.add_argument("--platform", choices=PLATFORMS, action="append")
    args = parser.parse_args()
    print(f"{args.events} events (/help) from {args.chats} chats, one adapter process, SQLite store (goal ≥ 300 events/s);")
    print(f"memory: resident set before and after one /start from each of {args.live:,} new chats")
    for name in args.platform or PLATFORMS:
        rate, idle, full = measure(name, args.events, args.chats, args.live)
        print(f"{name:9s} {rate:8.0f} events/s   memory {idle / 1024:6.1f} MiB → {full / 1024:6.1f} MiB with {args.live:,} chats (+{(full - idle) / 1024:.1f} MiB)")


if __name__ == "__main__":
    main()
