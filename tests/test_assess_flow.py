"""The assessment conversation: through Engine.step for the details, through `chat --jsonl` as a whole."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.engine import Engine
from bot.flows.assess import QUESTIONS, AssessFlow, next_step
from bot.flows.readers import FOREIGN, Amount, parse_amount, read_amount
from bot.flows import Ctx
from bot.model import ChatState, Event
from bot.rules import assess
from bot.timeutil import SHANGHAI
from tests.conftest import run_bot

NOW = datetime(2026, 3, 1, 10, 15, tzinfo=SHANGHAI)
MIDNIGHT = datetime(2026, 11, 25, 0, 8, tzinfo=SHANGHAI)  # just after midnight: "8:30" is yesterday's
ENGINE = Engine()


def say(state, *texts, now=NOW):
    """Send messages one by one; the replies of the last one."""
    replies = []
    for text in texts:
        state, replies = ENGINE.step(state, Event("t", text, now))
    return state, replies


def data(state):
    return state.flows["assess"]


def last_line(replies):
    return replies[-1].text.splitlines()[-1]


def asks(replies, step, lang="zh"):
    """The replies end by asking `step`'s question, as their last line."""
    return last_line(replies) == QUESTIONS[step].text[lang]


def datas(replies):
    return [b.data for r in replies for b in r.buttons]


def summary(replies):
    return replies[-1].text


BY_BUTTONS = (
    "/assess",
    "assess:cii:no",
    "assess:central_state_organ:no",
    "assess:level:relatively_major",
    "assess:discovered_at:now",
    "assess:suspected_crime:yes",
    "assess:sector_rules:no",
)
ANSWERS = {
    "cii": False,
    "central_state_organ": False,
    "level": "relatively_major",
    "discovered_at": "2026-03-01T10:15:00+08:00",
    "suspected_crime": True,
    "sector_rules": False,
}


# ------------------------------------------------------------------------------------------ the main line
def test_each_question_is_the_last_line_with_yes_no_not_sure_buttons():
    state, replies = say(ChatState(), "/assess")
    assert state.active == "assess" and asks(replies, "cii")
    assert [b.label for b in replies[-1].buttons] == ["是", "否", "不确定"]
    state, replies = say(state, "assess:cii:no")
    assert asks(replies, "central_state_organ") and "assess:back" in datas(replies)


def test_by_buttons_to_the_summary():
    state, replies = say(ChatState(), *BY_BUTTONS)
    flow = data(state)
    assert flow["step"] == "done" and flow["answers"] == ANSWERS
    assert flow["result"] == assess(ANSWERS, NOW)
    text = summary(replies)
    assert "结论：须按《国家网络安全事件报告管理办法》报告。" in text
    assert "首次报告 → 属地省级网信部门" in text and "最晚 2026-03-01 14:15 — 还剩 4小时" in text
    assert "报案 → 公安机关" in text and "12387@cert.org.cn" in text
    assert "补报" in text and "总结报告" in text and "处置结束后30日内" in text
    assert "来源" in text and "https://www.cac.gov.cn/" in text
    buttons = {b.data: b.label for b in replies[-1].buttons}
    assert buttons["report:start"] == "起草报告" and buttons["remind:on"] == "截止前提醒我" and buttons["assess:restart"] == "重新评估"
    assert {"assess:change:cii", "assess:change:central_state_organ", "assess:change:level", "assess:change:discovered_at"} <= set(buttons)


def test_by_free_text_to_the_same_answers():
    state, replies = say(ChatState(), "/assess", "不涉及", "不是", "较大", "今天9点", "是的", "没有")
    assert data(state)["answers"] == {**ANSWERS, "discovered_at": "2026-03-01T09:00:00+08:00"}
    assert "最晚 2026-03-01 13:00 — 还剩 2小时45分" in summary(replies)


def test_typing_a_button_label_counts_as_pressing_it():
    typed, _ = say(ChatState(), "/assess", "不确定", "否", "帮我分级", "数据泄露/被窃取", "1000万人以上")
    pressed, _ = say(
        ChatState(), "/assess", "assess:cii:unsure", "assess:central_state_organ:no", "assess:level:grade", "assess:incident_type:data_leak",
        "assess:g.personal_info_people:10000000",
    )
    assert data(typed) == data(pressed)
    assert data(typed)["answers"] == {
        "cii": None, "central_state_organ": False, "level": None, "incident_type": "data_leak", "grading": {"personal_info_people": 10_000_000}
    }


def test_traditional_characters_and_full_width_text_are_understood():
    state, _ = say(ChatState(), "/assess", "不確定", "ＮＯ", "較大")
    assert data(state)["answers"] == {"cii": None, "central_state_organ": False, "level": "relatively_major"}


