"""python-telegram-bot's HTTP calls made with aiohttp instead of httpx: a BaseRequest subclass, PTB's
documented way to change its networking backend.

Why: measured against a local Bot API server, each call through httpx's connection pool cost about 1.7 ms of
CPU, which held one PTB process to ~300-400 updates/s; through aiohttp (the client aiogram uses too, so one
HTTP stack serves both adapters) the same process handles about twice as many. Behaviour follows PTB's
HTTPXRequest: the same default timeouts, TimedOut for a timeout, NetworkError for any other transport failure,
proxies from the environment (HTTPS_PROXY, NO_PROXY) honoured.

PollingRequest, the getUpdates connection, retries a failed poll itself (bot.transports.telegram.resilience),
so PTB's polling loop, which would log a full traceback for each, never sees one.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.request import getproxies

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot.transports.telegram.resilience import RetryDelay, persist

DEFAULT = BaseRequest.DEFAULT_NONE


class AiohttpRequest(BaseRequest):
    def __init__(
        self,
        connections: int,
        read_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
    ) -> None:
        self._connections = connections
        self._read_timeout = read_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._connections)
            # HTTPS_PROXY / NO_PROXY are honoured as httpx does; aiohttp reads them on every request, so only
            # when the environment names a proxy at all (that lookup costs a third of the throughput)
            self._session = aiohttp.ClientSession(connector=connector, trust_env=bool(getproxies()))

    async def shutdown(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: float | None = DEFAULT,  # type: ignore[assignment]
        write_timeout: float | None = DEFAULT,  # type: ignore[assignment]
        connect_timeout: float | None = DEFAULT,  # type: ignore[assignment]
        pool_timeout: float | None = DEFAULT,  # type: ignore[assignment]
    ) -> tuple[int, bytes]:
        """One HTTP call. aiohttp has no write timeout: `write_timeout` is accepted and not used."""
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        read = self._read_timeout if read_timeout is DEFAULT else read_timeout
        connect = self._connect_timeout if connect_timeout is DEFAULT else connect_timeout
        pool = self._pool_timeout if pool_timeout is DEFAULT else pool_timeout
        timeout = aiohttp.ClientTimeout(
            connect=None if connect is None or pool is None else connect + pool,  # waiting for a pooled connection, then connecting
            sock_connect=connect,
            sock_read=read,
        )
        try:
            async with self._session.request(method, url, data=_body(request_data), timeout=timeout) as response:
                return response.status, await response.read()
        except asyncio.TimeoutError as error:  # aiohttp's timeouts subclass it
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{error.__class__.__name__}: {error}") from error


class PollingRequest(AiohttpRequest):
    """One connection for getUpdates, whose failures are waited out here: one log line each."""

    def __init__(self, retry_delay: RetryDelay) -> None:
        super().__init__(connections=1)
        self._retry_delay = retry_delay

    async def post(self, *args: Any, **kwargs: Any) -> Any:
        post = super().post
        return await persist(lambda: post(*args, **kwargs), self._retry_delay, "polling")


def _body(request_data: RequestData | None) -> dict[str, str] | aiohttp.FormData | None:
    """Form fields (each value JSON-encoded, as PTB does), multipart when files go along."""
    if request_data is None:
        return None
    files = request_data.multipart_data
    if not files:
        return request_data.json_parameters
    form = aiohttp.FormData(quote_fields=False)
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, (filename, content, mime) in files.items():
        form.add_field(name, content, filename=filename, content_type=mime)
    return form
