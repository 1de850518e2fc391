"""The words of an assessment in zh and en: assumptions, caveats, level basis, and the person-readable view.

Kept apart from the rules so that assess() stays a table lookup plus arithmetic, and so the CLI and the chat
show an assessment the same way.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from bot.i18n import pick
from bot.rules.tables import GROUP_BY_KEY, LEVEL_NAMES, OFFICIAL_TEXT_URL, RECIPIENTS, SOURCES, THREAT_DEGREES, Criterion

CONFIDENCE = {
    "confirmed": {"zh": "已确认", "en": "confirmed"},
    "likely": {"zh": "待核实", "en": "likely, unverified"},
    "draft": {"zh": "2023年征求意见稿数值", "en": "2023 draft figure"},
}
PORTAL_TIER_NAMES = {
    "provincial": {"zh": "省级以上党政机关门户网站", "en": "provincial-or-above party/government portal"},
    "central_news": {"zh": "中央重点新闻网站", "en": "central key news site"},
    "city": {"zh": "地市级党政机关门户网站", "en": "city-level party/government portal"},
    "provincial_news": {"zh": "省级重点新闻网站", "en": "provincial key news site"},
    "enterprise": {"zh": "企事业单位门户网站", "en": "enterprise or institution portal"},
}
REGION_NAMES = {
    "province": {"zh": "省（一个或多个省）", "en": "of one or more provinces"},
    "city": {"zh": "地市（一个或多个地市）", "en": "of one or more cities"},
}
THREAT_NAMES = {
    "especially_serious": {"zh": "特别严重威胁", "en": "an especially serious threat"},
    "serious": {"zh": "严重威胁", "en": "a serious threat"},
    "relatively_serious": {"zh": "较严重威胁", "en": "a relatively serious threat"},
    "none": {"zh": "无", "en": "none"},
}

ASSUMPTIONS = {
    "discovered_now": {
        "zh": "未给出发现时间，按当前时间 {clock} 计算。",
        "en": "No discovery time given: counted from now, {clock}.",
    },
    "cii_unknown": {
        "zh": "不确定事件是否涉及关键信息基础设施：按涉及处理，向保护工作部门和公安机关报告（最迟1小时）。",
        "en": "Not known whether critical information infrastructure is involved: treated as involved, so report to the CII protection department and the police (1 hour at the latest).",
    },
    "organ_unknown": {
        "zh": "不确定本单位是否属于中央和国家机关各部门及其直属单位：按属于处理，向本部门网信工作机构报告（最迟2小时）。",
        "en": "Not known whether you are a central or state organ (or a unit directly under one): treated as one, so report to your department's cyberspace-affairs office (2 hours at the latest).",
    },
    "other_possible": {
        "zh": "也可能属于“其他网络运营者”：同时向属地省级网信部门报告（最迟4小时）。各路径都满足，最早的截止时间为准。",
        "en": "You may also be \"any other operator\": report to the provincial cyberspace administration as well (4 hours at the latest). Meeting every path that may apply means the earliest deadline governs.",
    },
    "level_unknown": {
        "zh": "事件级别未知：按须报告（较大以上）处理，并列出重大、特别重大事件的上报环节。请尽快按《网络安全事件分级指南》研判。",
        "en": "Level unknown: treated as reportable (relatively major or above), and the upstream steps of a major or especially major incident are listed. Grade the incident with the grading guide as soon as you can.",
    },
    "criteria_unknown_reportable": {
        "zh": "以下分级指标不确定：{names}。不能排除达到{possible}级，按须报告处理。",
        "en": "These grading criteria are unknown: {names}. The incident may reach {possible}, so it is treated as reportable.",
    },
    "criteria_unknown_higher": {
        "zh": "以下分级指标不确定：{names}。级别可能高达{possible}。",
        "en": "These grading criteria are unknown: {names}. The level may be as high as {possible}.",
    },
    "upstream_may_apply": {
        "zh": "已列出重大、特别重大事件的上报环节，以防级别更高。",
        "en": "The upstream steps of a major or especially major incident are listed in case the level is higher.",
    },
    "sector_unknown": {
        "zh": "不确定本行业领域是否有专门的报告规定：已列出；如有，还须按行业主管监管部门的要求报告。",
        "en": "Not known whether your sector has its own reporting rules: listed; if it does, also report as your sector regulator requires.",
    },
    "crime_unknown": {
        "zh": "不确定是否涉嫌违法犯罪：已列出；如涉嫌（例如勒索、入侵、窃取数据），应及时向公安机关报案。",
        "en": "Not known whether a crime is suspected: listed; if one is (ransomware, intrusion, data theft, for example), report it to the police promptly.",
    },
}

CAVEATS = {
    "clock_from_discovery": {
        "zh": "时限从“发现或获知”事件时起算：第四条把报告义务与“发现或获知”挂钩，没有从事件发生时起算的规定（这是我们的解读）。",
        "en": "Time limits run from when you discovered or learned of the incident: Art. 4 ties the duty to \"发现或获知\", and no part of the text counts from occurrence (this is our reading).",
    },
    "upstream_from_receipt": {
        "zh": "上报时限从接报部门收到报告时起算；这里给出的是你方恰在截止时刻报告时的最晚时刻，报告越早，上游截止越早。",
        "en": "Upstream limits run from receipt of the report; the times given are the latest moments, if your report arrives exactly at its own deadline. The earlier you report, the earlier they fall.",
    },
    "own_channels": {
        "zh": "12387六类渠道由网信部门统一接收事件报告；向保护工作部门、公安机关或本部门网信工作机构报告时，按其指定的方式报送。",
        "en": "The six 12387 channels are the CAC's; when reporting to the CII protection department, the police or your department's cyberspace-affairs office, use the way they have set.",
    },
    "supplement_no_limit": {
        "zh": "补报没有固定时限（流传的“24小时”不是《办法》的规定）：原因、影响或趋势暂时无法判明的，可先报单位和事件基本情况，再及时补报；有重要新情况时再次报告。",
        "en": "Supplementary reports have no fixed limit (the 24 hours that circulates is not in the Measures): if the cause, impact or trend cannot be determined in time, report the basics first and supplement promptly; report again when important new facts emerge.",
    },
    "summary_pending": {
        "zh": "处置结束后30日内提交总结报告（与首报同一渠道）；处置结束时间未给出，届时再算截止时间。",
        "en": "A summary report is due within 30 days after handling ends, through the same channel; handling has not ended (or its end was not given), so its deadline is not set yet.",
    },
    "general_not_reportable": {
        "zh": "《办法》只要求报告较大以上事件，一般事件无需按《办法》报告；行业规定或涉嫌违法犯罪另有报告要求的，仍须照办。",
        "en": "The Measures require reports only for relatively major incidents and above, so a general incident need not be reported under them; a report your sector's rules or a suspected crime call for is still due.",
    },
    "qualitative": {
        "zh": "分级指南还列有定性情形（系统损失的严重程度、网页被篡改传播违法有害信息、对国家安全、社会秩序、经济建设和公众利益的其他威胁）；如有，级别可能更高。",
        "en": "The grading guide also lists qualitative cases (how serious the system loss is, defacement spreading illegal or harmful content, other threats to national security, public order, the economy or the public interest); if one applies, the level may be higher.",
    },
    "provisional": {
        "zh": "分级结果为暂定：所依据的以下数值尚未逐字核实或来自2023年征求意见稿——{figures}。请以官方附件为准：{url}",
        "en": "The grade is provisional: it rests on figures not yet verified against the final text, or taken from the 2023 draft — {figures}. Check the official attachment: {url}",
    },
    "grading_ignored": {
        "zh": "已给出级别，未使用 grading 中的分级数据。",
        "en": "A level was given, so the grading data was not used.",
    },
    "ignored_keys": {
        "zh": "以下字段无法识别，已忽略：{keys}",
        "en": "These keys are not part of the input and were ignored: {keys}",
    },
    "future_discovery": {
        "zh": "发现时间晚于当前时间，请核对。",
        "en": "The discovery time is later than now; please check it.",
    },
}

BASIS = {
    "given": {"zh": "你给出的级别（{level}）", "en": "the level you gave ({level})"},
    "none_met": {"zh": "没有达到较大级别的分级指标", "en": "no criterion of the relatively-major level is met"},
    "none_known_met": {
        "zh": "已知的回答未达到较大级别的分级指标，其余指标不确定",
        "en": "none of the known answers meets a relatively-major criterion; the others are unknown",
    },
}


# assess() says "the level may be higher" only in this assumption; describe() reads it back, in either language.
_MAY_BE_HIGHER = re.compile(
    "|".join(".+".join(map(re.escape, re.split(r"\{\w+\}", text))) for text in ASSUMPTIONS["criteria_unknown_higher"].values())
)


def level_may_be_higher(assumptions: list[str]) -> bool:
    """Whether the assumptions say unknown grading criteria could lift the level found (so it is "at least")."""
    return any(_MAY_BE_HIGHER.fullmatch(assumption) for assumption in assumptions)


def level_name(level: str | None, lang: str) -> str:
    return pick(LEVEL_NAMES[level], lang) if level else {"zh": "未定", "en": "undetermined"}[lang]


def recipients(keys: list[str], lang: str) -> str:
    names = [pick(RECIPIENTS[key], lang) for key in keys]
    return "和".join(names) if lang == "zh" else " and ".join(names)


def source_name(source: str, lang: str) -> str:
    return pick(SOURCES[source], lang) if source in SOURCES else source


def number(value: float, lang: str) -> str:
    """1200000 → '120万' (zh) or '1,200,000' (en); exact, never rounded up to a threshold (19999999 → '1999.9999万')."""
    exact = Decimal(str(value))
    if lang == "zh":
        for size, unit in ((100_000_000, "亿"), (10_000, "万")):
            if exact >= size:
                return _plain(exact / size) + unit
    return f"{exact:,f}".rstrip("0").rstrip(".") if "." in f"{exact:f}" else f"{exact:,f}"


def _plain(value: Decimal) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def duration_minutes(minutes: float, lang: str) -> str:
    if minutes >= 60 and minutes % 60 == 0:
        hours = int(minutes // 60)
        return f"{hours}小时" if lang == "zh" else f"{hours} h"
    return f"{number(minutes, lang)}分钟" if lang == "zh" else f"{number(minutes, lang)} min"


def measure(criterion_key: str, value: Any, lang: str) -> str:
    """A grading value with its unit, as a person reads it."""
    if criterion_key == "data_threat":
        return pick(THREAT_NAMES[value], lang)
    if criterion_key.endswith("_minutes"):
        return duration_minutes(value, lang)
    if criterion_key.endswith("_hours"):
        return f"{number(value, lang)}小时" if lang == "zh" else f"{number(value, lang)} h"
    if criterion_key.endswith("_pct"):
        return f"{number(value, lang)}%"
    if criterion_key.endswith("_yuan"):
        return f"{number(value, lang)}元" if lang == "zh" else f"{number(value, lang)} yuan"
    return f"{number(value, lang)}人" if lang == "zh" else f"{number(value, lang)} people"


def threshold(criterion: Criterion, lang: str) -> str:
    if criterion.key == "data_threat":
        degree = next(name for name, rank in THREAT_DEGREES.items() if rank == criterion.threshold)
        return pick(THREAT_NAMES[degree], lang)
    return measure(criterion.key, criterion.threshold, lang)



def figure(criterion: Criterion, lang: str) -> str:
    """'较大·直接经济损失 ≥ 500万元（待核实）' — one row of the grading guide."""
    name = pick(GROUP_BY_KEY[criterion.key].name, lang)
    level = level_name(criterion.level, lang)
    confidence = pick(CONFIDENCE[criterion.confidence], lang)
    if lang == "zh":
        return f"{level}·{name} ≥ {threshold(criterion, lang)}（{confidence}）"
    return f"{level}: {name} ≥ {threshold(criterion, lang)} ({confidence})"


def hit_text(criterion: Criterion, value: Any, qualifier: Any, lang: str) -> str:
    """Why a criterion is met: '公民个人信息泄露人数 120万人 ≥ 100万人（较大；已确认）'."""
    group = GROUP_BY_KEY[criterion.key]
    name = pick(group.name, lang)
    names = {"portal_tier": PORTAL_TIER_NAMES, "population_region": REGION_NAMES}.get(group.qualifier_key or "", {})
    if qualifier in names:  # the names of the criterion's own qualifier ("city" is both a portal tier and a region)
        name += f"（{pick(names[qualifier], lang)}）" if lang == "zh" else f" ({pick(names[qualifier], lang)})"
    level = level_name(criterion.level, lang)
    confidence = pick(CONFIDENCE[criterion.confidence], lang)
    if criterion.key == "data_threat":
        shown = f"{name}：{measure(criterion.key, value, lang)}" if lang == "zh" else f"{name}: {measure(criterion.key, value, lang)}"
    else:
        shown = f"{name} {measure(criterion.key, value, lang)} ≥ {threshold(criterion, lang)}"
    return f"{shown}（{level}；{confidence}）" if lang == "zh" else f"{shown} ({level}; {confidence})"


def official_text_line(lang: str) -> str:
    return f"官方原文：{OFFICIAL_TEXT_URL}" if lang == "zh" else f"Official text: {OFFICIAL_TEXT_URL}"
