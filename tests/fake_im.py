"""What the fakes of Feishu, DingTalk and WeCom share: an aiohttp server on 127.0.0.1 in its own thread, a
record of what the bot sent to each chat, failures to serve when told to, and the bot as a subprocess.

A message the bot sent is a `Msg`: its text, its buttons as (label, data) pairs (data None when the platform
shows them as numbered options), and a file as (name, bytes).
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from aiohttp import web

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Msg:
    chat: str
    text: str | None = None
    buttons: list[tuple[str, str | None]] = field(default_factory=list)
    file: tuple[str, bytes] | None = None
    raw: Any = field(default=None, repr=False)

    @property
    def button_data(self) -> list[str]:
        return [data for _, data in self.buttons if data is not None]


class FakeServer:
    """Subclasses add routes in `routes(app)`; tests call the synchronous methods from their own thread."""

    name = "fake"

    def __init__(self, port: int = 0) -> None:
        self.port = port
        self.cond = threading.Condition()
        self.sent: dict[str, list[Msg]] = defaultdict(list)
        self.calls: list[tuple[str, Any]] = []
        self.failures: dict[str, list[Any]] = defaultdict(list)
        self.failures_served: list[tuple[str, Any]] = []
        self.loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self.ws: web.WebSocketResponse | None = None  # the platform's long connection, while the bot holds it

    def routes(self, app: web.Application) -> None:
        raise NotImplementedError

    # ------------------------------------------------------------------ life cycle
    def start(self) -> "FakeServer":
        ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, args=(ready,), name=self.name, daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError(f"{self.name} did not start")
        return self

    def _serve(self, ready: threading.Event) -> None:
        self.loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self.loop)
        app = web.Application(client_max_size=64 * 1024 * 1024)
        self.routes(app)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1)
        self.loop.run_until_complete(self._runner.setup())
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        self.port = listener.getsockname()[1]
        self.loop.run_until_complete(web.SockSite(self._runner, listener).start())
        ready.set()
        self.loop.run_forever()
        self.loop.close()

    def stop(self) -> None:
        if self.loop and self._runner:
            try:
                self.call(self._close_all(), 10)
                asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self.loop).result(10)
            finally:
                self.loop.call_soon_threadsafe(self.loop.stop)
        if self._thread:
            self._thread.join(10)

    async def _close_all(self) -> None:
        """Close the platform's long connection, if one is open."""
        if self.ws is not None:
            await self.ws.close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def call(self, coro: Any, timeout: float = 10) -> Any:
        """Run a coroutine on the server's loop from the test's thread."""
        assert self.loop is not None
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    # ------------------------------------------------------------------ records
    def record(self, msg: Msg) -> None:
        with self.cond:
            self.sent[msg.chat].append(msg)
            self.cond.notify_all()

    def note(self, what: str, params: Any = None) -> None:
        with self.cond:
            self.calls.append((what, params))
            self.cond.notify_all()

    def take_failure(self, what: str) -> Any:
        with self.cond:
            if self.failures[what]:
                failure = self.failures[what].pop(0)
                self.failures_served.append((what, failure))
                return failure
        return None

    def fail_next(self, what: str, failure: Any = True) -> None:
        with self.cond:
            self.failures[what].append(failure)

    def messages(self, chat: str) -> list[Msg]:
        with self.cond:
            return list(self.sent[chat])

    def count(self, what: str) -> int:
        with self.cond:
            return sum(1 for name, _ in self.calls if name == what)

    def wait_for(self, condition: Callable[[], bool], timeout: float = 20.0, what: str = "a condition") -> None:
        with self.cond:
            if not self.cond.wait_for(condition, timeout):
                raise AssertionError(f"timed out after {timeout} s waiting for {what}")


class ImProcess:
    """`python -m bot <platform> …` as a subprocess against a fake; output in a file, state in `workdir`."""

    def __init__(self, platform: str, args: list[str], env: dict[str, str], workdir: Path, store: str | None = None) -> None:
        self.platform = platform
        self.store = store or str(workdir / "state.sqlite3")
        self.log = workdir / f"{platform}.log"
        inherited = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("FEISHU_", "DINGTALK_", "WECOM_", "TELEGRAM_")) and k != "BOT_STORE" and not k.lower().endswith("_proxy")
        }
        self.args = [*args, "--store", self.store]
        self.env = {**inherited, "BOT_DATA_DIR": str(workdir / "data"), **env}
        self.process: subprocess.Popen | None = None

    def spawn(self) -> subprocess.Popen:
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen([sys.executable, "-m", "bot", self.platform, *self.args], cwd=ROOT, env=self.env, stdout=log, stderr=log)
        return self.process

    def start(self, ready: Callable[[], bool], fake: FakeServer) -> "ImProcess":
        self.spawn()
        try:
            fake.wait_for(lambda: ready() or self.process.poll() is not None, 60, f"{self.platform} to connect")
        except AssertionError:
            self.stop()
            raise AssertionError(f"the bot did not start:\n{self.output()}") from None
        if self.process.poll() is not None:
            raise AssertionError(f"the bot exited with {self.process.returncode}:\n{self.output()}")
        return self

    def kill9(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> int | None:
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        return self.process.returncode

    def wait_exit(self, timeout: float = 30) -> int:
        assert self.process is not None
        return self.process.wait(timeout)

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""

    def rss_kib(self) -> int:
        assert self.process is not None
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        return int(re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE).group(1))  # type: ignore[union-attr]


def wait_until(condition: Callable[[], bool], timeout: float = 20.0, what: str = "a condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.02)
