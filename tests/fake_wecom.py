"""A fake WeCom AI-bot long connection (智能机器人长连接) on 127.0.0.1: one WebSocket route speaking the JSON
frames the platform speaks (developer.work.weixin.qq.com/document/path/101463).

The bot must send `aibot_subscribe` with the right bot id and secret first; `ping` is acknowledged; the fake
pushes `aibot_msg_callback` (single chat, or a group message "@事件助手 …") and `aibot_event_callback`
(`enter_chat`, `template_card_event` with the nested `template_card_event.event_key`, `disconnected_event`)
and acknowledges `aibot_respond_msg` (tied to a pushed req_id), `aibot_respond_welcome_msg` (within 5 s),
`aibot_send_msg` and the chunked upload, whose bytes it reassembles and checks against the md5.
`fail_next(cmd)` makes the next acknowledgement of that command carry errcode 45009 (a frequency limit).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import itertools
import json
import time
from typing import Any

from aiohttp import WSMsgType, web

from tests.fake_im import FakeServer, Msg

BOT_ID = "aib-test-bot"
SECRET = "wecom-test-secret-0123456789"
BOT_NAME = "事件助手"


class FakeWeCom(FakeServer):
    name = "fake-wecom"

    def __init__(self, port: int = 0) -> None:
        super().__init__(port)
        self.subscriptions = 0
        self._ids = itertools.count(1)
        self._pushed: dict[str, tuple[str, float, dict[str, Any]]] = {}  # req_id -> (chat, time, frame)
        self._responded: set[str] = set()
        self._uploads: dict[str, dict[str, Any]] = {}
        self.media: dict[str, tuple[str, bytes]] = {}

    def routes(self, app: web.Application) -> None:
        app.router.add_get("/", self._socket)

    # ------------------------------------------------------------------ what users do
    def send_text(self, chat: str, text: str, *, group: bool = False, user: str | None = None, mention: bool = True, msgid: str | None = None) -> str:
        """A user types `text` (in a group: "@事件助手 text" when `mention`); returns the msgid."""
        content = f"@{BOT_NAME} {text}" if group and mention else text
        body = {"msgtype": "text", "text": {"content": content}}
        return self._push("aibot_msg_callback", chat, group, user, body, msgid)

    def press(self, chat: str, msg: Msg, data: str, *, group: bool = False, user: str | None = None) -> str:
        card = msg.raw
        assert data in msg.button_data, f"no button {data!r} on that card: {msg.button_data}"
        event = {"eventtype": "template_card_event", "template_card_event": {"card_type": "button_interaction", "event_key": data, "task_id": card["task_id"]}}
        return self._push("aibot_event_callback", chat, group, user, {"msgtype": "event", "event": event})

    def enter_chat(self, user: str) -> str:
        return self._push("aibot_event_callback", user, False, user, {"msgtype": "event", "event": {"eventtype": "enter_chat"}})

    def take_over(self) -> None:
        """Another instance connected with the same bot: the current connection gets disconnected_event."""
        self._push("aibot_event_callback", "system", False, "system", {"msgtype": "event", "event": {"eventtype": "disconnected_event"}})

    def redeliver(self, chat: str, msgid: str, text: str, *, group: bool = False) -> None:
        """The platform pushes a message again (new req_id, same msgid)."""
        self.send_text(chat, text, group=group, msgid=msgid)

    def drop_connection(self) -> None:
        self.call(self._close_all())

    def _push(self, cmd: str, chat: str, group: bool, user: str | None, body: dict[str, Any], msgid: str | None = None) -> str:
        msgid = msgid or f"msg{next(self._ids)}"
        req_id = f"req{next(self._ids)}"
        full = {"msgid": msgid, "aibotid": BOT_ID, "chattype": "group" if group else "single", "from": {"userid": user or (f"u-{chat}" if group else chat)}, **body}
        if group:
            full["chatid"] = chat
        frame = {"cmd": cmd, "headers": {"req_id": req_id}, "body": full}
        self._pushed[req_id] = (chat, time.monotonic(), frame)
        self.call(self._send(frame))
        return msgid

    async def _send(self, frame: dict[str, Any]) -> None:
        for _ in range(500):  # a bot that reconnects is given 10 s to come back
            if self.ws is not None and not self.ws.closed:
                await self.ws.send_str(json.dumps(frame, ensure_ascii=False))
                return
            await asyncio.sleep(0.02)
        raise AssertionError("the bot is not connected")

    # ------------------------------------------------------------------ the socket
    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(heartbeat=None)
        await ws.prepare(request)
        subscribed = False
        async for message in ws:
            if message.type != WSMsgType.TEXT:
                break
            frame = json.loads(message.data)
            cmd, req_id, body = frame.get("cmd"), (frame.get("headers") or {}).get("req_id", ""), frame.get("body") or {}
            self.note(cmd, body)
            if cmd == "aibot_subscribe":
                if body.get("bot_id") != BOT_ID or body.get("secret") != SECRET:
                    await ws.send_json({"headers": {"req_id": req_id}, "errcode": 40058, "errmsg": "invalid bot_id or secret"})
                    continue
                if self.ws is not None and not self.ws.closed:
                    old = self.ws
                    self.ws = ws
                    await old.close()
                self.ws = ws
                subscribed = True
                with self.cond:
                    self.subscriptions += 1
                    self.cond.notify_all()
                await ws.send_json({"headers": {"req_id": req_id}, "errcode": 0, "errmsg": "ok"})
                continue
            if not subscribed:
                await ws.send_json({"headers": {"req_id": req_id}, "errcode": 40058, "errmsg": "not subscribed"})
                continue
            errcode, answer = self._command(cmd, req_id, body)
            await ws.send_json({"headers": {"req_id": req_id}, "errcode": errcode, "errmsg": "ok" if not errcode else "api freq out of limit", **({"body": answer} if answer else {})})
        if self.ws is ws:
            self.ws = None
        return ws

    def _command(self, cmd: str, req_id: str, body: dict[str, Any]) -> tuple[int, dict[str, Any] | None]:
        if cmd == "ping":
            return 0, None
        if self.take_failure(cmd):
            return 45009, None
        if cmd in ("aibot_respond_msg", "aibot_respond_welcome_msg"):
            pushed = self._pushed.get(req_id)
            if pushed is None or req_id in self._responded:
                return 40008, None  # no such callback, or already answered
            chat, at, _ = pushed
            if cmd == "aibot_respond_welcome_msg" and time.monotonic() - at > 5:
                return 40009, None
            self._responded.add(req_id)
            self._record_body(chat, body)
            return 0, None
        if cmd == "aibot_send_msg":
            self._record_body(str(body.get("chatid")), body)
            return 0, None
        if cmd == "aibot_upload_media_init":
            upload_id = f"up{next(self._ids)}"
            self._uploads[upload_id] = {**body, "chunks": {}}
            return 0, {"upload_id": upload_id}
        if cmd == "aibot_upload_media_chunk":
            upload = self._uploads.get(body.get("upload_id"))
            if upload is None:
                return 40007, None
            upload["chunks"][int(body["chunk_index"])] = base64.b64decode(body["base64_data"])
            return 0, None
        if cmd == "aibot_upload_media_finish":
            upload = self._uploads.pop(body.get("upload_id"), None)
            if upload is None:
                return 40007, None
            content = b"".join(upload["chunks"][i] for i in range(upload["total_chunks"]))
            if len(content) != upload["total_size"] or hashlib.md5(content).hexdigest() != upload["md5"]:
                return 40006, None
            media_id = f"media{next(self._ids)}"
            self.media[media_id] = (upload["filename"], content)
            return 0, {"media_id": media_id, "type": "file"}
        return 40004, None  # an unknown command

    def _record_body(self, chat: str, body: dict[str, Any]) -> None:
        kind = body.get("msgtype")
        card = body.get("template_card")
        buttons = [(b["text"], b["key"]) for b in card["button_list"]] if card else []
        if kind in ("stream", "stream_with_template_card"):
            self.record(Msg(chat, text=body["stream"]["content"], buttons=buttons, raw=card))
        elif kind == "markdown":
            self.record(Msg(chat, text=body["markdown"]["content"]))
        elif kind == "text":
            self.record(Msg(chat, text=body["text"]["content"]))
        elif kind == "template_card":
            self.record(Msg(chat, buttons=buttons, raw=card))
        elif kind == "file":
            self.record(Msg(chat, file=self.media[body["file"]["media_id"]]))
        else:
            raise AssertionError(f"unexpected msgtype {kind!r}")