def test_english_conversation():
    state, replies = say(ChatState(lang="en"), "/assess", "no", "no", "major", "2026-03-01 09:00", "no", "no")
    text = summary(replies)
    assert "Initial report → the provincial cyberspace administration where you are located" in text
    assert "by 2026-03-01 13:00 — 2 h 45 min left" in text
    assert "The provincial cyberspace administration where you are located → the national cyberspace administration (CAC) (upstream report): by 2026-03-01 14:00" in text
    assert {b.label for b in replies[-1].buttons} >= {"Draft the report", "Remind me before deadlines", "Start over"}


def test_switching_language_mid_way_re_asks_in_the_new_language():
    state, replies = say(ChatState(), "/assess", "否", "/lang en")
    assert asks(replies, "central_state_organ", "en")


def test_the_natural_question_answers_and_starts_the_assessment_at_once():
    state, replies = say(ChatState(), "我们被勒索了，要多久报？")
    assert "公安机关" in replies[0].text  # the answer first ...
    assert state.active == "assess" and asks(replies, "cii")  # ... then the first question


# ------------------------------------------------------------------------------------------ times
def test_a_time_in_the_future_is_refused_and_the_question_stays():
    state, replies = say(ChatState(), "/assess", "否", "否", "较大", "今天11点")
    assert "晚于现在" in replies[-1].text and asks(replies, "discovered_at")
    assert "discovered_at" not in data(state)["answers"]


def test_a_past_discovery_shows_overdue_deadlines_with_their_clock_time():
    _, replies = say(ChatState(), "/assess", "是", "否", "重大", "2026-03-01 05:00", "是", "否")
    text = summary(replies)
    assert "最晚 2026-03-01 06:00 — 已逾期 4小时15分" in text
    # the upstream step counts from the receipt of a report not yet made: no clock time, no countdown
    assert "保护工作部门 → 国家网信部门和国务院公安部门（向上报告）：收到你的报告后30分钟内" in text and "06:30" not in text


def test_handling_end_sets_the_summary_report_deadline():
    state, _ = say(ChatState(), *BY_BUTTONS)
    state, replies = say(state, "assess:change:handling_ended_at")
    assert asks(replies, "handling_ended_at")
    state, replies = say(state, "现在")
    assert "总结报告 → 属地省级网信部门：最晚 2026-03-31 10:15" in summary(replies)
    assert data(state)["answers"]["handling_ended_at"] == "2026-03-01T10:15:00+08:00"


def test_an_accepted_time_is_said_back_at_once_and_shown_in_the_summary():
    state, replies = say(ChatState(), "/assess", "否", "否", "较大", "8:30", now=MIDNIGHT)
    assert replies[-1].text.startswith("已记录发现时间：2026-11-24 08:30（北京时间）\n") and asks(replies, "suspected_crime")
    state, replies = say(state, "否", "否", now=MIDNIGHT)
    assert "\n发现时间：2026-11-24 08:30（北京时间）\n现在：2026-11-25 00:08" in summary(replies)
    state, replies = say(state, "assess:change:discovered_at", "昨天9点", now=MIDNIGHT)  # back to the summary: said back first
    assert summary(replies).startswith("已记录发现时间：2026-11-24 09:00（北京时间）\n评估结果")
    assert "发现时间：2026-11-24 09:00（北京时间）" in summary(replies)


def test_an_accepted_time_is_said_back_in_english():
    state, replies = say(ChatState(lang="en"), "/assess", "no", "no", "major", "8:30", now=MIDNIGHT)
    assert replies[-1].text.startswith("Discovery time recorded: 2026-11-24 08:30 (Beijing time)")
    state, replies = say(state, "no", "no", now=MIDNIGHT)
    assert "Discovered: 2026-11-24 08:30 (Beijing time)" in summary(replies)


def test_later_today_just_after_midnight_is_refused_with_a_hint_to_say_yesterday():
    state, replies = say(ChatState(), "/assess", "否", "否", "较大", "今天早上8点", now=MIDNIGHT)
    assert "晚于现在" in replies[-1].text and "如果指的是昨天，请输入“昨天8点”" in replies[-1].text
    assert asks(replies, "discovered_at") and "discovered_at" not in data(state)["answers"]
    state, replies = say(state, "昨天8点", now=MIDNIGHT)
    assert data(state)["answers"]["discovered_at"] == "2026-11-24T08:00:00+08:00"


def test_the_yesterday_hint_in_english_is_a_time_that_is_accepted():
    state, replies = say(ChatState(lang="en"), "/assess", "no", "no", "major", "today 8:30", now=MIDNIGHT)
    assert 'If you meant yesterday, type "yesterday 8:30".' in replies[-1].text
    state, replies = say(state, "yesterday 8:30", now=MIDNIGHT)
    assert data(state)["answers"]["discovered_at"] == "2026-11-24T08:30:00+08:00"


