"""What both adapters do with what a user did: hand it to the core, then show the replies in order.

The core (BotService) saves the chat's state before it returns the replies, so a process killed while
sending loses nothing. Per chat, one update is handled at a time and its replies are sent before the next
update's, while different chats proceed concurrently. Deadline reminders are delivered from here too.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Protocol

from bot.model import FileOut, Reply
from bot.service import BotService
from bot.timeutil import now_shanghai
from bot.transports.telegram.common import Keyboard, chat_id_of, chat_key, keyboard, retrying, split_text
from bot.transports.telegram.schedule import ReminderQueue

log = logging.getLogger(__name__)

RECHECK_SECONDS = 60.0  # the reminder loop re-reads the wall clock and the store's reminder index this often


class Sender(Protocol):
    """The two sends a framework adapter provides; errors are the framework's own exceptions."""

    async def send_text(self, chat_id: int, text: str, rows: Keyboard) -> None: ...

    async def send_document(self, chat_id: int, file: FileOut) -> None: ...


class ChatLocks:
    """One asyncio lock per busy chat (fair, so updates keep their order); idle chats hold no memory."""

    def __init__(self) -> None:
        self._locks: dict[str, asyncio.Lock] = {}
        self._holders: Counter[str] = Counter()

    @asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._holders[key] += 1
        try:
            async with lock:
                yield
        finally:
            self._holders[key] -= 1
            if not self._holders[key]:
                del self._holders[key], self._locks[key]

    def __len__(self) -> int:
        return len(self._locks)


class Bridge:
    def __init__(self, service: BotService, sender: Sender, retry_delay: Callable[[Exception, int], float | None]) -> None:
        self.service = service
        self.sender = sender
        self.retry_delay = retry_delay
        self.locks = ChatLocks()
        self.reminders = ReminderQueue()
        self._reminders_changed = asyncio.Event()

    async def opening(self, chat_id: int, lang_hint: str | None) -> None:
        """/start: the greeting, or the offer to resume an unfinished conversation."""
        await self._exchange(chat_id, lambda key: self.service.opening(key, lang_hint=lang_hint))

    async def message(self, chat_id: int, text: str, lang_hint: str | None) -> None:
        """Typed text, a command, or a pressed button's data."""
        await self._exchange(chat_id, lambda key: self.service.handle(key, text, lang_hint=lang_hint))

    async def _exchange(self, chat_id: int, step: Callable[[str], list[Reply]]) -> None:
        """Under the chat's lock: the core's step (state saved), the chat's next reminder, then the replies."""
        key = chat_key(chat_id)
        async with self.locks.hold(key):
            replies = step(key)
            self._reschedule(key)
            await self.deliver(chat_id, replies)

    async def deliver(self, chat_id: int, replies: list[Reply]) -> None:
        """Each reply's text (split at Telegram's limit, buttons under the last piece), then its files."""
        for reply in replies:
            pieces = split_text(reply.text)
            rows = keyboard(reply.buttons)
            for number, piece in enumerate(pieces, start=1):
                piece_rows = rows if number == len(pieces) else []
                await retrying(lambda: self.sender.send_text(chat_id, piece, piece_rows), self.retry_delay)
            for file in reply.files:
                await retrying(lambda: self.sender.send_document(chat_id, file), self.retry_delay)

    # ------------------------------------------------------------------ deadline reminders
    def load_reminders(self) -> None:
        """Schedule the Telegram chats whose next reminder falls due within RECHECK_SECONDS (at start-up).

        It reads the store's reminder index, not the chats: start-up costs the same with 10 or 100,000
        stored conversations, and a chat whose row is damaged is not touched until it is due or writes.
        """
        self.refresh_reminders()
        log.info("%d chat(s) with a reminder due within %d s", len(self.reminders), RECHECK_SECONDS)

    def refresh_reminders(self) -> None:
        """Add what the index holds for the next RECHECK_SECONDS: reminders set while this process was down,
        or by another replica sharing the store (whichever replica saves a reminder as delivered sends it)."""
        for key, due in self.service.store.reminders_due(now_shanghai() + timedelta(seconds=RECHECK_SECONDS)):
            if chat_id_of(key) is not None:  # a terminal chat in the same store takes its own reminders
                self._schedule(key, due)

    async def run_reminders(self) -> None:
        """Sleep until the earliest reminder is due (or an earlier one is scheduled), then deliver it."""
        while True:
            self._reminders_changed.clear()
            due = self.reminders.next_time()
            wait = RECHECK_SECONDS if due is None else (due - now_shanghai()).total_seconds()
            try:
                await asyncio.wait_for(self._reminders_changed.wait(), max(0.0, min(wait, RECHECK_SECONDS)))
            except TimeoutError:
                pass
            try:
                self.refresh_reminders()
            except Exception as error:  # a store that is briefly unreachable: the next round tries again
                log.error("could not read the reminder index (%s)", type(error).__name__)
            for key in self.reminders.pop_due(now_shanghai()):
                try:
                    await self._remind(key)
                except Exception:
                    log.exception("a reminder could not be delivered")

    async def _remind(self, key: str) -> None:
        chat_id = chat_id_of(key)
        async with self.locks.hold(key):
            replies = self.service.due_reminders(key, now_shanghai())  # saved as delivered before sending
            self._reschedule(key)
            if replies and chat_id is not None:
                await self.deliver(chat_id, replies)

    def _reschedule(self, key: str) -> None:
        """The chat's next reminder from the store's index. If the store cannot say just now, the replies still
        go out: the reminder loop reads the index again within RECHECK_SECONDS."""
        try:
            due = self.service.store.next_reminder(key)
        except Exception as error:
            log.error("could not read the reminder index (%s)", type(error).__name__)
            return
        self._schedule(key, due)

    def _schedule(self, key: str, due: datetime | None) -> None:
        if self.reminders.set(key, due):
            self._reminders_changed.set()
