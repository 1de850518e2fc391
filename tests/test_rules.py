"""The rules: every Art. 4 path and level, the grading guide, unknowns, and deadline arithmetic."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.rules import FactsError, assess, describe
from bot.rules.tables import CHANNELS, CRITERIA, LEVELS, OFFICIAL_TEXT_URL, RANK
from bot.timeutil import SHANGHAI, parse_iso

NOW = datetime(2026, 3, 1, 10, 15, tzinfo=SHANGHAI)
FOUND = "2026-03-01T09:00"
KNOWN = {"cii": False, "central_state_organ": False, "suspected_crime": False, "sector_rules": False}


def run(**facts):
    return assess({"discovered_at": FOUND, **facts}, NOW)


def of_kind(result, kind):
    return [o for o in result["obligations"] if o["kind"] == kind]


def brief(result):
    """(kind, by, to, within_minutes, deadline) of each obligation, for table comparisons."""
    return [(o["kind"], o["by"], o["to"], o["within_minutes"], o["deadline"]) for o in result["obligations"]]


# ------------------------------------------------------------------------------------------ the three paths
PATH_CASES = {
    "cii": (
        {"cii": True, "central_state_organ": False},
        [("initial", "operator", ["protection_department", "public_security"], 60, "2026-03-01T10:00:00+08:00")],
        [("escalation", "protection_department", ["national_cac", "state_council_public_security"], 30, "2026-03-01T10:30:00+08:00")],
    ),
    "central_state_organ": (
        {"cii": False, "central_state_organ": True},
        [("initial", "operator", ["department_cac_office"], 120, "2026-03-01T11:00:00+08:00")],
        [
            ("escalation", "department_cac_office", ["national_cac"], 60, "2026-03-01T12:00:00+08:00"),
            ("notification", "national_cac", ["relevant_departments"], None, None),
        ],
    ),
    "other": (
        {"cii": False, "central_state_organ": False},
        [("initial", "operator", ["provincial_cac"], 240, "2026-03-01T13:00:00+08:00")],
        [
            ("escalation", "provincial_cac", ["national_cac"], 60, "2026-03-01T14:00:00+08:00"),
            ("notification", "provincial_cac", ["relevant_departments"], 60, "2026-03-01T14:00:00+08:00"),
        ],
    ),
}


@pytest.mark.parametrize("path", PATH_CASES)
@pytest.mark.parametrize("level", ["relatively_major", "major", "especially_major"])
def test_each_path_and_reportable_level(path, level):
    operator_type, initial, upstream = PATH_CASES[path]
    result = run(**{**KNOWN, **operator_type}, level=level)
    assert result["must_report"] is True and result["level"] == level and result["provisional"] is False
    expected = initial + (upstream if RANK[level] >= RANK["major"] else [])
    got = [b for b in brief(result) if b[0] in ("initial", "escalation", "notification")]
    assert got == expected
    assert [(o["to"], o["deadline"]) for o in of_kind(result, "supplement")] == [(initial[0][2], None)]
    assert [(o["to"], o["within_days"], o["deadline"]) for o in of_kind(result, "summary")] == [(initial[0][2], 30, None)]
    assert not of_kind(result, "sector") and not of_kind(result, "crime")
    assert result["assumptions"] == []


@pytest.mark.parametrize("path", PATH_CASES)
def test_a_general_incident_need_not_be_reported_on_any_path(path):
    result = run(**{**KNOWN, **PATH_CASES[path][0]}, level="general")
    assert result["must_report"] is False and result["level"] == "general"
    assert result["obligations"] == []
    assert any("一般" in caveat for caveat in result["caveats"])


def test_chinese_level_names_are_accepted_and_answered_with_english_keys():
    for zh, key in [("特别重大", "especially_major"), ("重大", "major"), ("较大", "relatively_major"), ("一般", "general")]:
        assert run(**KNOWN, level=zh)["level"] == key


def test_only_reports_to_a_cac_office_carry_the_12387_channels():
    result = run(cii=None, central_state_organ=None, level="major")
    for obligation in result["obligations"]:
        expected = list(CHANNELS["zh"]) if obligation["to"] == ["provincial_cac"] else []
        assert obligation["channels"] == expected, obligation
    assert "12387@cert.org.cn" in " ".join(CHANNELS["zh"]) and "010-82992387" in " ".join(CHANNELS["en"])


def test_english_texts_on_request():
    result = assess({**KNOWN, "level": "major", "discovered_at": FOUND}, NOW, lang="en")
    assert of_kind(result, "initial")[0]["channels"] == list(CHANNELS["en"])
    assert all(text.isascii() or "发现或获知" in text for text in result["caveats"])
    assert assess({**KNOWN, "level": "major", "lang": "en"}, NOW)["level_basis"] == ["the level you gave (major)"]


# ------------------------------------------------------------------------------------------ operator type
TYPE_CASES = [
    # (cii, central organ) → operator's initial recipients, in deadline order
    ((True, True), [["protection_department", "public_security"], ["department_cac_office"]]),
    ((True, None), [["protection_department", "public_security"], ["department_cac_office"]]),
    ((None, False), [["protection_department", "public_security"], ["provincial_cac"]]),
    ((False, None), [["department_cac_office"], ["provincial_cac"]]),
    ((None, True), [["protection_department", "public_security"], ["department_cac_office"]]),
    ((None, None), [["protection_department", "public_security"], ["department_cac_office"], ["provincial_cac"]]),
]


@pytest.mark.parametrize(("operator_type", "recipients"), TYPE_CASES)
def test_every_path_that_may_apply_is_met(operator_type, recipients):
    cii, organ = operator_type
    result = run(cii=cii, central_state_organ=organ, level="relatively_major", suspected_crime=False, sector_rules=False)
    assert [o["to"] for o in of_kind(result, "initial")] == recipients
    assert len(result["assumptions"]) == (cii is None) + (organ is None) + (None in operator_type and True not in operator_type)


def test_the_earliest_deadline_comes_first_when_the_type_is_unknown():
    result = run(level="relatively_major")
    deadlines = [o["deadline"] for o in of_kind(result, "initial")]
    assert deadlines == sorted(deadlines) and deadlines[0] == "2026-03-01T10:00:00+08:00"


# ------------------------------------------------------------------------------------------ unknown level
def test_unknown_level_is_treated_as_reportable_with_upstream_steps():
    result = run(**KNOWN)
    assert result["must_report"] is True and result["level"] is None and result["level_basis"] == []
    assert [o["kind"] for o in result["obligations"]] == ["initial", "escalation", "notification", "supplement", "summary"]
    assert any("级别未知" in a for a in result["assumptions"])


def test_missing_keys_mean_unknown_and_the_clock_starts_now():
    result = assess({}, NOW)
    assert result["must_report"] is True and result["level"] is None
    assert len(of_kind(result, "initial")) == 3 and of_kind(result, "crime") and of_kind(result, "sector")
    assert of_kind(result, "initial")[0]["deadline"] == "2026-03-01T11:15:00+08:00"
    assert result["assumptions"][0].startswith("未给出发现时间")


# ------------------------------------------------------------------------------------------ other duties
def test_sector_rules_and_suspected_crime_have_no_fixed_limit():
    result = run(**{**KNOWN, "sector_rules": True, "suspected_crime": True}, level="major")
    assert brief(result)[-4:-2] == [
        ("sector", "operator", ["sector_regulator"], None, None),
        ("crime", "operator", ["public_security"], None, None),
    ]
    assert result["assumptions"] == []


def test_unknown_sector_rules_and_crime_are_listed_with_an_assumption():
    result = run(**{**KNOWN, "sector_rules": None, "suspected_crime": None}, level="major")
    assert of_kind(result, "sector") and of_kind(result, "crime")
    assert len(result["assumptions"]) == 2


def test_a_general_incident_still_lists_sector_and_crime_duties_outside_the_measures():
    result = run(**{**KNOWN, "sector_rules": True, "suspected_crime": True}, level="一般")
    assert result["must_report"] is False
    assert [(o["kind"], o["source"]) for o in result["obligations"]] == [("sector", "Sector rules"), ("crime", "Suspected crime")]
    assert any("行业规定" in caveat for caveat in result["caveats"])


def test_summary_is_due_thirty_days_after_handling_ends_at_the_same_clock_time():
    result = run(**KNOWN, level="relatively_major", discovered_at="2026-01-30T09:00", handling_ended_at="2026-01-31T18:05")
    assert of_kind(result, "summary")[0]["deadline"] == "2026-03-02T18:05:00+08:00"
    assert not any("处置结束时间未给出" in c for c in result["caveats"])


def test_supplements_have_no_24_hour_limit():
    supplement = of_kind(run(**KNOWN, level="major"), "supplement")[0]
    assert supplement["within_minutes"] is None and supplement["deadline"] is None and supplement["source"] == "Measures Art. 7"


# ------------------------------------------------------------------------------------------ grading
GRADING_CASES = [
    # (grading, level, provisional)
    ({"personal_info_people": 1_000_000}, "relatively_major", False),
    ({"personal_info_people": 999_999}, "general", False),
    ({"personal_info_people": 10_000_000}, "major", False),
    ({"personal_info_people": 100_000_000}, "especially_major", False),
    ({"direct_loss_yuan": 5_000_000}, "relatively_major", True),
    ({"direct_loss_yuan": 4_999_999}, "general", True),
    ({"direct_loss_yuan": 100_000_000}, "especially_major", False),
    ({"cii_whole_outage_minutes": 10}, "relatively_major", True),
    ({"cii_whole_outage_minutes": 120}, "major", True),
    ({"cii_whole_outage_minutes": 360}, "especially_major", False),
    ({"cii_main_function_outage_minutes": 30}, "relatively_major", True),
    ({"cii_main_function_outage_minutes": 1440}, "especially_major", False),
    ({"portal_outage_hours": 24, "portal_tier": "provincial"}, "especially_major", False),
    ({"portal_outage_hours": 24, "portal_tier": "central_news"}, "especially_major", False),
    ({"portal_outage_hours": 24, "portal_tier": "city"}, "major", True),
    ({"portal_outage_hours": 6, "portal_tier": "provincial_news"}, "major", True),
    ({"portal_outage_hours": 2, "portal_tier": "enterprise"}, "relatively_major", True),
    ({"portal_outage_hours": 1.9, "portal_tier": "provincial"}, "general", True),
    ({"population_share_pct": 50, "population_region": "province"}, "especially_major", False),
    ({"population_share_pct": 50, "population_region": "city"}, "major", True),
    ({"population_share_pct": 30, "population_region": "province"}, "major", True),
    ({"population_share_pct": 10, "population_region": "city"}, "relatively_major", True),
    ({"people_services_affected": 10_000_000}, "especially_major", False),
    ({"people_services_affected": 100_000}, "relatively_major", True),
    ({"data_threat": "especially_serious"}, "especially_major", False),
    ({"data_threat": "serious"}, "major", True),
    ({"data_threat": "relatively_serious"}, "relatively_major", False),
    ({"data_threat": "none"}, "general", False),
    ({}, "general", False),
    ({"personal_info_people": 2_000_000, "direct_loss_yuan": 30_000_000}, "major", True),
    ({"personal_info_people": 20_000_000, "direct_loss_yuan": 6_000_000}, "major", False),
    ({"personal_info_people": 20_000_000, "cii_whole_outage_minutes": 200}, "major", False),
    ({"personal_info_people": 2_000_000, "cii_whole_outage_minutes": 100}, "relatively_major", True),
]


@pytest.mark.parametrize(("grading", "level", "provisional"), GRADING_CASES)
def test_grading_table(grading, level, provisional):
    result = run(**KNOWN, level=None, grading=grading)
    assert (result["level"], result["provisional"]) == (level, provisional)
    assert result["must_report"] is (level != "general")
    assert result["level_basis"]
    if provisional:
        assert any(OFFICIAL_TEXT_URL in caveat for caveat in result["caveats"])


def test_the_basis_names_the_criterion_and_figure():
    result = run(**KNOWN, grading={"personal_info_people": 1_200_000})
    assert result["level_basis"] == ["公民个人信息泄露人数 120万人 ≥ 100万人（较大；已确认）"]


def test_an_unknown_criterion_cannot_make_an_incident_general():
    result = run(**KNOWN, grading={"personal_info_people": 0, "direct_loss_yuan": None})
    assert result["must_report"] is True and result["level"] is None
    assert result["level_basis"] == ["已知的回答未达到较大级别的分级指标，其余指标不确定"]
    assert run(**KNOWN, grading={"direct_loss_yuan": None})["level_basis"] == []
    assert any("直接经济损失" in a for a in result["assumptions"])
    assert of_kind(result, "escalation")


def test_an_unknown_criterion_keeps_the_known_level_but_lists_upstream_steps():
    result = run(**KNOWN, grading={"personal_info_people": 2_000_000, "data_threat": None})
    assert result["level"] == "relatively_major" and result["must_report"] is True
    assert of_kind(result, "escalation") and any("可能高达特别重大" in a for a in result["assumptions"])


def test_the_top_level_needs_no_assumption_about_other_criteria():
    result = run(**KNOWN, grading={"personal_info_people": 100_000_000, "direct_loss_yuan": None})
    assert result["level"] == "especially_major" and result["assumptions"] == []


def test_an_unknown_portal_tier_grades_by_the_lowest_tier_and_allows_the_highest():
    result = run(**KNOWN, grading={"portal_outage_hours": 30})
    assert result["level"] == "relatively_major" and of_kind(result, "escalation")
    assert any("党政机关门户网站" in a for a in result["assumptions"])


def test_an_unknown_figure_with_a_known_tier_is_bounded_by_that_tier():
    result = run(**KNOWN, grading={"portal_outage_hours": None, "portal_tier": "enterprise"})
    assert result["level"] is None and result["must_report"] is True
    assert not of_kind(result, "escalation")  # an enterprise portal never reaches 重大


def test_a_given_level_wins_over_grading():
    result = run(**KNOWN, level="major", grading={"personal_info_people": 1})
    assert result["level"] == "major" and any("grading" in c for c in result["caveats"])


def test_every_grading_row_has_a_source_and_a_known_confidence():
    for row in CRITERIA:
        assert row.source.startswith("Grading guide") and row.confidence in ("confirmed", "likely", "draft")
    confirmed = {(row.key, row.level) for row in CRITERIA if row.confidence == "confirmed"}
    assert ("personal_info_people", "relatively_major") in confirmed
    assert ("direct_loss_yuan", "relatively_major") not in confirmed


# ------------------------------------------------------------------------------------------ bad input
@pytest.mark.parametrize(
    ("facts", "message"),
    [
        ({"cii": "yes"}, "cii must be true, false or null"),
        ({"level": "huge"}, "level must be one of"),
        ({"discovered_at": "yesterday"}, "discovered_at is not an ISO 8601 time"),
        ({"discovered_at": 12}, "discovered_at must be an ISO 8601 string"),
        ({"discovered_at": "2026-03-02T09:00", "handling_ended_at": "2026-03-01T09:00"}, "handling_ended_at is before discovered_at"),
        ({"grading": []}, "grading must be a JSON object"),
        ({"grading": {"personal_info_people": -1}}, "must be a number from 0"),
        ({"grading": {"personal_info_people": True}}, "must be a number from 0"),
        ({"grading": {"direct_loss_yuan": float("nan")}}, "must be a number from 0"),
        ({"grading": {"direct_loss_yuan": float("inf")}}, "must be a number from 0"),
        ({"grading": {"direct_loss_yuan": 10**400}}, "must be a number from 0"),
        ({"grading": {"population_share_pct": 101}}, "percentage"),
        ({"grading": {"portal_tier": "national"}}, "portal_tier must be one of"),
        ({"lang": "fr"}, "lang must be"),
        ({"discovered_at": "0001-01-01T00:00+14:00"}, "discovered_at"),
        ([1, 2], "a scenario must be a JSON object"),
    ],
)
def test_bad_input_gets_a_clear_message(facts, message):
    with pytest.raises(FactsError, match=message):
        assess(facts, NOW)


@pytest.mark.parametrize(
    ("facts", "named"),
    [({"clii": True}, "clii"), ({"grading": {"personal_info_ppl": 5_000_000}}, "grading.personal_info_ppl")],
)
def test_a_misspelt_key_is_refused_by_name_rather_than_read_as_not_met(facts, named):
    with pytest.raises(FactsError, match=f"unknown key {named}"):
        run(**KNOWN, **facts)


# ------------------------------------------------------------------------------------------ time zones
@pytest.mark.parametrize(
    ("found", "deadline"),
    [
        ("2026-03-01T22:30", "2026-03-02T02:30:00+08:00"),  # across midnight
        ("2026-02-28T23:00", "2026-03-01T03:00:00+08:00"),  # across a month end
        ("2028-02-29T21:00", "2028-03-01T01:00:00+08:00"),  # leap day
        ("2026-12-31T22:30:59", "2027-01-01T02:30:59+08:00"),  # across a year end, seconds kept
        ("2026-12-31T14:30:00Z", "2027-01-01T02:30:00+08:00"),  # Z is UTC
        ("2026-12-31T14:30:00+00:00", "2027-01-01T02:30:00+08:00"),
        ("2026-12-31T09:30:00-05:00", "2027-01-01T02:30:00+08:00"),
    ],
)
def test_deadlines_are_beijing_time(found, deadline):
    result = assess({**KNOWN, "level": "major", "discovered_at": found}, NOW)
    assert of_kind(result, "initial")[0]["deadline"] == deadline


offsets = st.integers(min_value=-12 * 60, max_value=14 * 60).map(lambda m: timezone(timedelta(minutes=m)))
moments = st.datetimes(min_value=datetime(2025, 11, 2), max_value=datetime(2100, 1, 1), timezones=offsets)


@given(moment=moments, zulu=st.booleans())
def test_deadline_is_the_same_instant_whatever_offset_the_input_has(moment, zulu):
    text = moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z") if zulu else moment.isoformat()
    result = assess({**KNOWN, "level": "major", "discovered_at": text}, NOW)
    initial = of_kind(result, "initial")[0]["deadline"]
    escalation = of_kind(result, "escalation")[0]["deadline"]
    assert initial.endswith("+08:00") and escalation.endswith("+08:00")
    expected = moment.replace(microsecond=0) + timedelta(hours=4)
    assert parse_iso(initial) == expected
    assert parse_iso(escalation) == expected + timedelta(hours=1)


@given(st.datetimes(min_value=datetime(2025, 11, 1), max_value=datetime(2100, 1, 1)))
def test_a_time_without_offset_is_beijing_time(moment):
    result = assess({**KNOWN, "level": "major", "discovered_at": moment.isoformat()}, NOW)
    expected = (moment.replace(microsecond=0) + timedelta(hours=4)).isoformat() + "+08:00"
    assert of_kind(result, "initial")[0]["deadline"] == expected


# ------------------------------------------------------------------------------------------ properties
maybe = st.sampled_from([True, False, None])
levels = st.sampled_from(LEVELS)
scenario = st.fixed_dictionaries(
    {
        "cii": maybe,
        "central_state_organ": maybe,
        "suspected_crime": maybe,
        "sector_rules": maybe,
        "discovered_at": st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1)).map(lambda d: d.isoformat()),
    },
    optional={"handling_ended_at": st.just("2030-06-01T12:00")},
)
grading_values = st.fixed_dictionaries(
    {},
    optional={
        "personal_info_people": st.integers(0, 200_000_000) | st.none(),
        "direct_loss_yuan": st.integers(0, 200_000_000) | st.none(),
        "cii_whole_outage_minutes": st.integers(0, 1000) | st.none(),
        "cii_main_function_outage_minutes": st.integers(0, 3000) | st.none(),
        "portal_outage_hours": st.floats(0, 48) | st.none(),
        "portal_tier": st.sampled_from(["provincial", "central_news", "city", "provincial_news", "enterprise"]) | st.none(),
        "population_share_pct": st.floats(0, 100) | st.none(),
        "population_region": st.sampled_from(["province", "city"]) | st.none(),
        "people_services_affected": st.integers(0, 20_000_000) | st.none(),
        "data_threat": st.sampled_from(["especially_serious", "serious", "relatively_serious", "none"]) | st.none(),
    },
)


def duties(result):
    return {(o["kind"], o["by"], tuple(o["to"])) for o in result["obligations"]}


def earliest(result):
    return min((parse_iso(o["deadline"]) for o in result["obligations"] if o["deadline"] and o["kind"] != "summary"), default=None)


def covers(cautious, other):
    """Every duty of `other` is in `cautious`, due no later; and `cautious` reports whenever `other` does."""
    if other["must_report"] and not cautious["must_report"]:
        return False
    for duty in other["obligations"]:
        twins = [o for o in cautious["obligations"] if (o["kind"], o["by"], o["to"]) == (duty["kind"], duty["by"], duty["to"])]
        if not twins:
            return False
        if duty["deadline"] and not any(t["deadline"] and parse_iso(t["deadline"]) <= parse_iso(duty["deadline"]) for t in twins):
            return False
    first, other_first = earliest(cautious), earliest(other)
    return other_first is None or (first is not None and first <= other_first)


@given(scenario, st.integers(0, 2))
def test_a_higher_level_never_gives_a_later_deadline_or_fewer_obligations(facts, step):
    lower = assess({**facts, "level": LEVELS[step]}, NOW)
    higher = assess({**facts, "level": LEVELS[step + 1]}, NOW)
    assert duties(lower) <= duties(higher)
    assert covers(higher, lower)


@given(scenario, levels, st.sampled_from(["cii", "central_state_organ", "suspected_crime", "sector_rules", "level"]))
def test_an_unknown_fact_never_gives_a_later_deadline_than_any_known_value(facts, level, key):
    facts = {**facts, "level": level}
    unknown = assess({**facts, key: None}, NOW)
    values = LEVELS if key == "level" else (True, False)
    for value in values:
        assert covers(unknown, assess({**facts, key: value}, NOW)), value


@given(scenario, grading_values, st.data())
def test_an_unknown_grading_answer_never_gives_a_later_deadline(facts, grading, data):
    if not grading:
        return
    key = data.draw(st.sampled_from(sorted(grading)))
    known = assess({**facts, "level": None, "grading": grading}, NOW)
    unknown = assess({**facts, "level": None, "grading": {**grading, key: None}}, NOW)
    assert covers(unknown, known)


@given(grading_values, st.data())
def test_a_larger_figure_never_lowers_the_grade(grading, data):
    numbers = sorted(k for k, v in grading.items() if isinstance(v, (int, float)) and k != "population_share_pct")
    if not numbers:
        return
    key = data.draw(st.sampled_from(numbers))
    before = assess({**KNOWN, "grading": grading}, NOW)
    after = assess({**KNOWN, "grading": {**grading, key: grading[key] * 2 + 1}}, NOW)
    assert grade_rank(after) >= grade_rank(before)


def grade_rank(result):
    """A level's rank; "undetermined but maybe reportable" sits just below 较大 (it is never "general")."""
    return RANK[result["level"]] if result["level"] else RANK["relatively_major"] - 0.5


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)
contract_keys = st.sampled_from(["cii", "central_state_organ", "level", "discovered_at", "suspected_crime", "sector_rules", "handling_ended_at", "grading", "lang"])


