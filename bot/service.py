"""What every transport does with a message: load the chat's state, step, save, return the replies.

The state is saved before the replies are returned, so a transport that dies while sending (kill -9, a
network error) loses nothing: the user can repeat the last message or press the same button again.

A step that raises is this module's business, not the transport's: the user gets a one-line apology, the
log gets one line with a short error id and the exception's class (never the user's text, which may hold
incident details), and the stored state stays exactly as it was before the message, so one bad input can
neither end a process nor leave a half-changed conversation behind.
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime

from bot.engine import Engine
from bot.i18n import normalize_lang, pick
from bot.model import ChatState, Event, Reply
from bot.store import Store
from bot.timeutil import now_shanghai

log = logging.getLogger(__name__)

APOLOGY = {
    "zh": "抱歉，处理这条消息时出错了，对话保持原样，请重试或换个说法（错误编号 {id}）。",
    "en": "Sorry, something went wrong with that message; the conversation is unchanged. Please try again or rephrase (error {id}).",
}


class BotService:
    def __init__(self, store: Store, engine: Engine | None = None) -> None:
        self.store = store
        self.engine = engine or Engine()

    def handle(self, chat_id: str, text: str, now: datetime | None = None, lang_hint: str | None = None) -> list[Reply]:
        state = self.store.load(chat_id)
        try:
            new_state, replies = self.engine.step(state, Event(chat_id, text, now or now_shanghai(), lang_hint))
        except Exception as error:  # the boundary: one message fails, the chat and the process go on
            return [apology(error, state.lang or normalize_lang(lang_hint) or "zh")]
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


def apology(error: BaseException, lang: str) -> Reply:
    """Log the failure as one line (an id to quote, the exception's class; no user text) and say sorry."""
    error_id = secrets.token_hex(4)
    log.error("message failed: error %s (%s)", error_id, type(error).__name__)
    return Reply(pick(APOLOGY, lang).format(id=error_id))