def test_a_future_date_other_than_today_gets_no_yesterday_hint():
    _, replies = say(ChatState(), "/assess", "否", "否", "较大", "2026-11-26 09:00", now=MIDNIGHT)
    assert "晚于现在" in replies[-1].text and "昨天" not in replies[-1].text


# ------------------------------------------------------------------------------------------ grading
def test_an_unknown_level_walks_the_grading_guide_and_stops_once_the_level_is_settled():
    state, replies = say(ChatState(), "/assess", "否", "否", "不确定")
    assert asks(replies, "incident_type") and "分级指南" in replies[-1].text
    state, replies = say(state, "数据泄露/被窃取")
    assert asks(replies, "g.personal_info_people")
    state, replies = say(state, "120万")
    assert "至少为较大。" in replies[-1].text and asks(replies, "g.personal_info_threat")
    state, replies = say(state, "assess:g.personal_info_threat:especially_serious")  # 特别重大: nothing can raise it
    assert asks(replies, "discovered_at") and "分级结果：特别重大。" in replies[-1].text
    assert data(state)["answers"]["grading"] == {"personal_info_people": 1_200_000, "personal_info_threat": "especially_serious"}
    state, replies = say(state, "现在", "是", "否")
    assert "级别：特别重大" in summary(replies)


def test_cii_outage_questions_only_when_cii_may_be_involved():
    state, _ = say(ChatState(), "/assess", "否", "否", "帮我分级", "系统或网站中断")
    assert data(state)["step"] == "g.portal_tier"
    state, _ = say(ChatState(), "/assess", "不确定", "否", "帮我分级", "系统或网站中断")
    assert data(state)["step"] == "g.cii_whole_outage_minutes"
    state, replies = say(state, "45分钟")
    assert data(state)["answers"]["grading"]["cii_whole_outage_minutes"] == 45 and "至少为较大（暂定）" in replies[-1].text


def test_no_portal_skips_its_duration_and_a_portal_asks_it():
    start = ("/assess", "否", "否", "帮我分级", "系统或网站中断")
    state, replies = say(ChatState(), *start)
    assert asks(replies, "g.portal_tier")
    skipped, replies = say(state, "没有")
    assert asks(replies, "g.people_services_affected") and data(skipped)["answers"]["grading"]["portal_outage_hours"] == 0
    asked, replies = say(state, "地市级党政门户")
    assert asks(replies, "g.portal_outage_hours")
    asked, replies = say(asked, "7小时")
    assert data(asked)["answers"]["grading"] == {"portal_tier": "city", "portal_outage_hours": 7}
    assert "至少为重大（暂定）" in replies[-1].text


def test_a_share_above_100_percent_is_refused():
    start = ("/assess", "否", "否", "帮我分级", "系统或网站中断", "没有", "0", "按地市")
    state, replies = say(ChatState(), *start, "150%")
    assert "0到100" in replies[-1].text and asks(replies, "g.population_share_pct")
    state, replies = say(state, "35%")
    assert data(state)["answers"]["grading"]["population_share_pct"] == 35
    assert "至少为重大（暂定）" in replies[-1].text and asks(replies, "g.system_loss")


def test_a_graded_general_incident_need_not_be_reported():
    answers = ("/assess", "否", "否", "帮我分级", "数据泄露", "0", "没有", "没有", "0", "没有", "2026-03-01 09:00", "否", "否")
    state, replies = say(ChatState(), *answers)
    assert data(state)["result"]["level"] == "general" and "结论：一般事件，无需按《办法》报告。" in summary(replies)
    assert "见所列义务" not in summary(replies) and "因此没有列出其他须报告的事项" in summary(replies)


def test_a_general_incident_with_a_suspected_crime_lists_the_police_report_without_the_nothing_listed_line():
    answers = ("/assess", "否", "否", "一般", "2026-03-01 09:00", "是", "否")
    _, replies = say(ChatState(), *answers)
    assert "报案 → 公安机关" in summary(replies) and "没有列出其他须报告的事项" not in summary(replies)


def test_a_level_that_unknown_criteria_could_lift_reads_at_least():
    state, replies = say(ChatState(lang="en"), "/assess", "no", "no", "assess:level:grade", "data leak", "1.5 million", "assess:rest", "now", "no", "no")
    assert "Level: at least relatively major (possibly higher)" in summary(replies)
    state, replies = say(ChatState(), *GRADING, "120万", "assess:g.personal_info_threat:especially_serious", "现在", "否", "否")
    assert "级别：特别重大" in summary(replies) and "至少" not in summary(replies)


def test_not_sure_and_the_rest_unknown_are_treated_as_reportable():
    state, replies = say(ChatState(), "/assess", "否", "否", "帮我分级", "不确定", "不确定", "其余不清楚，看结果")
    assert "有指标不确定，按须报告处理" in replies[-1].text and asks(replies, "discovered_at")
    state, replies = say(state, "现在", "否", "否")
    result = data(state)["result"]
    assert result["must_report"] is True and result["level"] is None
    assert all(value is None for value in data(state)["answers"]["grading"].values())
    assert "结论：按须报告处理" in summary(replies)


