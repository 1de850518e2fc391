"""Reminders before the deadlines of the last assessment: set, listed, popped when due, cleared."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from bot import reminders
from bot.engine import Engine
from bot.flows import Ctx
from bot.knowledge import load
from bot.model import ChatState, Event
from bot.rules import assess
from bot.timeutil import SHANGHAI, parse_iso

NOW = datetime(2026, 3, 1, 10, 15, tzinfo=SHANGHAI)
FACTS = {
    "cii": True,
    "central_state_organ": None,
    "level": "major",
    "discovered_at": "2026-03-01T09:30",
    "suspected_crime": True,
    "sector_rules": False,
    "handling_ended_at": "2026-03-01T10:00",
}


def assessed(facts=FACTS, now=NOW, lang=None):
    return ChatState(lang=lang, flows={"assess": {"step": "done", "answers": facts, "history": [], "result": assess(facts, now)}})


def ctx(now=NOW, lang="zh"):
    return Ctx(now=now, lang=lang, kb=load())


def test_on_sets_one_reminder_per_own_duty_ahead_fifteen_minutes_before_it():
    state = assessed()
    replies = reminders.handle(state, "on", ctx())
    # initial reports 10:30 (CII) and 11:30 (central organ), a summary report to each on 2026-03-31 10:00;
    # the upstream steps are not ours and a crime report has no clock time
    assert [r["at"] for r in state.reminders] == [
        "2026-03-01T10:15:00+08:00", "2026-03-01T11:15:00+08:00", "2026-03-31T09:45:00+08:00", "2026-03-31T09:45:00+08:00"
    ]
    assert [r["deadline"] for r in state.reminders] == [
        "2026-03-01T10:30:00+08:00", "2026-03-01T11:30:00+08:00", "2026-03-31T10:00:00+08:00", "2026-03-31T10:00:00+08:00"
    ]
    assert state.reminders[0]["text"] == {
        "zh": "⏰ 提醒：首次报告 → 保护工作部门和公安机关，最晚 2026-03-01 10:30（北京时间）。",
        "en": "⏰ Reminder: initial report → the CII protection department and the public security organ (police), due by 2026-03-01 10:30 (Beijing time).",
    }
    text = replies[0].text
    assert "2026-03-01 11:15 — 首次报告 → 本部门网信工作机构（截止 2026-03-01 11:30）" in text
    # the reply takes the place of the summary's buttons: drafting the report and starting over stay
    assert [(b.label, b.data) for b in replies[0].buttons] == [("起草报告", "report:start"), ("标记已报告/不适用", "duty:mark"), ("取消提醒", "remind:off"), ("重新评估", "assess:restart")]
    json.dumps(state.to_dict())


def test_less_than_fifteen_minutes_left_means_at_once():
    state = assessed()
    reminders.handle(state, "on", ctx(now=NOW + timedelta(minutes=5)))
    assert state.reminders[0]["at"] == "2026-03-01T10:20:00+08:00"


def test_past_deadlines_are_named_as_overdue_not_reminded():
    state = assessed()
    replies = reminders.handle(state, "on", ctx(now=datetime(2026, 3, 1, 12, 0, tzinfo=SHANGHAI), lang="en"))
    assert [r["deadline"] for r in state.reminders] == ["2026-03-31T10:00:00+08:00"] * 2
    assert "already passed" in replies[0].text and "2026-03-01 10:30" in replies[0].text


def test_nothing_ahead_nothing_set():
    state = assessed()
    replies = reminders.handle(state, "on", ctx(now=datetime(2026, 5, 1, tzinfo=SHANGHAI)))
    assert state.reminders == [] and "无需提醒" in replies[0].text
    assert [b.data for b in replies[0].buttons] == ["report:start", "duty:mark", "assess:restart"]


def test_without_an_assessment_it_offers_one():
    state = ChatState()
    replies = reminders.handle(state, "on", ctx())
    assert state.reminders == [] and [b.data for b in replies[0].buttons] == ["assess:start"]


def test_off_clears_and_unknown_arguments_are_refused():
    state = assessed()
    reminders.handle(state, "on", ctx())
    off = reminders.handle(state, "off", ctx())[0]
    assert "已取消" in off.text and state.reminders == []
    assert [b.data for b in off.buttons] == ["report:start", "duty:mark", "remind:on", "assess:restart"]
    assert "没有这个提醒操作" in reminders.handle(state, "later", ctx())[0].text


def test_pop_due_removes_what_is_due_and_speaks_the_chat_language():
    state = assessed(lang="en")
    reminders.handle(state, "on", ctx())
    assert reminders.next_due(state) == datetime(2026, 3, 1, 10, 15, tzinfo=SHANGHAI)
    assert reminders.pop_due(state, NOW - timedelta(seconds=1)) == []
    due = reminders.pop_due(state, datetime(2026, 3, 1, 11, 15, tzinfo=SHANGHAI))
    assert [r.text.split(":")[0] for r in due] == ["⏰ Reminder", "⏰ Reminder"] and len(state.reminders) == 2
    assert reminders.next_due(state) == parse_iso("2026-03-31T09:45:00+08:00")
    last = reminders.pop_due(state, datetime(2027, 1, 1, tzinfo=SHANGHAI))
    assert [r.text.endswith("2026-03-31 10:00 (Beijing time).") for r in last] == [True, True]
    assert state.reminders == [] and reminders.next_due(state) is None


def test_pop_due_defaults_to_chinese():
    state = assessed()
    reminders.handle(state, "on", ctx())
    assert reminders.pop_due(state, NOW)[0].text.startswith("⏰ 提醒：")


def test_the_summary_button_sets_reminders_through_the_engine():
    engine = Engine()
    state = ChatState()
    for text in ("/assess", "是", "否", "较大", "现在", "否", "否"):
        state, replies = engine.step(state, Event("t", text, NOW))
    assert "remind:on" in [b.data for b in replies[-1].buttons]
    state, replies = engine.step(state, Event("t", "截止前提醒我", NOW))
    assert [r["at"] for r in state.reminders] == ["2026-03-01T11:00:00+08:00"]
    state, replies = engine.step(state, Event("t", "取消提醒", NOW))
    assert state.reminders == []


@given(st.datetimes(min_value=datetime(2026, 2, 1), max_value=datetime(2026, 5, 1), timezones=st.just(SHANGHAI)))
def test_every_reminder_is_due_before_its_deadline_and_not_before_now(now):
    state = assessed()
    reminders.handle(state, "on", ctx(now=now))
    for reminder in state.reminders:
        at, deadline = parse_iso(reminder["at"]), parse_iso(reminder["deadline"])
        assert now - timedelta(seconds=1) < at < deadline and deadline - at <= timedelta(minutes=15)
