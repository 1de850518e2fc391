"""BotService: state saved before replies go out, /forget leaves nothing, reminders taken once."""

from datetime import datetime, timedelta

from bot.engine import Engine
from bot.model import ChatState
from bot.service import BotService
from bot.store.memory import MemoryStore
from bot.store.sqlite import SQLiteStore
from bot.timeutil import SHANGHAI

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=SHANGHAI)


def test_state_is_saved_before_replies_are_returned(tmp_path):
    path = tmp_path / "state.sqlite3"
    BotService(SQLiteStore(path)).handle("c", "/assess", NOW)
    assert SQLiteStore(path).load("c").active == "assess"  # a new process sees it at once


def test_forget_deletes_the_chat_from_the_store():
    store = MemoryStore()
    service = BotService(store)
    service.handle("c", "/assess", NOW)
    service.handle("c", "/forget", NOW)
    assert store.chat_ids() == []


def test_due_reminders_are_delivered_once():
    store = MemoryStore()
    service = BotService(store)
    at = NOW - timedelta(minutes=1)
    state = ChatState(
        lang="zh",
        reminders=[{"at": at.isoformat(), "deadline": NOW.isoformat(), "text": {"zh": "提醒A", "en": "Reminder A"}}],
    )
    store.save("c", state)
    first = service.due_reminders("c", NOW)
    assert len(first) == 1 and "提醒A" in first[0].text
    assert service.due_reminders("c", NOW) == []


def test_reminders_not_yet_due_stay():
    store = MemoryStore()
    later = NOW + timedelta(hours=1)
    store.save("c", ChatState(reminders=[{"at": later.isoformat(), "deadline": later.isoformat(), "text": {"zh": "x", "en": "x"}}]))
    assert BotService(store).due_reminders("c", NOW) == []
    assert store.load("c").reminders


class Exploding(Engine):
    """The real engine, except that the text "boom" raises inside the step, after the state was changed."""

    def step(self, state, event):
        if event.text == "boom":
            state.active = "half-changed"
            raise KeyError(event.text)
        return super().step(state, event)


def test_a_failing_step_apologises_logs_one_line_and_keeps_the_state(caplog):
    store = MemoryStore()
    service = BotService(store, Exploding())
    service.handle("c", "/lang en", NOW)
    service.handle("c", "/assess", NOW)
    before = store.load("c")
    replies = service.handle("c", "boom", NOW)
    assert len(replies) == 1 and replies[0].text.startswith("Sorry") and "\n" not in replies[0].text
    assert store.load("c") == before
    [record] = [r for r in caplog.records if r.name == "bot.service"]
    assert "KeyError" in record.getMessage() and "boom" not in record.getMessage()
    assert service.handle("c", "/cancel", NOW)[0].text  # the chat goes on
