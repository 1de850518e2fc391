"""A fake Feishu open platform on 127.0.0.1, as lark-oapi sees it.

- `POST /callback/ws/endpoint` (AppID/AppSecret) answers the WebSocket URL and a ClientConfig with a 1 s
  reconnect interval and no nonce (lark's defaults wait up to 120 s).
- `GET /ws`: protobuf `pbbp2.Frame`s (lark's own module encodes them): DATA frames of type `event` carry
  `im.message.receive_v1`, `card.action.trigger` and `im.chat.member.bot.added_v1`; the client answers each
  with the same frame and payload {"code": 200} (recorded as acknowledged); `ping` gets a `pong`.
- REST: the tenant token, `bot/v3/info`, `im/v1/messages` (create), `…/:message_id/reply`, `im/v1/files`
  (multipart; the file part is read raw). A wrong or expired token answers code 99991663.
- `fail_next("send", "429")`: the next send answers HTTP 429, code 99991400 and `x-ogw-ratelimit-reset: 1`;
  `fail_next("send", "token")`: every token issued so far expires, so the bot must fetch a new one.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from typing import Any

from aiohttp import WSMsgType, web
from lark_oapi.ws.pb.pbbp2_pb2 import Frame

from tests.fake_im import FakeServer, Msg

APP_ID = "cli_fake_feishu_app"
APP_SECRET = "feishu-test-secret"
BOT_OPEN_ID = "ou_bot_incident"
BOT_NAME = "事件助手"
SERVICE_ID = 7


class FakeFeishu(FakeServer):
    name = "fake-feishu"

    def __init__(self, port: int = 0) -> None:
        super().__init__(port)
        self.connections = 0
        self.acked: set[str] = set()
        self.tokens: set[str] = set()
        self.tokens_issued = 0
        self._ids = itertools.count(1)
        self._chat_of: dict[str, str] = {}  # message id -> chat id
        self.files: dict[str, tuple[str, bytes]] = {}
        self.replies = 0

    def routes(self, app: web.Application) -> None:
        app.router.add_post("/callback/ws/endpoint", self._endpoint)
        app.router.add_get("/ws", self._socket)
        app.router.add_post("/open-apis/auth/v3/tenant_access_token/internal", self._token)
        app.router.add_get("/open-apis/bot/v3/info", self._bot_info)
        app.router.add_post("/open-apis/im/v1/messages", self._create)
        app.router.add_post("/open-apis/im/v1/messages/{message_id}/reply", self._reply)
        app.router.add_post("/open-apis/im/v1/files", self._upload)

    # ------------------------------------------------------------------ what users do
    def send_text(self, chat: str, text: str, *, group: bool = False, user: str | None = None, mention: bool = True, msgid: str | None = None) -> str:
        message_id = f"om_{next(self._ids)}"
        self._chat_of[message_id] = chat
        mentions = []
        if group and mention:
            text = f"@_user_1 {text}"
            mentions = [{"key": "@_user_1", "id": {"open_id": BOT_OPEN_ID, "union_id": "on_bot"}, "name": BOT_NAME, "tenant_key": "tk"}]
        message = {
            "message_id": message_id,
            "create_time": str(int(time.time() * 1000)),
            "chat_id": chat,
            "chat_type": "group" if group else "p2p",
            "message_type": "text",
            "content": json.dumps({"text": text}, ensure_ascii=False),
            "mentions": mentions,
        }
        sender = {"sender_id": {"open_id": user or f"ou_{chat}", "union_id": "on_u", "user_id": "u"}, "sender_type": "user", "tenant_key": "tk"}
        return self.push("im.message.receive_v1", {"sender": sender, "message": message}, event_id=msgid)

    def press(self, chat: str, msg: Msg, data: str, *, user: str | None = None) -> str:
        assert data in msg.button_data, f"no button {data!r} on that card: {msg.button_data}"
        event = {
            "operator": {"open_id": user or f"ou_{chat}", "union_id": "on_u"},
            "token": f"c-{next(self._ids)}",
            "action": {"value": {"d": data}, "tag": "button"},
            "host": "im_message",
            "context": {"open_message_id": msg.raw["message_id"], "open_chat_id": chat},
        }
        return self.push("card.action.trigger", event)

    def add_bot_to_group(self, chat: str) -> str:
        return self.push("im.chat.member.bot.added_v1", {"chat_id": chat, "operator_id": {"open_id": "ou_admin"}, "external": False, "name": "Incident room"})

    def push(self, event_type: str, event: dict[str, Any], event_id: str | None = None) -> str:
        event_id = event_id or f"ev_{next(self._ids)}"
        payload = {
            "schema": "2.0",
            "header": {"event_id": event_id, "token": "", "create_time": str(int(time.time() * 1000)), "event_type": event_type, "tenant_key": "tk", "app_id": APP_ID},
            "event": event,
        }
        frame = Frame()
        frame.SeqID = next(self._ids)
        frame.LogID = 0
        frame.service = SERVICE_ID
        frame.method = 1  # DATA
        for key, value in (("type", "event"), ("message_id", f"{event_id}#{next(self._ids)}"), ("sum", "1"), ("seq", "0"), ("trace_id", "tr")):
            header = frame.headers.add()
            header.key, header.value = key, value
        frame.payload = json.dumps(payload, ensure_ascii=False).encode()
        self.call(self._send(frame.SerializeToString()))
        return event_id

    async def _send(self, data: bytes) -> None:
        for _ in range(500):
            if self.ws is not None and not self.ws.closed:
                await self.ws.send_bytes(data)
                return
            await asyncio.sleep(0.02)
        raise AssertionError("the bot is not connected")

    def drop_connection(self) -> None:
        self.call(self._close_all())

    # ------------------------------------------------------------------ the long connection
    async def _endpoint(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.note("endpoint", body)
        if body.get("AppID") != APP_ID or body.get("AppSecret") != APP_SECRET:
            return web.json_response({"code": 10003, "msg": "invalid app_id or app_secret"})
        url = f"ws://127.0.0.1:{self.port}/ws?device_id=dev{next(self._ids)}&service_id={SERVICE_ID}"
        config = {"ReconnectCount": -1, "ReconnectInterval": 1, "ReconnectNonce": 0, "PingInterval": 30}
        return web.json_response({"code": 0, "msg": "ok", "data": {"URL": url, "ClientConfig": config}})

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(heartbeat=None)
        await ws.prepare(request)
        old, self.ws = self.ws, ws
        if old is not None and not old.closed:
            await old.close()
        with self.cond:
            self.connections += 1
            self.cond.notify_all()
        async for message in ws:
            if message.type != WSMsgType.BINARY:
                break
            frame = Frame()
            frame.ParseFromString(message.data)
            headers = {h.key: h.value for h in frame.headers}
            if frame.method == 0 and headers.get("type") == "ping":
                pong = Frame()
                pong.CopyFrom(frame)
                del pong.headers[:]
                header = pong.headers.add()
                header.key, header.value = "type", "pong"
                await ws.send_bytes(pong.SerializeToString())
            elif frame.method == 1:
                answer = json.loads(frame.payload or b"{}")
                if answer.get("code") == 200:
                    with self.cond:
                        self.acked.add(headers.get("message_id", "").split("#")[0])
                        self.cond.notify_all()
        if self.ws is ws:
            self.ws = None
        return ws

    # ------------------------------------------------------------------ REST
    async def _token(self, request: web.Request) -> web.Response:
        body = await request.json()
        if body.get("app_id") != APP_ID or body.get("app_secret") != APP_SECRET:
            return web.json_response({"code": 10014, "msg": "app secret invalid"})
        with self.cond:
            self.tokens_issued += 1
            token = f"t-{self.tokens_issued}-{next(self._ids)}"
            self.tokens.add(token)
        return web.json_response({"code": 0, "msg": "ok", "tenant_access_token": token, "expire": 7200})

    def _authorized(self, request: web.Request) -> bool:
        return request.headers.get("Authorization", "").removeprefix("Bearer ") in self.tokens

    async def _bot_info(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return _invalid_token()
        return web.json_response({"code": 0, "msg": "ok", "bot": {"activate_status": 2, "app_name": BOT_NAME, "open_id": BOT_OPEN_ID}})

    def _failure(self) -> web.Response | None:
        failure = self.take_failure("send")
        if failure == "429":
            return web.json_response({"code": 99991400, "msg": "request trigger frequency limit"}, status=429, headers={"x-ogw-ratelimit-limit": "50", "x-ogw-ratelimit-reset": "1"})
        if failure == "token":
            with self.cond:
                self.tokens.clear()
        return None

    async def _create(self, request: web.Request) -> web.Response:
        failed = self._failure()
        if failed is not None:
            return failed
        if not self._authorized(request):
            return _invalid_token()
        body = await request.json()
        if request.query.get("receive_id_type") != "chat_id":
            return web.json_response({"code": 230001, "msg": "unexpected receive_id_type"}, status=400)
        return self._record(body["receive_id"], body)

    async def _reply(self, request: web.Request) -> web.Response:
        failed = self._failure()
        if failed is not None:
            return failed
        if not self._authorized(request):
            return _invalid_token()
        chat = self._chat_of.get(request.match_info["message_id"])
        if chat is None:
            return web.json_response({"code": 230011, "msg": "the message was withdrawn or does not exist"}, status=400)
        with self.cond:
            self.replies += 1
        return self._record(chat, await request.json())

    def _record(self, chat: str, body: dict[str, Any]) -> web.Response:
        message_id = f"om_{next(self._ids)}"
        self._chat_of[message_id] = chat
        kind, content = body["msg_type"], json.loads(body["content"])
        if kind == "text":
            msg = Msg(chat, text=content["text"])
        elif kind == "interactive":
            if len(body["content"].encode()) > 30 * 1024:
                return web.json_response({"code": 230025, "msg": "card content exceeds 30KB"}, status=400)
            text = "\n".join(e["text"]["content"] for e in content["elements"] if e["tag"] == "div")
            buttons = [(a["text"]["content"], a["value"]["d"]) for e in content["elements"] if e["tag"] == "action" for a in e["actions"]]
            msg = Msg(chat, text=text, buttons=buttons)
        elif kind == "file":
            msg = Msg(chat, file=self.files[content["file_key"]])
        else:
            return web.json_response({"code": 230001, "msg": f"unexpected msg_type {kind}"}, status=400)
        msg.raw = {"message_id": message_id}
        self.record(msg)
        return web.json_response({"code": 0, "msg": "success", "data": {"message_id": message_id, "chat_id": chat, "msg_type": kind}})

    async def _upload(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return _invalid_token()
        fields: dict[str, bytes] = {}
        reader = await request.multipart()
        async for part in reader:
            fields[part.name] = await part.read()
        if not fields.get("file"):
            return web.json_response({"code": 234001, "msg": "empty file"}, status=400)
        key = f"file_v3_{next(self._ids)}"
        self.files[key] = (fields["file_name"].decode(), fields["file"])
        return web.json_response({"code": 0, "msg": "success", "data": {"file_key": key}})


def _invalid_token() -> web.Response:
    return web.json_response({"code": 99991663, "msg": "Invalid access token for authorization. Please make a request with token attached."}, status=400)
