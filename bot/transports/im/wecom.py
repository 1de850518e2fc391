"""The bot on WeCom (企业微信) as an AI bot (智能机器人) over its long connection, with our own small aiohttp
WebSocket client (the official Python SDK cannot upload files and needs a TLS patch to reach a test server).

The protocol is JSON frames over one WebSocket: `aibot_subscribe` (bot id and secret) first, a `ping` every
30 s, pushes `aibot_msg_callback` / `aibot_event_callback` (each with a req_id), and our commands
`aibot_respond_msg` (the first reply to a message, tied to its req_id), `aibot_respond_welcome_msg` (within
5 s of `enter_chat`), `aibot_send_msg` (everything else: answers to button presses, further messages,
reminders) and the chunked upload `aibot_upload_media_init/chunk/finish`. Every command is acknowledged by a
frame with the same req_id and an errcode; errcode ≠ 0 is a failure, retried after a wait.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import itertools
import json
import logging
import secrets
import time
from collections.abc import Mapping
from typing import Any

import aiohttp

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
    numbered_options,
    retry_delay,
    run_until_stopped,
    strip_leading_mentions,
)
from bot.transports.telegram.bridge import Bridge
from bot.transports.telegram.common import retrying

log = logging.getLogger(__name__)

WS_URL = "wss://openws.work.weixin.qq.com"
TEXT_LIMIT = 8000  # UTF-8 bytes of one markdown message (the documented cap is 20,480)
MAX_CARD_BUTTONS = 6  # a button_interaction card holds at most 6; more become numbered options
ACK_TIMEOUT = 5.0  # seconds an acknowledgement may take
PING_SECONDS = 30.0
CHUNK = 512 * 1024  # upload chunk (≤ 512 KB, ≤ 100 chunks)
RATE_LIMITED = {45009, 45033, 6000, 846607}  # frequency limits: wait a second and send again
CARD_TITLE = "请选择 · Choose"


def load_settings(args: argparse.Namespace, environ: Mapping[str, str]) -> ImSettings:
    return load_im_settings(
        "wecom",
        args,
        environ,
        required={"bot_id": "WECOM_BOT_ID", "bot_secret": "WECOM_BOT_SECRET"},
        optional={"bot_name": "WECOM_BOT_NAME"},
        urls={"ws_url": ("WECOM_WS_URL", WS_URL)},
        options={"text_limit": ("WECOM_TEXT_LIMIT", TEXT_LIMIT)},
    )


class Rejected(Exception):
    """The platform refused the bot id or secret."""


class TakenOver(Exception):
    """Another instance connected with the same bot: reconnecting would only kick it off in turn."""


class Connection:
    """One long connection at a time, reconnected with backoff; commands wait for their acknowledgement."""

    def __init__(self, url: str, bot_id: str, secret: str, on_push) -> None:
        self.url = url
        self.bot_id = bot_id
        self.secret = secret
        self.on_push = on_push
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self.ready = asyncio.Event()
        self._pending: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._ids = itertools.count(1)
        self._write = asyncio.Lock()

    def req_id(self, cmd: str) -> str:
        return f"{cmd}_{int(time.time() * 1000)}_{next(self._ids)}_{secrets.token_hex(3)}"

    async def command(self, cmd: str, body: dict[str, Any], req_id: str | None = None) -> dict[str, Any]:
        """Send a command and return its acknowledgement; ApiError if it fails or is not acknowledged."""
        try:
            await asyncio.wait_for(self.ready.wait(), ACK_TIMEOUT)
        except TimeoutError:
            raise ApiError(f"{cmd}: not connected", transient=True) from None
        ws = self.ws
        assert ws is not None
        req_id = req_id or self.req_id(cmd)
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[req_id] = future
        try:
            async with self._write:
                await ws.send_str(json.dumps({"cmd": cmd, "headers": {"req_id": req_id}, "body": body}, ensure_ascii=False))
            ack = await asyncio.wait_for(future, ACK_TIMEOUT)
        except (TimeoutError, ConnectionError, aiohttp.ClientError) as error:
            raise ApiError(f"{cmd}: {type(error).__name__}", transient=True) from None
        finally:
            self._pending.pop(req_id, None)
        code = ack.get("errcode", 0)
        if code:
            wait = 1.0 if code in RATE_LIMITED else None
            raise ApiError(f"{cmd}: errcode {code}", wait=wait, transient=True, code=code)
        return ack

    async def run(self, stop: asyncio.Event) -> None:
        """Connect, subscribe, read frames; reconnect with backoff (one log line each) until `stop`."""
        attempt = 0
        async with aiohttp.ClientSession(trust_env=True) as session:  # HTTPS_PROXY / NO_PROXY
            while not stop.is_set():
                try:
                    async with session.ws_connect(self.url, heartbeat=None, max_msg_size=16 * 1024 * 1024) as ws:
                        await self._subscribe(ws)
                        if attempt:
                            log.info("reconnected to WeCom")
                        attempt = 0
                        await self._read(ws, stop)
                except (Rejected, TakenOver):
                    raise
                except (aiohttp.ClientError, OSError, TimeoutError, ApiError) as error:
                    self._drop()
                    if stop.is_set():
                        break
                    delay = backoff(attempt)
                    attempt += 1
                    log.warning("WeCom connection lost (%s); reconnecting in %.1f s", type(error).__name__, delay)
                    try:
                        await asyncio.wait_for(stop.wait(), delay)
                    except TimeoutError:
                        pass
                    continue
                self._drop()
                if not stop.is_set():
                    delay = backoff(attempt)
                    attempt += 1
                    log.warning("WeCom closed the connection; reconnecting in %.1f s", delay)
                    try:
                        await asyncio.wait_for(stop.wait(), delay)
                    except TimeoutError:
                        pass

    async def _subscribe(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        req_id = self.req_id("aibot_subscribe")
        await ws.send_str(json.dumps({"cmd": "aibot_subscribe", "headers": {"req_id": req_id}, "body": {"bot_id": self.bot_id, "secret": self.secret}}))
        message = await ws.receive(timeout=10)
        if message.type != aiohttp.WSMsgType.TEXT:
            raise ApiError("subscribe: no answer", transient=True)
        frame = json.loads(message.data)
        if frame.get("errcode", 0) != 0:
            raise Rejected(f"errcode {frame.get('errcode')}")
        self.ws = ws
        self.ready.set()

    async def _read(self, ws: aiohttp.ClientWebSocketResponse, stop: asyncio.Event) -> None:
        pinger = asyncio.create_task(self._ping())
        stopper = asyncio.create_task(stop.wait())
        try:
            while True:
                receive = asyncio.create_task(ws.receive())
                done, _ = await asyncio.wait({receive, stopper}, return_when=asyncio.FIRST_COMPLETED)
                if stopper in done:
                    receive.cancel()
                    await ws.close()
                    return
                message = receive.result()
                if message.type != aiohttp.WSMsgType.TEXT:
                    return  # closed (or an error): the caller reconnects
                frame = json.loads(message.data)
                cmd = frame.get("cmd")
                if cmd in ("aibot_msg_callback", "aibot_event_callback"):
                    self.on_push(frame)
                    continue
                future = self._pending.get((frame.get("headers") or {}).get("req_id", ""))
                if future is not None and not future.done():
                    future.set_result(frame)
        finally:
            pinger.cancel()
            stopper.cancel()

    async def _ping(self) -> None:
        while True:
            await asyncio.sleep(PING_SECONDS)
            try:
                await self.command("ping", {})
            except ApiError as error:
                log.warning("WeCom heartbeat failed (%s)", error)

    def _drop(self) -> None:
        self.ready.clear()
        self.ws = None
        for future in self._pending.values():
            if not future.done():
                future.set_exception(ConnectionError("connection lost"))


class WeComAdapter:
    def __init__(self, settings: ImSettings, store: Store) -> None:
        self.settings = settings
        self.platform = ImPlatform("wc", int(settings.options["text_limit"]))
        self.allowlist = Allowlist(settings.allowed_chats, self.platform)
        self.bridge = Bridge(BotService(store), self, retry_delay, self.platform)
        self.connection = Connection(settings.urls["ws_url"], settings.credentials["bot_id"], settings.credentials["bot_secret"], self.on_push)
        self.tasks = Tasks()
        self.taken_over = asyncio.Event()
        self._tasks = itertools.count(1)

    # ------------------------------------------------------------------ receiving
    def on_push(self, frame: dict[str, Any]) -> None:
        body = frame.get("body") or {}
        req_id = (frame.get("headers") or {}).get("req_id", "")
        event = (body.get("event") or {}) if frame.get("cmd") == "aibot_event_callback" else None
        if event is not None and event.get("eventtype") == "disconnected_event":
            self.taken_over.set()
            return
        self.tasks.spawn(self.handle(body, req_id, event))

    async def handle(self, body: dict[str, Any], req_id: str, event: dict[str, Any] | None) -> None:
        sender = str((body.get("from") or {}).get("userid") or "")
        group = body.get("chattype") == "group"
        dest = Dest("g", str(body.get("chatid") or "")) if group else Dest("u", sender)
        if not dest.id or not self.allowlist.permits(dest):
            return
        author = {"id": sender, "name": sender}
        message_id = f"wc:{body['msgid']}" if body.get("msgid") else None
        try:
            if event is None:
                text = self._text(body)
                if text is None:
                    return
                if group:
                    if "@" not in text:  # WeCom pushes only messages that @ the bot; anything else is not for us
                        return
                    text = strip_leading_mentions(text, [self.settings.credentials.get("bot_name", "")])
                dest.origin = ("respond", req_id)
                await self.bridge.message(dest, text, None, message_id=message_id, author=author, numbered=True)
            elif event.get("eventtype") == "enter_chat":
                dest.origin = ("welcome", req_id)
                await self.bridge.opening(dest, None, message_id=message_id)
            elif event.get("eventtype") == "template_card_event":
                card = event.get("template_card_event") or event  # the docs nest it, the SDK types keep it flat
                key = card.get("event_key")
                if key:
                    await self.bridge.message(dest, str(key), None, message_id=message_id, author=author)
        except Exception as error:
            log_failure(error)
            try:
                await self.connection.command("aibot_send_msg", {"chatid": dest.id, "msgtype": "markdown", "markdown": {"content": ERROR_TEXT}})
            except ApiError as second:
                log.error("could not tell the user about the failure (%s)", second)

    @staticmethod
    def _text(body: dict[str, Any]) -> str | None:
        kind = body.get("msgtype")
        if kind == "text":
            return str((body.get("text") or {}).get("content") or "")
        if kind == "voice":  # WeCom transcribes voice messages
            return str((body.get("voice") or {}).get("content") or "") or None
        if kind == "mixed":
            items = (body.get("mixed") or {}).get("msg_item") or []
            texts = [str((item.get("text") or {}).get("content") or "") for item in items if item.get("msgtype") == "text"]
            return " ".join(texts) or None
        return None

    # ------------------------------------------------------------------ sending (the Bridge's Sender)
    async def send_text(self, dest: Dest, text: str, buttons: list[Button]) -> None:
        cards = buttons if 0 < len(buttons) <= MAX_CARD_BUTTONS else []
        if len(buttons) > MAX_CARD_BUTTONS:
            text = f"{text}\n\n{numbered_options(buttons, dest.group)}"
        people = dest.extra.pop("mention", None)
        if people:  # a group reminder @-mentions who set it (WeCom's markdown mention)
            text = " ".join(f"<@{person['id']}>" for person in people) + " " + text
        origin, dest.origin = dest.origin, None
        if origin and origin[0] == "respond":
            body: dict[str, Any] = {"msgtype": "stream", "stream": {"id": secrets.token_hex(8), "finish": True, "content": text}}
            if cards:
                body = {**body, "msgtype": "stream_with_template_card", "template_card": self._card(cards)}
            await self.connection.command("aibot_respond_msg", body, req_id=origin[1])
            return
        if origin and origin[0] == "welcome":
            await self.connection.command("aibot_respond_welcome_msg", {"msgtype": "text", "text": {"content": text}}, req_id=origin[1])
        else:
            await self.connection.command("aibot_send_msg", {"chatid": dest.id, "msgtype": "markdown", "markdown": {"content": text}})
        if cards:
            card = self._card(cards)
            await retrying(lambda: self.connection.command("aibot_send_msg", {"chatid": dest.id, "msgtype": "template_card", "template_card": card}), retry_delay)

    def _card(self, buttons: list[Button]) -> dict[str, Any]:
        return {
            "card_type": "button_interaction",
            "main_title": {"title": CARD_TITLE},
            "task_id": f"t{int(time.time() * 1000)}_{next(self._tasks)}_{secrets.token_hex(4)}",
            "button_list": [{"text": button.label, "style": 1, "key": button.data} for button in buttons],
        }

    async def send_document(self, dest: Dest, file: FileOut) -> None:
        media_id = await self.upload(file)
        await self.connection.command("aibot_send_msg", {"chatid": dest.id, "msgtype": "file", "file": {"media_id": media_id}})

    async def upload(self, file: FileOut) -> str:
        chunks = [file.content[i : i + CHUNK] for i in range(0, len(file.content), CHUNK)] or [b""]
        init = await self.connection.command(
            "aibot_upload_media_init",
            {"type": "file", "filename": file.name, "total_size": len(file.content), "total_chunks": len(chunks), "md5": hashlib.md5(file.content).hexdigest()},
        )
        upload_id = (init.get("body") or {}).get("upload_id")
        for index, chunk in enumerate(chunks):
            await self.connection.command(
                "aibot_upload_media_chunk", {"upload_id": upload_id, "chunk_index": index, "base64_data": base64.b64encode(chunk).decode()}
            )
        done = await self.connection.command("aibot_upload_media_finish", {"upload_id": upload_id})
        media_id = (done.get("body") or {}).get("media_id")
        if not media_id:
            raise ApiError("upload: no media_id")
        return str(media_id)

    # ------------------------------------------------------------------ life cycle
    async def main(self, stop: asyncio.Event) -> int:
        self.bridge.load_reminders()
        reminders = asyncio.create_task(self.bridge.run_reminders())
        receiving = asyncio.create_task(self.connection.run(stop))
        taken = asyncio.create_task(self.taken_over.wait())
        try:
            done, _ = await asyncio.wait({receiving, taken}, return_when=asyncio.FIRST_COMPLETED)
            if taken in done:
                log.error("another instance connected with this bot (disconnected_event): exiting instead of reconnecting")
                stop.set()
                return 1
            try:
                receiving.result()
            except Rejected:
                log.error("WeCom rejected the bot id or secret: check WECOM_BOT_ID and WECOM_BOT_SECRET")
                return 2
            except Exception as error:
                log.error("the receive loop died (%s)", type(error).__name__)
                return 1
            await self.tasks.drain()
            return 0
        finally:
            for task in (reminders, receiving, taken):
                task.cancel()


def run(settings: ImSettings, store: Store) -> int:
    async def main(stop: asyncio.Event) -> int:
        return await WeComAdapter(settings, store).main(stop)

    return asyncio.run(run_until_stopped(main))
