"""Two real processes step one chat at the same moment, on SQLite and on Redis: no answer may be lost.

Each process sends its messages to the same chat through BotService and the real store, with an engine that
records every message it steps in the chat's state (the real engine's answers to questions leave nothing to
count). Afterwards the state must hold every message exactly once, each process's in the order it sent them:
as if the messages had come one after the other. Two processes taking the same due reminders (two replicas)
must deliver each exactly once. Run as a module, this file is the worker; `naive` saves without the
compare-and-set, the way the stores did before (benchmarks/store_concurrency.py shows what that loses).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from datetime import timedelta

import pytest

from bot.model import ChatState, Event, Reply
from bot.timeutil import now_shanghai
from tests.conftest import ROOT

MESSAGES = 300  # per process
CHATS = 200  # with one due reminder each, for the reminder race


class Recorder:
    """An engine that keeps a list of every message it was given."""

    def step(self, state: ChatState, event: Event) -> tuple[ChatState, list[Reply]]:
        state = state.copy()
        state.flows.setdefault("log", {"seen": []})["seen"].append(event.text)
        return state, [Reply("ok")]


def race(store_url: str, processes: int = 2, messages: int = MESSAGES, naive: bool = False) -> dict:
    """Let the workers message one chat at once, and count: sent, lost, duplicated, out of order, apologies."""
    from bot.store import open_store

    chat_id = f"race-{uuid.uuid4().hex}"
    results = run_workers(processes, "naive" if naive else "messages", store_url, chat_id, messages)
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


def reminder_race(store_url: str, processes: int = 2, chats: int = CHATS) -> dict:
    """Give `chats` chats one due reminder each, let the workers take them all at once; count deliveries."""
    from bot.store import open_store

    prefix = f"remind-{uuid.uuid4().hex}"
    store = open_store(store_url)
    due = (now_shanghai() - timedelta(minutes=1)).isoformat(timespec="seconds")
    for n in range(chats):
        store.save(f"{prefix}-{n}", ChatState(lang="zh", reminders=[{"at": due, "deadline": due, "text": {"zh": f"{n}"}}]))
    results = run_workers(processes, "reminders", store_url, prefix, chats)
    delivered = [n for r in results for n in r["delivered"]]
    for n in range(chats):
        store.delete(f"{prefix}-{n}")
    return {"reminders": chats, "undelivered": chats - len(set(delivered)), "duplicated": len(delivered) - len(set(delivered)),
            "conflicts": sum(r["conflicts"] for r in results)}


def run_workers(processes: int, *args: object) -> list[dict]:
    """Start the workers, wait until all are ready, say go to all at once, and collect their reports."""
    command = [sys.executable, "-m", "tests.test_concurrency", *map(str, args)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    workers = [
        subprocess.Popen([*command, f"p{n}"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT, env=env)
        for n in range(processes)
    ]
    try:
        for worker in workers:
            assert worker.stdout.readline().strip() == "ready"
        for worker in workers:  # as close to the same moment as pipes allow
            worker.stdin.write("go\n")
            worker.stdin.flush()
        return [json.loads(worker.stdout.readline()) for worker in workers]
    finally:
        for worker in workers:
            worker.stdin.close()
            worker.wait(60)


@pytest.fixture(params=["sqlite", "redis"])
def store(request, tmp_path):
    """(name, URL) of a fresh SQLite file or the test Redis server."""
    return request.param, str(tmp_path / "state.sqlite3") if request.param == "sqlite" else request.getfixturevalue("redis_url")


def test_two_processes_on_one_chat_lose_no_answer(store):
    figures = race(store[1])
    print(f"\n{store[0]}: {figures}")
    assert figures["lost"] == figures["duplicated"] == figures["out_of_order"] == figures["apologies"] == 0, figures


def test_two_processes_deliver_each_due_reminder_exactly_once(store):
    figures = reminder_race(store[1])
    print(f"\n{store[0]}: {figures}")
    assert figures["undelivered"] == figures["duplicated"] == 0, figures


def _work(mode: str, store_url: str, target: str, count: int, name: str) -> None:
    """One worker: wait for "go" on stdin, do its part, print what it saw as one JSON line.

    messages: send `count` messages to chat `target`; naive: the same by load, step, save (what every store
    did before compare-and-set); reminders: take the due reminders of chats `target`-0 … `target`-(count-1)."""
    from bot.service import BotService
    from bot.store import open_store

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
    worst, apologies, delivered = 0.0, 0, []
    for n in range(count):
        began = time.perf_counter()
        if mode == "reminders":
            delivered += [int(reply.text) for reply in service.due_reminders(f"{target}-{n}")]
            continue
        if mode == "naive":
            state, replies = Recorder().step(store.load(target), Event(target, f"{name}-{n}", now_shanghai()))
            store.save(target, state)
        else:
            replies = service.handle(target, f"{name}-{n}")
        worst = max(worst, time.perf_counter() - began)
        apologies += replies[0].text != "ok"
    print(json.dumps({"apologies": apologies, "conflicts": conflicts, "delivered": delivered, "worst_ms": round(worst * 1000, 1),
                      "seconds": round(time.perf_counter() - start, 2)}), flush=True)


if __name__ == "__main__":
    _work(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5])
