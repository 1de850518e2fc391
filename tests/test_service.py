"""BotService: state saved before replies go out, /forget leaves nothing, reminders taken once, a failing
step changes nothing, and a write that lost a race is stepped again."""

from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.engine import Engine
from bot.model import ChatState, Event
from bot.service import BotService
from bot.store.memory import MemoryStore
from bot.store.sqlite import SQLiteStore
from bot.timeutil import SHANGHAI

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=SHANGHAI)
ENGINE = Engine()  # loading the knowledge base once for all tests here


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
    """The real engine (sharing ENGINE's indexes), except that the text "boom" raises inside the step, after
    the state was changed; `doomed` makes every step fail that way, after doing its real work."""

    def __init__(self) -> None:
        super().__init__(ENGINE.kb, ENGINE.flows)
        self.doomed = False

    def step(self, state, event):
        if event.text == "boom":
            state.active = "half-changed"
            raise KeyError(event.text)
        new_state, replies = super().step(state, event)
        if self.doomed:
            new_state.lang, state.lang, state.buttons = "en", "en", []  # the copy and even the input, half-changed
            raise RuntimeError("doomed")
        return new_state, replies


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


MESSAGES = ["/start", "/assess", "/report", "/lang en", "/lang zh", "/cancel", "/contacts", "/faq", "是", "否", "较大", "现在",
            "report:kind:initial", "discard:assess", "resume:assess", "remind:on", "1", "关基事件多久报", "示例单位", "/forget"]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(MESSAGES) | st.text(max_size=20), st.booleans()), max_size=12))
def test_failing_steps_leave_the_stored_state_exactly_as_it_was(messages):
    """Whatever fails, the store holds what the messages that succeeded would have made of it alone."""
    failing = Exploding()
    service, twin = BotService(MemoryStore(), failing), BotService(MemoryStore(), ENGINE)
    for text, fails in messages:
        before = service.store.load("c")
        failing.doomed = fails
        replies = service.handle("c", text, NOW)
        if fails and not text.strip().startswith("/forget"):
            assert len(replies) == 1 and service.store.load("c") == before, text
            assert "\n" not in replies[0].text
        else:  # /forget forgets even when its step fails
            twin.handle("c", text, NOW)
        assert service.store.load("c") == twin.store.load("c")


def test_forget_forgets_even_when_every_step_fails():
    service = BotService(MemoryStore(), Exploding())
    service.handle("c", "/assess", NOW)
    service.engine.doomed = True
    assert "已删除" in service.handle("c", "/forget", NOW)[0].text
    assert service.store.chat_ids() == []


class Interleaving(MemoryStore):
    """A memory store where another replica writes the chat between this one's read and write, `times` times."""

    def __init__(self, times: int) -> None:
        super().__init__()
        self.times = times

    def read(self, chat_id):
        snapshot = super().read(chat_id)
        if self.times:
            self.times -= 1
            other = snapshot.state.copy()
            other.flows.setdefault("other", {}).setdefault("seen", []).append(self.times)
            self.save(chat_id, other)
        return snapshot


def test_a_message_that_lost_the_race_is_stepped_again_on_the_winner_s_state():
    store = Interleaving(times=3)
    service = BotService(store, ENGINE)
    replies = service.handle("c", "/assess", NOW)
    state = store.load("c")
    assert state.active == "assess" and state.flows["other"]["seen"] == [2, 1, 0]  # nothing overwritten
    assert replies == ENGINE.step(ChatState(), Event("c", "/assess", NOW))[1]


def test_a_chat_that_never_stops_changing_gets_the_apology_and_nothing_written():
    store = Interleaving(times=10_000)
    replies = BotService(store, ENGINE).handle("c", "/assess", NOW, lang_hint="en")
    assert len(replies) == 1 and replies[0].text.startswith("Sorry")
    assert store.load("c").active is None
