"""A fake DingTalk open platform on 127.0.0.1, as dingtalk-stream and the robot OpenAPI see it.

- `POST /v1.0/gateway/connections/open` (clientId/clientSecret, the subscribed topics) answers a WebSocket
  endpoint on this server and a ticket; `GET /connect?ticket=…` speaks the Stream JSON frames: CALLBACK frames on
  `/v1.0/im/bot/messages/get` (single chat, conversationType "1"; group "2" with `isInAtList`), SYSTEM `ping`
  (the client echoes its data) and `disconnect` (the client reconnects); every frame's ack is recorded.
- `POST /v1.0/oauth2/accessToken`, `/v1.0/robot/oToMessages/batchSend`, `/v1.0/robot/groupMessages/send`
  (header `x-acs-dingtalk-access-token`; msgKey sampleText / sampleMarkdown / sampleFile) and, as the oapi host
  (the same server), `POST /media/upload?access_token=…&type=file` (multipart `media`).
- `fail_next("send", "qps")`: HTTP 403 `Forbidden.AccessDenied.QpsLimitForApi`; `fail_next("send", "token")`:
  the tokens issued so far become invalid (401 `InvalidAuthentication`).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from typing import Any
from urllib.parse import unquote

from aiohttp import WSMsgType, web

from tests.fake_im import FakeServer, Msg

CLIENT_ID = "dingfaketestclient"
CLIENT_SECRET = "dingtalk-test-secret"
BOT_TOPIC = "/v1.0/im/bot/messages/get"
CARD_TOPIC = "/v1.0/card/instances/callback"
TEMPLATE_ID = "tpl-incident-options.schema"
LINK = r"\[(.*?)\]\(dtmd://dingtalkclient/sendMessage\?content=([^)]*)\)"


class FakeDingTalk(FakeServer):
    name = "fake-dingtalk"

    def __init__(self, port: int = 0) -> None:
        super().__init__(port)
        self.connections = 0
        self.acked: set[str] = set()
        self.pongs = 0
        self.tokens: set[str] = set()
        self.tokens_issued = 0
        self.tickets: set[str] = set()
        self.media: dict[str, tuple[str, bytes]] = {}
        self._ids = itertools.count(1)

    def routes(self, app: web.Application) -> None:
        app.router.add_post("/v1.0/gateway/connections/open", self._open)
        app.router.add_get("/connect", self._socket)
        app.router.add_post("/v1.0/oauth2/accessToken", self._token)
        app.router.add_post("/v1.0/robot/oToMessages/batchSend", self._batch_send)
        app.router.add_post("/v1.0/robot/groupMessages/send", self._group_send)
        app.router.add_post("/media/upload", self._upload)
        app.router.add_post("/v1.0/card/instances/createAndDeliver", self._card)

    # ------------------------------------------------------------------ what users do
    def send_text(self, chat: str, text: str, *, group: bool = False, user: str | None = None, mention: bool = True, msgid: str | None = None) -> str:
        msgid = msgid or f"msg{next(self._ids)}"
        staff = user or (f"staff-{chat}" if group else chat)
        now = int(time.time() * 1000)
        data = {
            "conversationId": chat if group else f"cid-single-{chat}",
            "chatbotCorpId": "dingcorp",
            "chatbotUserId": "$:LWCP_v1:$bot",
            "msgId": msgid,
            "senderNick": "测试用户",
            "isAdmin": False,
            "senderStaffId": staff,
            "sessionWebhookExpiredTime": now + 5400_000,
            "createAt": now,
            "senderCorpId": "dingcorp",
            "conversationType": "2" if group else "1",
            "senderId": f"$:LWCP_v1:${staff}",
            "sessionWebhook": f"{self.url}/robot/sendBySession?session=s{next(self._ids)}",
            "text": {"content": f" {text}" if group and mention else text},  # DingTalk removes the @name, leaving a space
            "robotCode": CLIENT_ID,
            "msgtype": "text",
        }
        if group:
            data.update({"conversationTitle": "事件应急群", "isInAtList": mention, "atUsers": [{"dingtalkId": "$:LWCP_v1:$bot"}] if mention else []})
        self.push("CALLBACK", BOT_TOPIC, data)
        return msgid

    def press(self, chat: str, msg: Msg, data: str, *, group: bool = False, user: str | None = None) -> str:
        """A user presses a button of an interactive card: the card callback, with the button's `d` parameter."""
        assert data in msg.button_data, f"no button {data!r} on that card: {msg.button_data}"
        callback = {
            "type": "actionCallback",
            "outTrackId": msg.raw["outTrackId"],
            "userId": user or (f"staff-{chat}" if group else chat),
            "corpId": "dingcorp",
            "spaceType": "IM_GROUP" if group else "IM_ROBOT",
            "spaceId": chat,
            "content": json.dumps({"cardPrivateData": {"actionIds": ["choose"], "params": {"d": data}}}, ensure_ascii=False),
        }
        return self.push("CALLBACK", CARD_TOPIC, callback)

    def push(self, kind: str, topic: str, data: dict[str, Any]) -> str:
        message_id = f"frame-{next(self._ids)}"
        frame = {
            "specVersion": "1.0",
            "type": kind,
            "headers": {"appId": CLIENT_ID, "connectionId": "conn", "contentType": "application/json", "messageId": message_id, "time": str(int(time.time() * 1000)), "topic": topic},
            "data": json.dumps(data, ensure_ascii=False),
        }
        self.call(self._send(frame))
        return message_id

    def ping(self) -> str:
        return self.push("SYSTEM", "ping", {"opaque": "p-1"})

    def disconnect(self) -> str:
        return self.push("SYSTEM", "disconnect", {"reason": "the gateway is restarting"})

    async def _send(self, frame: dict[str, Any]) -> None:
        for _ in range(500):
            if self.ws is not None and not self.ws.closed:
                await self.ws.send_str(json.dumps(frame, ensure_ascii=False))
                return
            await asyncio.sleep(0.02)
        raise AssertionError("the bot is not connected")

    # ------------------------------------------------------------------ the Stream connection
    async def _open(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.note("open", body)
        if body.get("clientId") != CLIENT_ID or body.get("clientSecret") != CLIENT_SECRET:
            return web.json_response({"code": "InvalidAuthentication", "message": "clientId or clientSecret is invalid"}, status=401)
        if {"type": "CALLBACK", "topic": BOT_TOPIC} not in body.get("subscriptions", []):
            return web.json_response({"code": "InvalidParameter", "message": "no subscription"}, status=400)
        ticket = f"ticket-{next(self._ids)}"
        self.tickets.add(ticket)
        return web.json_response({"endpoint": f"ws://127.0.0.1:{self.port}/connect", "ticket": ticket})

    async def _socket(self, request: web.Request) -> web.StreamResponse:
        if request.query.get("ticket") not in self.tickets:
            return web.json_response({"code": "InvalidTicket"}, status=403)
        self.tickets.discard(request.query["ticket"])
        ws = web.WebSocketResponse(heartbeat=None)
        await ws.prepare(request)
        old, self.ws = self.ws, ws
        if old is not None and not old.closed:
            await old.close()
        with self.cond:
            self.connections += 1
            self.cond.notify_all()
        async for message in ws:
            if message.type != WSMsgType.TEXT:
                break
            ack = json.loads(message.data)
            with self.cond:
                if ack.get("code") == 200:
                    self.acked.add((ack.get("headers") or {}).get("messageId", ""))
                if json.loads(ack.get("data") or "{}").get("opaque") == "p-1":
                    self.pongs += 1
                self.cond.notify_all()
        if self.ws is ws:
            self.ws = None
        return ws

    # ------------------------------------------------------------------ OpenAPI
    async def _token(self, request: web.Request) -> web.Response:
        body = await request.json()
        if body.get("appKey") != CLIENT_ID or body.get("appSecret") != CLIENT_SECRET:
            return web.json_response({"code": "invalidClientIdOrSecret", "message": "无效的clientId或者clientSecret"}, status=400)
        with self.cond:
            self.tokens_issued += 1
            token = f"tok{self.tokens_issued}x{next(self._ids)}"
            self.tokens.add(token)
        return web.json_response({"accessToken": token, "expireIn": 7200})

    def _check(self, request: web.Request) -> web.Response | None:
        failure = self.take_failure("send")
        if failure == "qps":
            return web.json_response({"code": "Forbidden.AccessDenied.QpsLimitForApi", "message": "当前接口api已达到QPS上限", "requestid": "r"}, status=403)
        if failure == "token":
            with self.cond:
                self.tokens.clear()
        if request.headers.get("x-acs-dingtalk-access-token") not in self.tokens:
            return web.json_response({"code": "InvalidAuthentication", "message": "不合法的access_token"}, status=401)
        return None

    async def _batch_send(self, request: web.Request) -> web.Response:
        refused = self._check(request)
        if refused is not None:
            return refused
        body = await request.json()
        if body.get("robotCode") != CLIENT_ID:
            return web.json_response({"code": "InvalidParameter.robotCode", "message": "robot 不存在"}, status=400)
        for user in body["userIds"]:
            self._record(user, body)
        return web.json_response({"processQueryKey": f"pqk{next(self._ids)}", "invalidStaffIdList": [], "flowControlledStaffIdList": []})

    async def _group_send(self, request: web.Request) -> web.Response:
        refused = self._check(request)
        if refused is not None:
            return refused
        body = await request.json()
        self._record(body["openConversationId"], body)
        return web.json_response({"processQueryKey": f"pqk{next(self._ids)}"})

    def _record(self, chat: str, body: dict[str, Any]) -> None:
        import re

        param = json.loads(body["msgParam"])
        key = body["msgKey"]
        if key == "sampleText":
            self.record(Msg(chat, text=param["content"]))
        elif key == "sampleMarkdown":
            links = [(label, unquote(content)) for label, content in re.findall(LINK, param["text"])]
            self.record(Msg(chat, text=param["text"], raw={"links": links}))
        elif key == "sampleFile":
            self.record(Msg(chat, file=self.media[param["mediaId"]]))
        else:
            raise AssertionError(f"unexpected msgKey {key}")

    async def _card(self, request: web.Request) -> web.Response:
        refused = self._check(request)
        if refused is not None:
            return refused
        body = await request.json()
        if body.get("cardTemplateId") != TEMPLATE_ID or body.get("callbackType") != "STREAM":
            return web.json_response({"code": "InvalidParameter.cardTemplateId", "message": "模板不存在"}, status=400)
        space_type, _, space_id = body["openSpaceId"].removeprefix("dtv1.card//").partition(".")
        deliver = body.get("imGroupOpenDeliverModel" if space_type == "IM_GROUP" else "imRobotOpenDeliverModel") or {}
        if space_type not in ("IM_GROUP", "IM_ROBOT") or (space_type == "IM_GROUP" and deliver.get("robotCode") != CLIENT_ID):
            return web.json_response({"code": "InvalidParameter.openSpaceId", "message": "openSpaceId 不合法"}, status=400)
        params = body["cardData"]["cardParamMap"]
        if not all(isinstance(value, str) for value in params.values()):
            return web.json_response({"code": "InvalidParameter.cardParamMap", "message": "cardParamMap 的值须为字符串"}, status=400)
        options = json.loads(params["options"])
        self.record(Msg(space_id, text=params["content"], buttons=[(o["label"], o["data"]) for o in options], raw={"outTrackId": body["outTrackId"], "links": []}))
        result = {"outTrackId": body["outTrackId"], "deliverResults": [{"spaceType": space_type, "spaceId": space_id, "success": True}]}
        return web.json_response({"success": True, "result": result})

    async def _upload(self, request: web.Request) -> web.Response:
        if request.query.get("access_token") not in self.tokens:
            return web.json_response({"errcode": 40014, "errmsg": "不合法的access_token"})
        if request.query.get("type") != "file":
            return web.json_response({"errcode": 40004, "errmsg": "不合法的媒体文件类型"})
        reader = await request.multipart()
        async for part in reader:
            if part.name == "media":
                content = await part.read()
                media_id = f"@lAD{next(self._ids)}"
                self.media[media_id] = (part.filename or "file", bytes(content))
                return web.json_response({"errcode": 0, "errmsg": "ok", "media_id": media_id, "type": "file", "created_at": int(time.time() * 1000)})
        return web.json_response({"errcode": 41001, "errmsg": "缺少media参数"})
