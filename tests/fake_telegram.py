"""A fake Telegram Bot API server for end-to-end tests and benchmarks: real HTTP on 127.0.0.1.

It speaks the Bot API at /bot<token>/<method> the way api.telegram.org does (JSON, form-encoded or multipart
requests; {"ok": …} answers; 401 for a wrong token, 404 for an unknown method; getUpdates long polling with
offset confirmation; 409 for getUpdates while a webhook is set), runs its own event loop in a thread, and
offers a synchronous API to tests: inject users' messages and button presses, read what the bot sent, make the
next call of a method fail (429 with retry_after, or a 5xx).
"""

from __future__ import annotations

import asyncio
import itertools
import json
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
BOT_ID = 123
TOKEN = f"{BOT_ID}:TEST"
BOT_USERNAME = "incident_test_bot"
BOT_USER = {
    "id": BOT_ID,
    "is_bot": True,
    "first_name": "Incident Test Bot",
    "username": BOT_USERNAME,
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
JSON_FIELDS = {"reply_markup", "commands", "scope", "link_preview_options", "allowed_updates", "reply_parameters", "entities"}
COMMAND = re.compile(r"^/[A-Za-z0-9_]+(?:@[A-Za-z0-9_]+)?")
MENTION = re.compile(r"@[A-Za-z0-9_]{3,}")


@dataclass
class Sent:
    """One message the bot sent: its text (or document) and inline keyboard, and the message as returned."""

    method: str
    chat_id: int
    text: str | None
    buttons: list[list[tuple[str, str]]]
    document: tuple[str, bytes] | None
    message: dict[str, Any] = field(repr=False)

    @property
    def button_data(self) -> list[str]:
        return [data for row in self.buttons for _, data in row]


@dataclass
class Failure:
    status: int
    description: str
    retry_after: int | None


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def entities_of(text: str) -> list[dict[str, Any]]:
    """The bot_command and mention entities Telegram attaches to a text (offsets in UTF-16 units)."""
    found = []
    if match := COMMAND.match(text):
        found.append({"type": "bot_command", "offset": 0, "length": utf16_len(match.group())})
    for match in MENTION.finditer(text):
        if match.start() > 0 and text[match.start() - 1] not in " \n":
            continue
        found.append({"type": "mention", "offset": utf16_len(text[: match.start()]), "length": utf16_len(match.group())})
    return found


class FakeTelegram:
    def __init__(self, token: str = TOKEN, port: int = 0) -> None:
        """port 0: a free one; a given port lets a bot be started against the server before it is up."""
        self.token = token
        self.port = port
        self.webhook: dict[str, Any] = {}
        self._cond = threading.Condition()
        self._updates: list[dict[str, Any]] = []
        self._next_update_id = itertools.count(1)
        self._next_message_id = itertools.count(1)
        self._confirmed = 0  # updates below this id were confirmed by an offset
        self._sent: dict[int, list[Sent]] = defaultdict(list)
        self._read: dict[int, int] = defaultdict(int)
        self._calls: list[tuple[str, dict[str, Any]]] = []
        self._failures: dict[str, list[Failure]] = defaultdict(list)
        self.failures_served: list[tuple[str, int]] = []
        self._chats: dict[int, dict[str, Any]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._new_update: asyncio.Event | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._closing = False

    # ------------------------------------------------------------------ life cycle
    def start(self) -> "FakeTelegram":
        ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, args=(ready,), name="fake-telegram", daemon=True)
        self._thread.start()
        if not ready.wait(10) or not self.port:
            raise RuntimeError("the fake Bot API server did not start")
        return self

    def stop(self) -> None:
        """Answer pending long polls at once (a killed bot's poll would hold the shutdown), then stop."""
        self._closing = True
        if self._loop and self._new_update:
            self._loop.call_soon_threadsafe(self._new_update.set)
        if self._loop and self._runner:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread:
            self._thread.join(10)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _serve(self, ready: threading.Event) -> None:
        self._loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self._loop)
        self._new_update = asyncio.Event()
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        self._loop.run_until_complete(self._runner.setup())
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # a restarted fake takes its port back
        listener.bind(("127.0.0.1", self.port))  # a free port (0), known before serving
        self.port = listener.getsockname()[1]
        self._loop.run_until_complete(web.SockSite(self._runner, listener).start())
        ready.set()
        self._loop.run_forever()
        self._loop.close()

    # ------------------------------------------------------------------ what users do
    def chat(self, chat_id: int, kind: str = "private") -> dict[str, Any]:
        if chat_id not in self._chats:
            self._chats[chat_id] = (
                {"id": chat_id, "type": "private", "first_name": "Tester"}
                if kind == "private"
                else {"id": chat_id, "type": kind, "title": "Incident room"}
            )
        return self._chats[chat_id]

    def user(self, user_id: int, language_code: str | None) -> dict[str, Any]:
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": "Tester"}
        if language_code:
            user["language_code"] = language_code
        return user

    def send_message(
        self,
        chat_id: int,
        text: str,
        *,
        language_code: str | None = "zh-hans",
        kind: str = "private",
        user_id: int | None = None,
        reply_to: dict[str, Any] | None = None,
    ) -> int:
        """A user types `text` in a chat; returns the update id."""
        message: dict[str, Any] = {
            "message_id": next(self._next_message_id),
            "date": int(time.time()),
            "chat": self.chat(chat_id, kind),
            "from": self.user(user_id or abs(chat_id), language_code),
            "text": text,
        }
        if entities := entities_of(text):
            message["entities"] = entities
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        return self.inject({"message": message})

    def press(self, sent: Sent, data: str, *, language_code: str | None = "zh-hans", user_id: int | None = None) -> int:
        """A user presses the inline button with `data` under a message the bot sent; returns the update id."""
        if data not in sent.button_data:
            raise AssertionError(f"no button {data!r} under that message: {sent.button_data}")
        query = {
            "id": f"q{next(self._next_message_id)}",
            "from": self.user(user_id or abs(sent.chat_id), language_code),
            "chat_instance": f"ci{sent.chat_id}",
            "message": sent.message,
            "data": data,
        }
        return self.inject({"callback_query": query})

    def inject(self, body: dict[str, Any]) -> int:
        """Queue any update (the update_id is added); returns the update id."""
        with self._cond:
            update_id = next(self._next_update_id)
            self._updates.append({"update_id": update_id, **body})
        if self._loop and self._new_update:
            self._loop.call_soon_threadsafe(self._new_update.set)
        return update_id

    def make_update(self, body: dict[str, Any]) -> dict[str, Any]:
        """An update with a fresh id that is not queued (for posting to a webhook)."""
        with self._cond:
            return {"update_id": next(self._next_update_id), **body}

    # ------------------------------------------------------------------ what tests read
    def wait_sent(self, chat_id: int, count: int, timeout: float = 15.0) -> list[Sent]:
        """The next `count` messages the bot sent to a chat (after those already read); fails on timeout."""
        with self._cond:
            start = self._read[chat_id]
            if not self._cond.wait_for(lambda: len(self._sent[chat_id]) >= start + count, timeout):
                got = [s.text or s.document for s in self._sent[chat_id][start:]]
                raise AssertionError(f"chat {chat_id}: expected {count} message(s), got {len(got)} in {timeout} s: {got}")
            self._read[chat_id] = start + count
            return self._sent[chat_id][start : start + count]

    def sent_count(self) -> int:
        """How many messages the bot has sent, to all chats."""
        with self._cond:
            return sum(len(sent) for sent in self._sent.values())

    def sent_to(self, chat_id: int) -> list[Sent]:
        with self._cond:
            return list(self._sent[chat_id])

    def calls(self, method: str) -> list[dict[str, Any]]:
        with self._cond:
            return [params for name, params in self._calls if name == method]

    def wait_for(self, condition: Callable[[], bool], timeout: float = 15.0, what: str = "a condition") -> None:
        with self._cond:
            if not self._cond.wait_for(condition, timeout):
                raise AssertionError(f"timed out after {timeout} s waiting for {what}")

    def wait_call(self, method: str, count: int = 1, timeout: float = 30.0) -> list[dict[str, Any]]:
        self.wait_for(lambda: len([1 for name, _ in self._calls if name == method]) >= count, timeout, f"{count}× {method}")
        return self.calls(method)

    def wait_confirmed(self, update_id: int, timeout: float = 15.0) -> None:
        """Until the bot has fetched the update and confirmed it with a later getUpdates offset."""
        self.wait_for(lambda: self._confirmed > update_id, timeout, f"update {update_id} to be confirmed")

    def fail_next(self, method: str, status: int = 429, retry_after: int | None = 1) -> None:
        """The next call of `method` fails: 429 Too Many Requests with retry_after, or another status."""
        description = f"Too Many Requests: retry after {retry_after}" if status == 429 else "Internal Server Error"
        with self._cond:
            self._failures[method].append(Failure(status, description, retry_after if status == 429 else None))

    # ------------------------------------------------------------------ the Bot API
    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        method = request.match_info["method"]
        params = await _params(request)
        with self._cond:
            self._calls.append((method, params))
            self._cond.notify_all()
            failure = self._failures[method].pop(0) if self._failures[method] else None
            if failure:
                self.failures_served.append((method, failure.status))
        if failure:
            return _error(failure.status, failure.description, {"retry_after": failure.retry_after} if failure.retry_after else None)
        if method.lower() == "getupdates":
            return await self._get_updates(params)
        handler = getattr(self, f"_api_{method.lower()}", None)
        if handler is None:
            return _error(404, "Not Found: method not found")
        return handler(params)

    async def _get_updates(self, params: dict[str, Any]) -> web.Response:
        if self.webhook.get("url"):
            return _error(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first")
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        deadline = time.monotonic() + float(params.get("timeout") or 0)
        assert self._new_update is not None
        while True:
            with self._cond:
                if offset:
                    self._updates = [u for u in self._updates if u["update_id"] >= offset]
                    self._confirmed = max(self._confirmed, offset)
                    self._cond.notify_all()
                pending = self._updates[:limit]
            remaining = deadline - time.monotonic()
            if pending or remaining <= 0 or self._closing:
                return _ok(pending)
            self._new_update.clear()
            try:
                await asyncio.wait_for(self._new_update.wait(), remaining)
            except TimeoutError:
                pass

    def _record(self, method: str, chat_id: int, text: str | None, markup: Any, document: tuple[str, bytes] | None, extra: dict) -> web.Response:
        message: dict[str, Any] = {
            "message_id": next(self._next_message_id),
            "date": int(time.time()),
            "chat": self.chat(chat_id),
            "from": BOT_USER,
            **extra,
        }
        if text is not None:
            message["text"] = text
        buttons: list[list[tuple[str, str]]] = []
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            message["reply_markup"] = markup
            buttons = [[(b["text"], b.get("callback_data", "")) for b in row] for row in markup["inline_keyboard"]]
        with self._cond:
            self._sent[chat_id].append(Sent(method, chat_id, text, buttons, document, message))
            self._cond.notify_all()
        return _ok(message)

    def _api_getme(self, params: dict[str, Any]) -> web.Response:
        return _ok(BOT_USER)

    def _api_sendmessage(self, params: dict[str, Any]) -> web.Response:
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            return _error(400, "Bad Request: message text is empty")
        if utf16_len(text) > 4096:
            return _error(400, "Bad Request: message is too long")
        markup = params.get("reply_markup")
        error = _check_markup(markup)
        if error:
            return _error(400, error)
        return self._record("sendMessage", int(params["chat_id"]), text, markup, None, {})

    def _api_senddocument(self, params: dict[str, Any]) -> web.Response:
        document = params.get("document")
        if isinstance(document, str) and document.startswith("attach://"):
            document = params.get(document.removeprefix("attach://"))
        if not isinstance(document, tuple):
            return _error(400, "Bad Request: there is no document in the request")
        name, content = document
        info = {"file_id": f"file{next(self._next_message_id)}", "file_unique_id": "u", "file_name": name, "file_size": len(content)}
        return self._record("sendDocument", int(params["chat_id"]), None, params.get("reply_markup"), document, {"document": info})

    def _api_answercallbackquery(self, params: dict[str, Any]) -> web.Response:
        return _ok(True)

    def _api_editmessagetext(self, params: dict[str, Any]) -> web.Response:
        return _ok(True)

    def _api_editmessagereplymarkup(self, params: dict[str, Any]) -> web.Response:
        return _ok(True)

    def _api_sendchataction(self, params: dict[str, Any]) -> web.Response:
        return _ok(True)

    def _api_setmycommands(self, params: dict[str, Any]) -> web.Response:
        return _ok(True)

    def _api_deletemycommands(self, params: dict[str, Any]) -> web.Response:
        return _ok(True)

    def _api_setwebhook(self, params: dict[str, Any]) -> web.Response:
        self.webhook = {"url": params.get("url"), "secret_token": params.get("secret_token")}
        return _ok(True)

    def _api_deletewebhook(self, params: dict[str, Any]) -> web.Response:
        self.webhook = {}
        return _ok(True)

    def _api_getwebhookinfo(self, params: dict[str, Any]) -> web.Response:
        return _ok({"url": self.webhook.get("url") or "", "has_custom_certificate": False, "pending_update_count": 0})

    def _api_close(self, params: dict[str, Any]) -> web.Response:
        return _ok(True)

    def _api_logout(self, params: dict[str, Any]) -> web.Response:
        return _ok(True)


def _check_markup(markup: Any) -> str | None:
    """Telegram's own checks on an inline keyboard: callback data of 1-64 bytes, non-empty labels."""
    if markup is None:
        return None
    for row in markup.get("inline_keyboard", []):
        for button in row:
            if not button.get("text"):
                return "Bad Request: text buttons are unallowed in the inline keyboard"
            data = button.get("callback_data")
            if data is not None and not 1 <= len(data.encode()) <= 64:
                return "Bad Request: BUTTON_DATA_INVALID"
    return None


async def _params(request: web.Request) -> dict[str, Any]:
    """A call's parameters from the query string and a JSON, form-encoded or multipart body; files become
    (filename, bytes) tuples and JSON-typed fields are decoded."""
    params: dict[str, Any] = dict(request.query)
    if request.content_type == "application/json":
        body = await request.json()
        params.update(body or {})
        return params
    if request.body_exists:
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, web.FileField):
                params[key] = (value.filename, value.file.read())
            else:
                params[key] = value
    for key in JSON_FIELDS & params.keys():
        if isinstance(params[key], str):
            params[key] = json.loads(params[key])
    return params