def test_skipping_grading_assumes_the_worst():
    state, replies = say(ChatState(), "/assess", "否", "否", "不分级，从严", "现在", "否", "否")
    assert data(state)["answers"]["level"] is None and "grading" not in data(state)["answers"]
    assert "事件级别未知" in summary(replies)


@pytest.mark.parametrize(
    ("text", "value"),
    [("120万", 1_200_000), ("1.2亿", 120_000_000), ("5,000,000", 5_000_000), ("约50万人", 500_000), ("600万元", 6_000_000),
     ("3千万", 30_000_000), ("50k", 50_000), ("1.5 million", 1_500_000), ("35%", 35), ("百分之四十", 40), ("两百万", 2_000_000),
     ("3 million", 3_000_000), ("2.5m", 2_500_000), ("12 million people", 12_000_000), ("20 million yuan", 20_000_000),
     ("¥300万", 3_000_000), ("很多", None), ("12387是什么", None), ("¥300万人", None)],
)
def test_typed_amounts(text, value):
    assert parse_amount(text) == value


@pytest.mark.parametrize(
    ("text", "amount"),
    [("5000万元", Amount(50_000_000, "money")), ("3 million yuan", Amount(3_000_000, "money")), ("¥300万", Amount(3_000_000, "money")),
     ("RMB 2.5m", Amount(2_500_000, "money")), ("300万人", Amount(3_000_000, "people")), ("12 million people", Amount(12_000_000, "people")),
     ("2000 users", Amount(2000, "people")), ("50名", Amount(50, "people")), ("35%", Amount(35, "percent")), ("120万", Amount(1_200_000, None))],
)
def test_typed_amounts_keep_their_unit(text, amount):
    assert read_amount(text) == amount


@given(
    st.integers(0, 10**6),
    st.sampled_from([("", 1), ("万", 10_000), ("亿", 100_000_000), (" million", 1_000_000), ("k", 1000)]),
    st.sampled_from([("", None), ("人", "people"), ("名", "people"), (" people", "people"), ("元", "money"), (" yuan", "money"), ("块", "money")]),
)
def test_an_amount_reads_as_its_number_times_its_magnitude_in_its_unit(number, magnitude, unit):
    assert read_amount(f"{number}{magnitude[0]}{unit[0]}") == Amount(number * magnitude[1], unit[1])


GRADING = ("/assess", "否", "否", "帮我分级", "数据泄露/被窃取")
TO_MONEY = ("0", "没有", "没有")  # no one's personal information (so no threat from it), no core or important data, no system loss


@pytest.mark.parametrize("text", ["5000万元", "3 million yuan", "¥300万", "RMB 3 million", "2000块"])
def test_money_typed_where_people_are_counted_is_refused_with_a_reason(text):
    state, replies = say(ChatState(), *GRADING, text)
    assert "这一问问的是人数，你输入的是金额" in replies[-1].text and asks(replies, "g.personal_info_people")
    assert data(state)["answers"]["grading"] == {}


@pytest.mark.parametrize("text", ["300万人", "12 million people", "5000 users", "300名"])
def test_people_typed_where_money_is_asked_is_refused_with_a_reason(text):
    state, replies = say(ChatState(), *GRADING, *TO_MONEY, text)
    assert "这一问问的是金额，你输入的是人数" in replies[-1].text and asks(replies, "g.direct_loss_yuan")
    assert data(state)["answers"]["grading"] == {"personal_info_people": 0, "data_threat": "none", "system_loss": "none"}


def test_amounts_in_the_right_unit_and_english_magnitudes_are_kept():
    state, _ = say(ChatState(lang="en"), *GRADING, "12 million people", "no", "no", "no")
    state, replies = say(state, "300万人")
    assert "This question asks for an amount of money, and you typed a number of people" in replies[-1].text
    state, _ = say(state, "20 million yuan")
    assert data(state)["answers"]["grading"] == {
        "personal_info_people": 12_000_000, "personal_info_threat": "none", "data_threat": "none", "system_loss": "none",
        "direct_loss_yuan": 20_000_000,
    }


@pytest.mark.parametrize("text", ["没有", "无", "none", "No", "nope", "0"])
def test_none_at_a_number_question_means_the_none_or_below_button(text):
    state, replies = say(ChatState(), *GRADING, text)
    assert data(state)["answers"]["grading"] == {"personal_info_people": 0} and asks(replies, "g.data_threat")
    state, replies = say(ChatState(), "/assess", "不确定", "否", "帮我分级", "系统或网站中断", text)
    assert data(state)["answers"]["grading"]["cii_whole_outage_minutes"] == 0 and asks(replies, "g.cii_main_function_outage_minutes")


