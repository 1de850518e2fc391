"""The bot on DingTalk (钉钉) in Stream mode, with the official SDK dingtalk-stream (pinned to 0.24.4b1, which can
be stopped and has timeouts; 0.24.3 ignores cancellation).

Receiving: the SDK opens the connection (`POST /v1.0/gateway/connections/open`, then a WebSocket of JSON
frames), reconnects with backoff and acknowledges each frame when our handler returns. The handler waits only
until the core has stepped and saved (milliseconds), then returns; the replies are sent afterwards, by our own
small aiohttp client: the access token (`/v1.0/oauth2/accessToken`, refreshed 5 minutes early and again after a
401), `robot/oToMessages/batchSend` (single chat) and `robot/groupMessages/send` (group), and the file upload on
the oapi host (`/media/upload`, hard-coded in the SDK, so done here with a configurable base). A QPS limit
(HTTP 403 `…QpsLimitForApi`, errcode 90002/90018) is waited out and the message sent again.

Buttons: with an interactive-card template of the operator's (DINGTALK_CARD_TEMPLATE_ID; its variables are in
the README), a question is a card delivered by `card/instances/createAndDeliver` (callbackType STREAM) whose
button presses arrive on the `/v1.0/card/instances/callback` topic with the button's data as parameter `d`.
Without one, a question's options are Markdown with numbered options; in a single chat each option is a
`dtmd://` link that sends its label as the user's message, in a group the user replies @-mentioning the bot
with the number (a typed label or number always works).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import secrets
import time
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

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

log = logging.getLogger(__name__)

API_URL = "https://api.dingtalk.com"
OAPI_URL = "https://oapi.dingtalk.com"
TEXT_LIMIT = 5000  # UTF-8 bytes of one message (conservative)
ACK_WAIT = 2.5
BOT_TOPIC = "/v1.0/im/bot/messages/get"
CARD_TOPIC = "/v1.0/card/instances/callback"  # presses of interactive-card buttons (callbackType STREAM)
TRACKED = 10_000  # cards whose chat is remembered in memory (a press normally names its space itself)
QPS_CODES = {"Forbidden.AccessDenied.QpsLimitForApi", "Forbidden.AccessDenied.QpsLimitForAppkeyAndApi", "Throttling"}
QPS_ERRCODES = {90002, 90018, 90006}
TOKEN_ERRCODES = {40014, 42001, 40001}


def load_settings(args: argparse.Namespace, environ: Mapping[str, str]) -> ImSettings:
    return load_im_settings(
        "dingtalk",
        args,
        environ,
        required={"client_id": "DINGTALK_CLIENT_ID", "client_secret": "DINGTALK_CLIENT_SECRET"},
        optional={"robot_code": "DINGTALK_ROBOT_CODE", "card_template_id": "DINGTALK_CARD_TEMPLATE_ID"},
        urls={"api_url": ("DINGTALK_API_URL", API_URL), "oapi_url": ("DINGTALK_OAPI_URL", OAPI_URL)},
        options={"text_limit": ("DINGTALK_TEXT_LIMIT", TEXT_LIMIT)},
    )


class Rejected(Exception):
    """DingTalk refused the client id or secret."""


def dtmd_link(number: int, button: Button) -> str:
    """An option that, pressed, sends its label as the user's message (single chat)."""
    return f"{number}. [{button.label}](dtmd://dingtalkclient/sendMessage?content={quote(button.label, safe='')})"


def markdown_lines(text: str) -> str:
    """Plain text as DingTalk Markdown shows it line by line (a single newline would be joined)."""
    return "  \n".join(text.splitlines())


