"""What every chat adapter does with what a user did: hand it to the core, then show the replies in order.

Shared by the Telegram adapters and the Feishu, DingTalk and WeCom ones. A `Platform` object says what is
platform-specific: the store key of a chat and, back from a key alone, where to send (so reminders find their
destination), how long a message may be and how buttons are drawn. The core (BotService) saves the chat's
state before it returns the replies, so a process killed while sending loses nothing. Per chat, one update is
handled at a time and its replies are sent before the next update's, while different chats proceed
concurrently. Deadline reminders are delivered from here too.
"""

from __future__ import annotations

import asyncio
import logging
import unicodedata
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any, Protocol

from bot.i18n import pick
from bot.model import Button, FileOut, Reply
from bot.numerals import ascii_int
from bot.service import BotService
from bot.timeutil import now_shanghai, parse_iso
from bot.transports.telegram.common import chat_id_of, chat_key, keyboard, retrying, split_text
from bot.transports.telegram.schedule import ReminderQueue

log = logging.getLogger(__name__)

RECHECK_SECONDS = 60.0  # the reminder loop re-reads the wall clock and the store's reminder index this often

FORGET_CONFIRM = "/forget confirm"  # what the confirmation button sends; /forget with any argument forgets at once
GROUP_FORGET = {
    "zh": "在群里发送 /forget 会删除整个群共享的对话（评估、报告草稿、提醒），所有成员都会受影响。确定删除请点下面的按钮（或发送 /forget confirm）；不删除则忽略本消息。",
    "en": "/forget in a group deletes the conversation the whole group shares (assessment, report draft, reminders) "
    "for every member. To delete it, press the button below (or send /forget confirm); otherwise ignore this message.",
}
CONFIRM_LABEL = {"zh": "确认删除", "en": "Delete it"}


class Platform(Protocol):
    """What the Bridge needs to know of a platform. `chat` is whatever the adapter uses to address a chat."""

    def key(self, chat: Any) -> str: ...  # the store key, e.g. "tg:123", "wc:g:<chatid>"

    def chat(self, key: str) -> Any | None: ...  # back from a key (for reminders); None: another platform's chat

    def is_group(self, chat: Any) -> bool: ...

    def split(self, text: str) -> list[str]: ...  # messages of at most the platform's limit

    def render(self, buttons: list[Button]) -> Any: ...  # what Sender.send_text gets as its buttons


class TelegramPlatform:
    """Telegram: integer chat ids (groups negative), 4,096 UTF-16 units a message, inline-keyboard rows."""

    def key(self, chat: int) -> str:
        return chat_key(chat)

    def chat(self, key: str) -> int | None:
        return chat_id_of(key)

    def is_group(self, chat: int) -> bool:
        return chat < 0

    def split(self, text: str) -> list[str]:
        return split_text(text)

    def render(self, buttons: list[Button]) -> Any:
        return keyboard(buttons)


