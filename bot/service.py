"""What every transport does with a message: load the chat's state, step, save, return the replies.

The state is saved before the replies are returned, so a transport that dies while sending (kill -9, a
network error) loses nothing: the user can repeat the last message or press the same button again.

Saving is a compare-and-set: it succeeds only if the stored state is still the one the step started from.
When another process or replica changed the chat meanwhile, the message is stepped again on the new state
(after a short jittered pause), so two processes on one chat behave as if the messages came one after the
other and no answer is lost.

A step that raises is this module's business, not the transport's: the user gets a one-line apology, the
log gets one line with a short error id and the exception's class (never the user's text, which may hold
incident details), and the stored state stays exactly as it was before the message, so one bad input can
neither end a process nor leave a half-changed conversation behind. `/forget` works even then.
"""

from __future__ import annotations

import json
import base64
import logging
import random
import secrets
import time
from collections.abc import Callable
from datetime import datetime

from bot import texts
from bot.engine import Engine
from bot.i18n import normalize_lang, pick
from bot.model import Button, ChatState, Event, FileOut, Reply
from bot.reminders import pop_due
from bot.store import Store
from bot.timeutil import now_shanghai

log = logging.getLogger(__name__)

ATTEMPTS = 30  # compare-and-set tries before a message gives up (each conflict means another message got in)
ANSWERS_KEPT = 8  # replies kept per chat for handle(replay=True); files only with the newest
SEEN_KEPT = 50  # handled message ids kept per chat, for platforms that push a message again (after a restart)
PAUSE_CAP = 0.02  # seconds: the most a retry waits before reading again (jittered from 1 ms up)

APOLOGY = {
    "zh": "抱歉，处理这条消息时出错了，对话保持原样，请重试或换个说法；反复出错可发送 /forget 清除本对话（错误编号 {id}）。",
    "en": "Sorry, something went wrong with that message and the conversation is unchanged. Please try again or "
    "rephrase; if it keeps failing, /forget clears this chat (error {id}).",
}
RESET = {
    "zh": "抱歉，这个对话保存的内容无法读取，只能重新开始（原内容已另行保存，供管理员检查）。",
    "en": "Sorry, this chat's saved conversation could not be read, so it starts afresh (the old copy is kept aside for the operator to inspect).",
}

Change = Callable[[ChatState], tuple[ChatState, list[Reply]]]


class Busy(Exception):
    """The chat kept changing under this message for every attempt."""


class BotService:
    def __init__(self, store: Store, engine: Engine | None = None) -> None:
        self.store = store
        self.engine = engine or Engine()

    def handle(
        self,
        chat_id: str,
        text: str,
        now: datetime | None = None,
        lang_hint: str | None = None,
        *,
        message_id: str | None = None,
        author: dict[str, str] | None = None,
        replay: bool = False,
    ) -> list[Reply]:
        """`message_id`: the platform's id of the message; one already handled (kept in the chat's state, saved
        with the step) gets no replies and changes nothing, so a platform's re-push is skipped. `replay`: it gets the
        replies it got the first time instead (kept in the state too, saved in the same write), for callers that
        retry a request whose answer they never read (the web)."""
        event = Event(chat_id, text, now or now_shanghai(), lang_hint, author)
        lang = normalize_lang(lang_hint)
        forget = _is_forget(text)

        def step(state: ChatState) -> tuple[ChatState, list[Reply]]:
            if message_id is not None and message_id in state.seen:
                return state, _answer(state, message_id) if replay else []
            new, replies = self.engine.step(state, event)
            if message_id is not None and not forget:  # a forgotten chat keeps nothing (a re-push forgets again)
                new.seen = [*new.seen, message_id][-SEEN_KEPT:]
                if replay:
                    new.answers = _keep_answer(new.answers, message_id, replies)
            if author is not None:
                _stamp_author(state, new, author)
            return new, replies

        try:
            return self._transact(chat_id, step, forget=forget, lang=lang)
        except Exception as error:  # the boundary: one message fails, the chat and the process go on
            if _is_forget(text):
                try:
                    self.store.delete(chat_id)  # whatever went wrong, /forget must still forget
                    return [Reply(pick(texts.FORGOTTEN, lang or "zh"))]
                except Exception as second:
                    error = second
            return [apology(error, self._lang(chat_id) or lang or "zh")]

    def opening(self, chat_id: str, now: datetime | None = None, lang_hint: str | None = None) -> list[Reply]:
        """The first screen of a (re)opened chat: the greeting, or the offer to resume an unfinished flow."""
        return self.handle(chat_id, "/start", now, lang_hint)

    def due_reminders(self, chat_id: str, now: datetime | None = None) -> list[Reply]:
        """Take the chat's reminders that are due (saved as delivered before they are returned, so with
        several replicas only the one whose save wins sends them). A failure is logged and yields none."""
        moment = now or now_shanghai()

        def take(state: ChatState) -> tuple[ChatState, list[Reply]]:
            state = state.copy()
            return state, pop_due(state, moment)

        try:
            return self._transact(chat_id, take)
        except Exception as error:
            log.error("reminders failed: error %s (%s)", secrets.token_hex(4), type(error).__name__)
            return []

    def _transact(self, chat_id: str, change: Change, forget: bool = False, lang: str | None = None) -> list[Reply]:
        """Read, change, compare-and-set; on a conflict read and change again. Nothing is written if the change
        raises. `forget`: the message is /forget, so rows of the chat set aside earlier go too. `lang`: the
        language to tell of a reset in while the chat has none of its own (Telegram's language_code)."""
        for attempt in range(ATTEMPTS):
            snapshot = self.store.read(chat_id)
            state, replies = change(snapshot.state)
            if snapshot.state.reset:  # the stored row did not load and was set aside: say so, once
                state.reset = False
                replies = [Reply(pick(RESET, state.lang or lang or "zh"))] + replies
            if (state == snapshot.state and not forget) or self.store.write(chat_id, state, snapshot.token, forget):
                return replies
            time.sleep(random.uniform(0.001, min(PAUSE_CAP, 0.001 * 2**attempt)))
        raise Busy(f"{ATTEMPTS} conflicting writes")

    def _lang(self, chat_id: str) -> str | None:
        """The chat's language for an apology, if its state can still be read."""
        try:
            return self.store.read(chat_id).state.lang
        except Exception:
            return None


