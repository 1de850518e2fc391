"""The whole grading guide: defacement, the qualitative clauses, absent criteria, the in-force date, late
reports and the related duties, each at its thresholds (just below, at, above) and through the chat."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.engine import Engine
from bot.flows.assess import QUESTIONS
from bot.model import ChatState, Event
from bot.rules import FactsError, assess, describe
from bot.rules.tables import CRITERIA
from bot.timeutil import SHANGHAI

NOW = datetime(2026, 3, 1, 10, 15, tzinfo=SHANGHAI)
KNOWN = {"cii": False, "central_state_organ": False, "suspected_crime": False, "sector_rules": False, "discovered_at": "2026-03-01T09:00"}
ENGINE = Engine()


def graded(**grading):
    return assess({**KNOWN, "grading": grading}, NOW)


# ------------------------------------------------------------------------------------------ defacement
DEFACEMENT = {  # key: (特别重大 on a top site, 重大, 较大) — facts §8
    "defacement_homepage_hours": (6, 2, 0.5),
    "defacement_other_page_hours": (24, 12, 2),
    "defacement_shares": (100_000, 10_000, 1_000),
    "defacement_views": (1_000_000, 100_000, 10_000),
}


def below(figure):
    return figure - (0.1 if figure < 10 else 1)


@pytest.mark.parametrize("key", DEFACEMENT)
@pytest.mark.parametrize("site", ["top", "other", "absent"])
def test_each_defacement_figure_at_each_threshold_on_each_site(key, site):
    top, major, relatively_major = DEFACEMENT[key]
    qualifier = {} if site == "absent" else {"defacement_site": site}
    expected_top = "especially_major" if site == "top" else "major"  # 特别重大 needs a top site; absent means "other"
    cases = [
        (below(relatively_major), "general"),
        (relatively_major, "relatively_major"),
        (below(major), "relatively_major"),
        (major, "major"),
        (below(top), "major"),
        (top, expected_top),
        (top * 10, expected_top),
    ]
    for value, level in cases:
        result = graded(**qualifier, **{key: value})
        assert result["level"] == level, (key, site, value)
        assert result["must_report"] is (level != "general")


def test_the_draft_figures_make_the_grade_provisional_and_the_confirmed_top_figure_does_not():
    assert graded(defacement_site="other", defacement_homepage_hours=3)["provisional"] is True
    assert graded(defacement_site="top", defacement_homepage_hours=7)["provisional"] is False
    # below a draft figure: the lower level stands, provisional, because the official figure may be lower
    general = graded(defacement_site="other", defacement_homepage_hours=0.25)
    assert general["level"] == "general" and general["must_report"] is False and general["provisional"] is True
    assert any("2023年征求意见稿" in caveat for caveat in general["caveats"])


def test_an_unknown_site_is_graded_as_the_top_kind_and_said_so():
    result = graded(defacement_site=None, defacement_homepage_hours=6)
    assert result["level"] == "especially_major" and result["provisional"] is True
    assert any("被篡改网站的类别不确定" in a for a in result["assumptions"])
    other = graded(defacement_site="other", defacement_homepage_hours=6)
    assert other["level"] == "major" and not any("类别不确定" in a for a in other["assumptions"])


def test_a_determination_by_a_provincial_cac_or_police_sets_especially_major():
    result = graded(defacement_determined=True)
    assert result["level"] == "especially_major" and result["provisional"] is False
    assert result["level_basis"] == ["省级以上网信部门或公安机关认定为特别重大（特别重大；已确认）"]
    assert graded(defacement_determined=False, defacement_site="other", defacement_views=0)["level"] == "general"


def test_the_ministry_whose_homepage_was_defaced_for_three_hours_must_report():
    result = assess(
        {**KNOWN, "central_state_organ": True, "grading": {"defacement_site": "top", "defacement_homepage_hours": 3}}, NOW
    )
    assert result["must_report"] is True and result["level"] == "major" and result["provisional"] is True
    assert "在首页传播时长" in result["level_basis"][0] and "3小时 ≥ 2小时" in result["level_basis"][0]
    initial = next(o for o in result["obligations"] if o["kind"] == "initial")
    assert initial["to"] == ["department_cac_office"] and initial["deadline"] == "2026-03-01T11:00:00+08:00"


def test_an_enterprise_site_is_graded_by_the_draft_figures_too():
    result = graded(defacement_site="other", defacement_homepage_hours=2, defacement_views=5000)
    assert result["level"] == "major" and result["must_report"] is True and result["provisional"] is True


# ------------------------------------------------------------------------------------------ qualitative clauses
@pytest.mark.parametrize("key", ["system_loss", "personal_info_threat", "other_threat", "data_threat"])
@pytest.mark.parametrize(
    ("degree", "level"),
    [("none", "general"), ("relatively_serious", "relatively_major"), ("serious", "major"), ("especially_serious", "especially_major")],
)
def test_each_degree_of_each_qualitative_clause_sets_its_level(key, degree, level):
    result = graded(**{key: degree})
    assert result["level"] == level
    if level != "general":
        assert result["level_basis"] and result["level_basis"][0].split("：")[0] in {
            "核心数据或重要数据泄露、窃取、篡改、假冒造成的威胁", "大量公民个人信息丢失、被窃取、篡改、假冒对国家安全和社会稳定的威胁",
            "信息系统遭受的系统损失", "对国家安全、社会秩序、经济建设和公众利益的其他威胁",
        }


def test_a_leak_of_800_thousand_people_can_still_be_relatively_major_by_the_qualitative_clause():
    assert graded(personal_info_people=800_000, personal_info_threat="none")["level"] == "general"
    result = graded(personal_info_people=800_000, personal_info_threat="relatively_serious")
    assert result["level"] == "relatively_major" and result["must_report"] is True


def test_an_unknown_degree_may_reach_the_top_level():
    result = graded(personal_info_people=1_200_000, system_loss=None)
    assert result["level"] == "relatively_major" and any("信息系统遭受的系统损失" in a and "特别重大" in a for a in result["assumptions"])


@pytest.mark.parametrize(
    ("grading", "message"),
    [({"system_loss": "severe"}, "grading.system_loss must be one of"), ({"defacement_site": "portal"}, "grading.defacement_site must be one of"),
     ({"defacement_determined": 1}, "grading.defacement_determined must be true, false or null"),
     ({"defacement_views": -1}, "grading.defacement_views must be a number")],
)
def test_bad_values_of_the_new_keys_are_refused_by_name(grading, message):
    with pytest.raises(FactsError, match=message):
        assess({**KNOWN, "grading": grading}, NOW)


def test_every_row_of_the_guide_is_in_the_tables():
    rows = {(c.key, c.level) for c in CRITERIA}
    for key in (*DEFACEMENT, "system_loss", "personal_info_threat", "other_threat", "data_threat", "personal_info_people",
                "direct_loss_yuan", "cii_whole_outage_minutes", "cii_main_function_outage_minutes", "people_services_affected",
                "portal_outage_hours", "population_share_pct"):
        assert {(key, level) for level in ("especially_major", "major", "relatively_major")} <= rows, key
    assert ("defacement_determined", "especially_major") in rows


# ------------------------------------------------------------------------------------------ absent criteria
def test_absent_criteria_are_named_by_label_and_key_and_a_general_result_says_to_assess_again():
    result = graded(personal_info_people=0)
    (absent,) = [a for a in result["assumptions"] if a.startswith("以下分级指标未给出")]
    assert "直接经济损失（direct_loss_yuan）" in absent and "网页被篡改传播违法有害信息：在首页传播时长（defacement_homepage_hours）" in absent
    assert "personal_info_people" not in absent
    assert "cii_whole_outage_minutes" not in absent  # no CII: its outage cannot apply
    assert result["level"] == "general" and any("请重新评估" in c for c in result["caveats"])
    english = assess({**KNOWN, "lang": "en", "grading": {"personal_info_people": 0}}, NOW)
    assert any("direct economic loss (direct_loss_yuan)" in a for a in english["assumptions"])


def test_nothing_absent_needs_saying_when_every_criterion_is_given_or_the_top_level_is_reached():
    top = graded(personal_info_people=100_000_000)
    assert not any("未给出" in a for a in top["assumptions"])
    no_grading = assess({**KNOWN, "level": "major"}, NOW)
    assert not any("未给出" in a for a in no_grading["assumptions"])


# ------------------------------------------------------------------------------------------ in force
@pytest.mark.parametrize(
    ("discovered", "in_force"),
    [("2025-10-31T23:59", False), ("2025-11-01T00:00", True), ("2025-10-31T15:59:59Z", False), ("2025-10-31T16:00:00Z", True),
     ("2024-05-01T09:00", False)],
)
def test_the_measures_apply_to_incidents_discovered_from_1_november_2025(discovered, in_force):
    result = assess({**KNOWN, "level": "major", "discovered_at": discovered}, NOW)
    assert result["in_force"] is in_force and result["must_report"] is in_force
    if not in_force:
        assert result["obligations"] == [] and "2025年11月1日" in result["caveats"][0]
        assert describe(result, NOW, "zh").startswith("结论：本事件发现于《办法》施行（2025年11月1日）之前")
        english = assess({**KNOWN, "level": "major", "discovered_at": discovered, "lang": "en"}, NOW)
        assert "2025-11-01" in english["caveats"][0] and "not" in english["caveats"][0]


# ------------------------------------------------------------------------------------------ late reports
def test_an_overdue_result_leads_with_report_now_and_say_why_above_the_usual_lines():
    result = assess({**KNOWN, "cii": True, "level": "major"}, NOW)  # 1 hour from 09:00: overdue at 10:15
    assert result["caveats"][0].startswith("已超过报告时限：立即报告，并说明迟报原因。") and "从重处罚" in result["caveats"][0]
    lines = describe(result, NOW, "zh").splitlines()
    assert lines[0] == "⚠ 已超过报告时限：立即报告，并说明迟报原因。" and lines[1].startswith("结论：须按")
    assert "   最晚 2026-03-01 10:00 — 已逾期 15分" in lines
    on_time = assess({**KNOWN, "level": "major"}, NOW)
    assert not describe(on_time, NOW, "zh").startswith("⚠") and not on_time["caveats"][0].startswith("已超过")
    english = describe(assess({**KNOWN, "cii": True, "level": "major", "lang": "en"}, NOW), NOW, "en")
    assert english.startswith("⚠ A deadline has passed: report now, and say why the report is late.")


# ------------------------------------------------------------------------------------------ channels per path
def test_the_cii_path_is_never_given_12387_as_its_channel():
    result = assess({**KNOWN, "cii": True, "level": "major"}, NOW)
    initial = next(o for o in result["obligations"] if o["kind"] == "initial")
    assert initial["channels"] == []
    text = describe(result, NOW, "zh")
    assert "渠道：按保护工作部门和公安机关指定的方式报送（12387渠道不能代替）" in text
    assert "12387不能代替" in text and "是我们的解读" in text
    other = describe(assess({**KNOWN, "level": "major"}, NOW), NOW, "zh")
    assert "渠道（网信部门的12387渠道）：12387网络安全事件报告热线" in other


# ------------------------------------------------------------------------------------------ related duties
def test_personal_information_brings_pipl_57_with_its_exception_and_important_data_the_dsl_and_regulations():
    leak = graded(personal_info_people=2_000_000)
    assert len(leak["also_note"]) == 1 and "第五十七条" in leak["also_note"][0] and "可以不通知个人" in leak["also_note"][0]
    data = graded(data_threat="serious")
    assert [note[:8] for note in data["also_note"]] == ["《数据安全法》第", "《网络数据安全管"]
    maybe = graded(personal_info_people=None)
    assert "第五十七条" in maybe["also_note"][0]  # "may be" involved is enough
    assert graded(personal_info_people=0, data_threat="none")["also_note"] == []
    typed = assess({**KNOWN, "level": "major", "incident_type": "data_leak"}, NOW)
    assert "第五十七条" in typed["also_note"][0]
    text = describe(leak, NOW, "zh")
    assert "另请注意（其他法律的义务，不计入上面的时限）：" in text
    english = assess({**KNOWN, "lang": "en", "grading": {"personal_info_people": 2_000_000}}, NOW)
    assert "need not be notified where the measures effectively avoid harm, unless the authority requires it" in english["also_note"][0]


# ------------------------------------------------------------------------------------------ through the chat
def say(state, *texts):
    replies = []
    for text in texts:
        state, replies = ENGINE.step(state, Event("t", text, NOW))
    return state, replies


def asked(state):
    return state.flows["assess"]["step"]


def test_the_defacement_branch_asks_only_defacement_questions_and_grades_the_ministry_major():
    state, replies = say(ChatState(), "/assess", "否", "是", "帮我分级", "我们官网首页被篡改了")
    assert asked(state) == "g.defacement_site"
    state, replies = say(state, "不确定", "3小时")
    assert "至少为重大（暂定）" in replies[-1].text
    steps = []
    while asked(state).startswith("g."):
        steps.append(asked(state))
        state, replies = say(state, "没有")
    assert steps == ["g.defacement_other_page_hours", "g.defacement_views", "g.defacement_shares", "g.defacement_determined", "g.other_threat"]
    state, replies = say(state, "2026-03-01 09:00", "否", "否")
    result = state.flows["assess"]["result"]
    assert result["must_report"] is True and result["level"] == "major" and result["provisional"] is True
    assert "首次报告 → 本部门网信工作机构" in replies[-1].text and "最晚 2026-03-01 11:00" in replies[-1].text


def test_the_walk_stops_as_soon_as_a_criterion_sets_the_top_level():
    state, replies = say(ChatState(), "/assess", "否", "否", "帮我分级", "网页被篡改", "省级以上党政门户/中央重点新闻网站/超大型平台", "6小时以上")
    assert asked(state) == "discovered_at" and "分级结果：特别重大。" in replies[-1].text


def test_a_question_that_cannot_raise_the_level_is_not_asked():
    # an enterprise site at 重大 already: no remaining defacement figure can go higher on such a site
    state, _ = say(ChatState(), "/assess", "否", "否", "帮我分级", "网页被篡改", "其他网站（含企业网站）", "2小时以上")
    assert asked(state) == "g.defacement_determined"


def test_a_short_homepage_defacement_on_an_enterprise_site_is_timed_in_minutes():
    state, _ = say(ChatState(), "/assess", "否", "否", "帮我分级", "网页被篡改", "其他网站（含企业网站）", "40分钟")
    grading = state.flows["assess"]["answers"]["grading"]
    assert grading["defacement_homepage_hours"] == pytest.approx(40 / 60)


@pytest.mark.parametrize(
    ("text", "kind"),
    [("数据库被拖了", "data_leak"), ("客户信息泄露", "data_leak"), ("we had a data breach", "data_leak"), ("中了勒索病毒", "ransomware"),
     ("服务器被加密了", "ransomware"), ("系统瘫痪", "outage"), ("网站打不开", "outage"), ("the site is down", "outage"),
     ("首页被篡改", "defacement"), ("網頁被篡改", "defacement"), ("勒索加数据泄露都有", "ransomware"), ("网页被篡改，网站也打不开了", "other"), ("不清楚", "other"), ("idk", "other")],
)
def test_what_happened_in_the_users_own_words(text, kind):
    state, _ = say(ChatState(), "/assess", "否", "否", "帮我分级", text)
    assert state.flows["assess"]["answers"]["incident_type"] == kind


@pytest.mark.parametrize("kind", ["data_leak", "ransomware", "outage", "defacement"])
def test_each_kind_needs_at_most_a_handful_of_answers_when_nothing_is_found(kind):
    state, _ = say(ChatState(), "/assess", "否", "否", "帮我分级", f"assess:incident_type:{kind}")
    count = 0
    while asked(state).startswith("g."):
        question = QUESTIONS[asked(state)]
        none = next(o for o in question.options if o.value in (0, "none", "none-of-these", False))
        state, _ = say(state, f"assess:{question.step}:{none.token}")
        count += 1
    assert count <= 7 and asked(state) == "discovered_at"


@pytest.mark.parametrize("text", ["1900-01-01 00:00", "0001-01-01 00:00", "99999 days ago"])
def test_a_discovery_time_outside_1992_to_2100_is_refused_at_the_question_and_never_stored(text):
    state, replies = say(ChatState(), "/assess", "否", "否", "较大", text)
    assert "不在1992年至2100年之间" in replies[-1].text and asked(state) == "discovered_at"
    assert "discovered_at" not in state.flows["assess"]["answers"]


def test_a_cii_outage_given_with_no_cii_meets_both_paths():
    result = assess({**KNOWN, "grading": {"cii_whole_outage_minutes": 400}}, NOW)
    recipients = [o["to"] for o in result["obligations"] if o["kind"] == "initial"]
    assert ["protection_department", "public_security"] in recipients and ["provincial_cac"] in recipients
    assert any("两者矛盾" in a for a in result["assumptions"])


def test_fractional_hours_read_as_minutes_without_float_noise():
    result = graded(defacement_homepage_hours=5.99)
    assert "359.4分钟" in result["level_basis"][0]


def test_ransomware_may_involve_personal_information():
    result = assess({**KNOWN, "level": "major", "incident_type": "ransomware"}, NOW)
    assert "第五十七条" in result["also_note"][0]