class Sender(Protocol):
    """The two sends an adapter provides; errors are the framework's own exceptions."""

    async def send_text(self, chat: Any, text: str, rows: Any) -> None: ...

    async def send_document(self, chat: Any, file: FileOut) -> None: ...


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
    def __init__(
        self,
        service: BotService,
        sender: Sender,
        retry_delay: Callable[[Exception, int], float | None],
        platform: Platform | None = None,
    ) -> None:
        self.service = service
        self.sender = sender
        self.retry_delay = retry_delay
        self.platform: Platform = platform or TelegramPlatform()
        self.locks = ChatLocks()
        self.reminders = ReminderQueue()
        self._reminders_changed = asyncio.Event()

    async def opening(self, chat: Any, lang_hint: str | None, **extra: Any) -> None:
        """/start: the greeting, or the offer to resume an unfinished conversation."""
        await self.message(chat, "/start", lang_hint, **extra)

    async def message(
        self,
        chat: Any,
        text: str,
        lang_hint: str | None,
        *,
        message_id: str | None = None,
        author: dict[str, str] | None = None,
        numbered: bool = False,
        acked: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        """Typed text, a command, or a pressed button's data. `message_id`: the platform's id, so a re-push is
        skipped; `author`: who sent it (groups); `numbered`: a bare number picks that of the chat's last
        buttons (platforms that show them as a numbered list); `acked`: called after the state is saved and
        before any reply is sent (the platform's acknowledgement)."""
        key = self.platform.key(chat)
        words = text.split()
        if self.platform.is_group(chat) and len(words) == 1 and words[0].split("@", 1)[0].lower() == "/forget":
            lang = self._lang(key)
            replies = [Reply(pick(GROUP_FORGET, lang), [Button(pick(CONFIRM_LABEL, lang), FORGET_CONFIRM)])]
            await self._exchange(chat, lambda: replies, acked)
            return
        if numbered:
            text = self._by_number(key, text)
        await self._exchange(
            chat, lambda: self.service.handle(key, text, lang_hint=lang_hint, message_id=message_id, author=author), acked
        )

    def _lang(self, key: str) -> str:
        try:
            return self.service.store.read(key).state.lang or "zh"
        except Exception:
            return "zh"

    def _by_number(self, key: str, text: str) -> str:
        number = ascii_int(unicodedata.normalize("NFKC", text.strip()))
        if number is None or number < 1:
            return text
        try:
            buttons = self.service.store.read(key).state.buttons
        except Exception:  # the core reports an unreadable state itself
            return text
        return buttons[number - 1]["data"] if number <= len(buttons) else text

    async def _exchange(self, chat: Any, step: Callable[[], list[Reply]], acked: Callable[[], Awaitable[None]] | None = None) -> None:
        """Under the chat's lock: the core's step (state saved), the chat's next reminder, the platform's
        acknowledgement, then the replies."""
        key = self.platform.key(chat)
        async with self.locks.hold(key):
            replies = step()
            self._reschedule(key)
            if acked is not None:
                await acked()
            await self.deliver(chat, replies)

    async def deliver(self, chat: Any, replies: list[Reply]) -> None:
        """Each reply's text (split at the platform's limit, buttons under the last piece), then its files."""
        for reply in replies:
            pieces = self.platform.split(reply.text)
            rows = self.platform.render(reply.buttons)
            for number, piece in enumerate(pieces, start=1):
                piece_rows = rows if number == len(pieces) else self.platform.render([])
                await retrying(lambda: self.sender.send_text(chat, piece, piece_rows), self.retry_delay)
            for file in reply.files:
                await retrying(lambda: self.sender.send_document(chat, file), self.retry_delay)

    # ------------------------------------------------------------------ deadline reminders
    def load_reminders(self) -> None:
        """Schedule this platform's chats whose next reminder falls due within RECHECK_SECONDS (at start-up).

        It reads the store's reminder index, not the chats: start-up costs the same with 10 or 100,000
        stored conversations, and a chat whose row is damaged is not touched until it is due or writes.
        """
        self.refresh_reminders()
        log.info("%d chat(s) with a reminder due within %d s", len(self.reminders), RECHECK_SECONDS)

    def refresh_reminders(self) -> None:
        """Add what the index holds for the next RECHECK_SECONDS: reminders set while this process was down,
        or by another replica sharing the store (whichever replica saves a reminder as delivered sends it)."""
        for key, due in self.service.store.reminders_due(now_shanghai() + timedelta(seconds=RECHECK_SECONDS)):
            if self.platform.chat(key) is not None:  # another transport's chat in the same store takes its own
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
        chat = self.platform.chat(key)
        async with self.locks.hold(key):
            now = now_shanghai()
            people = self._setters(key, now)
            replies = self.service.due_reminders(key, now)  # saved as delivered before sending
            self._reschedule(key)
            if replies and chat is not None:
                mention = getattr(self.platform, "mention", None)  # platforms that can @ someone in a group
                await self.deliver(mention(chat, people) if mention and people else chat, replies)

    def _setters(self, key: str, now: datetime) -> list[dict[str, str]]:
        """Who set the reminders falling due (the core stamps the author on them), each once."""
        try:
            reminders = self.service.store.read(key).state.reminders
        except Exception:
            return []
        people: list[dict[str, str]] = []
        for reminder in reminders:
            by = reminder.get("by")
            try:
                due = parse_iso(reminder["at"]) <= now
            except (KeyError, ValueError, OverflowError):
                continue
            if due and isinstance(by, dict) and by.get("id") and by not in people:
                people.append(by)
        return people

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
