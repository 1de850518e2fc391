"""Answers in people's own words at the assessment's questions: yes/no with an explanation after it, answers
that only imply it, levels, durations and amounts inside sentences (zh, 繁體, en)."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.engine import Engine
from bot.flows.readers import NO, UNSURE, YES, duration_in, read_amount
from bot.model import ChatState, Event
from bot.timeutil import SHANGHAI

NOW = datetime(2026, 3, 1, 10, 15, tzinfo=SHANGHAI)
ENGINE = Engine()


def answer_at(step_answers, text):
    """Walk to a question with `step_answers`, type `text`, return (answers, step asked next)."""
    state = ChatState()
    for message in ("/assess", *step_answers, text):
        state, _ = ENGINE.step(state, Event("t", message, NOW))
    flow = state.flows["assess"]
    return flow["answers"], flow["step"]


CII = ()
ORGAN = ("否",)
CRIME = ("否", "否", "较大", "2026-03-01 09:00")
SECTOR = (*CRIME, "否")


@pytest.mark.parametrize(
    ("at", "text", "key", "value"),
    [
        (CII, "我们只是一家小贸易公司", "cii", False),
        (CII, "nope, we're just a logistics firm", "cii", False),
        (CII, "yes — our payment system was designated CII last year", "cii", True),
        (CII, "我们是区医院，不知道算不算", "cii", None),
        (CII, "應該沒有吧", "cii", False),
        (CII, "probably not", "cii", False),
        (CII, "不涉及，我们只是物流公司", "cii", False),
        (ORGAN, "不是，省卫健委下面的医院", "central_state_organ", False),
        (ORGAN, "是，我们是国务院组成部门", "central_state_organ", True),
        (ORGAN, "是的，我们归中央国家机关管", "central_state_organ", True),
        (ORGAN, "不屬於，我們是民營企業", "central_state_organ", False),
        (ORGAN, "we're a private company", "central_state_organ", False),
        (CRIME, "有人攻击，算犯罪吧", "suspected_crime", True),
        (CRIME, "就是配置错误导致的", "suspected_crime", False),
        (CRIME, "不确定是不是被攻击了", "suspected_crime", None),
        (SECTOR, "人民银行有要求", "sector_rules", True),
        (SECTOR, "没听说有", "sector_rules", False),
    ],
)
def test_yes_no_and_not_sure_in_the_users_own_words(at, text, key, value):
    """An explicit yes/no with an explanation is taken at once; one only implied is asked back ("…，对吗？")."""
    state = ChatState()
    for message in ("/assess", *at, text):
        state, replies = ENGINE.step(state, Event("t", message, NOW))
    pending = state.flows["assess"].get("pending")
    if pending is not None:
        assert replies[-1].text.endswith(("对吗？", "Is that right?")) and pending["value"] is value
        state, _ = ENGINE.step(state, Event("t", "对的", NOW))
    assert state.flows["assess"]["answers"][key] is value


def test_an_implied_answer_is_asked_back_and_anything_but_yes_is_read_as_the_answer_again():
    state = ChatState()
    for message in ("/assess", "我们只是一家小贸易公司"):
        state, replies = ENGINE.step(state, Event("t", message, NOW))
    assert replies[-1].text == "你是说：不涉及关键信息基础设施，对吗？" and [b.label for b in replies[-1].buttons] == ["对", "不对"]
    assert "cii" not in state.flows["assess"]["answers"]
    state, replies = ENGINE.step(state, Event("t", "是", NOW))  # "是" confirms the reading, it is not "yes, CII"
    assert state.flows["assess"]["answers"]["cii"] is False
    state = ChatState()
    for message in ("/assess", "我们只是一家小贸易公司", "不确定"):
        state, replies = ENGINE.step(state, Event("t", message, NOW))
    assert state.flows["assess"]["answers"]["cii"] is None  # read as the answer again
    state = ChatState()
    for message in ("/assess", "我们只是一家小贸易公司", "assess:confirm:no"):
        state, replies = ENGINE.step(state, Event("t", message, NOW))
    assert "cii" not in state.flows["assess"]["answers"] and replies[-1].text.endswith("事件是否涉及关键信息基础设施？")


@pytest.mark.parametrize(
    ("text", "level"),
    [("级别应该是重大", "major"), ("较大吧", "relatively_major"), ("it's major", "major"), ("應該是特別重大", "especially_major")],
)
def test_a_level_said_in_a_sentence(text, level):
    answers, _ = answer_at(("否", "否"), text)
    assert answers["level"] == level


@pytest.mark.parametrize("text", ["级别还没定", "级别没定，你帮着看看", "we haven't graded it yet", "还不知道是不是重大"])
def test_an_ungraded_level_starts_the_grading_walk(text):
    answers, step = answer_at(("否", "否"), text)
    assert answers["level"] is None and answers["grading"] == {} and step == "incident_type"


def test_a_question_at_a_yes_no_question_is_answered_not_taken_for_the_answer():
    answers, step = answer_at((), "不是关基的话要多久报？")
    assert "cii" not in answers and step == "cii"


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("40分钟了 还没恢复", 40), ("一个半小时", 90), ("大概两个小时吧", 120), ("the whole platform was down for roughly 25 minutes", 25),
     ("半小時", 30), ("影响超过2小时要报吗？", None), ("还在查", None)],
)
def test_durations_alone_and_inside_sentences(text, minutes):
    assert duration_in(text) == minutes


@pytest.mark.parametrize(
    ("text", "value"),
    [("大概300万吧，可能被偷了 还没确认", 3_000_000), ("八十多万条", 800_000), ("一百二十来万个收件人的姓名电话", 1_200_000),
     ("roughly 2.5 million customers", 2_500_000), ("电话13800138000", None), ("2025年发生的", None)],
)
def test_counts_inside_hedged_sentences(text, value):
    amount = read_amount(text)
    assert (amount.value if amount else None) == value


explanations = st.text(alphabet="我们一家小公司医院省属高校物流企业的下面只是 0123456789ab，。", min_size=1, max_size=30)


@given(st.sampled_from([("是的", True), ("不是", False), ("没有", False), ("不确定", None), ("yes", True), ("no", False)]), st.sampled_from("，,—;"), explanations)
def test_an_answer_followed_by_any_explanation_is_that_answer(word_value, separator, explanation):
    word, value = word_value
    answers, _ = answer_at((), f"{word}{separator}{explanation}")
    assert answers.get("cii", "missing") is value


def test_the_answer_words_are_distinct():
    assert not set(YES) & set(NO) and not set(NO) & set(UNSURE)


@pytest.mark.parametrize(
    ("text", "kind"),
    [("企业官网", "other"), ("公司网站", "other"), ("市政府网站", "other"), ("省政府门户网站", "top"), ("部委官网", "top"),
     ("a national news site", "top"), ("不确定", None)],
)
def test_the_kind_of_defaced_site_in_words(text, kind):
    answers, _ = answer_at(("否", "否", "帮我分级", "网页被篡改"), text)
    assert answers["grading"]["defacement_site"] == kind


def test_dont_know_at_the_discovery_time_asks_for_the_earliest_moment_rather_than_answering_something_else():
    state = ChatState()
    for message in ("/assess", "否", "否", "较大", "不知道"):
        state, replies = ENGINE.step(state, Event("t", message, NOW))
    assert "最早可能知道的时间" in replies[-1].text and state.flows["assess"]["step"] == "discovered_at"


@pytest.mark.parametrize(("text", "expected"), [("凌晨3点左右吧", "2026-03-01T03:00:00+08:00"), ("昨晚23:30发现的", "2026-02-28T23:30:00+08:00")])
def test_a_time_inside_a_sentence(text, expected):
    answers, _ = answer_at(("否", "否", "较大"), text)
    assert answers["discovered_at"] == expected


@pytest.mark.parametrize("text", ["GDPR says 72 hours, is it the same in China?", "等保测评要怎么做？"])
def test_a_question_outside_the_measures_inside_the_assessment_is_answered_as_such_and_the_question_follows(text):
    state = ChatState(lang="zh")
    for message in ("/assess", text):
        state, replies = ENGINE.step(state, Event("t", message, NOW))
    assert "没能理解这个回答" not in replies[0].text and "couldn't take that" not in replies[0].text
    assert replies[-1].text.splitlines()[-1] == "事件是否涉及关键信息基础设施？" and "cii" not in state.flows["assess"]["answers"]


def test_an_implausibly_large_figure_is_refused_at_the_question_not_stored():
    state = ChatState()
    for message in ("/assess", "是", "否", "帮我分级", "勒索病毒", "1111111111111111"):
        state, replies = ENGINE.step(state, Event("t", message, NOW))
    assert "大得不合常理" in replies[-1].text and state.flows["assess"]["answers"]["grading"] == {}


TIME_NOW = datetime(2026, 11, 30, 10, 0, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("凌晨3点左右吧", "2026-11-30T03:00"), ("昨天晚上11点半", "2026-11-29T23:30"), ("前天下午四点多", "2026-11-28T16:00"),
        ("11月3号早上8点", "2026-11-03T08:00"), ("12月3号早上8点", "2025-12-03T08:00"),  # no year: the latest not in the future
        ("3 Nov 2026, 8:15 am", "2026-11-03T08:15"), ("this morning at half past six", "2026-11-30T06:30"),
        ("last night around 2am", "2026-11-30T02:00"), ("昨晚十一点多", "2026-11-29T23:00"), ("quarter to nine", "2026-11-30T08:45"),
        ("明天9点", "2026-12-01T09:00"),  # read, so that the question can say it is in the future
    ],
)
def test_times_of_day_and_dates_as_people_say_them(text, expected):
    from bot.flows.readers import time_in

    assert time_in(text, TIME_NOW).isoformat(timespec="minutes").startswith(expected)


def test_a_time_tomorrow_is_said_to_be_in_the_future_not_misunderstood():
    state = ChatState()
    for message in ("/assess", "否", "否", "较大", "明天9点"):
        state, replies = ENGINE.step(state, Event("t", message, TIME_NOW))
    assert "晚于现在" in replies[-1].text and "没看懂" not in replies[-1].text


@pytest.mark.parametrize(
    ("text", "value"),
    [("一条个人信息都没丢", 0), ("no customer data touched", 0), ("客户数据都没受影响", 0), ("损失估计三四百万", 4_000_000),
     ("我们没丢多少", None)],
)
def test_none_in_words_and_a_range_read_at_its_upper_figure(text, value):
    from bot.flows.assess import QUESTIONS as ASKED

    parsed = ASKED["g.personal_info_people" if value != 4_000_000 else "g.direct_loss_yuan"].parse(text, None)
    assert (parsed if isinstance(parsed, (int, float)) else None) == value


def test_durations_in_english_words():
    assert duration_in("for about five hours now") == 300 and duration_in("down for twenty minutes") == 20


WALK = ("/assess", "否", "否", "帮我分级")


@pytest.mark.parametrize(
    ("walk", "text", "key", "value"),
    [
        ((*WALK, "数据泄露", "0", "没有", "没有"), "没有直接损失", "direct_loss_yuan", 0),
        ((*WALK, "数据泄露", "0", "没有", "没有"), "目前沒有直接損失", "direct_loss_yuan", 0),
        ((*WALK, "数据泄露", "0", "没有", "没有"), "损失还没法估", "direct_loss_yuan", None),
        ((*WALK, "数据泄露", "0", "没有", "没有"), "还在统计", "direct_loss_yuan", None),
        ((*WALK, "数据泄露"), "沒有個人資料外洩", "personal_info_people", 0),
        ((*WALK, "数据泄露", "0"), "没有核心数据", "data_threat", "none"),
        ((*WALK, "数据泄露", "0"), "应该没有吧", "data_threat", "none"),
        ((*WALK, "勒索病毒"), "产线停了，算比较严重吧", "system_loss", "relatively_serious"),
        ((*WALK, "勒索病毒"), "應該算嚴重", "system_loss", "serious"),
        ((*WALK, "系统或网站中断"), "市政府门户，地市级的", "portal_tier", "city"),
        ((*WALK, "系统或网站中断", "没有", "0"), "按地市算", "population_region", "city"),
        ((*WALK, "网页被篡改", "其他网站（含企业网站）", "40分钟"), "其他页面没动", "defacement_other_page_hours", 0),
    ],
)
def test_grading_answers_in_words(walk, text, key, value):
    answers, _ = answer_at(walk[1:], text)
    assert answers["grading"][key] == value


@pytest.mark.parametrize(
    ("text", "value"),
    [("一千零五十万左右", 10_500_000), ("两千五百万", 25_000_000), ("一万两千人", 12_000), ("一亿两千万", 120_000_000),
     ("損失幾千塊吧", 9_000), ("three million yuan", 3_000_000), ("four point six million players", 4_600_000),
     ("twenty-three million yuan", 23_000_000), ("about eighty thousand residents", 80_000)],
)
def test_numbers_in_chinese_and_english_words(text, value):
    assert read_amount(text).value == value


def test_the_last_thing_said_about_cii_decides():
    from bot.flows.readers import implied_yes_no

    assert implied_yes_no("cii", "播出系统是关基，但这次出事的是官网，官网不是关基，不涉及") is False


@pytest.mark.parametrize(
    ("text", "expected"),
    [("this morning around 7", "2026-11-30T07:00"), ("yesterday evening around 8", "2026-11-29T20:00"),
     ("30 October 2025, around 3 in the afternoon", "2025-10-30T15:00")],
)
def test_english_times_of_day(text, expected):
    from bot.flows.readers import time_in

    assert time_in(text, TIME_NOW).isoformat(timespec="minutes").startswith(expected)


def test_main_functions_said_to_be_out_as_long_as_the_whole_cii():
    answers, _ = answer_at(("是", "否", "帮我分级", "系统或网站中断", "the whole platform was down for roughly 25 minutes"), "see above, whole platform")
    assert answers["grading"]["cii_main_function_outage_minutes"] == 25
    answers, _ = answer_at(("是", "否", "帮我分级", "系统或网站中断", "25分钟"), "也是，断了2小时")
    assert answers["grading"]["cii_main_function_outage_minutes"] == 120


def test_a_far_time_stored_by_an_older_version_is_asked_again_not_failed_on():
    old = ChatState(flows={"assess": {"step": "done", "history": [], "result": None, "answers": {
        "cii": False, "central_state_organ": False, "level": "major", "discovered_at": "1900-01-01T00:00:00+08:00",
        "suspected_crime": False, "sector_rules": False}}})
    state, replies = ENGINE.step(old, Event("t", "resume:assess", NOW))
    assert "1992" in replies[-1].text and state.flows["assess"]["step"] == "discovered_at"
    assert "discovered_at" not in state.flows["assess"]["answers"]
