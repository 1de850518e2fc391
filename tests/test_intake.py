"""Facts the user already gave are used: a first message, a pasted description, an answer that says more."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.engine import Engine
from bot.flows.intake import describes_own_incident, facts_in
from bot.model import ChatState, Event
from bot.timeutil import SHANGHAI

NOW = datetime(2026, 11, 30, 10, 0, tzinfo=SHANGHAI)
ENGINE = Engine()


def say(state, *texts):
    replies = []
    for text in texts:
        state, replies = ENGINE.step(state, Event("t", text, NOW))
    return state, replies


def test_a_pasted_description_fills_every_answer_it_states():
    facts = facts_in("我们是一家民营物流公司，官网首页被篡改了2小时，浏览了5000次，昨晚23:30发现的。要不要报、向谁报、几点前报？", NOW)
    assert facts == {
        "central_state_organ": False, "discovered_at": "2026-11-29T23:30:00+08:00", "incident_type": "defacement", "level": None,
        "grading": {"defacement_homepage_hours": 2, "defacement_views": 5000},
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我们是一家连锁药店，今早7点发现会员库被拖，四十多万会员的手机号和地址泄露",
         {"discovered_at": "2026-11-30T07:00:00+08:00", "incident_type": "data_leak", "grading": {"personal_info_people": 400_000}}),
        ("我们是物流公司，不涉及关基，也不是机关", {"cii": False, "central_state_organ": False}),
        ("We're a private logistics firm. Our homepage was defaced for about 2 hours; we noticed it at 7:30 am today.",
         {"central_state_organ": False, "discovered_at": "2026-11-30T07:30:00+08:00", "incident_type": "defacement",
          "grading": {"defacement_homepage_hours": 2}}),
        ("我們是部委，官網首頁被黑了，掛了3個小時反動標語", {"central_state_organ": True, "incident_type": "defacement",
                                                   "grading": {"defacement_homepage_hours": 3}}),
        ("损失大概600万元，级别应该是较大", {"level": "relatively_major"}),
    ],
)
def test_facts_in_descriptions(text, expected):
    facts = facts_in(text, NOW)
    for key, value in expected.items():
        assert facts[key] == value, key


def test_a_future_statement_is_not_taken_and_doubt_about_cii_is_unsure():
    assert "discovered_at" not in facts_in("明天上午9点开会讨论", NOW)
    assert facts_in("我们是区医院，不知道算不算关基", NOW)["cii"] is None  # unsure is an answer: both paths are met


@pytest.mark.parametrize(
    ("text", "own"),
    [("我们官网首页被篡改了", True), ("our database was leaked", True), ("网站被篡改多久算重大", False), ("我们要报告吗", False)],
)
def test_only_the_users_own_incident_starts_an_assessment(text, own):
    assert describes_own_incident(text) is own


def test_a_first_message_describing_the_incident_starts_the_assessment_with_its_facts_and_asks_only_the_rest():
    state, replies = say(ChatState(), "我们是一家民营物流公司，官网首页被篡改了2小时，浏览了5000次，昨晚23:30发现的。要不要报、向谁报、几点前报？")
    flow = state.flows["assess"]
    assert state.active == "assess" and flow["step"] == "cii"
    assert "从你的描述里读到" in replies[-1].text and "2026-11-29 23:30" in replies[-1].text
    state, replies = say(state, "否")
    # 2 hours on a homepage already settles 重大 on any site: no level is asked, the walk asks only what could
    # raise it (the organ was stated; what happened and the figures too)
    assert state.flows["assess"]["step"] == "g.defacement_site"
    state, _ = say(state, "其他网站（含企业网站）")  # 重大 on such a site: no other defacement figure can go higher
    assert state.flows["assess"]["step"] == "g.defacement_determined"
    state, _ = say(state, "否")
    assert state.flows["assess"]["step"] == "g.other_threat"
    state, replies = say(state, "没有", "否", "否")
    result = state.flows["assess"]["result"]
    assert result["level"] == "major" and result["must_report"] is True
    assert "最晚 2026-11-30 03:30" in replies[-1].text  # 4 hours from the stated discovery time, not asked again


def test_the_ministry_that_describes_its_defacement_gets_the_assessment_started():
    state, replies = say(ChatState(), "我们是部委，官网首页被黑了，挂了3个小时反动标语，要报吗")
    assert state.active == "assess"
    answers = state.flows["assess"]["answers"]
    assert answers["central_state_organ"] is True and answers["grading"]["defacement_homepage_hours"] == 3


def test_an_answer_that_says_more_than_was_asked_fills_the_other_answers():
    state, replies = say(ChatState(), "/assess", "不涉及关基，我们是物流公司，也不是机关")
    answers = state.flows["assess"]["answers"]
    assert answers["cii"] is False and answers["central_state_organ"] is False
    assert state.flows["assess"]["step"] == "level" and "也记下了" in replies[-1].text


@pytest.mark.parametrize(
    "text",
    ["市政府门户网站被DDoS攻击打瘫了，现在还打不开", "配电自动化系统出故障了，部分区域停电", "保险公司这边，客户数据泄露了，大概1500万条，昨晚10点20发现的",
     "I'm the ops contractor for a city government portal. It's been down for about five hours now after a DDoS."],
)
def test_an_incident_told_without_we_still_starts_the_assessment(text):
    state, _ = say(ChatState(), text)
    assert state.active == "assess"


def test_an_english_description_keeps_the_conversation_in_english():
    state, replies = say(ChatState(), "Our homepage was defaced this morning, what do we do?")
    assert state.lang == "en" and state.active == "assess"
    state, replies = say(state, "no, definitely not, we're a small hotel")
    assert all(not ("\u4e00" <= ch <= "\u9fff") for ch in replies[-1].text)


@pytest.mark.parametrize(
    ("text", "key"),
    [("不涉及关基，就是办公网", "central_state_organ"), ("nope, we're just a logistics firm, not a government body either", "suspected_crime")],
)
def test_an_answer_fills_only_the_facts_it_is_about(text, key):
    state, _ = say(ChatState(), "/assess", text)
    assert key not in state.flows["assess"]["answers"]


def test_a_hospitals_name_is_no_count_and_main_functions_are_read_from_a_description():
    assert "grading" not in facts_in("我们是市第一人民医院信息科，40分钟前HIS系统被勒索病毒加密了", NOW) or \
        "personal_info_people" not in facts_in("我们是市第一人民医院信息科，40分钟前HIS系统被勒索病毒加密了", NOW)["grading"]
    facts = facts_in("地鐵2號線調度系統主要功能中斷約45分鐘，影響乘客大約20萬人次", NOW)
    assert facts["grading"]["cii_main_function_outage_minutes"] == 45
