"""Webhook mode for both adapters: a small aiohttp server that takes Telegram's POSTs.

Telegram sends the secret token given to setWebhook in the X-Telegram-Bot-Api-Secret-Token header of every
call; a request without the right one is refused with 403 before its body is read. Without --webhook-secret a
random secret is made for each run, so the endpoint is never open.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import secrets
import signal
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from bot.transports.telegram.common import UPDATE_TYPES
from bot.transports.telegram.settings import Settings

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


async def until_stopped() -> None:
    """Wait for SIGINT or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await stop.wait()


def webhook_app(secret: str, path: str, feed: Callable[[dict[str, Any]], Awaitable[None]]) -> web.Application:
    async def receive(request: web.Request) -> web.Response:
        offered = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(offered.encode(), secret.encode()):
            return web.Response(status=403, text="wrong secret token")
        try:
            update = await request.json()
        except ValueError:
            return web.Response(status=400, text="not JSON")
        if not isinstance(update, dict) or not isinstance(update.get("update_id"), int):
            return web.Response(status=400, text="not a Telegram update")
        await feed(update)
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post(path, receive)
    return app


async def serve_webhook(
    url: str, settings: Settings, set_webhook: Callable[..., Awaitable[Any]], feed: Callable[[dict[str, Any]], Awaitable[None]]
) -> None:
    """Listen on --listen:--port at the webhook URL's path, register the webhook, run until SIGINT/SIGTERM."""
    secret = settings.webhook_secret or secrets.token_urlsafe(32)
    path = urlsplit(url).path or "/"
    runner = web.AppRunner(webhook_app(secret, path, feed), access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, settings.listen, settings.port).start()
        await set_webhook(url, secret_token=secret, allowed_updates=UPDATE_TYPES)
        log.info("webhook listening on %s:%d%s", settings.listen, settings.port, path)
        await until_stopped()
    finally:
        await runner.cleanup()
