"""ASGI pieces in front of the app: the body size limit, the per-client rate limit, security headers.

They are plain ASGI middleware (no buffering of responses), so the reminder stream passes through untouched.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

BODY_LIMIT = 64 * 1024
DRAIN_CAP = 8 * 1024 * 1024  # a body larger than the limit is read and dropped up to this much, then the 413 goes out


async def send_json(send: Send, status: int, body: dict[str, Any], headers: list[tuple[bytes, bytes]] | None = None) -> None:
    raw = json.dumps(body, ensure_ascii=False).encode()
    head = [(b"content-type", b"application/json"), (b"content-length", str(len(raw)).encode())] + (headers or [])
    await send({"type": "http.response.start", "status": status, "headers": head})
    await send({"type": "http.response.body", "body": raw})


def route_path(scope: Scope) -> str:
    """The path below --root-path, whether or not the proxy kept the prefix."""
    path, root = scope["path"], scope.get("root_path", "")
    return path[len(root):] or "/" if root and path.startswith(root + "/") else path


class BodyLimit:
    """Reads the request body first; over `limit` bytes it is drained (up to DRAIN_CAP) and answered 413, so the
    client reads the answer instead of a reset connection. Under it, the app gets the body as usual."""

    def __init__(self, app: ASGIApp, limit: int = BODY_LIMIT) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        chunks: list[bytes] = []
        size = 0
        too_big = declared is not None and declared.isdigit() and int(declared) > self.limit
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body = message.get("body", b"")
            size += len(body)
            more = message.get("more_body", False)
            if size > self.limit:
                too_big = True
            if not too_big:
                chunks.append(body)
            elif size > DRAIN_CAP:
                break
        if too_big:
            headers = [(b"connection", b"close")] if more else []
            await send_json(send, 413, {"error": f"the request body is larger than {self.limit // 1024} KiB"}, headers)
            return
        whole = b"".join(chunks)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": whole, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


class RateLimit:
    """A token bucket per client address: `per_minute` requests a minute on average, bursts of up to a fifth of
    that (at least 10). Over it: 429 with Retry-After. `per_minute` 0 turns it off. Paths in `free` (the
    reminder stream, health, static files) are not counted."""

    def __init__(self, app: ASGIApp, per_minute: int, free: tuple[str, ...] = ()) -> None:
        self.app = app
        self.rate = per_minute / 60.0
        self.burst = max(10.0, per_minute / 5)
        self.free = free
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def _take(self, client: str) -> float:
        """0 if the request may go, else the seconds until it could."""
        now = time.monotonic()
        with self._lock:
            if len(self._buckets) > 100_000:  # forget idle clients, so memory stays bounded
                self._buckets = {k: v for k, v in self._buckets.items() if now - v[1] < self.burst / self.rate}
            tokens, last = self._buckets.get(client, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            if tokens >= 1:
                self._buckets[client] = (tokens - 1, now)
                return 0.0
            self._buckets[client] = (tokens, now)
            return (1 - tokens) / self.rate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.rate <= 0 or route_path(scope).startswith(self.free):
            await self.app(scope, receive, send)
            return
        client = (scope.get("client") or ("?", 0))[0]
        wait = self._take(client)
        if wait:
            seconds = max(1, math.ceil(wait))
            await send_json(send, 429, {"error": f"too many requests; try again in {seconds} s"}, [(b"retry-after", str(seconds).encode())])
            return
        await self.app(scope, receive, send)