@settings(max_examples=300)
@given(st.dictionaries(contract_keys, json_values, max_size=6) | json_values)
def test_any_input_gives_a_result_or_a_clear_error(raw):
    try:
        result = assess(raw, NOW)
    except FactsError as exc:
        assert str(exc)
        return
    assert set(result) == {"must_report", "level", "provisional", "level_basis", "obligations", "assumptions", "caveats", "in_force", "also_note"}
    assert describe(result, NOW, "zh") and describe(result, NOW, "en")


# ------------------------------------------------------------------------------------------ for a person
def test_the_person_view_shows_clock_times_time_left_and_overdue():
    result = run(**{**KNOWN, "cii": True}, level="major")
    text = describe(result, NOW, "zh")
    assert "最晚 2026-03-01 10:00 — 已逾期 15分" in text
    assert "保护工作部门和公安机关" in text and "国家网信部门和国务院公安部门" in text
    english = describe(result, NOW, "en")
    assert "overdue by 15 min" in english and "the CII protection department and the public security organ" in english


def test_upstream_steps_count_from_receipt_once_your_own_deadline_has_passed():
    """Your 10:00 deadline is missed: "by 10:30 — 15 min left" would count from a report not yet made."""
    result = run(**{**KNOWN, "cii": True}, level="major")
    text = describe(result, NOW, "zh")
    assert "保护工作部门 → 国家网信部门和国务院公安部门（向上报告）：收到你的报告后30分钟内" in text
    assert "10:30" not in text and "还剩 15分" not in text
    assert "(upstream report): within 30 minutes of receiving your report" in describe(result, NOW, "en")
    assert of_kind(result, "escalation")[0]["deadline"] == "2026-03-01T10:30:00+08:00"  # the JSON contract is unchanged
    organ = run(**{**KNOWN, "central_state_organ": True}, level="major", discovered_at="2026-03-01T08:00")
    assert "本部门网信工作机构 → 国家网信部门（向上报告）：收到你的报告后1小时内" in describe(organ, NOW, "zh")
    assert "within 1 hour of receiving your report" in describe(organ, NOW, "en")


