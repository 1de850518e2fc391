"""Intent inside the report conversation: instructions typed where an item is asked act instead of becoming the
item, a report kind named in a few words picks it (in and out of the flow), and the language stays the user's."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.engine import Engine
from bot.flows.readers import report_instruction, report_kind_in
from bot.model import ChatState, Event
from bot.timeutil import SHANGHAI

NOW = datetime(2026, 3, 1, 10, 0, tzinfo=SHANGHAI)
ENGINE = Engine()


def say(state, *texts):
    replies = []
    for text in texts:
        state, replies = ENGINE.step(state, Event("t", text, NOW))
    return state, replies


@pytest.mark.parametrize(
    ("text", "kind"),
    [("续报", "supplement"), ("起草续报", "supplement"), ("我要补报一下 原因查清楚了", "supplement"), ("總結報告", "summary"),
     ("summary please", "summary"), ("帮我起草一份首报", "initial"), ("draft the supplementary report", "supplement"),
     ("我们已经补报了", None), ("续报要多久？", None), ("原因是补报系统故障", None)],
)
def test_a_report_kind_in_a_few_words(text, kind):
    assert report_kind_in(text) == kind


@pytest.mark.parametrize(
    ("text", "instruction"),
    [("来不及了 直接出报告吧", ("preview", None)), ("下一项", ("skip", None)), ("预览", ("preview", None)), ("取消", ("cancel", None)),
     ("写错了 改一下第二项", ("edit", 2)), ("edit item 3", ("edit", 3)), ("just give me the report", ("preview", None)),
     ("服务器被加密，影响了第二项业务", None), ("门户网站首页被篡改", None)],
)
def test_an_instruction_to_the_bot_in_words(text, instruction):
    assert report_instruction(text) == instruction


def test_hurry_at_an_item_goes_to_the_preview_and_is_not_stored():
    state, replies = say(ChatState(), "/report", "首报", "示例单位", "来不及了 直接出报告吧")
    report = state.flows["report"]
    assert report["step"] == "preview" and "来不及" not in str(report["facts"])
    assert any(b.data.startswith("report:") for b in replies[-1].buttons)


def test_next_cancel_and_edit_in_words():
    state, _ = say(ChatState(), "/report", "首报", "示例单位", "下一项")
    assert state.flows["report"]["step"] != "system" and "system" in state.flows["report"]["skipped"]
    state, replies = say(state, "取消")
    assert state.active is None and state.flows["report"]["facts"]["organization"] == "示例单位"
    assert "已填的内容都保留" in replies[-1].text or "内容已保存" in replies[-1].text  # the flow's word, or the engine's /cancel
    state, replies = say(ChatState(), "/report", "首报", "示例单位", "写错了 改一下第一项")
    assert state.flows["report"]["step"].startswith(("edit:", "organization", "system"))


@pytest.mark.parametrize("text", ["我要补报一下 原因查清楚了", "起草续报", "续报"])
def test_asking_for_a_supplement_outside_the_flow_starts_it(text):
    state, replies = say(ChatState(), text)
    assert state.active == "report" and state.flows["report"]["kind"] == "supplement"
    assert replies[-1].text.splitlines()[-1] == "报告单位的名称是什么？"


def test_an_english_company_name_typed_into_a_chinese_report_changes_nothing_but_the_item():
    state, replies = say(ChatState(), "/report", "report:kind:initial", "Acme Logistics Ltd")
    assert state.lang is None and state.flows["report"]["facts"]["organization"] == "Acme Logistics Ltd"
    assert all("\u4e00" <= ch <= "\u9fff" for ch in replies[-1].text.splitlines()[-1][:2])  # the next question is still Chinese


def test_answers_never_choose_the_language_but_a_question_does():
    state, _ = say(ChatState(), "/assess", "assess:cii:no", "no")  # an answer in English is no signal
    assert state.lang is None
    state, replies = say(ChatState(), "what is the deadline for CII operators?")
    assert state.lang == "en"