SENTENCES = ["3 million customers' data", "3 million customers", "3,000,000 records", "roughly 3M customers", "3 million people affected",
             "约300万条用户数据", "大概三百万用户", "三百万个人", "3 million individuals", "3百万户"]


@pytest.mark.parametrize("text", SENTENCES)
def test_an_amount_in_a_sentence_is_read_from_its_number_and_unit(text):
    state, replies = say(ChatState(), *GRADING, text)
    assert data(state)["answers"]["grading"] == {"personal_info_people": 3_000_000} and asks(replies, "g.personal_info_threat")


def test_an_amount_in_a_sentence_keeps_the_unit_check():
    state, replies = say(ChatState(), *GRADING, "lost about 3 million yuan")
    assert "这一问问的是人数，你输入的是金额" in replies[-1].text and data(state)["answers"]["grading"] == {}
    state, replies = say(state, "涉及约300万用户的数据", "没有", "没有", "没有", "损失大约600万元左右")
    assert data(state)["answers"]["grading"] == {
        "personal_info_people": 3_000_000, "personal_info_threat": "none", "data_threat": "none", "system_loss": "none",
        "direct_loss_yuan": 6_000_000,
    }


def test_a_question_with_a_number_at_a_number_question_is_not_taken_for_the_answer():
    state, replies = say(ChatState(), *GRADING, "超过100万人的个人信息泄露要报告吗？")
    assert data(state)["answers"]["grading"] == {} and asks(replies, "g.personal_info_people")


@pytest.mark.parametrize(
    ("text", "amount"),
    [("约300万条用户数据", Amount(3_000_000, "people")), ("3,000,000 records", Amount(3_000_000, "people")),
     ("roughly 3M customers", Amount(3_000_000, "people")), ("花了¥300万修复", Amount(3_000_000, "money")),
     ("2 million USD", Amount(2_000_000, FOREIGN)), ("$2 million", Amount(2_000_000, FOREIGN)), ("EUR 1 million", Amount(1_000_000, FOREIGN)),
     ("800k USD", Amount(800_000, FOREIGN)), ("200万美元", Amount(2_000_000, FOREIGN)), ("损失300万港币", Amount(3_000_000, FOREIGN)),
     ("12387是什么", None), ("2025年发生的", None), ("300 personal files", None), ("$300万人", None)],
)
def test_amounts_in_a_sentence_need_a_unit_or_a_currency(text, amount):
    assert read_amount(text) == amount


@pytest.mark.parametrize("text", ["2 million USD", "$2 million", "EUR 1 million", "800k USD", "200万美元", "港币", "损失大概是500万港币"])
def test_another_currency_is_refused_with_a_reason_not_converted(text):
    state, replies = say(ChatState(), *GRADING, *TO_MONEY, text)
    assert "请按人民币金额填写（分级指南按人民币计）" in replies[-1].text and asks(replies, "g.direct_loss_yuan")
    assert data(state)["answers"]["grading"] == {"personal_info_people": 0, "data_threat": "none", "system_loss": "none"}
    state, replies = say(ChatState(lang="en"), *GRADING, *TO_MONEY, text)
    assert "Please give the amount in yuan (RMB): the grading guide counts in yuan" in replies[-1].text


def test_another_currency_where_people_are_counted_is_money():
    _, replies = say(ChatState(), *GRADING, "2 million USD")
    assert "这一问问的是人数，你输入的是金额" in replies[-1].text and asks(replies, "g.personal_info_people")


@pytest.mark.parametrize("text", ["帮我定级", "帮我判断级别", "grade it for me", "help me grade", "Help me grade it"])
def test_asking_to_be_graded_at_the_level_question_starts_the_grading_walk(text):
    state, replies = say(ChatState(), "/assess", "否", "否", text)
    assert data(state)["answers"]["grading"] == {} and asks(replies, "incident_type")


@pytest.mark.parametrize("text", ["maybe", "possibly", "Maybe.", "可能", "也许", "说不准"])
def test_maybe_means_not_sure(text):
    state, _ = say(ChatState(), "/assess", text)
    assert data(state)["answers"] == {"cii": None} and data(state)["step"] == "central_state_organ"


TIME_HINT = "没看懂这个时间。请写成这样，如：现在、30分钟前、今天9点、昨天21:30、2026-03-01 09:00"


@pytest.mark.parametrize("text", ["this morning", "昨天上午", "25/13 22:00", "刚发现不久", "上周五"])
def test_a_time_that_cannot_be_read_gets_examples_that_can(text):
    state, replies = say(ChatState(), "/assess", "否", "否", "较大", text)
    assert replies[-1].text.startswith(TIME_HINT + "\n") and asks(replies, "discovered_at") and len(replies) == 1
    assert "discovered_at" not in data(state)["answers"]
    _, replies = say(ChatState(lang="en"), "/assess", "no", "no", "major", text)
    assert replies[-1].text.startswith("I could not read that time. Please write it e.g. now, 30 minutes ago, today 9:00, yesterday 21:30, 2026-03-01 09:00")