class OpenApi:
    """The robot's REST calls, with the access token cached and refreshed."""

    def __init__(self, settings: ImSettings) -> None:
        self.api = settings.urls["api_url"]
        self.oapi = settings.urls["oapi_url"]
        self.client_id = settings.credentials["client_id"]
        self.secret = settings.credentials["client_secret"]
        self.robot_code = settings.credentials.get("robot_code") or self.client_id  # an internal app's robot code is its AppKey
        self.session: aiohttp.ClientSession | None = None
        self._token = ""
        self._expires = 0.0
        self._lock = asyncio.Lock()

    async def open(self) -> None:
        self.session = aiohttp.ClientSession(trust_env=True, timeout=aiohttp.ClientTimeout(total=15))

    async def close(self) -> None:
        if self.session:
            await self.session.close()

    async def token(self) -> str:
        async with self._lock:
            if self._token and time.monotonic() < self._expires:
                return self._token
            assert self.session is not None
            try:
                async with self.session.post(f"{self.api}/v1.0/oauth2/accessToken", json={"appKey": self.client_id, "appSecret": self.secret}) as response:
                    body = await response.json(content_type=None)
                    status = response.status
            except (aiohttp.ClientError, TimeoutError, ValueError) as error:
                raise ApiError(f"token: {type(error).__name__}", transient=True) from None
            if status >= 500:
                raise ApiError(f"token: HTTP {status}", transient=True)
            if status != 200 or not body.get("accessToken"):
                raise Rejected(str(body.get("code") or status))
            self._token = body["accessToken"]
            self._expires = time.monotonic() + int(body.get("expireIn", 7200)) - 300  # refreshed 5 minutes early
            return self._token

    def drop_token(self) -> None:
        self._token = ""

    async def _post(self, what: str, url: str, make: Any, query: dict[str, str] | None = None) -> dict[str, Any]:
        """POST with the token (header, and `access_token` in the query for oapi); `make()` gives the body
        arguments afresh for each try. An expired token is dropped and the call tried once more."""
        assert self.session is not None
        for attempt in range(2):
            token = await self.token()
            params = {**query, "access_token": token} if query is not None else None
            try:
                async with self.session.post(url, headers={"x-acs-dingtalk-access-token": token}, params=params, **make()) as response:
                    status = response.status
                    body = await response.json(content_type=None)
            except (aiohttp.ClientError, TimeoutError, ValueError) as error:
                raise ApiError(f"{what}: {type(error).__name__}", transient=True) from None
            code, errcode = (body or {}).get("code"), (body or {}).get("errcode")
            if code in QPS_CODES or errcode in QPS_ERRCODES or status == 429:
                raise ApiError(f"{what}: QPS limit", wait=1.0, code=code or errcode)
            if (status == 401 or code == "InvalidAuthentication" or errcode in TOKEN_ERRCODES) and attempt == 0:
                self.drop_token()
                continue
            if status >= 500:
                raise ApiError(f"{what}: HTTP {status}", transient=True)
            if status >= 400 or errcode not in (None, 0):
                raise ApiError(f"{what}: {code or errcode or status}", code=code or errcode)
            return body or {}
        raise ApiError(f"{what}: the token was refused twice")

    async def send(self, dest: Dest, msg_key: str, param: dict[str, Any]) -> None:
        body: dict[str, Any] = {"robotCode": self.robot_code, "msgKey": msg_key, "msgParam": json.dumps(param, ensure_ascii=False)}
        if dest.group:
            await self._post("groupMessages/send", f"{self.api}/v1.0/robot/groupMessages/send", lambda: {"json": {**body, "openConversationId": dest.id}})
        else:
            await self._post("oToMessages/batchSend", f"{self.api}/v1.0/robot/oToMessages/batchSend", lambda: {"json": {**body, "userIds": [dest.id]}})

    async def deliver_card(self, dest: Dest, template: str, out_track_id: str, params: dict[str, str]) -> None:
        """An interactive card from the operator's template (createAndDeliver, callbacks over the Stream)."""
        body: dict[str, Any] = {
            "cardTemplateId": template,
            "outTrackId": out_track_id,
            "cardData": {"cardParamMap": params},
            "callbackType": "STREAM",
            "imGroupOpenSpaceModel": {"supportForward": False},
            "imRobotOpenSpaceModel": {"supportForward": False},
        }
        if dest.group:
            body["openSpaceId"] = f"dtv1.card//IM_GROUP.{dest.id}"
            body["imGroupOpenDeliverModel"] = {"robotCode": self.robot_code}
        else:
            body["openSpaceId"] = f"dtv1.card//IM_ROBOT.{dest.id}"
            body["imRobotOpenDeliverModel"] = {"spaceType": "IM_ROBOT", "robotCode": self.robot_code}
        await self._post("card/createAndDeliver", f"{self.api}/v1.0/card/instances/createAndDeliver", lambda: {"json": body})

    async def upload(self, file: FileOut) -> str:
        def form() -> dict[str, Any]:
            data = aiohttp.FormData()
            data.add_field("media", file.content, filename=file.name, content_type=file.mime)
            return {"data": data}

        body = await self._post("media/upload", f"{self.oapi}/media/upload", form, query={"type": "file"})
        if not body.get("media_id"):
            raise ApiError("media/upload: no media_id")
        return str(body["media_id"])


