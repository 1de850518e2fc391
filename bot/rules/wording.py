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
    "county": {"zh": "县级党政机关门户网站", "en": "county-level party/government portal"},
    "enterprise": {"zh": "企事业单位门户网站", "en": "enterprise or institution portal"},
}
SITE_NAMES = {
    "top": {"zh": "省级以上党政机关门户网站、中央重点新闻网站或超大型网络平台", "en": "a provincial-or-above party/government portal, a central key news site or a very large platform"},
    "other": {"zh": "其他网站", "en": "another site"},
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
LOSS_NAMES = {
    "especially_serious": {"zh": "特别严重的系统损失", "en": "an especially serious system loss"},
    "serious": {"zh": "严重的系统损失", "en": "a serious system loss"},
    "relatively_serious": {"zh": "较严重的系统损失", "en": "a relatively serious system loss"},
    "none": {"zh": "无", "en": "none"},
}
DETERMINED_NAMES = {True: {"zh": "已认定", "en": "so determined"}, False: {"zh": "未认定", "en": "not so determined"}}

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
    "criteria_absent": {
        "zh": "以下分级指标未给出，按未达到处理：{names}。",
        "en": "These grading criteria were not given and are taken as not met: {names}.",
    },
    "cii_outage_given": {
        "zh": "你答复不涉及关键信息基础设施，却给出了关键信息基础设施中断时长，两者矛盾：按“不确定”处理（从严）。",
        "en": "You said no critical information infrastructure is involved, yet gave a CII outage time; the two contradict each other, so it is treated as \"not known\" (the strict reading).",
    },
    "site_unknown": {
        "zh": "被篡改网站的类别不确定：按省级以上党政机关门户网站、中央重点新闻网站或超大型网络平台处理（从严），级别为暂定。",
        "en": "The kind of defaced site is not known: treated as a provincial-or-above party/government portal, central key news site or very large platform (the strict reading), so the level is provisional.",
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
        "zh": "12387六类渠道是网信部门接收事件报告的渠道，服务于向属地省级网信部门报告的路径。涉及关键信息基础设施的，向保护工作部门和公安机关报告；中央和国家机关各部门及其直属单位向本部门网信工作机构报告，均按这些机构指定的方式报送，12387不能代替。另经12387报告是我们的解读，《办法》没有为这两条路径指定渠道。",
        "en": "The six 12387 channels are the cyberspace administration's: they serve the path to the provincial cyberspace administration. A CII operator reports to its protection department and the police, and a central or state organ (or a unit directly under one) to its department's cyberspace-affairs office, each in the way that body sets; 12387 does not replace them. Reporting through 12387 as well is our reading: the Measures name no channel for those two paths.",
    },
    "supplement_no_limit": {
        "zh": "补报没有固定时限（流传的“24小时”不是《办法》的规定）：原因、影响或趋势暂时无法判明的，可先报单位和事件基本情况，再及时补报；有重要新情况时再次报告（此句待核实）。",
        "en": "Supplementary reports have no fixed limit (the 24 hours that circulates is not in the Measures): if the cause, impact or trend cannot be determined in time, report the basics first and supplement promptly; report again when important new facts emerge (this last point is not yet verified).",
    },
    "summary_pending": {
        "zh": "处置结束后30日内提交总结报告（与首报同一渠道）；处置结束时间未给出，届时再算截止时间。",
        "en": "A summary report is due within 30 days after handling ends, through the same channel; handling has not ended (or its end was not given), so its deadline is not set yet.",
    },
    "general_not_reportable": {
        "zh": "《办法》只要求报告较大以上事件，一般事件无需按《办法》报告；行业规定或涉嫌违法犯罪另有报告要求的，仍须照办。",
        "en": "The Measures require reports only for relatively major incidents and above, so a general incident need not be reported under them; a report your sector's rules or a suspected crime call for is still due.",
    },
    "absent_general": {
        "zh": "“一般”是在未给出的分级指标按未达到处理的前提下得出的；其中任何一项适用的，请重新评估，级别可能更高。",
        "en": "\"General\" rests on the criteria not given being taken as not met; if any of them applies, assess again: the level may be higher.",
    },
    "not_in_force": {
        "zh": "《办法》自2025年11月1日起施行。本事件发现于{discovered}，早于施行日期，不适用《办法》规定的报告程序和时限；当时适用《网络安全法》第二十五条的报告义务和本行业领域的规定（后半句是我们的解读）。",
        "en": "The Measures are in force from 1 November 2025 (2025-11-01). This incident was discovered at {discovered}, before that date, so the Measures' reporting procedure and time limits do not apply to it; the Cybersecurity Law's duty to report (Art. 25) and your sector's rules applied then (that last part is our reading).",
    },
    "overdue": {
        "zh": "已超过报告时限：立即报告，并说明迟报原因。迟报、漏报、谎报、瞒报造成重大危害后果的，对单位和责任人从重处罚；按要求及时报告是可以从轻或不予追究责任的条件之一（《办法》第十条、第十一条）。",
        "en": "A reporting deadline has passed: report now, and say why the report is late. Late, missing, false or concealed reports that cause major harm are punished more heavily, for the organisation and the people responsible; reporting on time as required is one of the conditions for lighter or no liability (Measures, Arts. 10 and 11).",
    },
    "provisional": {
        "zh": "分级结果为暂定：所依据的以下数值尚未逐字核实或来自2023年征求意见稿——{figures}。请以官方附件为准：{url}",
        "en": "The grade is provisional: it rests on figures not yet verified against the final text, or taken from the 2023 draft — {figures}. Check the official attachment: {url}",
    },
    "grading_ignored": {
        "zh": "已给出级别，未使用 grading 中的分级数据。",
        "en": "A level was given, so the grading data was not used.",
    },
    "future_discovery": {
        "zh": "发现时间晚于当前时间，请核对。",
        "en": "The discovery time is later than now; please check it.",
    },
}