def test_the_examples_of_the_time_hint_are_all_accepted():
    for text in TIME_HINT.split("：")[1].split("、"):
        state, replies = say(ChatState(), "/assess", "否", "否", "较大", text)
        assert "discovered_at" in data(state)["answers"], text


def test_a_question_at_the_time_question_is_answered_not_hinted():
    _, replies = say(ChatState(), "/assess", "否", "否", "较大", "今天几点前要报告？")
    assert TIME_HINT not in replies[0].text and asks(replies, "discovered_at")


@pytest.mark.parametrize(("text", "expected"), [("24/11 22:00", "2026-11-24T22:00:00+08:00"), ("Nov 24 at 10pm", "2026-11-24T22:00:00+08:00"),
                                                ("Nov 24 22:00", "2026-11-24T22:00:00+08:00")])
def test_day_month_and_english_dates_are_accepted(text, expected):
    state, _ = say(ChatState(lang="en"), "/assess", "no", "no", "major", text, now=MIDNIGHT)
    assert data(state)["answers"]["discovered_at"] == expected


UNSURE_WORDS = ["idk", "dunno", "no idea", "don't know", "don’t know", "I don't know", "unsure", "not certain", "不晓得", "说不好", "不太清楚"]


@pytest.mark.parametrize("text", UNSURE_WORDS)
def test_dont_know_in_other_words_means_not_sure(text):
    state, _ = say(ChatState(), "/assess", text)
    assert data(state)["answers"] == {"cii": None} and data(state)["step"] == "central_state_organ"
    state, _ = say(state, "assess:central_state_organ:no", text)  # at the level question: "help me grade", as 不确定 is
    assert data(state)["answers"]["grading"] == {} and data(state)["step"] == "incident_type"
    state, _ = say(state, text)  # at "what happened": other / don't know, so every criterion is asked
    assert data(state)["answers"]["incident_type"] == "other" and data(state)["step"] == "g.personal_info_people"
    state, _ = say(state, text)
    assert data(state)["answers"]["grading"] == {"personal_info_people": None} and data(state)["step"] == "g.personal_info_threat"


# ------------------------------------------------------------------------------------------ moving around
def test_back_forgets_the_last_answer_and_asks_it_again():
    state, replies = say(ChatState(), "/assess", "否", "否", "返回")
    assert asks(replies, "central_state_organ") and data(state)["answers"] == {"cii": False}
    state, replies = say(state, "assess:back")
    assert asks(replies, "cii") and data(state)["answers"] == {}
    state, replies = say(state, "back")
    assert "已经是第一个问题了" in replies[-1].text and asks(replies, "cii")


def test_the_back_button_of_the_last_question_still_works_after_the_summary():
    state, _ = say(ChatState(), *BY_BUTTONS)
    state, replies = say(state, "assess:back")  # the button under the last question, pressed after the summary
    assert asks(replies, "sector_rules") and data(state)["result"] is None and state.active == "assess"


def test_changing_an_answer_from_the_summary_returns_to_the_summary():
    state, _ = say(ChatState(), *BY_BUTTONS)
    state, replies = say(state, "assess:change:cii")
    assert "目前的回答：否" in replies[-1].text and asks(replies, "cii")
    state, replies = say(state, "是")
    assert data(state)["step"] == "done" and "首次报告 → 保护工作部门和公安机关" in summary(replies)


def test_back_while_changing_returns_to_the_unchanged_summary():
    state, _ = say(ChatState(), *BY_BUTTONS)
    state, replies = say(state, "assess:change:level", "assess:back")
    assert data(state)["step"] == "done" and data(state)["answers"] == ANSWERS and "级别：较大" in summary(replies)


def test_changing_the_level_to_unknown_walks_the_grading_guide_then_returns():
    state, _ = say(ChatState(), *BY_BUTTONS)
    state, replies = say(state, "assess:change:level", "帮我分级", "数据泄露")
    assert asks(replies, "g.personal_info_people")
    state, replies = say(state, "1000万人以上", "其余不清楚，看结果")
    assert data(state)["step"] == "done" and "级别：至少重大（可能更高）" in summary(replies) and "可能高达特别重大" in summary(replies)


def test_with_reminders_set_the_summary_offers_to_cancel_them():
    state, _ = say(ChatState(), *BY_BUTTONS, "remind:on")
    assert state.reminders
    state, replies = say(state, "resume:assess")
    buttons = {b.data: b.label for b in replies[-1].buttons}
    assert buttons.get("remind:off") == "取消提醒" and "remind:on" not in buttons
    state, replies = say(state, "remind:off", "resume:assess")
    assert "remind:on" in datas(replies) and "remind:off" not in datas(replies)


