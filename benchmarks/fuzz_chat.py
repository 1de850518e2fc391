"""Fuzz `python -m bot chat --jsonl` from outside: random input lines, invalid bytes included, through ONE process.

Each line is chosen at random from: the data of the buttons just shown (so the walk reaches deep into the
flows), commands, button data of every flow and of none, far times, odd digits, numbers thousands of digits
long, random bytes (invalid UTF-8 among them), and now and then a line of up to 200,000 characters. After each
line the script waits for the answer and checks the protocol: exactly one line, valid UTF-8, JSON of the form
{"messages": [{"text", "buttons", "files"}, …]} with at least one message.

It prints exits (the process ended), hangs (no answer within --hang seconds; the process is then restarted),
protocol violations, and apologies (lines the per-message error boundary had to answer: each is a root cause
still to fix). Goal (issue 9): 0 exits, 0 hangs, 0 protocol violations. Asserts nothing.
usage: python benchmarks/fuzz_chat.py [--inputs N] [--seed S] [--hang SECONDS]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import selectors
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.engine import BUTTON_PREFIXES, COMMANDS  # noqa: E402
from bot.service import APOLOGY  # noqa: E402
from bot.transports.terminal import QUIT  # noqa: E402

WORDS = [
    "是", "否", "不确定", "yes", "no", "现在", "30分钟前", "昨天晚上8点", "2026-02-28 09:00", "1900-01-01 00:00",
    "99999 days ago", "0001-01-01 00:00", "9999-12-31 23:59", "稍后", "返回", "总结报告", "续报", "原因", "第3项",
    "重大", "张三 13800000000 zs@example.com", "2 BTC", "500万元", "300万人", "9" * 400 + "万元", "两个半小时",
    "报告邮箱是什么", "关基出事了几个小时内要报", "我们被勒索了，要多久报？", "²", "፩", "٣٠٠", "１", "{{7*7}}",
]
DATA = [
    "report:kind:initial", "report:kind:summary", "report:kind:supplement", "report:new", "report:continue", "report:keep",
    "report:skip", "report:back", "report:preview", "report:edit", "report:finish", "report:section:፩", "report:section:99",
    "report:field:contact", "report:type:other", "assess:start", "assess:restart", "assess:back", "remind:on", "lang:en",
    "resume:report", "resume:assess", "discard:report", "discard:assess", "faq:nope", "topic:nope",
]


def random_line(rng: random.Random, shown: list[str]) -> bytes:
    """One input line (without its newline), never a quit word: the session must go on."""
    roll = rng.random()
    if roll < 0.35 and shown:
        text = rng.choice(shown)
    elif roll < 0.45:
        text = rng.choice(COMMANDS) + rng.choice(["", " en", " zh", " xx"])
    elif roll < 0.55:
        text = rng.choice(DATA) if rng.random() < 0.7 else f"{rng.choice([*BUTTON_PREFIXES, 'report', 'assess'])}:{rng.choice(WORDS)}"
    elif roll < 0.75:
        text = rng.choice(WORDS)
    elif roll < 0.80:
        text = rng.choice("19٣") * rng.randint(100, 6000)
    elif roll < 0.82:
        text = rng.choice("a一@.1 ") * rng.randint(5_000, 200_000)
    else:  # random bytes: invalid UTF-8, control characters, broken multi-byte sequences
        raw = bytes(rng.randrange(256) for _ in range(rng.randint(0, 60))).replace(b"\n", b" ")
        return raw if raw.strip().lower().decode("utf-8", "replace") not in QUIT else b"x"
    return text.encode("utf-8", "surrogatepass") if text.strip().lower() not in QUIT else b"x"


def violation(line: bytes) -> str | None:
    """Why an output line breaks the protocol, or None."""
    try:
        reply = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        return f"not UTF-8 JSON: {error}"
    messages = reply.get("messages") if isinstance(reply, dict) else None
    if set(reply) != {"messages"} or not isinstance(messages, list) or not messages:
        return "not {'messages': [...]} with a message"
    for message in messages:
        if not isinstance(message, dict) or set(message) != {"text", "buttons", "files"} or not isinstance(message["text"], str):
            return "a message without text, buttons and files"
    return None


class Session:
    """One `chat --jsonl` process; read_reply waits for one line at most `hang` seconds."""

    def __init__(self, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "chat", "--jsonl"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT, env=env
        )
        self.selector = selectors.DefaultSelector()
        self.selector.register(self.process.stdout, selectors.EVENT_READ)
        self.pending = b""

    def send(self, line: bytes) -> bool:
        try:
            self.process.stdin.write(line + b"\n")
            self.process.stdin.flush()
            return True
        except BrokenPipeError:
            return False

    def read_reply(self, hang: float) -> bytes | None:
        """The next output line; b"" if the process ended; None if nothing came in time."""
        deadline = time.monotonic() + hang
        while b"\n" not in self.pending:
            left = deadline - time.monotonic()
            if left <= 0 or not self.selector.select(left):
                return None
            chunk = os.read(self.process.stdout.fileno(), 1 << 16)
            if not chunk:
                return b""
            self.pending += chunk
        line, _, self.pending = self.pending.partition(b"\n")
        return line

    def close(self) -> str:
        """End the process; its stderr."""
        self.process.stdin.close()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)
        return self.process.stderr.read().decode("utf-8", "replace")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--inputs", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument("--hang", type=float, default=10.0, help="seconds without an answer that count as a hang")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as data_dir:
        env = {**os.environ, "BOT_DATA_DIR": data_dir}
        session = Session(env)
        exits = hangs = violations = apologies = processes = 0
        stderr = ""
        shown: list[str] = []
        latencies: list[tuple[float, bytes]] = []
        examples: list[str] = []
        started = time.perf_counter()
        for _ in range(args.inputs):
            line = random_line(rng, shown)
            sent = time.perf_counter()
            reply = session.read_reply(args.hang) if session.send(line) else b""
            if reply is None or reply == b"":
                hangs += reply is None
                exits += reply == b""
                examples.append(f"{'hang' if reply is None else 'exit'} after {line[:80]!r}")
                stderr += session.close()
                processes += 1
                session, shown = Session(env), []
                continue
            latencies.append((time.perf_counter() - sent, line))
            problem = violation(reply)
            if problem:
                violations += 1
                examples.append(f"violation ({problem}) after {line[:80]!r}")
                continue
            messages = json.loads(reply)["messages"]
            if any(m["text"].startswith(sorry.partition("{")[0][:20]) for m in messages for sorry in APOLOGY.values()):
                apologies += 1
                examples.append(f"apology after {line[:80]!r}")
            shown = [b["data"] for m in messages for b in m["buttons"]] or shown
        stderr += session.close()
        elapsed = time.perf_counter() - started
    latencies.sort()
    print(f"inputs: {args.inputs} through {processes + 1} process(es) in {elapsed:.1f} s (seed {args.seed})")
    print(f"exits: {exits}   hangs: {hangs}   protocol violations: {violations}   (goal 0 / 0 / 0)")
    print(f"apologies from the error boundary: {apologies}   stderr lines: {len(stderr.splitlines())}")
    if latencies:
        p99 = latencies[int(len(latencies) * 0.99) - 1][0]
        median = statistics.median(seconds for seconds, _ in latencies)
        slowest, line = latencies[-1]
        print(f"answer time: median {median * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms, max {slowest * 1000:.0f} ms")
        print(f"  slowest: {len(line):,} bytes, {line[:40]!r}")
    for example in examples[:10]:
        print("  " + example)
    for line in stderr.splitlines()[:10]:
        print("  stderr: " + line)


if __name__ == "__main__":
    main()
