"""An assessment as a person reads it: the conclusion, each duty with its clock time and time left.

Used by `python -m bot assess` without --json and by the chat's summary, so both read the same.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.i18n import pick
from bot.rules import wording
from bot.rules.assess import overdue
from bot.rules.tables import KIND_NAMES, RECIPIENTS
from bot.timeutil import clock, parse_iso, to_shanghai

HEAD = {
    "must": {"zh": "结论：须按《国家网络安全事件报告管理办法》报告。", "en": "Conclusion: you must report under the Measures."},
    "must_unknown": {
        "zh": "结论：按须报告处理（级别未能确定，从严）。",
        "en": "Conclusion: treat it as reportable (the level could not be settled, so the strict reading applies).",
    },
    "not": {
        "zh": "结论：一般事件，无需按《办法》报告。",
        "en": "Conclusion: a general incident, which need not be reported under the Measures.",
    },
    "not_in_force": {
        "zh": "结论：本事件发现于《办法》施行（2025年11月1日）之前，不适用《办法》的报告程序。",
        "en": "Conclusion: the incident was discovered before the Measures came into force (2025-11-01), so their reporting procedure does not apply.",
    },
    "late": {
        "zh": "⚠ 已超过报告时限：立即报告，并说明迟报原因。",
        "en": "⚠ A deadline has passed: report now, and say why the report is late.",
    },
}
LABELS = {
    "level": {"zh": "级别", "en": "Level"},
    "at_least": {"zh": "至少{level}（可能更高）", "en": "at least {level} (possibly higher)"},
    "provisional": {"zh": "（暂定）", "en": " (provisional)"},
    "basis": {"zh": "依据", "en": "Basis"},
    "discovered": {"zh": "发现时间", "en": "Discovered"},
    "beijing_time": {"zh": "（北京时间）", "en": " (Beijing time)"},
    "now": {"zh": "现在", "en": "Now"},
    "beijing": {"zh": "（北京时间，下同）", "en": " (Beijing time throughout)"},
    "yours": {"zh": "你要做的：", "en": "What you must do:"},
    "still": {"zh": "仍要做的：", "en": "Still to do:"},
    "then": {"zh": "接下来：", "en": "What follows:"},
    "first": {"zh": "⏱ 最紧迫", "en": "⏱ Most urgent"},
    "nothing": {
        "zh": "《办法》不要求报告本事件；你已答复不涉嫌违法犯罪、本行业没有专门的报告规定，因此没有列出其他须报告的事项。",
        "en": "The Measures require no report for this incident; you said no crime is suspected and your sector has no reporting rules of its own, so nothing else is listed.",
    },
    "upstream": {"zh": "上游（接报部门的责任，供参考）：", "en": "Upstream (the receiving bodies' duties, for reference):"},
    "latest": {"zh": "最晚", "en": "by"},
    "prompt": {"zh": "及时，无固定时限", "en": "promptly, no fixed limit"},
    "channels": {"zh": "渠道（网信部门的12387渠道）", "en": "Channels (the cyberspace administration's 12387 channels)"},
    "own_way": {
        "zh": "渠道：按{to}指定的方式报送（12387渠道不能代替）",
        "en": "Channel: the way {to} has set (the 12387 channels do not replace it)",
    },
    "same_channels": {"zh": "渠道：同上", "en": "Channels: as above"},
    "same_way": {"zh": "与首次报告同一渠道；", "en": "The same way as the initial report. "},
    "source": {"zh": "依据", "en": "Source"},
    "assumptions": {"zh": "假设：", "en": "Assumptions:"},
    "caveats": {"zh": "注意：", "en": "Note:"},
    "also_note": {"zh": "另请注意（其他法律的义务，不计入上面的时限）：", "en": "Also note (duties under other laws, apart from the deadlines above):"},
    "sources": {"zh": "来源", "en": "Sources"},
    "summary_after": {"zh": "处置结束后{days}日内", "en": "within {days} days after handling ends"},
    "after_receipt": {"zh": "收到你的报告后{span}内", "en": "within {span} of receiving your report"},
}
LATER_KINDS = ("supplement", "summary")


def describe(result: dict[str, Any], now: datetime, lang: str, discovered: datetime | None = None) -> str:
    """The whole assessment as text; deadlines as 'YYYY-MM-DD HH:MM' with the time left (or overdue).

    `discovered`, the moment the deadlines run from, is shown when given, so that a misread time is seen.
    """
    now = to_shanghai(now)
    sep = "：" if lang == "zh" else ": "
    lines = [pick(HEAD["late"], lang)] * overdue(result["obligations"], now)
    lines += [_head(result, lang), f"{pick(LABELS['level'], lang)}{sep}{_level(result, lang)}"]
    lines += [f"  {pick(LABELS['basis'], lang)}{sep}{basis}" for basis in result["level_basis"]]
    if discovered is not None:
        lines.append(f"{pick(LABELS['discovered'], lang)}{sep}{clock(to_shanghai(discovered))}{pick(LABELS['beijing_time'], lang)}")
    lines.append(f"{pick(LABELS['now'], lang)}{sep}{clock(now)}{pick(LABELS['beijing'], lang)}")
    if not result["must_report"] and not result["obligations"] and result["in_force"]:
        lines += ["", pick(LABELS["nothing"], lang)]

    own = [o for o in result["obligations"] if o["by"] == "operator" and o["kind"] not in LATER_KINDS]
    later = [o for o in result["obligations"] if o["by"] == "operator" and o["kind"] in LATER_KINDS]
    upstream = [o for o in result["obligations"] if o["by"] != "operator"]
    shown_channels: set[tuple[str, ...]] = set()
    if own:
        lines += ["", pick(LABELS["yours" if result["must_report"] else "still"], lang)]
        for number, obligation in enumerate(own, 1):
            lines += _duty(number, obligation, now, lang, shown_channels)
    if later:
        lines += ["", pick(LABELS["then"], lang)]
        lines += _later(later, now, lang)
    if upstream:
        lines += ["", pick(LABELS["upstream"], lang)]
        lines += [f"- {_who(o, lang)}{sep}{_upstream_when(o, now, lang)}" for o in upstream]
    for key, items in (("assumptions", result["assumptions"]), ("caveats", result["caveats"]), ("also_note", result["also_note"])):
        if items:
            lines += ["", pick(LABELS[key], lang)] + [f"- {item}" for item in items]
    sources = list(dict.fromkeys([o["source"] for o in result["obligations"]] + ["Grading guide"]))
    names = ("；" if lang == "zh" else "; ").join(wording.source_name(s, lang) for s in sources)
    lines += ["", f"{pick(LABELS['sources'], lang)}{sep}{names}"]
    lines.append(wording.official_text_line(lang))
    timed = [o for o in own if o["deadline"] is not None]
    if timed:  # a long summary scrolls: the most urgent duty again, right above the buttons
        first = min(timed, key=lambda o: o["deadline"])
        comma = "，" if lang == "zh" else ", "
        lines += ["", f"{pick(LABELS['first'], lang)}{sep}{_who(first, lang)}{comma}{_when(first, now, lang)}"]
    return "\n".join(lines)


def _level(result: dict[str, Any], lang: str) -> str:
    """'较大', '至少较大（可能更高）' when unknown criteria could lift it, '…（暂定）' on unconfirmed figures."""
    level = wording.level_name(result["level"], lang)
    if result["level"] and wording.level_may_be_higher(result["assumptions"]):
        level = pick(LABELS["at_least"], lang).format(level=level)
    return level + (pick(LABELS["provisional"], lang) if result["provisional"] else "")


def _head(result: dict[str, Any], lang: str) -> str:
    if not result["in_force"]:
        return pick(HEAD["not_in_force"], lang)
    if not result["must_report"]:
        return pick(HEAD["not"], lang)
    return pick(HEAD["must" if result["level"] else "must_unknown"], lang)


def _duty(number: int, obligation: dict[str, Any], now: datetime, lang: str, shown_channels: set[tuple[str, ...]]) -> list[str]:
    sep = "：" if lang == "zh" else ": "
    lines = [f"{number}. {_who(obligation, lang)}", f"   {_when(obligation, now, lang)}"]
    channels = tuple(obligation["channels"])
    if channels and channels in shown_channels:
        lines.append(f"   {pick(LABELS['same_channels'], lang)}")
    elif channels:
        shown_channels.add(channels)
        lines.append(f"   {pick(LABELS['channels'], lang)}{sep}" + ("；" if lang == "zh" else "; ").join(channels))
    elif obligation["kind"] == "initial":
        lines.append(f"   {pick(LABELS['own_way'], lang).format(to=wording.recipients(obligation['to'], lang))}")
    lines.append(f"   {pick(LABELS['source'], lang)}{sep}{wording.source_name(obligation['source'], lang)}")
    return lines


def _later(obligations: list[dict[str, Any]], now: datetime, lang: str) -> list[str]:
    """Supplements and summary reports, one line per kind: they go where the initial report went."""
    sep = "：" if lang == "zh" else ": "
    lines = []
    for kind in LATER_KINDS:
        group = [o for o in obligations if o["kind"] == kind]
        if not group:
            continue
        to = ("；" if lang == "zh" else "; ").join(wording.recipients(o["to"], lang) for o in group)
        whens = list(dict.fromkeys(_when(o, now, lang) for o in group))
        source = wording.source_name(group[0]["source"], lang)
        lines.append(f"- {_capital(pick(KIND_NAMES[kind], lang))} → {to}{sep}{'；'.join(whens) if lang == 'zh' else '; '.join(whens)}")
        lines.append(f"  {pick(LABELS['same_way'], lang)}{pick(LABELS['source'], lang)}{sep}{source}")
    return lines


def _who(obligation: dict[str, Any], lang: str) -> str:
    """'首次报告 → 保护工作部门和公安机关', or for upstream steps '保护工作部门 → 国家网信部门…（向上报告）'."""
    kind = pick(KIND_NAMES[obligation["kind"]], lang)
    to = wording.recipients(obligation["to"], lang)
    if obligation["by"] == "operator":
        return f"{_capital(kind)} → {to}"
    by = _capital(pick(RECIPIENTS[obligation["by"]], lang))
    return f"{by} → {to}（{kind}）" if lang == "zh" else f"{by} → {to} ({kind})"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _when(obligation: dict[str, Any], now: datetime, lang: str) -> str:
    if obligation["deadline"] is not None:
        deadline = parse_iso(obligation["deadline"])
        return f"{pick(LABELS['latest'], lang)} {clock(deadline)} — {time_left(deadline, now, lang)}"
    if obligation["within_days"] is not None:
        return pick(LABELS["summary_after"], lang).format(days=obligation["within_days"])
    return pick(LABELS["prompt"], lang)


def _upstream_when(obligation: dict[str, Any], now: datetime, lang: str) -> str:
    """An upstream step's time limit runs from the receipt of your report; its deadline assumes the report
    arrives at your own deadline. Once that has passed, the clock time and its countdown mean nothing: the
    limit is said relative to the receipt instead."""
    minutes = obligation["within_minutes"]
    if obligation["deadline"] is None or minutes is None:
        return _when(obligation, now, lang)
    if parse_iso(obligation["deadline"]) - timedelta(minutes=minutes) >= now:
        return _when(obligation, now, lang)
    return pick(LABELS["after_receipt"], lang).format(span=_span(minutes, lang))


def _span(minutes: int, lang: str) -> str:
    """'30分钟' / '1小时' (en: '30 minutes' / '1 hour')."""
    hours, rest = divmod(minutes, 60)
    if lang == "zh":
        return f"{hours}小时" if hours and not rest else f"{minutes}分钟"
    if hours and not rest:
        return f"{hours} hour" + "s" * (hours != 1)
    return f"{minutes} minute" + "s" * (minutes != 1)


def time_left(deadline: datetime, now: datetime, lang: str) -> str:
    """'还剩 2小时45分' / '已逾期 1小时5分' (en: '2 h 45 min left' / 'overdue by 1 h 5 min'), to the minute."""
    seconds = (deadline - now).total_seconds()
    minutes = int(abs(seconds) // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if lang == "zh":
        parts = [f"{days}天"] * bool(days) + [f"{hours}小时"] * bool(hours) + [f"{mins}分"] * (bool(mins) or not (days or hours))
        return ("还剩 " if seconds >= 0 else "已逾期 ") + "".join(parts)
    parts = [f"{days} d"] * bool(days) + [f"{hours} h"] * bool(hours) + [f"{mins} min"] * (bool(mins) or not (days or hours))
    text = " ".join(parts)
    return f"{text} left" if seconds >= 0 else f"overdue by {text}"
