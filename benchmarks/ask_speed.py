"""Speed of the knowledge base: one answer in-process, the stdin batch mode, and a cold `ask`.

Goals (issue 2): p99 of one in-process answer ≤ 2 ms; cold `python -m bot ask` ≤ 1.5 × a bare
`python -c "import rapidfuzz, jinja2"`. Prints figures; asserts nothing.
usage: python benchmarks/ask_speed.py [--rounds N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def questions() -> list[str]:
    items = yaml.safe_load((ROOT / "tests" / "questions.yaml").read_text(encoding="utf-8"))
    return [item["q"] for item in items]


def in_process(rounds: int) -> None:
    from bot import FAQ_DIR
    from bot.knowledge import KnowledgeBase, load

    started = time.perf_counter()
    KnowledgeBase.from_dir(FAQ_DIR)
    built = time.perf_counter()
    kb = load()
    print(
        f"index: built from faq/ in {(built - started) * 1000:.1f} ms (first run after an edit), "
        f"loaded from the cache in {(time.perf_counter() - built) * 1000:.1f} ms"
    )
    qs = questions()
    for q in qs:
        kb.ask(q)  # warm caches (OpenCC, rapidfuzz)
    timings = []
    for _ in range(rounds):
        for q in qs:
            t0 = time.perf_counter()
            kb.ask(q)
            timings.append((time.perf_counter() - t0) * 1000)
    timings.sort()
    p50 = timings[len(timings) // 2]
    p99 = timings[int(len(timings) * 0.99)]
    print(f"one answer in-process: p50 {p50:.3f} ms, p99 {p99:.3f} ms, max {timings[-1]:.3f} ms ({len(timings)} answers)")


def batch(rounds: int) -> None:
    qs = questions() * rounds
    payload = "".join(q + "\n" for q in qs)
    t0 = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "bot", "ask", "--json"], input=payload, capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - t0
    lines = len(result.stdout.splitlines())
    print(f"stdin batch: {lines} questions in {wall:.2f} s = {lines / wall:.0f} questions/s (start-up included)")


def cold(repeats: int = 10) -> None:
    def best_of(cmd: list[str]) -> float:
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            subprocess.run(cmd, capture_output=True, cwd=ROOT, check=True)
            times.append(time.perf_counter() - t0)
        return statistics.median(times)

    bare = best_of([sys.executable, "-c", "import rapidfuzz, jinja2"])
    ask = best_of([sys.executable, "-m", "bot", "ask", "报告邮箱是什么"])
    print(f"cold start (median of {repeats}): bare imports {bare * 1000:.0f} ms, `python -m bot ask` {ask * 1000:.0f} ms = {ask / bare:.2f}×")
    if os.environ.get("PYTHONDONTWRITEBYTECODE"):  # the bot's modules are then compiled at every start, the libraries' not
        print("  note: PYTHONDONTWRITEBYTECODE is set; without it (as Python runs by default) the bot's .pyc files are reused")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    in_process(args.rounds)
    batch(args.rounds)
    cold()


if __name__ == "__main__":
    main()
