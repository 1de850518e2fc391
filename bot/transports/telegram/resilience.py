"""What both adapters do when the Bot API is away or a handler fails: wait and try again, saying so in one line.

An outage must neither end the process nor flood the log. The libraries' own behaviour does one or the other:
python-telegram-bot logs a full traceback for every failed poll (hundreds of lines in a 30-second outage),
aiogram logs two lines for each, and both end the process when the Bot API cannot be reached at start-up.
So the adapters make start-up (getMe) and every poll (getUpdates) go through `persist`: each failure is one
warning naming what failed, the error's class and message, and the wait before the next try; only an error
that no wait can cure (a rejected token) is raised. A failed update is one error line with an id, never a
traceback, and never the user's text.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Awaitable, Callable
from typing import TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")
RetryDelay = Callable[[Exception, int], "float | None"]  # (error, attempt) → seconds to wait, or None: give up


async def persist(call: Callable[[], Awaitable[T]], retry_delay: RetryDelay, what: str) -> T:
    """Run `call` until it succeeds, waiting `retry_delay(error, attempt)` seconds after each failure;
    an error for which it names no delay is raised."""
    attempt = 0
    while True:
        try:
            return await call()
        except Exception as error:
            delay = retry_delay(error, attempt)
            if delay is None:
                raise
            log.warning("%s failed (%s: %s); retrying in %.1f s", what, type(error).__name__, error, delay)
            attempt += 1
            await asyncio.sleep(delay)


def log_update_failure(error: BaseException | None) -> None:
    """One log line for an update whose handling failed: an id to quote and the error's class (its message
    may quote what the user sent)."""
    log.error("handling an update failed: error %s (%s)", secrets.token_hex(4), type(error).__name__)
