"""The bot on Feishu (飞书) / Lark over the long connection (长连接), with the official SDK, lark-oapi.

Receiving: lark's `ws.Client` (protobuf frames over a WebSocket, opened after `POST /callback/ws/endpoint`)
runs in a thread of its own with a fresh event loop (lark grabs a module-level loop at import and blocks on
it; `lark_oapi.ws.client.loop` is replaced in that thread: the one patch). Its handlers are synchronous and
must return within 3 s, after which lark acknowledges the frame: each handler hands the event to the bot's
loop and waits only until the core has stepped and saved (milliseconds), then returns; the replies are sent
after the acknowledgement.

Sending: the REST calls (send, reply, file upload, bot info) go through one pooled aiohttp session (lark's
async transport opens a new HTTP client and TLS context per call, which capped a process at ~25 messages a
second), with lark's tenant token: its token manager fetches it (in a thread: the fetch blocks) and refreshes it
10 minutes early; on an expired-token answer (99991663/99991664/99991668) the cached token is dropped and the
call tried once more; a 429 is waited out for `x-ogw-ratelimit-reset` seconds; network errors and 5xx are
retried with backoff.
Buttons are card buttons whose value is `{"d": <data>}`, pressed as `card.action.trigger` over the same
connection. The first reply to a message quotes it (the reply API).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import threading
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import aiohttp
import lark_oapi as lark
from lark_oapi.core.exception import ObtainAccessTokenException
from lark_oapi.core.token.manager import TokenManager
from lark_oapi.ws.exception import ClientException

from bot.model import Button, FileOut
from bot.service import BotService
from bot.store import Store
from bot.transports.im.common import (
    ERROR_TEXT,
    Allowlist,
    ApiError,
    Dest,
    ImPlatform,
    ImSettings,
    Tasks,
    backoff,
    load_im_settings,
    log_failure,
    retry_delay,
    run_until_stopped,
)
from bot.transports.telegram.bridge import Bridge
from bot.transports.telegram.common import retrying

log = logging.getLogger(__name__)

API_URL = lark.FEISHU_DOMAIN  # Lark (international): https://open.larksuite.com
TEXT_LIMIT = 20_000  # UTF-8 bytes of one message: a card (with its buttons) must stay under 30 KB
ACK_WAIT = 2.5  # seconds a handler waits for the core's step before returning (Feishu allows 3)
EXPIRED_TOKEN = {99991663, 99991664, 99991668}
RATE_LIMITED = 99991400


def load_settings(args: argparse.Namespace, environ: Mapping[str, str]) -> ImSettings:
    return load_im_settings(
        "feishu",
        args,
        environ,
        required={"app_id": "FEISHU_APP_ID", "app_secret": "FEISHU_APP_SECRET"},
        urls={"api_url": ("FEISHU_API_URL", API_URL)},
        options={"text_limit": ("FEISHU_TEXT_LIMIT", TEXT_LIMIT)},
    )


class Rejected(Exception):
    """Feishu refused the app id or secret."""


def card(text: str, buttons: list[Button]) -> dict[str, Any]:
    """A card with the text (plain: shown literally) and one button per option, value {"d": data}."""
    actions = [{"tag": "button", "text": {"tag": "plain_text", "content": b.label}, "type": "default", "value": {"d": b.data}} for b in buttons]
    return {
        "config": {"wide_screen_mode": True},
        "elements": [{"tag": "div", "text": {"tag": "plain_text", "content": text}}, {"tag": "action", "actions": actions}],
    }


class FeishuAdapter:
    def __init__(self, settings: ImSettings, store: Store, loop: asyncio.AbstractEventLoop) -> None:
        self.settings = settings
        self.loop = loop
        self.app_id = settings.credentials["app_id"]
        self.domain = settings.urls["api_url"]
        self.platform = ImPlatform("fs", int(settings.options["text_limit"]), kinds_in_key=False)
        self.allowlist = Allowlist(settings.allowed_chats, self.platform)
        self.bridge = Bridge(BotService(store), self, retry_delay, self.platform)
        # lark's client: its configuration serves the token manager (the token is lark's, with its early refresh)
        self.config = (
            lark.Client.builder().app_id(self.app_id).app_secret(settings.credentials["app_secret"]).domain(self.domain).log_level(lark.LogLevel.WARNING).build()
        )._config
        self.session: aiohttp.ClientSession | None = None
        self.bot_open_id = ""
        self._groups: set[str] = set()  # chats seen as groups (a card press does not say)
        self.tasks = Tasks()
        self.died: asyncio.Future[BaseException] = loop.create_future()

    # ------------------------------------------------------------------ REST calls
    async def call(self, what: str, method: str, path: str, make: Any) -> dict[str, Any]:
        """One API call on a pooled aiohttp session (lark's async transport opens a new HTTP client, with a new
        TLS context, for every call: ~25 calls a second at most), with lark's tenant token (its cache refreshes
        it 10 minutes early). An expired token is dropped and the call tried once more; a 429 is raised with
        its `x-ogw-ratelimit-reset`, a 5xx or network error as transient, for `retrying` to wait out."""
        assert self.session is not None
        for attempt in range(2):
            token = await self._token()
            try:
                async with self.session.request(method, f"{self.domain}{path}", headers={"Authorization": f"Bearer {token}"}, **make()) as response:
                    status, reset = response.status, response.headers.get("x-ogw-ratelimit-reset")
                    body = await response.json(content_type=None)
            except (aiohttp.ClientError, TimeoutError, ValueError) as error:
                raise ApiError(f"{what}: {type(error).__name__}", transient=True) from None
            code = (body or {}).get("code")
            if status == 429 or code == RATE_LIMITED:
                raise ApiError(f"{what}: rate limited", wait=float(reset) if reset else 1.0, code=code)
            if code in EXPIRED_TOKEN and attempt == 0:
                TokenManager.cache.set(self._token_key(), "", 0)
                continue
            if status >= 500:
                raise ApiError(f"{what}: HTTP {status}", transient=True, code=code)
            if code != 0:
                raise ApiError(f"{what}: code {code}", code=code)
            return body
        raise ApiError(f"{what}: the token was refused twice")

    def _token_key(self) -> str:
        return f"self_tenant_token:{self.app_id}"

    async def _token(self) -> str:
        """lark's tenant token from its cache, fetched by lark in a thread when missing (the fetch is blocking)."""
        token = TokenManager.cache.get(self._token_key())
        if token:
            return token
        try:
            return await asyncio.to_thread(TokenManager.get_self_tenant_token, self.config)
        except ObtainAccessTokenException as error:
            if error.code is not None and int(error.code) != 0 and int(error.code) < 99990000:
                raise Rejected(str(error.code)) from None
            raise ApiError(f"token: code {error.code}", transient=True) from None
        except Exception as error:
            raise ApiError(f"token: {type(error).__name__}", transient=True) from None

    async def bot_info(self) -> None:
        body = await self.call("bot info", "GET", "/open-apis/bot/v3/info", dict)
        self.bot_open_id = ((body.get("bot") or {}).get("open_id")) or ""

    # ------------------------------------------------------------------ sending (the Bridge's Sender)
    async def send_text(self, dest: Dest, text: str, buttons: list[Button]) -> None:
        people = dest.extra.pop("mention", None)
        if people and not buttons:  # a group reminder @-mentions who set it
            text = "".join(f'<at user_id="{person["id"]}"></at> ' for person in people) + text
        kind, content = ("interactive", card(text, buttons)) if buttons else ("text", {"text": text})
        await self._send(dest, kind, json.dumps(content, ensure_ascii=False))

    async def send_document(self, dest: Dest, file: FileOut) -> None:
        def form() -> dict[str, Any]:
            data = aiohttp.FormData()
            data.add_field("file_type", "doc" if file.name.endswith((".doc", ".docx")) else "stream")
            data.add_field("file_name", file.name)
            data.add_field("file", file.content, filename=file.name, content_type=file.mime)
            return {"data": data}

        body = await self.call("upload", "POST", "/open-apis/im/v1/files", form)
        await self._send(dest, "file", json.dumps({"file_key": body["data"]["file_key"]}))

    async def _send(self, dest: Dest, kind: str, content: str) -> None:
        quoted, dest.origin = dest.origin, None
        message = {"msg_type": kind, "content": content}
        if quoted:  # the first reply to a message quotes it
            await self.call("reply", "POST", f"/open-apis/im/v1/messages/{quote(quoted, safe='')}/reply", lambda: {"json": message})
            return
        body = {"receive_id": dest.id, **message}
        await self.call("send", "POST", "/open-apis/im/v1/messages", lambda: {"json": body, "params": {"receive_id_type": "chat_id"}})

    # ------------------------------------------------------------------ receiving (in lark's thread)
    def on_message(self, data: Any) -> None:
        self._hand_over(self.receive_message(data))

    def on_card(self, data: Any) -> Any:
        self._hand_over(self.receive_card(data))
        return None

    def on_bot_added(self, data: Any) -> None:
        self._hand_over(self.receive_added(data))

    def _hand_over(self, make) -> None:
        """Run the coroutine on the bot's loop; return once the core has stepped and saved (or after ACK_WAIT s)."""
        done = threading.Event()
        self.loop.call_soon_threadsafe(lambda: self.tasks.spawn(self._guarded(make, done)))
        done.wait(ACK_WAIT)

    async def _guarded(self, coro, done: threading.Event) -> None:
        async def acked() -> None:
            done.set()

        try:
            await coro(acked)
        finally:
            done.set()

    # ------------------------------------------------------------------ events, on the bot's loop
    def receive_message(self, data: Any):
        async def run(acked) -> None:
            message = data.event.message
            sender = data.event.sender.sender_id.open_id if data.event.sender and data.event.sender.sender_id else ""
            group = message.chat_type != "p2p"
            dest = Dest("g" if group else "u", message.chat_id, origin=message.message_id)
            if not self.allowlist.permits(dest) or message.message_type != "text":
                return
            text = str(json.loads(message.content or "{}").get("text") or "")
            mentions = message.mentions or []
            ours = [m for m in mentions if m.id and (m.id.open_id == self.bot_open_id or not self.bot_open_id)]
            if group and not ours:
                return  # with the group-message scope Feishu sends everything: answer only what @-mentions us
            for mention in mentions:
                text = text.replace(mention.key or "\0", " " if mention in ours else f"@{mention.name}")
            text = " ".join(text.split()) if "\n" not in text.strip() else text.strip()
            await self._step(dest, text, f"fs:{data.header.event_id}", {"id": sender, "name": sender}, acked)

        return run

    def receive_card(self, data: Any):
        async def run(acked) -> None:
            event = data.event
            value = (event.action.value or {}) if event.action else {}
            chat_id = event.context.open_chat_id if event.context else None
            if not chat_id or "d" not in value:
                return
            dest = Dest("?", chat_id)
            operator = event.operator.open_id if event.operator else ""
            dest.kind = "g" if self._group_chat(chat_id) else "u"
            if not self.allowlist.permits(dest):
                return
            await self._step(dest, str(value["d"]), f"fs:{data.header.event_id}", {"id": operator, "name": operator}, acked)

        return run

    def receive_added(self, data: Any):
        async def run(acked) -> None:
            dest = Dest("g", data.event.chat_id)
            self._groups.add(data.event.chat_id)
            if self.allowlist.permits(dest):
                await self.bridge.opening(dest, None, message_id=f"fs:{data.header.event_id}", acked=acked)

        return run

    def _group_chat(self, chat_id: str) -> bool:
        """Whether a card was pressed in a group: a chat the bot has seen as a group, or is stored as one."""
        return chat_id in self._groups

    async def _step(self, dest: Dest, text: str, message_id: str, author: dict[str, str], acked) -> None:
        if dest.group:
            self._groups.add(dest.id)
        try:
            await self.bridge.message(dest, text, None, message_id=message_id, author=author, numbered=True, acked=acked)
        except Exception as error:
            log_failure(error)
            try:
                await self._send(Dest(dest.kind, dest.id), "text", json.dumps({"text": ERROR_TEXT}, ensure_ascii=False))
            except Exception as second:
                log.error("could not tell the user about the failure (%s)", type(second).__name__)

    # ------------------------------------------------------------------ life cycle
    def receive_forever(self) -> None:
        """lark's long connection, in this thread, on a fresh event loop of its own."""
        import lark_oapi.ws.client as ws_client

        ws_client.loop = asyncio.new_event_loop()
        asyncio.set_event_loop(ws_client.loop)
        handler = (
            lark.EventDispatcherHandler.builder("", "")
            .register_p2_im_message_receive_v1(self.on_message)
            .register_p2_card_action_trigger(self.on_card)
            .register_p2_im_chat_member_bot_added_v1(self.on_bot_added)
            .build()
        )
        client = lark.ws.Client(self.app_id, self.settings.credentials["app_secret"], event_handler=handler, domain=self.domain, log_level=lark.LogLevel.WARNING)
        client.on_reconnecting = lambda: log.warning("Feishu connection lost; reconnecting")
        client.on_reconnected = lambda: log.info("reconnected to Feishu")
        try:
            client.start()  # returns only by an exception
        except BaseException as error:
            self.loop.call_soon_threadsafe(lambda: self.died.done() or self.died.set_result(error))

    async def main(self, stop: asyncio.Event) -> int:
        self.session = aiohttp.ClientSession(trust_env=True, timeout=aiohttp.ClientTimeout(total=15))
        try:
            return await self._main(stop)
        finally:
            await self.session.close()

    async def _main(self, stop: asyncio.Event) -> int:
        attempt = 0
        while True:
            try:
                await self.bot_info()
                break
            except Rejected:
                log.error("Feishu rejected the app id or secret: check FEISHU_APP_ID and FEISHU_APP_SECRET")
                return 2
            except ApiError as error:
                delay = backoff(attempt)
                attempt += 1
                log.warning("connecting to Feishu failed (%s); retrying in %.1f s", error, delay)
                try:
                    await asyncio.wait_for(stop.wait(), delay)
                    return 0
                except TimeoutError:
                    pass
        self.bridge.load_reminders()
        reminders = asyncio.create_task(self.bridge.run_reminders())
        threading.Thread(target=self.receive_forever, name="feishu-ws", daemon=True).start()
        stopping = asyncio.create_task(stop.wait())
        try:
            done, _ = await asyncio.wait({stopping, self.died}, return_when=asyncio.FIRST_COMPLETED)
            if self.died in done:
                error = self.died.result()
                if isinstance(error, ClientException):
                    log.error("Feishu refused the long connection (%s): check the app's credentials and that it uses 长连接", error)
                    return 2
                log.error("the receive loop died (%s)", type(error).__name__)
                return 1
            await self.tasks.drain()
            return 0
        finally:
            reminders.cancel()
            stopping.cancel()


def run(settings: ImSettings, store: Store) -> int:
    async def main(stop: asyncio.Event) -> int:
        return await FeishuAdapter(settings, store, asyncio.get_running_loop()).main(stop)

    return asyncio.run(run_until_stopped(main))