def test_upstream_steps_keep_their_clock_time_while_your_own_deadline_is_ahead():
    result = run(**{**KNOWN, "cii": True}, level="major", discovered_at="2026-03-01T09:30")
    assert "保护工作部门 → 国家网信部门和国务院公安部门（向上报告）：最晚 2026-03-01 11:00 — 还剩 45分" in describe(result, NOW, "zh")


def test_the_person_view_of_a_general_incident():
    text = describe(run(**KNOWN, level="general"), NOW, "zh")
    assert text.startswith("结论：一般事件，无需按《办法》报告。") and OFFICIAL_TEXT_URL in text


# ------------------------------------------------------------------------------------------ wording of the basis
def test_a_figure_just_below_a_threshold_is_shown_exactly():
    result = run(cii=False, central_state_organ=False, level=None, grading={"direct_loss_yuan": 19_999_999})
    assert result["level"] == "relatively_major"
    assert any("1999.9999万元" in line for line in result["level_basis"])


def test_a_city_population_share_is_named_as_a_region_not_a_website():
    result = run(cii=False, central_state_organ=False, level=None, grading={"population_share_pct": 30, "population_region": "city"})
    assert any("地市（一个或多个地市）" in line and "门户网站" not in line for line in result["level_basis"])


def test_times_before_1992_are_refused_beijing_had_summer_time():
    with pytest.raises(FactsError):
        run(discovered_at="1988-07-01T09:00")


def test_the_summary_ends_with_the_most_urgent_duty():
    text = describe(run(cii=None, central_state_organ=None, level="relatively_major"), NOW, "zh")
    assert text.splitlines()[-1] == "⏱ 最紧迫：首次报告 → 保护工作部门和公安机关，最晚 2026-03-01 10:00 — 已逾期 15分"