class DingTalkAdapter:
    def __init__(self, settings: ImSettings, store: Store) -> None:
        self.settings = settings
        self.platform = ImPlatform("dt", int(settings.options["text_limit"]))
        self.allowlist = Allowlist(settings.allowed_chats, self.platform)
        self.bridge = Bridge(BotService(store), self, retry_delay, self.platform)
        self.api = OpenApi(settings)
        self.tasks = Tasks()
        self.template = settings.credentials.get("card_template_id")
        self.cards: OrderedDict[str, Dest] = OrderedDict()  # outTrackId -> chat, for presses that do not name it

    # ------------------------------------------------------------------ sending (the Bridge's Sender)
    async def send_text(self, dest: Dest, text: str, buttons: list[Button]) -> None:
        people = dest.extra.pop("mention", None)
        if people:  # a group reminder names who set it (the robot's group send cannot @ by id)
            text = " ".join(f"@{person.get('name') or person['id']}" for person in people) + " " + text
        if not buttons:
            await self.api.send(dest, "sampleText", {"content": text})
            return
        if self.template:  # the operator's card template: real buttons (see README for its variables)
            track = f"ib{time.time_ns():x}{secrets.token_hex(4)}"
            options = json.dumps([{"label": b.label, "data": b.data} for b in buttons], ensure_ascii=False)
            await self.api.deliver_card(dest, self.template, track, {"content": text, "options": options})
            self.cards[track] = Dest(dest.kind, dest.id)
            while len(self.cards) > TRACKED:
                self.cards.popitem(last=False)
            return
        options = numbered_options(buttons, dest.group, None if dest.group else dtmd_link)
        title = (text.strip().splitlines() or ["…"])[0][:20]
        await self.api.send(dest, "sampleMarkdown", {"title": title, "text": f"{markdown_lines(text)}\n\n{markdown_lines(options)}"})

    async def send_document(self, dest: Dest, file: FileOut) -> None:
        media_id = await self.api.upload(file)
        suffix = file.name.rsplit(".", 1)[-1] if "." in file.name else "file"
        await self.api.send(dest, "sampleFile", {"mediaId": media_id, "fileName": file.name, "fileType": suffix})

    # ------------------------------------------------------------------ receiving
    async def receive(self, data: dict[str, Any]) -> None:
        """One bot message (the SDK's callback), up to the saved step; the replies follow in a task of their own."""
        saved = asyncio.get_running_loop().create_future()

        async def acked() -> None:
            if not saved.done():
                saved.set_result(None)

        self.tasks.spawn(self._handle(data, acked, saved))
        try:
            await asyncio.wait_for(asyncio.shield(saved), ACK_WAIT)
        except TimeoutError:
            pass

    async def receive_card(self, data: dict[str, Any], frame_id: str | None) -> None:
        """A card button pressed: its `d` parameter is the button's data."""
        try:
            content = data.get("content") or {}
            content = json.loads(content) if isinstance(content, str) else content
            value = (((content.get("cardPrivateData") or {}).get("params")) or {}).get("d")
        except (ValueError, AttributeError):
            value = None
        user = str(data.get("userId") or "")
        space, space_id = str(data.get("spaceType") or ""), str(data.get("spaceId") or "")
        if space == "IM_GROUP" and space_id:
            dest = Dest("g", space_id)
        elif space:
            dest = Dest("u", user)
        else:
            known = self.cards.get(str(data.get("outTrackId") or ""))
            dest = Dest(known.kind, known.id) if known else Dest("u", user)
        if not value or not dest.id or not self.allowlist.permits(dest):
            return
        message = {"msgtype": "text", "text": {"content": str(value)}, "conversationType": "2" if dest.group else "1",
                   "conversationId": dest.id, "senderStaffId": user, "isInAtList": True, "msgId": f"card:{frame_id}" if frame_id else None, "pressed": True}
        await self.receive(message)

    async def _handle(self, data: dict[str, Any], acked, saved: asyncio.Future[None]) -> None:
        try:
            group = str(data.get("conversationType")) == "2"
            sender = str(data.get("senderStaffId") or data.get("senderId") or "")
            dest = Dest("g", str(data.get("conversationId") or "")) if group else Dest("u", sender)
            if not dest.id or not self.allowlist.permits(dest) or data.get("msgtype") != "text":
                return
            if group and not data.get("isInAtList", True):
                return  # DingTalk pushes only @-mentions in groups; anything else is not for us
            text = str((data.get("text") or {}).get("content") or "")
            pressed = bool(data.get("pressed"))
            text = text if pressed else strip_leading_mentions(text) if group else text.strip()
            author = {"id": sender, "name": str(data.get("senderNick") or sender)}
            message_id = f"dt:{data['msgId']}" if data.get("msgId") else None
            try:
                await self.bridge.message(dest, text, None, message_id=message_id, author=author, numbered=not pressed, acked=acked)
            except Exception as error:
                log_failure(error)
                try:
                    await self.api.send(Dest(dest.kind, dest.id), "sampleText", {"content": ERROR_TEXT})
                except Exception as second:
                    log.error("could not tell the user about the failure (%s)", type(second).__name__)
        finally:
            if not saved.done():
                saved.set_result(None)

    # ------------------------------------------------------------------ life cycle
    def stream_client(self):
        os.environ["DINGTALK_OPENAPI_ENDPOINT"] = self.settings.urls["api_url"]  # read by the SDK at import
        import dingtalk_stream

        adapter = self

        class Handler(dingtalk_stream.CallbackHandler):
            def __init__(self) -> None:
                super().__init__()
                self.logger.setLevel(logging.WARNING)

            async def process(self, message: Any) -> tuple[int, str]:
                await adapter.receive(message.data if isinstance(message.data, dict) else {})
                return dingtalk_stream.AckMessage.STATUS_OK, "OK"

        sdk_log = logging.getLogger("dingtalk_stream.client")
        sdk_log.setLevel(logging.WARNING)
        credential = dingtalk_stream.Credential(self.settings.credentials["client_id"], self.settings.credentials["client_secret"])
        client = dingtalk_stream.DingTalkStreamClient(credential, logger=sdk_log)
        client.OPEN_CONNECTION_API = self.settings.urls["api_url"] + "/v1.0/gateway/connections/open"
        client.get_host_ip = lambda: ""  # the SDK would learn the local address by a UDP connect to 8.8.8.8
        opened = client.open_connection
        connections = [0]

        def open_connection() -> Any:
            connections[0] += 1
            if connections[0] > 1:
                log.warning("DingTalk Stream connection lost; reconnecting")
            return opened()

        client.open_connection = open_connection
        client.register_callback_handler(BOT_TOPIC, Handler())
        if self.template:

            class CardHandler(dingtalk_stream.CallbackHandler):
                def __init__(self) -> None:
                    super().__init__()
                    self.logger.setLevel(logging.WARNING)

                async def process(self, message: Any) -> tuple[int, str]:
                    data = message.data if isinstance(message.data, dict) else {}
                    await adapter.receive_card(data, message.headers.message_id)
                    return dingtalk_stream.AckMessage.STATUS_OK, "OK"

            client.register_callback_handler(CARD_TOPIC, CardHandler())
        return client

    async def main(self, stop: asyncio.Event) -> int:
        await self.api.open()
        try:
            attempt = 0
            while True:
                try:
                    await self.api.token()
                    break
                except Rejected:
                    log.error("DingTalk rejected the client id or secret: check DINGTALK_CLIENT_ID and DINGTALK_CLIENT_SECRET")
                    return 2
                except ApiError as error:
                    delay = backoff(attempt)
                    attempt += 1
                    log.warning("connecting to DingTalk failed (%s); retrying in %.1f s", error, delay)
                    try:
                        await asyncio.wait_for(stop.wait(), delay)
                        return 0
                    except TimeoutError:
                        pass
            client = self.stream_client()
            self.bridge.load_reminders()
            reminders = asyncio.create_task(self.bridge.run_reminders())
            receiving = asyncio.create_task(client.start())
            stopping = asyncio.create_task(stop.wait())
            try:
                done, _ = await asyncio.wait({receiving, stopping}, return_when=asyncio.FIRST_COMPLETED)
                if receiving in done:
                    error = receiving.exception()
                    log.error("the receive loop died (%s)", type(error).__name__ if error else "it returned")
                    return 1
                await client.stop()
                try:
                    await asyncio.wait_for(receiving, 10)
                except (TimeoutError, Exception):
                    pass
                await self.tasks.drain()
                return 0
            finally:
                reminders.cancel()
                stopping.cancel()
                receiving.cancel()
        finally:
            await self.api.close()


def run(settings: ImSettings, store: Store) -> int:
    async def main(stop: asyncio.Event) -> int:
        return await DingTalkAdapter(settings, store).main(stop)

    return asyncio.run(run_until_stopped(main))
