"""The assessment conversation: one question at a time, then the deadlines as clock times.

The questions are a table (QUESTIONS): each has its text, its buttons and how a typed answer is read. The
answers are kept in exactly the shape of the `assess` input contract, so the summary is assess(answers)
and the report flow can read state.flows["assess"]["answers"] and ["result"] to pre-fill a report.

Which question comes next is derived from the answers alone (next_step): the operator type, the level —
and, when the user does not know it, the grading guide's criteria one by one, most common and highest-impact
first, stopping as soon as the level is settled — then the discovery time, a suspected crime, sector rules.
Going back pops the history and forgets that answer; changing an answer from the summary asks that one
question again and returns to the summary. The summary finishes the conversation (no flow is active after
it), while its buttons still reach this flow.

Button data: "assess:<step>:<token>" answers a step (so an older button still answers its own question),
"assess:back", "assess:rest", "assess:change:<step>", "assess:start" / "assess:restart" (start afresh).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable

from bot import reminders
from bot.flows import BACK_WORDS, Ctx, typed
from bot.i18n import pick
from bot.model import Button, ChatState, Reply
from bot.rules import assess, describe
from bot.rules.describe import LABELS as describe_labels
from bot.rules.facts import MAX_FIGURE, FactsError
from bot.rules.grading import Grade, grade, reachable
from bot.rules import wording
from bot.rules.tables import CII_OUTAGE_KEYS, GROUPS, INCIDENT_TYPES, LEVEL_NAMES, LEVELS, RANK
from bot.flows.duty import TEXTS as DUTY_TEXTS
from bot.flows.duty import STATUS, status_lines
from bot.flows.intake import facts_in
from bot.flows.readers import (
    FOREIGN,
    GRADE_WORDS,
    NO,
    NONE_WORDS,
    QUESTION,
    UNKNOWN,
    UNSURE,
    YES,
    duration_in,
    implied_yes_no,
    incident_type_in,
    leading_option,
    level_in,
    mentions_foreign_money,
    names_topic,
    degree_in,
    portal_tier_in,
    region_in,
    says_none,
    says_unknown,
    site_kind_in,
    time_in,
    parse_amount,
    read_amount,
)
from bot.timetext import is_out_of_range, looks_like_time
from bot.timeutil import MAX_YEAR, MIN_YEAR, clock, parse_iso

NAME = "assess"
QUALIFIED = {  # a qualifier (portal_tier, population_region, defacement_site) → the figures it qualifies
    qualifier: tuple(g.key for g in GROUPS if g.qualifier_key == qualifier) for qualifier in dict.fromkeys(g.qualifier_key for g in GROUPS if g.qualifier_key)
}
DEFACEMENT_FIGURES = QUALIFIED["defacement_site"]


@dataclass(frozen=True)
class Option:
    """A button: its label, the token in its data, the value it stores, and words that also select it."""

    label: dict[str, str]
    token: str
    value: Any
    words: tuple[str, ...] = ()


@dataclass(frozen=True)
class Question:
    step: str  # a top-level answer key, or "g." + a grading key
    text: dict[str, str]
    options: tuple[Option, ...]
    parse: Callable[[str, Ctx], Any] | None = None  # a typed answer → value, or UNKNOWN
    store: Callable[[dict[str, Any], Any], None] | None = None  # how the value is kept; default: answers[step] = value
    keys: tuple[str, ...] = field(default=())  # the answer keys this question writes (forgotten on "back")


# ------------------------------------------------------------------------------------------ typed answers
RESTART_WORDS = ("重新评估", "重新开始", "重来", "start over", "restart")


@dataclass(frozen=True)
class Refused:
    """A typed answer that reads as an answer but cannot stand; `text` ({"zh", "en"}) says why."""

    text: dict[str, str]


def _counted(unit: str) -> Callable[[str, Ctx], Any]:
    """Typed amounts for a question counted in `unit`: a bare number is taken in that unit; a number in
    another unit ("5000万元" asked for people) or another currency ("$2 million") is refused, never converted."""

    def parse(text: str, ctx: Ctx) -> Any:
        if says_none(text):
            return 0
        if says_unknown(text):
            return None
        amount = read_amount(text)
        if unit == "money" and (amount.unit == FOREIGN if amount else mentions_foreign_money(text)):
            return Refused(TEXTS["yuan_only"])
        if amount is None:
            return UNKNOWN
        given = "money" if amount.unit == FOREIGN else amount.unit
        if given not in (None, unit) and not (unit == "count" and given == "people"):  # "5000人看过" counts views
            wrong = TEXTS["wrong_unit"]
            return Refused({lang: wrong[lang].format(wanted=UNIT_NAMES[unit][lang], given=UNIT_NAMES[given][lang]) for lang in wrong})
        return amount.value

    return parse


def _or_none(value: Any, text: str) -> Any:
    """At a "which kind?" question, "没有" (none of these) where the reader found no kind."""
    return _NONE if value == "none" or (value is UNKNOWN and says_none(text)) else value


def _minutes(text: str, ctx: Ctx) -> Any:
    if says_none(text):
        return 0
    if says_unknown(text):
        return None
    value = duration_in(text)
    if value is not None:
        return int(value) if value.is_integer() else value
    value = parse_amount(text)
    return UNKNOWN if value is None else value


def _hours(text: str, ctx: Ctx) -> Any:
    if says_none(text):
        return 0
    if says_unknown(text):
        return None
    minutes = duration_in(text)
    if minutes is not None:
        return int(minutes // 60) if minutes % 60 == 0 else minutes / 60
    value = parse_amount(text)
    return UNKNOWN if value is None else value


def _moment(text: str, ctx: Ctx) -> Any:
    """A typed time; one that tries to be a time but cannot be read ("this morning") gets examples of times
    that can, while anything else (a question, say) is left to the knowledge base. "Don't know" is no time:
    the clock runs from it, so the user is asked for the earliest moment they may have known."""
    if typed(text) in UNSURE:
        return Refused(TEXTS["time_unsure"])
    moment = time_in(text, ctx.now)
    if moment is not None:
        return moment.isoformat(timespec="seconds")
    if is_out_of_range(text, ctx.now):
        return Refused(TEXTS["years"])
    return Refused(TEXTS["time_hint"]) if looks_like_time(text) and not QUESTION.search(typed(text)) else UNKNOWN


def _label(zh: str, en: str) -> dict[str, str]:
    return {"zh": zh, "en": en}


INCIDENT_TYPE_NAMES = {
    "data_leak": _label("数据泄露/被窃取", "Data leak or theft"),
    "ransomware": _label("勒索病毒", "Ransomware"),
    "outage": _label("系统或网站中断", "System or site outage"),
    "defacement": _label("网页被篡改", "Website defaced"),
    "other": _label("其他/不清楚", "Other / not sure"),
}
# ------------------------------------------------------------------------------------------ the questions
YES_NO = (
    Option(_label("是", "Yes"), "yes", True, YES),
    Option(_label("否", "No"), "no", False, NO),
    Option(_label("不确定", "Not sure"), "unsure", None, UNSURE),
)
NOT_SURE = Option(_label("不确定", "Not sure"), "unsure", None, UNSURE)
NOW = Option(_label("现在", "Now"), "now", "now", ())


def _level_words(level: str) -> tuple[str, ...]:
    name = LEVEL_NAMES[level]
    return (name["zh"], name["en"], level, level.replace("_", " "), name["zh"] + "事件", name["zh"] + "级")


def _plain(step: str) -> Callable[[dict[str, Any], Any], None]:
    def store(answers: dict[str, Any], value: Any) -> None:
        answers[step] = value

    return store


def _store_cii(answers: dict[str, Any], value: Any) -> None:
    """Without CII, its outage criteria do not apply: drop any answers given to them."""
    answers["cii"] = value
    if value is False:
        for key in CII_OUTAGE_KEYS:
            answers.get("grading", {}).pop(key, None)


def _store_level(answers: dict[str, Any], value: Any) -> None:
    """A level given drops any grading; "grade" starts the grading walk from what is known; "skip" leaves it unknown."""
    answers["level"] = None if value == "grade" else value
    if value == "grade":
        answers.setdefault("grading", {})  # what a description already stated is kept: only the rest is asked
    else:
        answers.pop("grading", None)


def _store_end(answers: dict[str, Any], value: Any) -> None:
    if value is None:
        answers.pop("handling_ended_at", None)  # "not yet"
    else:
        answers["handling_ended_at"] = value


def _grading(key: str) -> Callable[[dict[str, Any], Any], None]:
    """Store a grading answer. "没有" to a qualifier question (portal, population, defacement) writes the figures
    that would follow it as 0 instead, so that they are not asked."""

    def store(answers: dict[str, Any], chosen: Any) -> None:
        grading = answers.setdefault("grading", {})
        if chosen == _NONE:
            grading.update(dict.fromkeys(QUALIFIED[key], 0))
        else:
            grading[key] = chosen

    return store


_NONE = "none-of-these"  # the "没有" answer of the qualifier questions

QUESTIONS: dict[str, Question] = {}


def _add(question: Question) -> None:
    QUESTIONS[question.step] = question


def _implied(step: str) -> Callable[[str, Ctx], Any]:
    return lambda text, ctx: implied_yes_no(step, text)


_add(
    Question(
        "cii",
        _label("事件是否涉及关键信息基础设施？", "Does the incident involve critical information infrastructure (CII)?"),
        YES_NO,
        parse=_implied("cii"),
        store=_store_cii,
        keys=("cii",),
    )
)
_add(
    Question(
        "central_state_organ",
        _label("本单位是否属于中央和国家机关各部门或其直属单位？", "Is your organisation a central or state organ (a department of the central and state organs) or a unit directly under one?"),
        YES_NO,
        parse=_implied("central_state_organ"),
        keys=("central_state_organ",),
    )
)
_add(
    Question(
        "level",
        _label(
            "按《网络安全事件分级指南》，事件属于哪一级？不清楚就点“帮我分级”。",
            "Under the grading guide, what level is the incident? If you don't know, press \"Help me grade\".",
        ),
        tuple(Option(LEVEL_NAMES[level], level, level, _level_words(level)) for level in reversed(LEVELS))
        + (
            Option(_label("帮我分级", "Help me grade"), "grade", "grade", UNSURE + GRADE_WORDS),
            Option(_label("不分级，从严", "Skip, assume the worst"), "skip", None, ("跳过", "skip")),
        ),
        parse=lambda text, ctx: level_in(text),
        store=_store_level,
        keys=("level", "grading"),
    )
)
_add(
    Question(
        "discovered_at",
        _label(
            "什么时候发现或获知这起事件的？点“现在”，或输入时间，如“30分钟前”“今天9点”“2026-03-01 09:00”（北京时间）。",
            "When did you discover or learn of the incident? Press \"Now\" or type a time such as \"30 minutes ago\", \"today 9:00\" or \"2026-03-01 09:00\" (Beijing time).",
        ),
        (NOW,),
        parse=_moment,
        keys=("discovered_at",),
    )
)
_add(
    Question(
        "suspected_crime",
        _label("事件是否涉嫌违法犯罪（例如勒索、入侵、窃取数据）？", "Is a crime suspected (ransomware, intrusion, data theft, for example)?"),
        YES_NO,
        parse=_implied("suspected_crime"),
        keys=("suspected_crime",),
    )
)
_add(
    Question(
        "sector_rules",
        _label("本行业领域是否有专门的网络安全事件报告规定（行业主管监管部门的要求）？", "Does your sector have its own incident-reporting rules (set by your sector regulator)?"),
        YES_NO,
        parse=_implied("sector_rules"),
        keys=("sector_rules",),
    )
)
_add(
    Question(
        "handling_ended_at",
        _label(
            "事件处置是什么时候结束的？点“现在”，或输入时间，如“今天18:00”（北京时间）。",
            "When did handling of the incident end? Press \"Now\" or type a time such as \"today 18:00\" (Beijing time).",
        ),
        (NOW, Option(_label("尚未结束", "Not yet"), "notyet", None, ("没有", "还没有", "尚未", "未结束", "not yet", "no"))),
        parse=_moment,
        store=_store_end,
        keys=("handling_ended_at",),
    )
)


SAME_AS_WHOLE = "same-as-whole"  # "同上", "see above": the main functions were out as long as the whole CII (at least)
_SAME = re.compile(r"同上|一样|相同|也是|\b(?:same|see above|as above|likewise)\b")


def _same_or_minutes(text: str, ctx: Ctx) -> Any:
    """A duration if one is said ("也是，断了2小时"), else "the same" as the whole outage ("see above")."""
    minutes = _minutes(text, ctx)
    return SAME_AS_WHOLE if minutes is UNKNOWN and _SAME.search(typed(text)) else minutes


def _grading_or_whole(key: str) -> Callable[[dict[str, Any], Any], None]:
    store = _grading(key)

    def store_main(answers: dict[str, Any], value: Any) -> None:
        store(answers, answers.get("grading", {}).get("cii_whole_outage_minutes") if value == SAME_AS_WHOLE else value)

    return store_main


def _tiers(key: str, options: list[tuple[str, str, Any]], unit_parse: Callable[[str, Ctx], Any], text: dict[str, str]) -> None:
    """A numeric grading question: buttons for the thresholds ('≥ X' stores X), typed numbers too; "没有"
    selects the "none, or below …" button (the one that stores 0)."""
    buttons = tuple(Option(_label(zh, en), str(token), token, NONE_WORDS if token == 0 else ()) for zh, en, token in options)
    _add(
        Question(
            "g." + key,
            text,
            buttons + (NOT_SURE,),
            parse=unit_parse,
            store=_grading_or_whole(key) if key == "cii_main_function_outage_minutes" else _grading(key),
            keys=("grading." + key,),
        )
    )


_tiers(
    "personal_info_people",
    [("1亿人以上", "100 million or more", 100_000_000), ("1000万人以上", "10 million or more", 10_000_000),
     ("100万人以上", "1 million or more", 1_000_000), ("没有或不到100万人", "None, or under 1 million", 0)],
    _counted("people"),
    _label("有多少人的个人信息被泄露（或可能被泄露）？可直接输入人数，如“120万”。", "How many people's personal information leaked (or may have)? You can type a number, e.g. \"1.2 million\"."),
)
_tiers(
    "direct_loss_yuan",
    [("1亿元以上", "100 million yuan or more", 100_000_000), ("2000万元以上", "20 million yuan or more", 20_000_000),
     ("500万元以上", "5 million yuan or more", 5_000_000), ("没有或不到500万元", "None, or under 5 million", 0)],
    _counted("money"),
    _label("直接经济损失大约多少？可直接输入金额，如“600万”。", "Roughly how large is the direct economic loss? You can type an amount, e.g. \"6 million\"."),
)
def _degree_question(key: str, text: dict[str, str], names: dict[str, dict[str, str]]) -> None:
    """A qualitative clause of the grading guide, asked as its three degrees, "no" and "not sure"."""
    degrees = ("especially_serious", "serious", "relatively_serious")
    words = {"especially_serious": ("特别严重", "especially serious"), "serious": ("严重", "serious"), "relatively_serious": ("较严重", "relatively serious")}
    _add(
        Question(
            "g." + key,
            text,
            tuple(Option(names[d], d, d, words[d]) for d in degrees) + (Option(_label("没有", "No"), "none", "none", NO), NOT_SURE),
            parse=lambda text, ctx: degree_in(text),
            store=_grading(key),
            keys=("grading." + key,),
        )
    )


_THREATS = {
    "especially_serious": _label("特别严重威胁", "Especially serious"),
    "serious": _label("严重威胁", "Serious"),
    "relatively_serious": _label("较严重威胁", "Relatively serious"),
}
_degree_question(
    "data_threat",
    _label(
        "是否有核心数据或重要数据被泄露、窃取、篡改或假冒？如有，对国家安全和社会稳定的威胁有多大？",
        "Were core or important data leaked, stolen, tampered with or forged? If so, how serious a threat to national security and social stability is it?",
    ),
    _THREATS,
)
_degree_question(
    "personal_info_threat",
    _label(
        "个人信息的丢失、被窃取、篡改或假冒，对国家安全和社会稳定构成多大威胁？（分级指南的定性情形：不到100万人也可能达到较大）",
        "How serious a threat to national security and social stability does the loss, theft, tampering or forgery of the personal information pose? (A qualitative clause of the guide: fewer than 1 million people can still be relatively major.)",
    ),
    _THREATS,
)
_degree_question(
    "system_loss",
    _label("信息系统遭受的损失有多严重？", "How serious a loss has the information system suffered?"),
    {
        "especially_serious": _label("特别严重的系统损失", "Especially serious loss"),
        "serious": _label("严重的系统损失", "Serious loss"),
        "relatively_serious": _label("较严重的系统损失", "Relatively serious loss"),
    },
)
_degree_question(
    "other_threat",
    _label(
        "最后：事件是否对国家安全、社会秩序、经济建设或公众利益构成其他威胁？有多严重？",
        "Last: does the incident pose any other threat to national security, public order, the economy or the public interest? How serious?",
    ),
    _THREATS,
)
def _whole_minutes(text: str, ctx: Ctx) -> Any:
    """The whole CII's outage; an answer about the main functions only ("主要功能中断了45分钟") says the whole did
    not stop (0), and its figure is taken for the main functions with the other facts it states."""
    folded = typed(text)
    if _MAIN_ONLY.search(folded) and not _WHOLE_SAID.search(folded):
        return 0
    return _minutes(text, ctx)


_MAIN_ONLY = re.compile(r"主要功能|核心功能|部分功能|main functions?|some functions?")
_WHOLE_SAID = re.compile(r"整体|全部|整个|whole|entire")
_tiers(
    "cii_whole_outage_minutes",
    [("6小时以上", "6 hours or more", 360), ("2小时以上", "2 hours or more", 120), ("10分钟以上", "10 minutes or more", 10),
     ("没有或不到10分钟", "None, or under 10 minutes", 0)],
    _whole_minutes,
    _label("关键信息基础设施整体中断运行了多久？可输入时长，如“45分钟”“3小时”。", "How long was the CII out of service as a whole? You can type a duration, e.g. \"45 minutes\" or \"3 hours\"."),
)
_tiers(
    "cii_main_function_outage_minutes",
    [("24小时以上", "24 hours or more", 1440), ("6小时以上", "6 hours or more", 360), ("30分钟以上", "30 minutes or more", 30),
     ("没有或不到30分钟", "None, or under 30 minutes", 0)],
    lambda text, ctx: _same_or_minutes(text, ctx),
    _label("关键信息基础设施的主要功能中断运行了多久？可输入时长。", "How long were the CII's main functions out of service? You can type a duration."),
)
_tiers(
    "people_services_affected",
    [("1000万人以上", "10 million or more", 10_000_000), ("100万人以上", "1 million or more", 1_000_000),
     ("10万人以上", "100,000 or more", 100_000), ("没有或不到10万人", "None, or under 100,000", 0)],
    _counted("people"),
    _label("有多少人的水、电、气、油、供暖、交通等生活服务受到影响？可直接输入人数。", "How many people's water, power, gas, oil, heating, transport or similar services were affected? You can type a number."),
)
_add(
    Question(
        "g.portal_tier",
        _label(
            "是否有党政机关门户网站或重点新闻网站因攻击或故障无法访问？是哪一类？",
            "Is a party/government portal or a key news site unreachable because of an attack or fault? Which kind?",
        ),
        (
            Option(_label("省级以上党政门户", "Provincial+ gov. portal"), "provincial", "provincial", ()),
            Option(_label("中央重点新闻网站", "Central key news site"), "central_news", "central_news", ()),
            Option(_label("地市级党政门户", "City gov. portal"), "city", "city", ()),
            Option(_label("省级重点新闻网站", "Provincial key news site"), "provincial_news", "provincial_news", ()),
            Option(_label("县级党政门户", "County gov. portal"), "county", "county", ()),
            Option(_label("企事业单位门户", "Enterprise/institution portal"), "enterprise", "enterprise", ()),
            Option(_label("没有", "None"), "none", _NONE, NO),
            NOT_SURE,
        ),
        parse=lambda text, ctx: _or_none(portal_tier_in(text), text),
        store=_grading("portal_tier"),
        keys=("grading.portal_tier", "grading.portal_outage_hours"),
    )
)
_tiers(
    "portal_outage_hours",
    [("24小时以上", "24 hours or more", 24), ("6小时以上", "6 hours or more", 6), ("2小时以上", "2 hours or more", 2),
     ("不到2小时", "Under 2 hours", 0)],
    _hours,
    _label("网站无法访问了多久？可输入时长，如“3小时”。", "How long has the site been unreachable? You can type a duration, e.g. \"3 hours\"."),
)
_add(
    Question(
        "g.population_region",
        _label(
            "事件是否影响了一个地区相当比例的人口？受影响人口按省还是按地市统计？",
            "Did the incident affect a sizeable share of a region's population? Is that share counted for a province or a city?",
        ),
        (
            Option(_label("按省", "A province"), "province", "province", ("省", "province")),
            Option(_label("按地市", "A city"), "city", "city", ("市", "地市", "city")),
            Option(_label("没有", "No"), "none", _NONE, NO),
            NOT_SURE,
        ),
        parse=lambda text, ctx: _or_none(region_in(text), text),
        store=_grading("population_region"),
        keys=("grading.population_region", "grading.population_share_pct"),
    )
)
_tiers(
    "population_share_pct",
    [("50%以上", "50% or more", 50), ("30%以上", "30% or more", 30), ("10%以上", "10% or more", 10), ("不到10%", "Under 10%", 0)],
    _counted("percent"),
    _label("受影响人口约占该地区人口的百分之多少？可直接输入，如“35%”。", "Roughly what share of that region's population was affected? You can type it, e.g. \"35%\"."),
)

_add(
    Question(
        "g.defacement_site",
        _label(
            "被篡改、用来传播违法有害信息的是哪类网站？",
            "Which kind of site was defaced to spread illegal or harmful content?",
        ),
        (
            Option(_label("省级以上党政门户/中央重点新闻网站/超大型平台", "Provincial+ gov. portal / central key news site / very large platform"), "top", "top", ()),
            Option(_label("其他网站（含企业网站）", "Another site (enterprise sites included)"), "other", "other", ("其他", "企业网站", "other")),
            Option(_label("没有网页被篡改", "No site was defaced"), "none", _NONE, NO),
            NOT_SURE,
        ),
        parse=lambda text, ctx: _or_none(site_kind_in(text), text),
        store=_grading("defacement_site"),
        keys=("grading.defacement_site", *(f"grading.{key}" for key in DEFACEMENT_FIGURES)),
    )
)
_tiers(
    "defacement_homepage_hours",
    [("6小时以上", "6 hours or more", 6), ("2小时以上", "2 hours or more", 2), ("30分钟以上", "30 minutes or more", 0.5),
     ("不到30分钟", "Under 30 minutes", 0)],
    _hours,
    _label("违法有害信息在首页上挂了多久？可输入时长，如“3小时”“40分钟”。", "How long was the content on the homepage? You can type a duration, e.g. \"3 hours\" or \"40 minutes\"."),
)
_tiers(
    "defacement_other_page_hours",
    [("24小时以上", "24 hours or more", 24), ("12小时以上", "12 hours or more", 12), ("2小时以上", "2 hours or more", 2),
     ("没有或不到2小时", "None, or under 2 hours", 0)],
    _hours,
    _label("在首页以外的其他页面上挂了多久？可输入时长。", "How long was it on pages other than the homepage? You can type a duration."),
)
_tiers(
    "defacement_views",
    [("100万次以上", "1 million or more", 1_000_000), ("10万次以上", "100,000 or more", 100_000), ("1万次以上", "10,000 or more", 10_000),
     ("不到1万次", "Under 10,000", 0)],
    _counted("count"),
    _label("被篡改的页面大约被浏览了多少次？可直接输入，如“5000次”。", "Roughly how many times were the defaced pages viewed? You can type a number, e.g. \"5000\"."),
)
_tiers(
    "defacement_shares",
    [("10万次以上", "100,000 or more", 100_000), ("1万次以上", "10,000 or more", 10_000), ("1000次以上", "1,000 or more", 1_000),
     ("不到1000次", "Under 1,000", 0)],
    _counted("count"),
    _label("被篡改的内容大约被转发了多少次？可直接输入。", "Roughly how many times was the content shared? You can type a number."),
)
_add(
    Question(
        "g.defacement_determined",
        _label(
            "省级以上网信部门或公安机关是否已认定本事件为特别重大事件？",
            "Has a provincial-or-above cyberspace administration or public security organ determined the incident to be especially major?",
        ),
        YES_NO,
        parse=_implied("defacement_determined"),
        store=_grading("defacement_determined"),
        keys=("grading.defacement_determined",),
    )
)
_add(
    Question(
        "incident_type",
        _label("先说说发生了什么？我只问和这类事件有关的分级指标。", "First, what happened? I'll ask only the grading criteria that fit it."),
        tuple(Option(INCIDENT_TYPE_NAMES[key], key, key, UNSURE if key == "other" else ()) for key in INCIDENT_TYPES),
        parse=lambda text, ctx: incident_type_in(text) or UNKNOWN,
        keys=("incident_type",),
    )
)

MAIN_BEFORE = ("cii", "central_state_organ", "level")
MAIN_AFTER = ("discovered_at", "suspected_crime", "sector_rules")
# The criteria each kind of incident is asked, most decisive first; "other" (or "don't know") asks them all.
# A qualifier question (portal_tier, population_region, defacement_site) stands before the figures it qualifies.
TYPE_CRITERIA = {
    "data_leak": ("personal_info_people", "personal_info_threat", "data_threat", "system_loss", "direct_loss_yuan", "other_threat"),
    "ransomware": (  # encrypted systems stop services (medical care too) and data is often taken before encryption
        "cii_whole_outage_minutes", "cii_main_function_outage_minutes", "system_loss", "people_services_affected", "personal_info_people",
        "personal_info_threat", "data_threat", "direct_loss_yuan", "other_threat",
    ),
    "outage": (
        "cii_whole_outage_minutes", "cii_main_function_outage_minutes", "portal_tier", "portal_outage_hours", "people_services_affected",
        "population_region", "population_share_pct", "system_loss", "direct_loss_yuan", "other_threat",
    ),
    "defacement": (
        "defacement_site", "defacement_homepage_hours", "defacement_other_page_hours", "defacement_views", "defacement_shares",
        "defacement_determined", "other_threat",
    ),
    "other": (
        "personal_info_people", "personal_info_threat", "data_threat", "direct_loss_yuan", "cii_whole_outage_minutes",
        "cii_main_function_outage_minutes", "system_loss", "people_services_affected", "portal_tier", "portal_outage_hours",
        "population_region", "population_share_pct", "defacement_site", "defacement_homepage_hours", "defacement_other_page_hours",
        "defacement_views", "defacement_shares", "defacement_determined", "other_threat",
    ),
}
CHANGEABLE = ("cii", "central_state_organ", "level", "discovered_at", "suspected_crime", "sector_rules", "handling_ended_at")
DONE = "done"

# ------------------------------------------------------------------------------------------ texts
TEXTS = {
    "title": _label("评估报告时限", "deadline assessment"),
    "intro": _label(
        "我来帮你判断：要不要报告、向谁报告、最晚几点报告。一次问一个问题；可以点“返回上一步”，输入 /cancel 退出，中途也可以直接提问。",
        "Let's work out whether you must report, to whom, and by which clock time. One question at a time; press \"Back\" to go back, /cancel to leave, or ask a question at any point.",
    ),
    "resume": _label("继续上次未完成的评估。", "Continuing the assessment you started."),
    "back": _label("返回上一步", "Back"),
    "first": _label("已经是第一个问题了。", "This is the first question."),
    "rest": _label("其余不清楚，看结果", "Don't know the rest"),
    "at_least": _label(
        "目前可以确定：至少为{level}。可以继续回答，看是否更高；或点“其余不清楚，看结果”。",
        "So far the incident is at least {level}. Keep answering to see whether it is higher, or press \"Don't know the rest\".",
    ),
    "grading": _label("我们按《网络安全事件分级指南》逐项看一下（任一项达到即可定级）。", "Let's go through the grading guide's criteria (any one met sets the level)."),
    "graded": _label("分级结果：{level}。", "Grading result: {level}."),
    "graded_maybe_higher": _label(
        "分级结果：至少为{level}；有指标不确定，可能高达{possible}。", "Grading result: at least {level}; some criteria are unknown, so it may be as high as {possible}."
    ),
    "graded_unknown": _label(
        "分级结果：已知的回答未达到较大级，但有指标不确定，按须报告处理。",
        "Grading result: the known answers reach no relatively-major criterion, but some are unknown, so it is treated as reportable.",
    ),
    "graded_general": _label("分级结果：一般（未达到较大级别的任何指标）。", "Grading result: general (no relatively-major criterion is met)."),
    "current": _label("目前的回答：{answer}", "Current answer: {answer}"),
    "future": _label("这个时间（{time}）晚于现在（{now}），请输入已经过去的时间。", "That time ({time}) is later than now ({now}); please give a time already past."),
    "time_hint": _label(
        "没看懂这个时间。请写成这样，如：现在、30分钟前、今天9点、昨天21:30、2026-03-01 09:00",
        "I could not read that time. Please write it e.g. now, 30 minutes ago, today 9:00, yesterday 21:30, 2026-03-01 09:00",
    ),
    "is_that_right": _label("你是说：{statement}，对吗？", "You mean: {statement}. Is that right?"),
    "right": _label("对", "Yes, right"),
    "wrong": _label("不对", "No"),
    "read_read": _label(
        "从你的描述里读到——{facts}。不对的地方，结果出来后可以点“改”修改；下面只问还缺的。",
        "From your description — {facts}. If any is wrong, change it from the result; I'll ask only what is missing.",
    ),
    "also_read": _label("也记下了——{facts}。", "Also noted — {facts}."),
    "to_grade": _label("待分级", "to be graded"),
    "time_unsure": _label(
        "时限从发现或获知时起算，需要一个时间。拿不准就填你们最早可能知道的时间（从严）；刚刚才知道就点“现在”。",
        "The deadline runs from when you discovered or learned of it, so a time is needed. If unsure, give the earliest moment you may have known (the strict reading); if you just found out, press \"Now\".",
    ),
    "years": _label(
        f"这个时间不在{MIN_YEAR}年至{MAX_YEAR}年之间，请检查年份后重新输入。",
        f"That time is not between the years {MIN_YEAR} and {MAX_YEAR}; please check the year and type it again.",
    ),
    "yesterday": _label("如果指的是昨天，请输入“昨天{clock}”。", " If you meant yesterday, type \"yesterday {clock}\"."),
    "recorded_discovered_at": _label("已记录发现时间：{time}（北京时间）", "Discovery time recorded: {time} (Beijing time)"),
    "recorded_figure": _label("已记录：{figure}", "Recorded: {figure}"),
    "recorded_handling_ended_at": _label("已记录处置结束时间：{time}（北京时间）", "Handling end recorded: {time} (Beijing time)"),
    "yuan_only": _label("请按人民币金额填写（分级指南按人民币计）。", "Please give the amount in yuan (RMB): the grading guide counts in yuan."),
    "wrong_unit": _label(
        "这一问问的是{wanted}，你输入的是{given}。请重新输入，或点下面的按钮。",
        "This question asks for {wanted}, and you typed {given}. Please type it again, or press a button.",
    ),
    "before_discovery": _label("处置结束时间（{time}）早于发现时间（{discovered}），请核对。", "Handling cannot end ({time}) before the incident was discovered ({discovered}); please check."),
    "percent": _label("比例应在0到100之间。", "A share must be between 0 and 100."),
    "too_large": _label("这个数字大得不合常理，请核对后重新输入。", "That number is implausibly large; please check it and type it again."),
    "summary_head": _label("评估结果", "Assessment"),
    "progress": _label("进度：", "Progress:"),
    "finished": _label("评估已完成。/assess 重新评估，或点下面的按钮。", "The assessment is finished. /assess to start a new one, or press a button below."),
    "draft": _label("起草报告", "Draft the report"),
    "remind": _label("截止前提醒我", "Remind me before deadlines"),
    "restart": _label("重新评估", "Start over"),
    "change_cii": _label("改：关键信息基础设施", "Change: CII"),
    "change_central_state_organ": _label("改：机关身份", "Change: organ"),
    "change_level": _label("改：级别", "Change: level"),
    "change_discovered_at": _label("改：发现时间", "Change: time"),
    "change_handling_ended_at": _label("处置已结束", "Handling has ended"),
}
UNIT_NAMES = {
    "people": _label("人数", "a number of people"),
    "money": _label("金额", "an amount of money"),
    "percent": _label("比例（%）", "a share (%)"),
    "count": _label("次数", "a number of times"),
}
ANSWER_WORDS = {True: _label("是", "yes"), False: _label("否", "no"), None: _label("不确定", "not sure")}


# ------------------------------------------------------------------------------------------ the flow
class AssessFlow:
    name = NAME

    def title(self, lang: str) -> str:
        return pick(TEXTS["title"], lang)

    def start(self, state: ChatState, ctx: Ctx) -> list[Reply]:
        """Resume an unfinished assessment; otherwise (none yet, or the last one finished) start afresh."""
        data = state.flows.get(NAME)
        if data and data.get("step") != DONE:
            return self._ask(state, ctx, [pick(TEXTS["resume"], ctx.lang)])
        return self._fresh(state, ctx)

    def prompt(self, state: ChatState, ctx: Ctx) -> list[Reply]:
        """The current question again; for a finished assessment one line and the summary's buttons, as the
        (long) summary was shown when it was reached."""
        data = state.flows.get(NAME)
        if not data:
            return self._fresh(state, ctx)
        if data["step"] == DONE:
            if not _assess_stored(data, ctx):
                return self._ask_again(state, ctx)
            _finish(state)
            return [Reply(pick(TEXTS["finished"], ctx.lang), _summary_buttons(state, ctx))]
        return self._ask(state, ctx, [])

    def handle(self, state: ChatState, text: str, ctx: Ctx) -> list[Reply] | None:
        data = state.flows.get(NAME)
        if not data:
            return self._fresh(state, ctx)
        pending = data.pop("pending", None)  # a reading awaiting "对吗？": confirmed, or replaced by what follows
        if text.startswith(NAME + ":"):
            return self._button(state, text[len(NAME) + 1 :], ctx, pending)
        folded = typed(text)
        if pending and pending["step"] == data["step"] and folded in CONFIRM_WORDS:
            return self._answer(state, QUESTIONS[pending["step"]], pending["value"], ctx, typed_text=pending["text"])
        if folded in BACK_WORDS:
            return self._back(state, ctx)
        if folded in RESTART_WORDS:
            return self._fresh(state, ctx)
        if data["step"] == DONE:
            return None
        question = QUESTIONS[data["step"]]
        for option in question.options:
            if folded in option.words or folded in (typed(option.label["zh"]), typed(option.label["en"])):
                return self._answer(state, question, option.value, ctx)
        option = leading_option(question.options, folded)
        if option is not None:
            return self._answer(state, question, option.value, ctx, typed_text=text)
        if question.parse is None:
            return None
        value = question.parse(text, ctx)
        if isinstance(value, Refused):
            return self._ask(state, ctx, [pick(value.text, ctx.lang)])
        if value is UNKNOWN:
            return None
        if question.options is YES_NO and not names_topic(question.step, text):  # only implied ("只是一家小公司"): ask back
            return self._confirm(state, question, value, text, ctx)
        return self._answer(state, question, value, ctx, typed_text=text)

    # -------------------------------------------------------------------------------------- buttons
    def _button(self, state: ChatState, token: str, ctx: Ctx, pending: dict[str, Any] | None = None) -> list[Reply]:
        data = state.flows[NAME]
        if token == "confirm:yes" and pending and pending["step"] == data["step"]:
            return self._answer(state, QUESTIONS[pending["step"]], pending["value"], ctx, typed_text=pending["text"])
        if token.startswith("confirm:"):  # "不对", or a stale confirmation: the question again
            return self._ask(state, ctx, [])
        if token in ("start", "restart"):
            return self._fresh(state, ctx)
        if token == "back":
            return self._back(state, ctx)
        if token == "rest" and data["step"].startswith("g."):
            return self._rest_unknown(state, ctx)
        if token.startswith("change:") and token[7:] in CHANGEABLE:
            return self._change(state, token[7:], ctx)
        step, _, choice = token.rpartition(":")
        question = QUESTIONS.get(step)
        option = next((o for o in question.options if o.token == choice), None) if question else None
        if option is None or not (step == data["step"] or _answered(data["answers"], question)):
            return self.prompt(state, ctx)  # a stale or unknown button: show where we are
        if step != data["step"]:
            data["history"].append(data["step"])
            data["step"] = step
            data["result"] = None
        return self._answer(state, question, option.value, ctx)

    # -------------------------------------------------------------------------------------- moving
    def _fresh(self, state: ChatState, ctx: Ctx) -> list[Reply]:
        """A new assessment, with every answer the message that started it already states (a description)."""
        answers = facts_in(_description(ctx.said), ctx.now)
        state.flows[NAME] = {"step": next_step(answers), "answers": answers, "history": [], "result": None}
        notes = [pick(TEXTS["intro"], ctx.lang)] + [_read_back(answers, ctx.lang, "read")] * bool(answers)
        if state.flows[NAME]["step"] == DONE:
            return self._summary(state, ctx, notes)
        return self._ask(state, ctx, notes)

    def _answer(self, state: ChatState, question: Question, value: Any, ctx: Ctx, typed_text: str = "") -> list[Reply]:
        """Store an answer and move on; a typed answer that says more than was asked (`typed_text`) fills the
        other answers it states too, and says so."""
        data = state.flows[NAME]
        answers = data["answers"]
        if value == "now":
            value = ctx.now.replace(second=0, microsecond=0).isoformat(timespec="seconds")
        problem = _check(question, value, answers, ctx)
        if problem:
            return self._ask(state, ctx, [problem])
        (question.store or _plain(question.step))(answers, value)
        notes = _recorded(question, value, ctx.lang, typed_text)
        extras = _extras(answers, facts_in(typed_text, ctx.now)) if typed_text else {}
        if extras:
            notes.append(_read_back(extras, ctx.lang, "also"))
        return self._advance(state, ctx, notes)

    def _confirm(self, state: ChatState, question: Question, value: Any, text: str, ctx: Ctx) -> list[Reply]:
        """'你是说：不涉及关键信息基础设施，对吗？' with 对 / 不对; anything else typed is read as the answer again."""
        state.flows[NAME]["pending"] = {"step": question.step, "value": value, "text": text}
        statement = pick(STATEMENTS[question.step][value], ctx.lang)
        buttons = [Button(pick(TEXTS["right"], ctx.lang), f"{NAME}:confirm:yes"), Button(pick(TEXTS["wrong"], ctx.lang), f"{NAME}:confirm:no")]
        return [Reply(pick(TEXTS["is_that_right"], ctx.lang).format(statement=statement), buttons)]

    def _ask_again(self, state: ChatState, ctx: Ctx) -> list[Reply]:
        """A stored answer that no longer stands (a time an older version accepted): asked again, with why."""
        data = state.flows[NAME]
        data["step"], data["result"] = next_step(data["answers"]), None
        state.active = NAME
        return self._ask(state, ctx, [pick(TEXTS["years"], ctx.lang)])

    def _advance(self, state: ChatState, ctx: Ctx, notes: list[str] | None = None) -> list[Reply]:
        """Move to the next question (or the summary); `notes` open the next message."""
        data = state.flows[NAME]
        notes = list(notes or [])
        following = next_step(data["answers"])
        graded = data["step"].startswith("g.") and not following.startswith("g.")
        if following != data["step"]:
            data["history"].append(data["step"])
            data["step"] = following
            data["result"] = None
        if following == DONE:
            return self._summary(state, ctx, notes)
        if graded:
            notes.append(_grading_outcome(data["answers"]["grading"], ctx.lang))
        return self._ask(state, ctx, notes)

    def _back(self, state: ChatState, ctx: Ctx) -> list[Reply]:
        data = state.flows[NAME]
        if not data["history"]:
            return self._ask(state, ctx, [pick(TEXTS["first"], ctx.lang)]) if data["step"] != DONE else self._summary(state, ctx)
        previous = data["history"].pop()
        if previous != DONE:
            _forget(data["answers"], QUESTIONS[previous])
        data["step"] = previous
        data["result"] = None
        return self._summary(state, ctx) if previous == DONE else self._ask(state, ctx, [])

    def _change(self, state: ChatState, step: str, ctx: Ctx) -> list[Reply]:
        data = state.flows[NAME]
        if step == "level":  # the level asked again: a new grading walk starts from nothing
            data["answers"].pop("grading", None)
        if data["step"] != step:
            data["history"].append(data["step"])
            data["step"] = step
            data["result"] = None
        return self._ask(state, ctx, [])

    def _rest_unknown(self, state: ChatState, ctx: Ctx) -> list[Reply]:
        """"Don't know the rest": every criterion not yet answered becomes unknown (graded conservatively)."""
        data = state.flows[NAME]
        grading = data["answers"].setdefault("grading", {})
        for key in _open_criteria(data["answers"]):
            grading[key] = None
        return self._advance(state, ctx)

    # -------------------------------------------------------------------------------------- showing
    def _ask(self, state: ChatState, ctx: Ctx, notes: list[str]) -> list[Reply]:
        data = state.flows[NAME]
        question = QUESTIONS[data["step"]]
        lang = ctx.lang
        lines = list(notes)
        if question.step == "incident_type":
            lines.append(pick(TEXTS["grading"], lang))
        elif question.step.startswith("g."):
            result = grade(data["answers"].get("grading", {}))
            if RANK[result.known] >= RANK["relatively_major"]:
                lines.append(pick(TEXTS["at_least"], lang).format(level=_graded_name(result, result.known, lang)))
        current = _current_answer(data["answers"], question, lang)
        if current:
            lines.append(pick(TEXTS["current"], lang).format(answer=current))
        lines.append(pick(question.text, lang))
        buttons = [Button(pick(o.label, lang), f"{NAME}:{question.step}:{o.token}") for o in question.options]
        if question.step.startswith("g."):
            buttons.append(Button(pick(TEXTS["rest"], lang), f"{NAME}:rest"))
        if data["history"]:
            buttons.append(Button(pick(TEXTS["back"], lang), f"{NAME}:back"))
        return [Reply("\n".join(lines), buttons)]

    def _summary(self, state: ChatState, ctx: Ctx, notes: list[str] | None = None) -> list[Reply]:
        """The assessment, which finishes the conversation: its buttons still reach the flow (the engine routes a
        flow's button to it when no flow is active), while typed text goes to the knowledge base alone."""
        data = state.flows[NAME]
        if not _assess_stored(data, ctx):
            return self._ask_again(state, ctx)
        _finish(state)
        lang = ctx.lang
        discovered = data["answers"].get("discovered_at")
        shown = describe(data["result"], ctx.now, lang, discovered=parse_iso(discovered) if discovered else None)
        progress = status_lines(state, data["result"], ctx)
        if progress and any(not line.endswith(_OPEN_MARKS) for line in progress):  # once something is marked, show where each stands
            shown += "\n\n" + pick(TEXTS["progress"], lang) + "\n" + "\n".join(progress)
        text = "\n".join([*(notes or []), pick(TEXTS["summary_head"], lang)]) + f"\n\n{shown}"
        return [Reply(text, _summary_buttons(state, ctx))]


# ------------------------------------------------------------------------------------------ after the summary
_OPEN_MARKS = tuple(pick(STATUS[key], lang) for key in ("due", "overdue") for lang in ("zh", "en"))
SUMMARY_CHANGES = ("cii", "central_state_organ", "level", "discovered_at", "handling_ended_at")


def follow_up_buttons(state: ChatState, lang: str, now: datetime) -> list[Button]:
    """What can follow a finished assessment: draft its report, set (or cancel) reminders, start over.

    reminders.handle shows them again under its own reply, which takes the place of the summary's buttons.
    """
    buttons = [Button(pick(TEXTS["draft"], lang), "report:start"), Button(pick(DUTY_TEXTS["mark"], lang), "duty:mark")]
    if state.reminders:
        buttons.append(Button(pick(reminders.TEXTS["cancel"], lang), "remind:off"))
    elif reminders.upcoming(state.flows[NAME]["result"], now):
        buttons.append(Button(pick(TEXTS["remind"], lang), "remind:on"))
    return buttons + [Button(pick(TEXTS["restart"], lang), f"{NAME}:restart")]


def _summary_buttons(state: ChatState, ctx: Ctx) -> list[Button]:
    """The follow-ups, with the answers that can be changed before "start over"."""
    *follow_ups, restart = follow_up_buttons(state, ctx.lang, ctx.now)
    changes = [Button(pick(TEXTS[f"change_{step}"], ctx.lang), f"{NAME}:change:{step}") for step in SUMMARY_CHANGES]
    return [*follow_ups, *changes, restart]


def _finish(state: ChatState) -> None:
    """The assessment is over: /start no longer offers to resume it, and questions get plain answers."""
    if state.active == NAME:
        state.active = None


# ------------------------------------------------------------------------------------------ pure helpers
def _assess_stored(data: dict[str, Any], ctx: Ctx) -> bool:
    """Work out the result of the stored answers; False (and the times that do not stand dropped) when an
    older version stored a time the rules now refuse, so that it is asked again instead of failing each time."""
    try:
        data["result"] = assess(data["answers"], ctx.now, ctx.lang)
        return True
    except FactsError:
        for key in ("discovered_at", "handling_ended_at"):
            if key in data["answers"] and _time_stands(data["answers"][key]) is False:
                data["answers"].pop(key)
        return False


def _time_stands(value: Any) -> bool:
    try:
        return value is None or MIN_YEAR <= parse_iso(value).year <= MAX_YEAR
    except (TypeError, ValueError, OverflowError):
        return False
def next_step(answers: dict[str, Any]) -> str:
    """The first question the answers do not settle yet, or "done"."""
    for step in MAIN_BEFORE:
        if step not in answers:
            return step
    if answers["level"] is None and "grading" in answers:
        if "incident_type" not in answers:
            return "incident_type"
        open_criteria = _open_criteria(answers)
        if open_criteria:
            return "g." + open_criteria[0]
    for step in MAIN_AFTER:
        if step not in answers:
            return step
    return DONE


def _open_criteria(answers: dict[str, Any]) -> list[str]:
    """Grading keys still to ask for this kind of incident, in order: only those whose answer could still raise
    the level (none once it is 特别重大), and none that another answer has settled."""
    grading = answers.get("grading", {})
    known = grade(grading).known
    open_keys = []
    for key in TYPE_CRITERIA[answers.get("incident_type") or "other"]:
        # a qualifier is settled by its own answer, or by "none of these" (every figure it qualifies written as 0)
        settled = key in grading or (key in QUALIFIED and all(grading.get(figure) == 0 for figure in QUALIFIED[key]))
        irrelevant = (answers.get("cii") is False and key in CII_OUTAGE_KEYS) or (
            key == "personal_info_threat" and grading.get("personal_info_people") == 0
        )
        could_raise = RANK[reachable(key, grading) or "general"] > RANK[known]
        if not settled and not irrelevant and could_raise:
            open_keys.append(key)
    return open_keys


def _answered(answers: dict[str, Any], question: Question) -> bool:
    return any(_has(answers, key) for key in question.keys)


def _has(answers: dict[str, Any], key: str) -> bool:
    if key.startswith("grading."):
        return key[8:] in answers.get("grading", {})
    return key in answers


def _forget(answers: dict[str, Any], question: Question) -> None:
    for key in question.keys:
        if key.startswith("grading."):
            answers.get("grading", {}).pop(key[8:], None)
        else:
            answers.pop(key, None)


def _check(question: Question, value: Any, answers: dict[str, Any], ctx: Ctx) -> str | None:
    """Why a well-formed answer cannot stand (a time in the future, a share above 100 %), or None."""
    if question.step in ("discovered_at", "handling_ended_at") and isinstance(value, str):
        moment = parse_iso(value)
        if moment > ctx.now:
            return _future(moment, ctx)
        discovered = answers.get("discovered_at")
        if question.step == "handling_ended_at" and discovered and moment < parse_iso(discovered):
            return pick(TEXTS["before_discovery"], ctx.lang).format(time=clock(moment), discovered=clock(parse_iso(discovered)))
        ended = answers.get("handling_ended_at")
        if question.step == "discovered_at" and ended and moment > parse_iso(ended):
            return pick(TEXTS["before_discovery"], ctx.lang).format(time=clock(parse_iso(ended)), discovered=clock(moment))
    if question.step == "g.population_share_pct" and isinstance(value, (int, float)) and value > 100:
        return pick(TEXTS["percent"], ctx.lang)
    if question.step.startswith("g.") and isinstance(value, (int, float)) and not isinstance(value, bool) and value > MAX_FIGURE:
        return pick(TEXTS["too_large"], ctx.lang)
    return None


def _future(moment: datetime, ctx: Ctx) -> str:
    """Why a future time is refused; for a time later today ("今天早上8点" just after midnight), how to say yesterday's."""
    text = pick(TEXTS["future"], ctx.lang).format(time=clock(moment), now=clock(ctx.now))
    if moment.date() != ctx.now.date():
        return text
    said = f"{moment.hour}点" if ctx.lang == "zh" and moment.minute == 0 else f"{moment.hour}:{moment.minute:02d}"
    return text + pick(TEXTS["yesterday"], ctx.lang).format(clock=said)


def _recorded(question: Question, value: Any, lang: str, typed_text: str = "") -> list[str]:
    """What was just read, said back at once so that a misread is caught: a time ("8:30" taken as yesterday's),
    and a figure typed in words ("一千零五十万左右" → 1050万人)."""
    if question.step in ("discovered_at", "handling_ended_at") and isinstance(value, str):
        return [pick(TEXTS[f"recorded_{question.step}"], lang).format(time=clock(parse_iso(value)))]
    figure = isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0
    if typed_text and figure and question.step.startswith("g."):
        return [pick(TEXTS["recorded_figure"], lang).format(figure=wording.grading_answer(question.step[2:], value, lang))]
    return []


def _grading_outcome(grading: dict[str, Any], lang: str) -> str:
    """What the grading walk found, said once when it ends."""
    result = grade(grading)
    if RANK[result.known] >= RANK["relatively_major"]:
        key = "graded_maybe_higher" if result.possible != result.known else "graded"
    else:
        key = "graded_unknown" if RANK[result.possible] >= RANK["relatively_major"] else "graded_general"
    return pick(TEXTS[key], lang).format(level=_graded_name(result, result.known, lang), possible=pick(LEVEL_NAMES[result.possible], lang))


def _graded_name(result: Grade, level: str, lang: str) -> str:
    """'重大', or '重大（暂定）' when the grade rests on a figure not yet verified (or an assumed site kind)."""
    return pick(LEVEL_NAMES[level], lang) + (pick(describe_labels["provisional"], lang) if result.provisional else "")


def _current_answer(answers: dict[str, Any], question: Question, lang: str) -> str | None:
    """The answer already given to a question that is asked again (changing it from the summary)."""
    if question.step.startswith("g.") or question.step not in answers:
        return None
    value = answers[question.step]
    if question.step in ("discovered_at", "handling_ended_at"):
        return clock(parse_iso(value)) if value else None
    if question.step == "level":
        return pick(LEVEL_NAMES[value], lang) if value else pick(ANSWER_WORDS[None], lang)
    return pick(ANSWER_WORDS[value], lang)


CONFIRM_WORDS = ("对", "对的", "对啊", "是", "是的", "没错", "正确", "嗯", "yes", "y", "yep", "yeah", "right", "correct", "yes, that's right", "that's right")


def _statements(yes: tuple[str, str], no: tuple[str, str], unsure: tuple[str, str]) -> dict[Any, dict[str, str]]:
    return {True: _label(*yes), False: _label(*no), None: _label(*unsure)}


STATEMENTS = {  # what an implied yes / no / not sure says, to be confirmed
    "cii": _statements(
        ("涉及关键信息基础设施", "the incident involves critical information infrastructure"),
        ("不涉及关键信息基础设施", "no critical information infrastructure is involved"),
        ("不确定是否涉及关键信息基础设施", "you are not sure whether critical information infrastructure is involved"),
    ),
    "central_state_organ": _statements(
        ("本单位属于中央和国家机关各部门或其直属单位", "you are a central or state organ, or a unit directly under one"),
        ("本单位不属于中央和国家机关各部门或其直属单位", "you are not a central or state organ"),
        ("不确定本单位是否属于中央和国家机关各部门或其直属单位", "you are not sure whether you are a central or state organ"),
    ),
    "suspected_crime": _statements(
        ("事件涉嫌违法犯罪", "a crime is suspected"),
        ("事件不涉嫌违法犯罪", "no crime is suspected"),
        ("不确定是否涉嫌违法犯罪", "you are not sure whether a crime is suspected"),
    ),
    "sector_rules": _statements(
        ("本行业领域有专门的报告规定", "your sector has its own reporting rules"),
        ("本行业领域没有专门的报告规定", "your sector has no reporting rules of its own"),
        ("不确定本行业领域是否有专门的报告规定", "you are not sure whether your sector has its own reporting rules"),
    ),
    "defacement_determined": _statements(
        ("已被省级以上网信部门或公安机关认定为特别重大", "a provincial-or-above authority has determined it especially major"),
        ("没有被认定为特别重大", "it has not been determined especially major"),
        ("不确定是否已被认定为特别重大", "you are not sure whether it has been determined especially major"),
    ),
}
EXTRA_KEYS = ("cii", "central_state_organ", "suspected_crime", "discovered_at")
FACT_NAMES = {
    "cii": _label("涉及关键信息基础设施", "CII involved"),
    "central_state_organ": _label("属于中央和国家机关各部门或其直属单位", "a central or state organ"),
    "suspected_crime": _label("涉嫌违法犯罪", "crime suspected"),
    "discovered_at": _label("发现时间", "discovered"),
    "level": _label("级别", "level"),
    "incident_type": _label("事件", "what happened"),
}


def _description(said: str) -> str:
    """The words of the message that started the assessment: a command's argument ("/assess 我们…"), or the text."""
    if said.startswith("/"):
        return said.split(maxsplit=1)[1] if len(said.split(maxsplit=1)) > 1 else ""
    return "" if said.startswith(NAME + ":") else said


def _extras(answers: dict[str, Any], stated: dict[str, Any]) -> dict[str, Any]:
    """What an answer states beyond the question, that is not answered yet: stored, and returned to be said."""
    extras = {key: stated[key] for key in EXTRA_KEYS if key in stated and key not in answers}
    if "discovered_at" in extras and answers.get("handling_ended_at"):
        extras.pop("discovered_at")
    answers.update(extras)
    if answers.get("level") is None and "grading" in answers:  # not given a level (yet): figures count
        figures = {k: v for k, v in stated.get("grading", {}).items() if k not in answers["grading"]}
        answers["grading"].update(figures)
        if figures:
            extras["grading"] = figures
    return extras


def _read_back(answers: dict[str, Any], lang: str, kind: str) -> str:
    """'从你的描述里读到：不涉及关键信息基础设施；事件：网页被篡改；…' — every fact taken without a question."""
    sep = "：" if lang == "zh" else ": "
    parts = []
    for key in ("cii", "central_state_organ", "incident_type", "level", "grading", "discovered_at", "suspected_crime"):
        if key not in answers:
            continue
        value = answers[key]
        if key == "grading":
            parts += [wording.grading_answer(k, v, lang) for k, v in value.items() if v is not None]
        elif key == "discovered_at":
            parts.append(f"{pick(FACT_NAMES[key], lang)}{sep}{clock(parse_iso(value))}")
        elif key == "incident_type":
            parts.append(f"{pick(FACT_NAMES[key], lang)}{sep}{pick(INCIDENT_TYPE_NAMES[value], lang)}")
        elif key == "level":
            parts.append(f"{pick(FACT_NAMES[key], lang)}{sep}{pick(LEVEL_NAMES[value], lang) if value else pick(TEXTS['to_grade'], lang)}")
        elif key in FACT_NAMES:
            parts.append(f"{pick(FACT_NAMES[key], lang)}{sep}{pick(ANSWER_WORDS[value], lang)}")
    return pick(TEXTS[f"{kind}_read"], lang).format(facts=("；" if lang == "zh" else "; ").join(parts))
