"""Three real `bot web` processes on one redis-server serve the same chats: requests spread over them, one replica
killed (SIGKILL) mid-conversation, its requests retried elsewhere with the same message_id. Every chat ends
exactly where one process alone would have taken it; concurrent messages of one chat lose no update; a due
reminder is delivered once across replicas."""

from __future__ import annotations

import json
import re
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from bot.service import BotService
from bot.store.memory import MemoryStore
from bot.store.redis import RedisStore
from tests.webproc import WebProcess

SCRIPT = [
    "/assess", "assess:cii:no", "assess:central_state_organ:no", "assess:level:major", "assess:back",
    "assess:level:general", "/cancel", "报告邮箱是什么", "/contacts", "/report", "report:kind:initial", "示例单位",
    "report:skip", "/cancel", "关基出事了几个小时内要报", "/lang en", "CII deadline", "/faq",
]
CHATS = 6
NUMBER = re.compile(r"\d+")


def masked(messages: list[dict]) -> list[tuple[str, list[str]]]:
    return [(NUMBER.sub("#", m["text"]), [b["data"] for b in m["buttons"]]) for m in messages]


def twin_answers() -> list[list[tuple[str, list[str]]]]:
    """What one process alone answers to SCRIPT, message by message."""
    service = BotService(MemoryStore())
    return [masked([{"text": r.text, "buttons": [{"data": b.data} for b in r.buttons]} for r in service.handle("twin", text)]) for text in SCRIPT]


@pytest.fixture
def replicas(redis_url, tmp_path):
    started = [WebProcess(tmp_path, "--store", redis_url, "--rate-limit", "0", name=f"replica{i}").start() for i in range(3)]
    yield started
    for replica in started:
        replica.stop()


def post_chat(replicas, alive, start: int, body: dict) -> tuple[dict, bool]:
    """Post to the replica `start` (mod 3); a replica that is down (connection refused or reset) is skipped and the
    same body, with its message_id, goes to the next one. Returns the answer and whether it was a retry."""
    retried = False
    for offset in range(3):
        index = (start + offset) % 3
        if not alive[index]:
            retried = True
            continue
        try:
            response = httpx.post(replicas[index].url + "/api/chat", json=body, timeout=30)
        except httpx.TransportError:
            retried = True
            continue
        assert response.status_code == 200, response.text
        return response.json(), retried
    raise AssertionError("no replica answered")


def test_three_replicas_one_killed_mid_conversation(replicas, redis_url):
    expected = twin_answers()
    alive = [True, True, True]
    chat_ids = [f"replica-test-{uuid.uuid4().hex}" for _ in range(CHATS)]
    done = [0]
    halfway = threading.Event()
    lock = threading.Lock()
    failures: list[str] = []
    retries: list[bool] = []

    def converse(number: int) -> None:
        for step, text in enumerate(SCRIPT):
            body = {"text": text, "chat_id": chat_ids[number], "message_id": f"{number}-{step}"}
            answer, retried = post_chat(replicas, alive, number + step, body)
            got = masked(answer["messages"])
            # a retry of a message the dead replica had already stepped gets the replies of that step (kept with
            # the chat's state in the same write), never a second step
            if got != expected[step]:
                failures.append(f"chat {number} step {step} {text!r}: {got[:1]} != {expected[step][:1]}")
            with lock:
                retries.append(retried)
                done[0] += 1
                if done[0] >= CHATS * len(SCRIPT) // 2:
                    halfway.set()

    with ThreadPoolExecutor(CHATS) as pool:
        futures = [pool.submit(converse, number) for number in range(CHATS)]
        assert halfway.wait(120)
        replicas[2].kill()  # SIGKILL while the chats are mid-conversation, some requests in flight to it
        alive[2] = False
        for future in futures:
            future.result()
    assert not failures, "\n".join(failures)
    assert replicas[2].process.returncode == -9
    assert any(retries)  # requests did go to the killed replica and were retried elsewhere
    # every chat ended where one process alone would have: each message stepped exactly once
    store = RedisStore(redis_url)
    for chat_id in chat_ids:
        state = store.load(f"api:{chat_id}")
        assert state.lang == "en" and len(set(state.seen)) == len(state.seen) == len(SCRIPT)
    store.close()


