"""The transport-free core: commands, buttons, languages, FAQ answers, robustness on any input."""

from datetime import datetime

from hypothesis import example, given, settings
from hypothesis import strategies as st

import pytest

from bot.engine import MESSAGE_CUT, Engine
from bot.model import ChatState, Event
from bot.timeutil import SHANGHAI

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=SHANGHAI)


@pytest.fixture(scope="module")
def engine():
    return Engine()


def say(engine, state, text, lang_hint=None):
    return engine.step(state, Event("t", text, NOW, lang_hint))


def test_start_greets_with_menu_buttons(engine):
    state, replies = say(engine, ChatState(), "/start")
    assert "你好" in replies[0].text or "欢迎" in replies[0].text
    assert {b.data for b in replies[0].buttons} >= {"/assess", "/report", "/contacts", "/faq"}


def test_start_follows_telegram_language_hint(engine):
    _, replies = say(engine, ChatState(), "/start", lang_hint="en-US")
    assert "Hello" in replies[0].text


def test_first_message_sets_the_language_of_bot_texts(engine):
    state, _ = say(engine, ChatState(), "what is the reporting email?")
    assert state.lang == "en"
    _, replies = say(engine, state, "/help")
    assert "/assess" in replies[0].text and "Hello" in replies[0].text


def test_answer_follows_the_question_not_the_ui_language(engine):
    state = ChatState(lang="en")
    _, replies = say(engine, state, "报告邮箱是什么")
    assert "12387@cert.org.cn" in replies[0].text and "来源" in replies[0].text


def test_lang_command_switches(engine):
    state, replies = say(engine, ChatState(), "/lang en")
    assert state.lang == "en" and "English" in replies[0].text
    state, replies = say(engine, state, "/lang xx")
    assert "/lang zh" in replies[0].text


def test_contacts_lists_all_six_channels(engine):
    _, replies = say(engine, ChatState(), "/contacts")
    text = replies[0].text
    for contact in ["12387", "12387.cert.org.cn", "CNCERT", "12387@cert.org.cn", "010-82992387", "小程序"]:
        assert contact in text


def test_faq_topics_then_entries_then_answer(engine):
    state, replies = say(engine, ChatState(), "/faq")
    topics = replies[0].buttons
    assert len(topics) >= 8 and all(b.data.startswith("topic:") for b in topics)
    state, replies = say(engine, state, topics[0].data)
    entries = replies[0].buttons
    assert entries and all(b.data.startswith("faq:") for b in entries)
    state, replies = say(engine, state, entries[0].data)
    assert "来源" in replies[0].text


def test_typing_a_button_label_presses_it(engine):
    state, replies = say(engine, ChatState(), "/start")
    label = next(b.label for b in replies[0].buttons if b.data == "/contacts")
    _, replies = say(engine, state, label)
    assert "010-82992387" in replies[0].text


def test_related_entries_come_as_buttons(engine):
    _, replies = say(engine, ChatState(), "报告邮箱是什么")
    assert replies[0].buttons and all(b.data.startswith("faq:") for b in replies[0].buttons)


def test_forget_empties_the_state(engine):
    state, _ = say(engine, ChatState(), "/assess")
    assert state.active == "assess"
    state, replies = say(engine, state, "/forget")
    assert state == ChatState()


def test_unknown_command_lists_commands(engine):
    _, replies = say(engine, ChatState(), "/frobnicate")
    assert "/assess" in replies[0].text


def test_cancel_without_flow(engine):
    _, replies = say(engine, ChatState(), "/cancel")
    assert replies and replies[0].text


def test_start_offers_to_resume_an_unfinished_flow(engine):
    state, _ = say(engine, ChatState(), "/assess")
    state, replies = say(engine, state, "/start")
    assert [b.data for b in replies[0].buttons] == ["resume:assess", "discard:assess"]
    resumed, replies = say(engine, state, "resume:assess")
    assert resumed.active == "assess" and replies
    discarded, _ = say(engine, state, "discard:assess")
    assert discarded.active is None and "assess" not in discarded.flows


@pytest.mark.parametrize("flow", ["report", "assess"])
def test_resuming_a_discarded_flow_starts_it_afresh(engine, flow):
    state, _ = say(engine, ChatState(), f"/{flow}")
    state, _ = say(engine, state, "/start")
    discarded, _ = say(engine, state, f"discard:{flow}")
    resumed, replies = say(engine, discarded, f"resume:{flow}")  # the old button, pressed again
    assert resumed.active == flow and flow in resumed.flows and replies[-1].buttons


def test_a_message_over_the_limit_is_read_up_to_it_and_the_user_told(engine):
    state, replies = say(engine, ChatState(), "报告邮箱是什么" + "。" * 5000)
    assert replies[0].text == MESSAGE_CUT["zh"] and "12387@cert.org.cn" in replies[1].text


def test_step_does_not_mutate_the_given_state(engine):
    state = ChatState()
    say(engine, state, "/assess")
    assert state == ChatState()


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
@example("report")
@example("assess")
@example("remind")
@example("faq:")
@example("report:")
def test_any_text_gets_replies_and_never_raises(text):
    engine = ENGINE
    state, replies = engine.step(ChatState(), Event("h", text, NOW))
    assert replies
    state, replies = engine.step(state, Event("h", text, NOW))
    assert replies


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_any_text_inside_a_flow_never_raises(text):
    state, _ = ENGINE.step(ChatState(), Event("h", "/assess", NOW))
    state, replies = ENGINE.step(state, Event("h", text, NOW))
    assert replies


ENGINE = Engine()


def test_junk_does_not_set_the_language(engine):
    state, _ = say(engine, ChatState(), "<b>qwzx</b>")
    assert state.lang is None
    state, replies = say(engine, state, "/help")
    assert "你好" in replies[0].text


def test_an_answer_inside_a_flow_does_not_choose_the_language(engine):
    state, _ = say(engine, ChatState(), "/assess")
    state, _ = say(engine, state, "否")
    state, replies = say(engine, state, "hi")  # not an answer, and in English: still no signal to switch
    assert state.lang is None and "/assess" in replies[0].text


def test_a_stale_button_of_another_flow_re_asks_the_current_question(engine):
    state, _ = say(engine, ChatState(), "/assess")
    state, _ = say(engine, state, "否")
    state, _ = say(engine, state, "/report")
    assert state.active == "report"
    state, replies = say(engine, state, "assess:back")
    assert state.active == "report"
    assert "之前" in replies[0].text and len(replies) >= 2


def test_a_plain_word_that_names_a_flow_is_text_not_a_button(engine):
    state, replies = say(engine, ChatState(), "report")
    assert state.active is None and replies[0].text