def _stamp_author(before: ChatState, after: ChatState, author: dict[str, str]) -> None:
    """Who did it (group chats: which member typed or pressed): on each reminder set by this step (a group
    reminder mentions them) and each entry this step added to an incident's timeline."""
    for reminder in after.reminders:
        reminder.setdefault("by", dict(author))
    old = {json.dumps(entry, sort_keys=True, default=str) for incident in before.incidents for entry in incident.get("timeline", [])}
    for incident in after.incidents:
        for entry in incident.get("timeline", []):
            if "by" not in entry and json.dumps(entry, sort_keys=True, default=str) not in old:
                entry["by"] = dict(author)


def _keep_answer(answers: list[dict], message_id: str, replies: list[Reply]) -> list[dict]:
    """The last ANSWERS_KEPT answers; file contents only in the newest (a retry comes right after its request)."""
    older = [{**a, "replies": [{**r, "files": [{**f, "content": None} for f in r.get("files", [])]} for r in a["replies"]]} for a in answers]
    encoded = [
        {
            "text": r.text,
            "buttons": [{"label": b.label, "data": b.data} for b in r.buttons],
            "files": [{"name": f.name, "mime": f.mime, "content": base64.b64encode(f.content).decode("ascii")} for f in r.files],
        }
        for r in replies
    ]
    return older[-(ANSWERS_KEPT - 1):] + [{"id": message_id, "replies": encoded}]


def _answer(state: ChatState, message_id: str) -> list[Reply]:
    """The replies kept for `message_id` (a file whose content is no longer kept is left out); none if not kept."""
    for answer in state.answers:
        if answer.get("id") == message_id:
            try:
                return [
                    Reply(
                        r["text"],
                        [Button(b["label"], b["data"]) for b in r["buttons"]],
                        [FileOut(f["name"], base64.b64decode(f["content"]), f["mime"]) for f in r["files"] if f.get("content")],
                    )
                    for r in answer["replies"]
                ]
            except (KeyError, TypeError, ValueError):
                return []
    return []


def _is_forget(text: str) -> bool:
    """Whether the message is /forget, read as the engine reads commands (also /forget@BotName in groups)."""
    words = text.split(maxsplit=1)
    return bool(words) and words[0].split("@", 1)[0].lower() == "/forget"


def apology(error: BaseException, lang: str) -> Reply:
    """Log the failure as one line (an id to quote, the exception's class; no user text) and say sorry."""
    error_id = secrets.token_hex(4)
    log.error("message failed: error %s (%s)", error_id, type(error).__name__)
    return Reply(pick(APOLOGY, lang).format(id=error_id))