def test_the_summary_finishes_the_conversation():
    state, _ = say(ChatState(), *BY_BUTTONS)
    assert state.active is None and data(state)["step"] == "done"
    _, replies = say(state, "/start")
    assert "还没有完成" not in replies[0].text and "resume:assess" not in datas(replies)
    _, replies = say(state, "报告邮箱是什么")  # a question after the summary: its answer alone
    assert len(replies) == 1 and "12387@cert.org.cn" in replies[0].text and "评估结果" not in replies[0].text


def test_the_summarys_buttons_still_work_once_it_is_finished():
    state, _ = say(ChatState(), *BY_BUTTONS)
    drafting, _ = say(state, "起草报告")
    assert drafting.active == "report"
    changing, replies = say(state, "改：关键信息基础设施")
    assert changing.active == "assess" and asks(replies, "cii")
    changed, replies = say(changing, "是")
    assert changed.active is None and "首次报告 → 保护工作部门和公安机关" in summary(replies)
    fresh, replies = say(state, "重新评估")
    assert fresh.active == "assess" and asks(replies, "cii")
    reminded, _ = say(state, "截止前提醒我")
    assert reminded.reminders and reminded.active is None


def test_setting_reminders_keeps_the_report_and_start_over_buttons():
    state, replies = say(ChatState(), *BY_BUTTONS, "remind:on")
    assert state.reminders and datas(replies) == ["report:start", "duty:mark", "remind:off", "assess:restart"]
    assert [b.label for b in replies[-1].buttons] == ["起草报告", "标记已报告/不适用", "取消提醒", "重新评估"]
    drafting, _ = say(state, "起草报告")
    assert drafting.active == "report"
    state, replies = say(state, "取消提醒")
    assert state.reminders == [] and datas(replies) == ["report:start", "duty:mark", "remind:on", "assess:restart"]


def test_the_flows_prompt_of_a_finished_assessment_is_short():
    state, _ = say(ChatState(lang="en"), *BY_BUTTONS)
    replies = AssessFlow().prompt(state, Ctx(now=NOW, lang="en", kb=ENGINE.kb))
    assert [r.text for r in replies] == ["The assessment is finished. /assess to start a new one, or press a button below."]
    assert "report:start" in datas(replies) and "assess:restart" in datas(replies)


def test_an_older_button_still_answers_its_own_question():
    state, _ = say(ChatState(), *BY_BUTTONS)
    state, replies = say(state, "assess:central_state_organ:yes")
    assert data(state)["answers"]["central_state_organ"] is True and "本部门网信工作机构" in summary(replies)


def test_a_faq_question_mid_way_is_answered_then_the_question_is_asked_again():
    state, _ = say(ChatState(), "/assess", "否", "否", "较大")
    state, replies = say(state, "报告邮箱是什么")
    assert "12387@cert.org.cn" in replies[0].text and asks(replies, "discovered_at")
    assert data(state)["step"] == "discovered_at"
    state, replies = say(state, "30分钟前")
    assert asks(replies, "suspected_crime") and data(state)["answers"]["discovered_at"] == "2026-03-01T09:45:00+08:00"


def test_text_that_is_no_answer_and_no_question_re_asks():
    state, replies = say(ChatState(), "/assess", "否", "啊啊啊")
    assert asks(replies, "central_state_organ") and len(replies) == 2


def test_cancel_keeps_the_answers_and_assess_resumes():
    state, _ = say(ChatState(), "/assess", "否", "否", "/cancel")
    assert state.active is None and data(state)["answers"] == {"cii": False, "central_state_organ": False}
    state, replies = say(state, "/assess")
    assert "继续上次未完成的评估" in replies[-1].text and asks(replies, "level")


def test_a_finished_assessment_starts_afresh():
    state, _ = say(ChatState(), *BY_BUTTONS)
    for command in ("assess:start", "assess:restart", "重新评估"):
        fresh, replies = say(state, command)
        assert data(fresh) == {"step": "cii", "answers": {}, "history": [], "result": None} and asks(replies, "cii")
    asked, replies = say(state, "/assess")  # /assess asks first whether this is the same incident
    assert "同一起事件，还是一个新事件" in replies[-1].text and data(asked)["step"] == "done"


def test_the_prompt_of_a_finished_assessment_is_one_line_with_the_summarys_buttons():
    state, shown = say(ChatState(), *BY_BUTTONS)
    state.active = "assess"  # a chat saved while the summary still left the flow active
    later = datetime(2026, 3, 1, 15, 0, tzinfo=SHANGHAI)
    state, replies = say(state, "resume:assess", now=later)
    assert [r.text for r in replies] == ["评估已完成。/assess 重新评估，或点下面的按钮。"]
    assert datas(replies) == [d for d in datas(shown) if d != "remind:on"]  # at 15:00 no deadline of yours is ahead
    assert state.active is None and data(state)["result"] == assess(ANSWERS, later)