def _ok(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result})


def _error(status: int, description: str, parameters: dict[str, Any] | None = None) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return web.json_response(body, status=status)


class BotProcess:
    """The adapter under test: `python -m bot telegram --api-url <this fake>` as a subprocess, its output in a
    file, its state in `workdir` (or the given store URL). Stop it in a teardown: stop() terminates, then kills."""

    def __init__(
        self, framework: str, fake: FakeTelegram, workdir: Path, *args: str, env: dict[str, str] | None = None, store: str | None = None
    ) -> None:
        self.framework = framework
        self.fake = fake
        self.store = store or str(workdir / "state.sqlite3")
        self.log = workdir / f"{framework}.log"
        self.args = ["--framework", framework, "--api-url", fake.url, "--store", self.store, *args]
        inherited = {  # no settings or proxies of the machine: the fake is on 127.0.0.1
            k: v for k, v in os.environ.items() if not k.startswith("TELEGRAM_") and k != "BOT_STORE" and not k.lower().endswith("_proxy")
        }
        self.env = {**inherited, "TELEGRAM_BOT_TOKEN": TOKEN, "BOT_DATA_DIR": str(workdir / "data"), **(env or {})}
        self.process: subprocess.Popen | None = None

    def start(self, ready_method: str = "getUpdates") -> "BotProcess":
        """Start the bot and wait until it calls `ready_method` (its first long poll, or setWebhook)."""
        before = len(self.fake.calls(ready_method))
        self.spawn()
        try:
            self.fake.wait_for(lambda: len(self.fake.calls(ready_method)) > before, 60, f"{self.framework} to call {ready_method}")
        except AssertionError:
            self.stop()
            raise AssertionError(f"the bot did not start:\n{self.output()}") from None
        return self

    def run_to_exit(self, timeout: float = 60) -> int:
        """Run the bot in the foreground, for start-ups meant to fail; returns the exit code."""
        return self.spawn().wait(timeout)

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

    def rss_kib(self) -> int:
        """The process's resident memory (Linux)."""
        assert self.process is not None
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        return int(re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE).group(1))  # type: ignore[union-attr]

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""

    def spawn(self) -> subprocess.Popen:
        """Start the bot without waiting for it (start() waits until it polls)."""
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen([sys.executable, "-m", "bot", "telegram", *self.args], cwd=ROOT, env=self.env, stdout=log, stderr=log)
        return self.process
