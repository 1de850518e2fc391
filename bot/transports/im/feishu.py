"""The bot on Feishu (飞书) / Lark over the long connection (长连接), with the official SDK, lark-oapi.

Receiving: lark's `ws.Client` (protobuf frames over a WebSocket, opened after `POST /callback/ws/endpoint`)
runs in a thread of its own with a fresh event loop (lark grabs a module-level loop at import and blocks on
it; `lark_oapi.ws.client.loop` is replaced in that thread: the one patch). Its handlers are synchronous and
must return within 3 s, after which lark acknowledges the frame: each handler hands the event to the bot's
loop and waits only until the core has stepped and saved (milliseconds), then returns; the replies are sent
after the acknowledgement.

Sending: lark's `Client` (async calls). The SDK refreshes the tenant token 10 minutes early; on an
expired-token answer (99991663/99991664/99991668) the cached token is dropped and the call tried once more; a
429 is waited out for `x-ogw-ratelimit-reset` seconds; network errors and 5xx are retried with backoff.
Buttons are card buttons whose value is `{"d": <data>}`, pressed as `card.action.trigger` over the same
connection. The first reply to a message quotes it (the reply API).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import logging
import threading
from collections.abc import Mapping
from typing import Any

import lark_oapi as lark
from lark_oapi.api.im.v1 import (
    CreateFileRequest,
    CreateFileRequestBody,
    CreateMessageRequest,
    CreateMessageRequestBody,
    ReplyMessageRequest,
    ReplyMessageRequestBody,
)
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
        self.client = (
            lark.Client.builder().app_id(self.app_id).app_secret(settings.credentials["app_secret"]).domain(self.domain).log_level(lark.LogLevel.WARNING).build()
        )
        self.bot_open_id = ""
        self._groups: set[str] = set()  # chats seen as groups (a card press does not say)
        self.tasks = Tasks()
        self.died: asyncio.Future[BaseException] = loop.create_future()

    # ------------------------------------------------------------------ REST calls
    async def call(self, what: str, send) -> Any:
        """One API call: a token fetched off the loop if needed; an expired token dropped and the call tried
        once more; a rate limit or server error raised as ApiError for `retrying` to wait out."""
        for attempt in range(2):
            await self._token()
            try:
                response = await send()
            except Exception as error:  # httpx's network errors
                raise ApiError(f"{what}: {type(error).__name__}", transient=True) from None
            status = response.raw.status_code if response.raw is not None else 200
            code = response.code
            if status == 429 or code == RATE_LIMITED:
                reset = (response.raw.headers or {}).get("x-ogw-ratelimit-reset") if response.raw is not None else None
                raise ApiError(f"{what}: rate limited", wait=float(reset) if reset else 1.0, code=code)
            if code in EXPIRED_TOKEN and attempt == 0:
                TokenManager.cache.set(self._token_key(), "", 0)
                continue
            if status >= 500:
                raise ApiError(f"{what}: HTTP {status}", transient=True, code=code)
            if code != 0:
                raise ApiError(f"{what}: code {code}", code=code)
            return response
        raise ApiError(f"{what}: the token was refused twice")

    def _token_key(self) -> str:
        return f"self_tenant_token:{self.app_id}"

    async def _token(self) -> None:
        """lark fetches the tenant token synchronously inside the call: fetch it in a thread instead."""
        if not TokenManager.cache.get(self._token_key()):
            try:
                await asyncio.to_thread(TokenManager.get_self_tenant_token, self.client._config)
            except ObtainAccessTokenException as error:
                raise Rejected(str(error.code)) from None
            except Exception as error:
                raise ApiError(f"token: {type(error).__name__}", transient=True) from None

    async def bot_info(self) -> None:
        request = lark.BaseRequest.builder().http_method(lark.HttpMethod.GET).uri("/open-apis/bot/v3/info").token_types({lark.AccessTokenType.TENANT}).build()
        response = await self.call("bot info", lambda: self.client.arequest(request))
        body = json.loads(response.raw.content)
        self.bot_open_id = ((body.get("bot") or {}).get("open_id")) or ""

    # ------------------------------------------------------------------ sending (the Bridge's Sender)
    async def send_text(self, dest: Dest, text: str, buttons: list[Button]) -> None:
        kind, content = ("interactive", card(text, buttons)) if buttons else ("text", {"text": text})
        await self._send(dest, kind, json.dumps(content, ensure_ascii=False))

    async def send_document(self, dest: Dest, file: FileOut) -> None:
        def upload():
            body = CreateFileRequestBody.builder().file_type("doc" if file.name.endswith((".doc", ".docx")) else "stream").file_name(file.name).file(io.BytesIO(file.content)).build()
            return self.client.im.v1.file.acreate(CreateFileRequest.builder().request_body(body).build())

        response = await self.call("upload", upload)
        await self._send(dest, "file", json.dumps({"file_key": response.data.file_key}))

    async def _send(self, dest: Dest, kind: str, content: str) -> None:
        quoted, dest.origin = dest.origin, None
        if quoted:  # the first reply to a message quotes it
            body = ReplyMessageRequestBody.builder().msg_type(kind).content(content).build()
            request = ReplyMessageRequest.builder().message_id(quoted).request_body(body).build()
            await self.call("reply", lambda: self.client.im.v1.message.areply(request))
            return
        body = CreateMessageRequestBody.builder().receive_id(dest.id).msg_type(kind).content(content).build()
        request = CreateMessageRequest.builder().receive_id_type("chat_id").request_body(body).build()
        await self.call("send", lambda: self.client.im.v1.message.acreate(request))

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