def test_next_step_follows_the_answers_alone():
    assert next_step({}) == "cii"
    assert next_step({"cii": None, "central_state_organ": None, "level": None}) == "discovered_at"
    assert next_step({"cii": None, "central_state_organ": None, "level": None, "grading": {}}) == "incident_type"
    assert next_step({"cii": None, "central_state_organ": None, "level": None, "grading": {}, "incident_type": "defacement"}) == "g.defacement_site"
    assert next_step({**ANSWERS}) == "done"


# ------------------------------------------------------------------------------------------ robustness
@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(0, 20) | st.sampled_from(["返回", "现在", "120万", "昨天9点", "报告邮箱是什么", "/cancel", "/assess", "xyz", "assess:rest"]), max_size=25))
def test_any_sequence_of_presses_and_texts_keeps_a_consistent_state(moves):
    state, replies = say(ChatState(), "/assess")
    for move in moves:
        if isinstance(move, int):
            buttons = [b.data for r in replies for b in r.buttons]
            move = buttons[move % len(buttons)] if buttons else "/assess"
        state, replies = say(state, move)
        assert replies
        json.dumps(state.to_dict())
        flow = state.flows.get("assess")
        if flow and flow["step"] == "done" and flow["result"] is not None:
            # the result is the one last shown, in the language it was shown in (a later message may switch it)
            assert flow["result"] in (assess(flow["answers"], NOW, "zh"), assess(flow["answers"], NOW, "en"))


# ------------------------------------------------------------------------------------------ whole conversations
def chat(lines, tmp_path):
    done = run_bot("chat", "--jsonl", input="".join(line + "\n" for line in lines), env={"BOT_DATA_DIR": str(tmp_path)})
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    out = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(out) == len(lines)
    return out


def texts(output):
    return "\n".join(m["text"] for m in output["messages"])


def test_conversation_by_buttons(tmp_path):
    out = chat(
        ["/assess", "assess:cii:yes", "assess:central_state_organ:no", "assess:level:major", "2026-01-01 09:00",
         "assess:suspected_crime:no", "assess:sector_rules:no"],
        tmp_path,
    )
    assert texts(out[0]).endswith("事件是否涉及关键信息基础设施？")
    final = texts(out[-1])
    assert "首次报告 → 保护工作部门和公安机关" in final and "最晚 2026-01-01 10:00 — 已逾期" in final
    assert "保护工作部门 → 国家网信部门和国务院公安部门（向上报告）：收到你的报告后30分钟内" in final
    assert {"report:start", "assess:restart"} <= {b["data"] for m in out[-1]["messages"] for b in m["buttons"]}


def test_conversation_by_free_text_with_a_question_going_back_and_cancelling(tmp_path):
    lines = ["/assess", "否", "否", "返回", "不是", "较大", "传真号码是多少", "2026-01-01 09:00", "是", "否", "/cancel", "/assess", "同一起：重新评估"]
    out = chat(lines, tmp_path)
    assert texts(out[3]).endswith("本单位是否属于中央和国家机关各部门或其直属单位？")  # back
    faq = texts(out[6])
    assert "010-82992387" in faq and faq.endswith(QUESTIONS["discovered_at"].text["zh"])  # answered, then asked again
    final = texts(out[9])
    assert "首次报告 → 属地省级网信部门" in final and "最晚 2026-01-01 13:00 — 已逾期" in final and "报案 → 公安机关" in final
    assert "当前没有进行中的对话" in texts(out[10])  # the summary finished the conversation
    assert "同一起事件，还是一个新事件" in texts(out[11])  # a finished incident is open: the same one, or a new one?
    assert texts(out[12]).endswith("事件是否涉及关键信息基础设施？")  # the same: its assessment starts afresh


def test_conversation_cancelled_mid_way_resumes_where_it_was(tmp_path):
    out = chat(["/assess", "不确定", "/cancel", "报告邮箱是什么", "/assess", "不确定", "不分级，从严", "现在", "不确定", "不确定"], tmp_path)
    assert "12387@cert.org.cn" in texts(out[3])  # outside the flow: a plain answer
    assert texts(out[4]).endswith(QUESTIONS["central_state_organ"].text["zh"]) and "继续上次未完成的评估" in texts(out[4])
    final = texts(out[-1])
    assert "结论：按须报告处理" in final
    for name in ("保护工作部门和公安机关", "本部门网信工作机构", "属地省级网信部门", "行业主管监管部门"):
        assert name in final


def test_conversation_in_english(tmp_path):
    out = chat(["/lang en", "/assess", "No", "Yes", "Relatively major", "2026-01-01 09:00", "No", "Not sure"], tmp_path)
    final = texts(out[-1])
    assert "Initial report → your department's cyberspace-affairs office" in final and "by 2026-01-01 11:00 — overdue by" in final
