"""Two real processes step one chat at the same moment, on SQLite and on Redis: no answer may be lost.

Each process sends its messages to the same chat through BotService and the real store, with an engine that
records every message it steps in the chat's state (the real engine's answers to questions leave nothing to
count). Afterwards the state must hold every message exactly once, each process's in the order it sent them:
as if the messages had come one after the other. Run as a module, this file is the worker; `--naive`
saves without the compare-and-set, the way the stores did before (benchmarks/store_concurrency.py shows
what that loses).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid

import pytest

from bot.model import ChatState, Event, Reply
from tests.conftest import ROOT

MESSAGES = 300  # per process


class Recorder:
    """An engine that keeps a list of every message it was given."""

    def step(self, state: ChatState, event: Event) -> tuple[ChatState, list[Reply]]:
        state = state.copy()
        state.flows.setdefault("log", {"seen": []})["seen"].append(event.text)
        return state, [Reply("ok")]


def race(store_url: str, processes: int = 2, messages: int = MESSAGES, naive: bool = False) -> dict:
    """Start the workers, let them go at once, and count: sent, lost, duplicated, out of order, apologies."""
    from bot.store import open_store

    chat_id = f"race-{uuid.uuid4().hex}"
    command = [sys.executable, "-m", "tests.test_concurrency", store_url, chat_id, str(messages)] + (["--naive"] if naive else [])
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    workers = [
        subprocess.Popen([*command, f"p{n}"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT, env=env)
        for n in range(processes)
    ]
    try:
        for worker in workers:
            assert worker.stdout.readline().strip() == "ready"
        for worker in workers:  # as close to the same moment as two pipes allow
            worker.stdin.write("go\n")
            worker.stdin.flush()
        results = [json.loads(worker.stdout.readline()) for worker in workers]
    finally:
        for worker in workers:
            worker.stdin.close()
            worker.wait(60)
    store = open_store(store_url)
    seen = (store.load(chat_id).flows.get("log") or {}).get("seen", [])
    store.delete(chat_id)
    sent = processes * messages
    return {
        "sent": sent,
        "lost": sent - len(set(seen)),
        "duplicated": len(seen) - len(set(seen)),
        "out_of_order": sum(
            [m for m in seen if m.startswith(f"p{n}-")] != [f"p{n}-{i}" for i in range(messages) if f"p{n}-{i}" in seen]
            for n in range(processes)
        ),
        "apologies": sum(r["apologies"] for r in results),
        "conflicts": sum(r["conflicts"] for r in results),
        "worst_ms": max(r["worst_ms"] for r in results),
        "seconds": max(r["seconds"] for r in results),
    }


@pytest.mark.parametrize("kind", ["sqlite", "redis"])
def test_two_processes_on_one_chat_lose_no_answer(kind, tmp_path, request):
    url = str(tmp_path / "state.sqlite3") if kind == "sqlite" else request.getfixturevalue("redis_url")
    figures = race(url)
    print(f"\n{kind}: {figures}")
    assert figures["lost"] == figures["duplicated"] == figures["out_of_order"] == figures["apologies"] == 0, figures


def _work(argv: list[str]) -> None:
    """One worker: wait for "go" on stdin, send the messages, print what it saw as one JSON line."""
    from bot.service import BotService
    from bot.store import open_store

    store_url, chat_id, count, name = argv[0], argv[1], int(argv[2]), argv[-1]
    naive = "--naive" in argv
    store = open_store(store_url)
    service = BotService(store, Recorder())
    conflicts = 0
    write = store.write

    def counted(*args, **kwargs) -> bool:
        nonlocal conflicts
        done = write(*args, **kwargs)
        conflicts += not done
        return done

    store.write = counted
    print("ready", flush=True)
    sys.stdin.readline()
    start = time.perf_counter()
    worst, apologies = 0.0, 0
    for n in range(count):
        began = time.perf_counter()
        if naive:  # load, step, save: what every store did before compare-and-set
            state, replies = Recorder().step(store.load(chat_id), Event(chat_id, f"{name}-{n}", None))
            store.save(chat_id, state)
        else:
            replies = service.handle(chat_id, f"{name}-{n}")
        worst = max(worst, time.perf_counter() - began)
        apologies += replies[0].text != "ok"
    print(json.dumps({"apologies": apologies, "conflicts": conflicts, "worst_ms": round(worst * 1000, 1),
                      "seconds": round(time.perf_counter() - start, 2)}), flush=True)


if __name__ == "__main__":
    _work(sys.argv[1:])