def test_concurrent_messages_of_one_chat_on_three_replicas_lose_nothing(replicas, redis_url):
    chat_id = f"burst-{uuid.uuid4().hex}"
    ids = [f"b{i}" for i in range(30)]

    def one(i: int) -> int:
        body = {"text": "报告邮箱是什么", "chat_id": chat_id, "message_id": ids[i]}
        return httpx.post(replicas[i % 3].url + "/api/chat", json=body, timeout=30).status_code

    with ThreadPoolExecutor(15) as pool:
        assert set(pool.map(one, range(30))) == {200}
    store = RedisStore(redis_url)
    assert sorted(store.load(f"api:{chat_id}").seen) == sorted(f"api:{i}" for i in ids)  # each step saved
    # the same ids again, on other replicas: the first answers, nothing stepped
    again = httpx.post(replicas[1].url + "/api/chat", json={"text": "报告邮箱是什么", "chat_id": chat_id, "message_id": "b0"}).json()
    assert "12387@cert.org.cn" in again["messages"][0]["text"]
    assert len(store.load(f"api:{chat_id}").seen) == 30
    store.close()


def test_a_due_reminder_reaches_one_page_once_across_replicas(replicas, redis_url):
    cookie = None
    client = httpx.Client(base_url=replicas[0].url, timeout=30)
    client.get("/chat/history")
    cookie = client.cookies["ib_chat"]
    store = RedisStore(redis_url)
    key = f"web:{cookie}"
    state = store.load(key)
    state.reminders = [{"at": "2026-01-01T00:00:00+08:00", "deadline": "2026-01-01T00:15:00+08:00", "text": {"zh": "⏰ 提醒：一次", "en": "⏰ once"}}]
    store.save(key, state)
    got: list[str] = []
    lock = threading.Lock()

    def listen(replica: WebProcess) -> None:
        idle = 0
        with httpx.stream("GET", replica.url + "/chat/events", cookies={"ib_chat": cookie}, timeout=30) as stream:
            for line in stream.iter_lines():
                if line.startswith("data:"):
                    with lock:
                        got.append(json.loads(line[5:])["text"])
                elif line.startswith(": idle"):
                    idle += 1
                    if idle >= 4:  # each replica has looked at least four times
                        return

    threads = [threading.Thread(target=listen, args=(replica,)) for replica in replicas]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert got == ["⏰ 提醒：一次"]
    assert store.load(key).reminders == []
    history = [m["text"] for m in client.get("/chat/history").json()["messages"]]
    assert history.count("⏰ 提醒：一次") == 1
    store.close()


def test_a_store_that_goes_away_is_a_500_with_an_id_never_a_trace(tmp_path):
    import shutil
    import subprocess
    import time

    from tests.webproc import free_port

    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("no redis-server")
    port = free_port()
    server = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(tmp_path)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True).stdout.strip() != b"PONG":
            assert time.monotonic() < deadline
            time.sleep(0.05)
        web = WebProcess(tmp_path, "--store", f"redis://127.0.0.1:{port}/0").start()
    finally:
        server.terminate()
        server.wait(10)
    try:
        assert httpx.get(web.url + "/healthz").status_code == 503
        response = httpx.post(web.url + "/api/chat", json={"text": "你好"}, timeout=30)
        assert response.status_code in (200, 500)
        if response.status_code == 500:
            error_id = re.fullmatch(r"internal error ([0-9a-f]{8}); please report it", response.json()["error"]).group(1)
            assert f"error {error_id} (ConnectionError)" in web.log()
        else:  # the core's own boundary answered: the one-line apology with its id
            assert "错误编号" in response.json()["messages"][0]["text"]
        assert "Traceback" not in web.log() and "你好" not in web.log()
    finally:
        web.stop()