# Duties under other laws that often apply to the same incident: "also note", never mixed into the deadlines
# (facts §9, confirmed).
ALSO_NOTE = {
    "pipl_57": {
        "zh": "《个人信息保护法》第五十七条：个人信息已经或可能泄露、篡改、丢失的，应立即采取补救措施，并通知履行个人信息保护职责的部门和受影响的个人（写明信息种类、原因和可能的危害、补救措施、个人可采取的措施、联系方式）。采取措施能有效避免危害的，可以不通知个人，但履行个人信息保护职责的部门要求通知的除外。没有固定的小时数。",
        "en": "Personal Information Protection Law, Art. 57: where personal information is, or may be, leaked, tampered with or lost, take remedial measures immediately and notify the authorities that protect personal information and the individuals concerned (the kinds of information, the cause and possible harm, the remedial measures, what individuals can do, your contact). Individuals need not be notified where the measures effectively avoid harm, unless the authority requires it. No fixed number of hours.",
    },
    "dsl_29": {
        "zh": "《数据安全法》第二十九条：发生数据安全事件，应立即采取处置措施，按规定及时告知用户并向有关主管部门报告。没有固定的小时数。",
        "en": "Data Security Law, Art. 29: on a data security incident, take measures immediately, inform users and report to the competent authority as required. No fixed number of hours.",
    },
    "ndsmr_11": {
        "zh": "《网络数据安全管理条例》第十一条：发生网络数据安全事件，应立即启动应急预案、防止危害扩大，按规定向有关主管部门报告；危害他人权益的，及时以电话、短信、即时通信工具、电子邮件或公告等方式通知利害关系人。",
        "en": "Network Data Security Management Regulations, Art. 11: on a network data security incident, start the emergency plan, stop the harm spreading and report to the competent authority as required; where others' rights are harmed, notify them promptly (phone, SMS, instant messaging, email or public notice).",
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


def degree_name(criterion_key: str, degree: str, lang: str) -> str:
    """A degree answer in the words of its clause: '较严重威胁', or for the system loss '较严重的系统损失'."""
    return pick((LOSS_NAMES if criterion_key == "system_loss" else THREAT_NAMES)[degree], lang)


def measure(criterion_key: str, value: Any, lang: str) -> str:
    """A grading value with its unit, as a person reads it."""
    kind = GROUP_BY_KEY[criterion_key].kind
    if kind == "degree":
        return degree_name(criterion_key, value, lang)
    if kind == "determination":
        return pick(DETERMINED_NAMES[bool(value)], lang)
    if criterion_key.endswith("_minutes"):
        return duration_minutes(value, lang)
    if criterion_key.endswith("_hours"):
        if value % 1:  # "0.5小时" reads worse than "30分钟"; Decimal keeps 5.99 h at 359.4 minutes exactly
            return duration_minutes(float(Decimal(str(value)) * 60), lang)
        return f"{number(value, lang)}小时" if lang == "zh" else f"{number(value, lang)} h"
    if criterion_key.endswith("_pct"):
        return f"{number(value, lang)}%"
    if criterion_key.endswith("_yuan"):
        return f"{number(value, lang)}元" if lang == "zh" else f"{number(value, lang)} yuan"
    if criterion_key.startswith("defacement_"):
        return f"{number(value, lang)}次" if lang == "zh" else f"{number(value, lang)} times"
    return f"{number(value, lang)}人" if lang == "zh" else f"{number(value, lang)} people"


def threshold(criterion: Criterion, lang: str) -> str:
    if criterion.unit == "degree":
        degree = next(name for name, rank in THREAT_DEGREES.items() if rank == criterion.threshold)
        return degree_name(criterion.key, degree, lang)
    return measure(criterion.key, criterion.threshold, lang)


def figure(criterion: Criterion, lang: str) -> str:
    """'较大·直接经济损失 ≥ 500万元（待核实）' — one row of the grading guide."""
    name = _qualified_name(criterion, lang)
    level = level_name(criterion.level, lang)
    confidence = pick(CONFIDENCE[criterion.confidence], lang)
    if lang == "zh":
        return f"{level}·{name} ≥ {threshold(criterion, lang)}（{confidence}）"
    return f"{level}: {name} ≥ {threshold(criterion, lang)} ({confidence})"


def _qualified_name(criterion: Criterion, lang: str) -> str:
    """The criterion's name; for a defacement row of any site, said so (the draft figures name no site)."""
    name = pick(GROUP_BY_KEY[criterion.key].name, lang)
    if criterion.key.startswith("defacement_") and criterion.qualifiers == ("top",):
        return name + (f"（{pick(SITE_NAMES['top'], lang)}）" if lang == "zh" else f" ({pick(SITE_NAMES['top'], lang)})")
    if criterion.key.startswith("defacement_") and criterion.qualifiers:
        return name + ("（任何网站，含企业网站）" if lang == "zh" else " (any site, enterprise sites included)")
    return name


def hit_text(criterion: Criterion, value: Any, qualifier: Any, lang: str) -> str:
    """Why a criterion is met: '公民个人信息泄露人数 120万人 ≥ 100万人（较大；已确认）'."""
    group = GROUP_BY_KEY[criterion.key]
    name = pick(group.name, lang)
    names = {"portal_tier": PORTAL_TIER_NAMES, "population_region": REGION_NAMES, "defacement_site": SITE_NAMES}.get(group.qualifier_key or "", {})
    if qualifier in names:  # the names of the criterion's own qualifier ("city" is both a portal tier and a region)
        name += f"（{pick(names[qualifier], lang)}）" if lang == "zh" else f" ({pick(names[qualifier], lang)})"
    level = level_name(criterion.level, lang)
    confidence = pick(CONFIDENCE[criterion.confidence], lang)
    if group.kind == "determination":
        shown = name
    elif group.kind == "degree":
        shown = f"{name}：{measure(criterion.key, value, lang)}" if lang == "zh" else f"{name}: {measure(criterion.key, value, lang)}"
    else:
        shown = f"{name} {measure(criterion.key, value, lang)} ≥ {threshold(criterion, lang)}"
    return f"{shown}（{level}；{confidence}）" if lang == "zh" else f"{shown} ({level}; {confidence})"


QUALIFIER_NAMES = {"portal_tier": PORTAL_TIER_NAMES, "population_region": REGION_NAMES, "defacement_site": SITE_NAMES}


def grading_answer(key: str, value: Any, lang: str) -> str:
    """'党政机关门户网站或重点新闻网站无法访问 3小时', '网站类别：地市级党政机关门户网站' — one grading answer as said back."""
    if key in QUALIFIER_NAMES:
        names = QUALIFIER_NAMES[key]
        return pick(names[value], lang) if value in names else ("不确定" if lang == "zh" else "not sure")
    return f"{pick(GROUP_BY_KEY[key].name, lang)} {measure(key, value, lang)}"


def criterion_label(key: str, lang: str) -> str:
    """'直接经济损失（direct_loss_yuan）': a grading criterion by its guide label and its `grading` key."""
    name = pick(GROUP_BY_KEY[key].name, lang)
    return f"{name}（{key}）" if lang == "zh" else f"{name} ({key})"


def official_text_line(lang: str) -> str:
    return f"官方原文：{OFFICIAL_TEXT_URL}" if lang == "zh" else f"Official text: {OFFICIAL_TEXT_URL}"
