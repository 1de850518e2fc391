"""What every transport does with a message: load the chat's state, step, save, return the replies.

The state is saved before the replies are returned, so a transport that dies while sending (kill -9, a
network error) loses nothing: the user can repeat the last message or press the same button again.
"""

from __future__ import annotations

from datetime import datetime

from bot.engine import Engine
from bot.model import ChatState, Event, Reply
from bot.store import Store
from bot.timeutil import now_shanghai


class BotService:
    def __init__(self, store: Store, engine: Engine | None = None) -> None:
        self.store = store
        self.engine = engine or Engine()

    def handle(self, chat_id: str, text: str, now: datetime | None = None, lang_hint: str | None = None) -> list[Reply]:
        state = self.store.load(chat_id)
        new_state, replies = self.engine.step(state, Event(chat_id, text, now or now_shanghai(), lang_hint))
        self._save(chat_id, new_state)
        return replies

    def opening(self, chat_id: str, now: datetime | None = None, lang_hint: str | None = None) -> list[Reply]:
        """The first screen of a (re)opened chat: the greeting, or the offer to resume an unfinished flow."""
        return self.handle(chat_id, "/start", now, lang_hint)

    def due_reminders(self, chat_id: str, now: datetime | None = None) -> list[Reply]:
        """Take the chat's reminders that are due (saved as delivered before they are returned)."""
        from bot.reminders import pop_due

        state = self.store.load(chat_id)
        replies = pop_due(state, now or now_shanghai())
        if replies:
            self._save(chat_id, state)
        return replies

    def _save(self, chat_id: str, state: ChatState) -> None:
        if state == ChatState():
            self.store.delete(chat_id)  # /forget: nothing of this chat stays on disk
        else:
            self.store.save(chat_id, state)
