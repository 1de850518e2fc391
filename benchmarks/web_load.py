"""Load on the web transport: POST /api/ask and POST /api/chat under concurrent clients, against one `bot web`
process (SQLite) and three replicas on one redis-server, beside the in-process `ask` rate of the same run.

Goals (issue 12): one process serves /api/ask at >= 50% of the in-process rate with 50 clients, and with p99
<= 50 ms at 10 clients.

    python benchmarks/web_load.py [--seconds 5] [--clients 50]

Redis: REDIS_URL if set, else a redis-server started here on a free port (skipped without one). Every request
goes to 127.0.0.1 only; each run is bounded in time and stops by itself. The clients are keep-alive HTTP/1.1
connections on one asyncio loop in this process (a minimal client, so the load generator costs less than the
server it measures; on a 2-core machine they share the CPU, which the figures include).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.webproc import WebProcess, free_port  # noqa: E402

def _questions() -> list[str]:
    """The tests' question set (the same as benchmarks/ask_speed.py): hundreds of different questions."""
    import yaml

    return [item["q"] for item in yaml.safe_load((ROOT / "tests" / "questions.yaml").read_text(encoding="utf-8"))]


QUESTIONS = _questions()
CHAT_TEXTS = ["报告邮箱是什么", "/contacts", "关基出事了几个小时内要报", "/faq", "CII deadline"]


def in_process_rate(seconds: float) -> float:
    from bot.knowledge import load

    kb = load()
    count, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        kb.ask(QUESTIONS[count % len(QUESTIONS)])
        count += 1
    return count / (time.perf_counter() - started)


async def client(host: str, port: int, path: str, bodies, stop_at: float, latencies: list[float], errors: list[str]) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    number = 0
    try:
        while time.perf_counter() < stop_at:
            body = json.dumps(bodies(number), ensure_ascii=False).encode()
            number += 1
            request = (
                f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n\r\n"
            ).encode() + body
            started = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - started)
            if status != 200:
                errors.append(str(status))
    except (OSError, asyncio.IncompleteReadError) as error:
        errors.append(type(error).__name__)
    finally:
        writer.close()


def load(urls: list[str], path: str, clients: int, seconds: float, bodies_for) -> dict:
    async def run() -> tuple[list[float], list[str], float]:
        latencies: list[float] = []
        errors: list[str] = []
        started = time.perf_counter()
        stop_at = started + seconds
        tasks = []
        for number in range(clients):
            host_port = urls[number % len(urls)].removeprefix("http://")
            host, port = host_port.split(":")
            tasks.append(client(host, int(port), path, bodies_for(number), stop_at, latencies, errors))
        await asyncio.gather(*tasks)
        return latencies, errors, time.perf_counter() - started

    latencies, errors, elapsed = asyncio.run(run())
    ordered = sorted(latencies)
    return {
        "requests": len(latencies),
        "rate": len(latencies) / elapsed,
        "p50_ms": 1000 * statistics.median(ordered) if ordered else float("nan"),
        "p99_ms": 1000 * ordered[int(len(ordered) * 0.99) - 1] if len(ordered) >= 100 else float("nan"),
        "errors": len(errors),
    }


def ask_bodies(number: int):
    return lambda i: {"q": QUESTIONS[(number + i) % len(QUESTIONS)]}


def chat_bodies(number: int):
    chat_id = f"load-{os.getpid()}-{number}"
    return lambda i: {"text": CHAT_TEXTS[i % len(CHAT_TEXTS)], "chat_id": chat_id, "message_id": f"{i}"}


def show(label: str, result: dict, in_process: float | None = None) -> None:
    share = f"  = {100 * result['rate'] / in_process:.0f}% of in-process" if in_process else ""
    print(
        f"{label:<44} {result['rate']:8.0f} req/s  p50 {result['p50_ms']:6.1f} ms  p99 {result['p99_ms']:6.1f} ms"
        f"  ({result['requests']} requests, {result['errors']} errors){share}"
    )


def redis_server(workdir: Path):
    if os.environ.get("REDIS_URL"):
        return os.environ["REDIS_URL"], None
    binary = shutil.which("redis-server")
    if not binary:
        return None, None
    port = free_port()
    process = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(workdir)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    return f"redis://127.0.0.1:{port}/0", process


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="how long each measurement runs")
    parser.add_argument("--clients", type=int, default=50)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="web-load-"))
    env = {"BOT_DATA_DIR": str(workdir / "data")}

    rate = in_process_rate(args.seconds)
    print(f"{'in-process ask (one thread)':<44} {rate:8.0f} answers/s")

    one = WebProcess(workdir, "--store", str(workdir / "state.sqlite3"), "--rate-limit", "0", env=env, name="one").start()
    try:
        load([one.url], "/api/ask", 5, 1.0, ask_bodies)  # warm up
        ask50 = load([one.url], "/api/ask", args.clients, args.seconds, ask_bodies)
        show(f"one process, /api/ask, {args.clients} clients", ask50, rate)
        ask10 = load([one.url], "/api/ask", 10, args.seconds, ask_bodies)
        show("one process, /api/ask, 10 clients", ask10, rate)
        chat50 = load([one.url], "/api/chat", args.clients, args.seconds, chat_bodies)
        show(f"one process (SQLite), /api/chat, {args.clients} clients", chat50)
    finally:
        one.stop()

    redis_url, redis_process = redis_server(workdir)
    if redis_url is None:
        print("three replicas on Redis: skipped (no redis-server and no REDIS_URL)")
    else:
        replicas = [WebProcess(workdir, "--store", redis_url, "--rate-limit", "0", env=env, name=f"replica{i}").start() for i in range(3)]
        try:
            urls = [r.url for r in replicas]
            load(urls, "/api/ask", 6, 1.0, ask_bodies)
            show(f"three replicas, /api/ask, {args.clients} clients", load(urls, "/api/ask", args.clients, args.seconds, ask_bodies), rate)
            show(f"three replicas (Redis), /api/chat, {args.clients} clients", load(urls, "/api/chat", args.clients, args.seconds, chat_bodies))
        finally:
            for replica in replicas:
                replica.stop()
            if redis_process:
                redis_process.terminate()
                redis_process.wait(10)

    print()
    print(f"goal: /api/ask at >= 50% of the in-process rate with {args.clients} clients: "
          f"{'met' if ask50['rate'] >= 0.5 * rate else 'NOT met'} ({100 * ask50['rate'] / rate:.0f}%)")
    print(f"goal: p99 <= 50 ms at 10 clients: {'met' if ask10['p99_ms'] <= 50 else 'NOT met'} ({ask10['p99_ms']:.1f} ms)")
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
