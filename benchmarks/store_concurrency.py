"""Lost answers when several processes step one chat at the same moment, on SQLite and on Redis.

Runs the workers of tests/test_concurrency.py (real processes, one chat, every message recorded in the
state) twice per store: with the service's compare-and-set, and `naive` (load, step, save: what every store
did before), to show what the test guards against. Prints sent / lost / duplicated / conflicts retried /
the slowest single message; then the same processes taking 200 due reminders at once (two replicas):
each must be delivered exactly once. Redis is measured when REDIS_URL is set. Asserts nothing.
usage: python benchmarks/store_concurrency.py [--processes 2] [--messages 500]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.test_concurrency import race, reminder_race  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--messages", type=int, default=500, help="per process")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        stores = {"sqlite": str(Path(workdir) / "state.sqlite3")}
        if os.environ.get("REDIS_URL"):
            stores["redis"] = os.environ["REDIS_URL"]
        print(f"{args.processes} processes × {args.messages} messages on one chat")
        for name, url in stores.items():
            for naive in (False, True):
                f = race(url, args.processes, args.messages, naive=naive)
                mode = "naive load/save" if naive else "compare-and-set"
                print(f"{name:6} {mode:16} sent {f['sent']:5}  lost {f['lost']:5}  duplicated {f['duplicated']}  "
                      f"out of order {f['out_of_order']}  apologies {f['apologies']}  conflicts retried {f['conflicts']:4}  "
                      f"slowest message {f['worst_ms']:.1f} ms  run {f['seconds']:.2f} s")
            f = reminder_race(url, args.processes)
            print(f"{name:6} due reminders    {f['reminders']} taken by {args.processes} processes: undelivered {f['undelivered']}  "
                  f"delivered twice {f['duplicated']}  conflicts retried {f['conflicts']}")


if __name__ == "__main__":
    main()
