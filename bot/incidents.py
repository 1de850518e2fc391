"""Incidents as records: a chat holds any number of incidents, each with its own assessment, report drafts,
duties and timeline, so that two incidents can never share an answer, a recipient or a file.

The open incident's flow data lives in state.flows (the flows read and write only that); the others keep
theirs in their record. Switching swaps the two, so every flow works on exactly one incident by construction.
An incident record is plain JSON:
    {"id": 3, "created": ISO, "flows": {…} (empty while it is the open one), "duties": {duty id: {…}},
     "timeline": [{"at": ISO, "event": "discovered"|"assessed"|"duty_done"|"duty_na"|"report_finished"|
                   "handling_ended", …details}]}
The timeline is derived from what the flows leave in the state (observe()), so the flows need not know of it.
"""

from __future__ import annotations

import json
import os
import re
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot.flows import typed
from bot.flows.readers import time_in
from bot.i18n import pick
from bot.model import Button, ChatState, FileOut, Reply
from bot.rules import assess
from bot.rules.tables import KIND_NAMES, LEVEL_NAMES
from bot.rules.wording import recipients
from bot.timeutil import clock, parse_iso, to_shanghai

if TYPE_CHECKING:
    from bot.flows import Ctx

RULES_VERSION = "measures-2025-11-01/grading-guide-2025-09-12"  # which rules produced an assessment, for the record
EXPORT_SCHEMA = {"schema": "incident-report-bot/incident", "version": 1}
OWN_KINDS = ("initial", "sector", "crime", "supplement", "summary")  # the operator's duties that can be marked done

TEXTS = {
    "unnamed": {"zh": "事件", "en": "incident"},
    "list_head": {"zh": "本会话的事件（点选切换）：", "en": "Incidents in this chat (press one to switch):"},
    "none": {"zh": "还没有事件记录。描述一下发生了什么，或用 /assess 开始评估。", "en": "No incidents yet. Describe what happened, or start with /assess."},
    "open": {"zh": "（当前）", "en": " (open)"},
    "next": {"zh": "下一个截止：{duty}，{clock}", "en": "next due: {duty}, {clock}"},
    "overdue": {"zh": " ⚠ 已逾期", "en": " ⚠ overdue"},
    "done_count": {"zh": "已完成 {done}/{total} 项", "en": "{done}/{total} duties done"},
    "no_result": {"zh": "尚未完成评估", "en": "not assessed yet"},
    "switched": {"zh": "已切换到 {label}。", "en": "Switched to {label}."},
    "no_such": {"zh": "没有编号为 {id} 的事件。/incidents 查看全部。", "en": "There is no incident {id}. /incidents lists them."},
    "new": {"zh": "新的事件", "en": "A new incident"},
    "same": {"zh": "同一起：重新评估", "en": "The same one: assess again"},
    "same_go_on": {"zh": "同一起：继续评估", "en": "The same one: go on"},
    "same_or_new": {
        "zh": "当前事件是 {label}。这是同一起事件，还是一个新事件？",
        "en": "The open incident is {label}. Is this the same incident, or a new incident?",
    },
    "opened": {"zh": "已新建 {label}。", "en": "Opened {label}."},
    "delete": {"zh": "删除此事件", "en": "Delete this incident"},
    "deleted": {"zh": "已删除 {label} 及其评估、报告草稿、提醒和记录。", "en": "Deleted {label} with its assessment, drafts, reminders and record."},
    "export": {"zh": "{label} 的完整记录（JSON 和 Markdown）。", "en": "The full record of {label} (JSON and Markdown)."},
    "summary_due": {
        "zh": "就当前事件 {label}：处置结束于 {ended}，总结报告最晚 {due}（北京时间；按第30日同一时刻计，从严）→ {to}。",
        "en": "For the open incident {label}: handling ended at {ended}, so the summary report is due by {due} (Beijing time; the same clock time on day 30, the strict reading) → {to}.",
    },
    "ended_before": {
        "zh": "当前事件 {label} 发现于 {discovered}，处置不会在那之前结束。请告诉我处置结束的具体时间（如“处置今天18:00结束”）。",
        "en": "The open incident {label} was discovered at {discovered}; handling cannot have ended before that. Tell me when it ended (e.g. \"handling ended today 18:00\").",
    },
    "summary_when": {
        "zh": "就当前事件 {label}：处置结束后30日内提交总结报告。告诉我处置结束的时间（如“处置昨天18:00结束”），我来算出日期。",
        "en": "For the open incident {label}: the summary report is due within 30 days after handling ends. Tell me when handling ended (e.g. \"handling ended yesterday 18:00\") and I'll give the date.",
    },
}
TIMELINE_TEXTS = {
    "discovered": {"zh": "发现或获知事件", "en": "Incident discovered or learned of"},
    "assessed": {"zh": "评估：{level}（规则版本 {rules}）", "en": "Assessed: {level} (rules {rules})"},
    "duty_done": {"zh": "已完成：{duty} → {to}{how}{ref}", "en": "Done: {duty} → {to}{how}{ref}"},
    "duty_na": {"zh": "不适用：{duty} → {to}（原因：{why}）", "en": "Not applicable: {duty} → {to} (why: {why})"},
    "report_finished": {"zh": "完成{kind}", "en": "Finished the {kind}"},
    "handling_ended": {"zh": "处置结束", "en": "Handling ended"},
}
STATUS_NAMES = {
    "done": {"zh": "已完成", "en": "done"},
    "not_applicable": {"zh": "不适用", "en": "not applicable"},
    "open": {"zh": "待办", "en": "open"},
}
TYPE_NAMES = {
    "data_leak": {"zh": "数据泄露", "en": "data leak"},
    "ransomware": {"zh": "勒索病毒", "en": "ransomware"},
    "outage": {"zh": "系统中断", "en": "outage"},
    "defacement": {"zh": "网页篡改", "en": "defacement"},
    "ddos": {"zh": "DDoS攻击", "en": "DDoS attack"},
    "other": {"zh": "网络安全事件", "en": "incident"},
}


# ------------------------------------------------------------------------------------------ the records
def current(state: ChatState) -> dict[str, Any] | None:
    return next((i for i in state.incidents if i["id"] == state.current), None)


def ensure(state: ChatState, now: datetime) -> dict[str, Any]:
    """The open incident, made when there is none: a conversation stored before incidents existed becomes
    incident #1 with everything it held."""
    incident = current(state)
    if incident is None:
        incident = _make(state, now)
    return incident


def open_new(state: ChatState, now: datetime) -> dict[str, Any]:
    """A new incident becomes the open one; the previous one keeps its flows in its record."""
    _stash(state)
    state.flows = {}
    state.active = None
    return _make(state, now)


def switch(state: ChatState, incident_id: int) -> dict[str, Any] | None:
    target = next((i for i in state.incidents if i["id"] == incident_id), None)
    if target is None or target["id"] == state.current:
        return target
    _stash(state)
    state.flows, target["flows"] = target["flows"], {}
    state.current = target["id"]
    state.active = None
    return target


def delete(state: ChatState, incident_id: int) -> dict[str, Any] | None:
    """Remove one incident with all it holds; its reminders go too. The open one is replaced by the latest other."""
    target = next((i for i in state.incidents if i["id"] == incident_id), None)
    if target is None:
        return None
    if target["id"] == state.current:
        state.flows, state.active, state.current = {}, None, None
    state.incidents = [i for i in state.incidents if i["id"] != incident_id]
    state.reminders = [r for r in state.reminders if r.get("incident") != incident_id]
    if state.current is None and state.incidents:
        latest = state.incidents[-1]
        state.flows, latest["flows"] = latest["flows"], {}
        state.current = latest["id"]
    return target


def _make(state: ChatState, now: datetime) -> dict[str, Any]:
    incident = {
        "id": max((i["id"] for i in state.incidents), default=0) + 1,
        "created": to_shanghai(now).isoformat(timespec="seconds"),
        "flows": {},
        "duties": {},
        "timeline": [],
    }
    state.incidents.append(incident)
    state.current = incident["id"]
    return incident


def _stash(state: ChatState) -> None:
    incident = current(state)
    if incident is not None:
        incident["flows"] = state.flows


def flows_of(state: ChatState, incident: dict[str, Any]) -> dict[str, Any]:
    return state.flows if incident["id"] == state.current else incident["flows"]


# ------------------------------------------------------------------------------------------ retention
def retention_days() -> int | None:
    """BOT_RETAIN_DAYS (or `--retain-days`), when set: incidents are kept that many days after their summary
    report or their last use. Unset: incidents are kept until deleted (the store's own idle expiry still applies)."""
    raw = os.environ.get("BOT_RETAIN_DAYS", "").strip()
    return int(raw) if raw.isascii() and raw.isdigit() and int(raw) > 0 else None


def expire(state: ChatState, now: datetime, days: int | None) -> list[int]:
    """Delete the incidents whose summary report was finished, or which were last used, more than `days` ago;
    the ids deleted."""
    if days is None:
        return []
    cutoff = to_shanghai(now) - timedelta(days=days)
    expired = [incident["id"] for incident in state.incidents if _last_use(incident, state) < cutoff]
    for incident_id in expired:
        delete(state, incident_id)
    return expired


def _last_use(incident: dict[str, Any], state: ChatState) -> datetime:
    summary = [e["at"] for e in incident["timeline"] if e["event"] == "report_finished" and e.get("kind") == "summary"]
    if summary:
        return parse_iso(summary[-1])
    moments = [incident["created"], incident.get("updated") or incident["created"], *(e["at"] for e in incident["timeline"])]
    return max(map(parse_iso, moments))


# ------------------------------------------------------------------------------------------ what people see
def label(state: ChatState, incident: dict[str, Any], lang: str) -> str:
    """'#3 · 2026-11-29 勒索病毒': the id, the discovery date (else when the record began), what happened."""
    flows = flows_of(state, incident)
    answers = (flows.get("assess") or {}).get("answers") or {}
    when = answers.get("discovered_at") or incident["created"]
    kind = answers.get("incident_type") or ((flows.get("report") or {}).get("facts") or {}).get("type")
    if isinstance(kind, dict):  # a type the report draft took from its buttons: {"choice": key}
        kind = kind.get("choice")
    name = pick(TYPE_NAMES[kind], lang) if kind in TYPE_NAMES else (kind[:20] if isinstance(kind, str) and kind else pick(TEXTS["unnamed"], lang))
    return f"#{incident['id']} · {parse_iso(when).date().isoformat()} {name}"


def duty_id(obligation: dict[str, Any]) -> str:
    return f"{obligation['kind']}:{'+'.join(obligation['to'])}"


def own_duties(result: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The operator's own duties of a result, one per duty id (the earliest deadline where several paths meet)."""
    duties: dict[str, dict[str, Any]] = {}
    for obligation in (result or {}).get("obligations", []):
        if obligation["by"] == "operator" and obligation["kind"] in OWN_KINDS:
            duties.setdefault(duty_id(obligation), obligation)
    return list(duties.values())


def duty_status(incident: dict[str, Any], obligation: dict[str, Any], now: datetime) -> str:
    """done | not_applicable | overdue | due."""
    record = incident["duties"].get(duty_id(obligation))
    if record:
        return record["status"]
    deadline = obligation.get("deadline")
    return "overdue" if deadline and parse_iso(deadline) < now else "due"


def listing(state: ChatState, ctx: "Ctx") -> list[Reply]:
    """/incidents: each incident with its next deadline and what is done, as buttons that switch to it."""
    if not state.incidents:
        return [Reply(pick(TEXTS["none"], ctx.lang))]
    lines, buttons = [pick(TEXTS["list_head"], ctx.lang)], []
    for incident in state.incidents:
        name = label(state, incident, ctx.lang)
        lines.append(f"{name}{pick(TEXTS['open'], ctx.lang) if incident['id'] == state.current else ''} — {_progress(state, incident, ctx)}")
        buttons.append(Button(name, f"incident:{incident['id']}"))
    return [Reply("\n".join(lines), buttons)]


def _progress(state: ChatState, incident: dict[str, Any], ctx: "Ctx") -> str:
    result = (flows_of(state, incident).get("assess") or {}).get("result")
    if not result:
        return pick(TEXTS["no_result"], ctx.lang)
    duties = own_duties(result)
    settled = [o for o in duties if duty_status(incident, o, ctx.now) in ("done", "not_applicable")]
    parts = [pick(TEXTS["done_count"], ctx.lang).format(done=len(settled), total=len(duties))]
    open_timed = sorted((o for o in duties if o not in settled and o.get("deadline")), key=lambda o: o["deadline"])
    if open_timed:
        first = open_timed[0]
        deadline = parse_iso(first["deadline"])
        late = pick(TEXTS["overdue"], ctx.lang) if deadline < ctx.now else ""
        parts.append(pick(TEXTS["next"], ctx.lang).format(duty=duty_name(first, ctx.lang), clock=clock(deadline)) + late)
    return ("；" if ctx.lang == "zh" else "; ").join(parts)


def duty_name(obligation_or_id: dict[str, Any] | str, lang: str) -> str:
    """'首次报告 → 属地省级网信部门' for an obligation or a duty id."""
    duty = obligation_or_id if isinstance(obligation_or_id, str) else duty_id(obligation_or_id)
    kind, _, to = duty.partition(":")
    return f"{pick(KIND_NAMES[kind], lang)} → {recipients(to.split('+'), lang)}"


# ------------------------------------------------------------------------------------------ the timeline
def observe(before: ChatState, after: ChatState, now: datetime) -> None:
    """Record in the open incident's timeline what this step did: an assessment made, a report finished,
    handling ended, the discovery time learned. Derived from the state, so no flow has to remember to log."""
    incident = current(after)
    if incident is None or before.current != after.current:
        return
    if after.flows != before.flows:
        incident["updated"] = to_shanghai(now).isoformat(timespec="seconds")
    assess_before = (before.flows.get("assess") or {}) if before.current == after.current else {}
    assess_after = after.flows.get("assess") or {}
    result = assess_after.get("result")
    # a new assessment: a result where there was none, or from other answers (not the same one shown again later)
    if result and (not assess_before.get("result") or assess_before.get("answers") != assess_after.get("answers")):
        answers = assess_after.get("answers") or {}
        if answers.get("discovered_at"):
            _record_once(incident, answers["discovered_at"], "discovered")
        if answers.get("handling_ended_at"):
            _record_once(incident, answers["handling_ended_at"], "handling_ended")
        record(incident, now, "assessed", level=result.get("level"), must_report=result.get("must_report"), rules=RULES_VERSION)
    report_before = before.flows.get("report") or {}
    report_after = after.flows.get("report") or {}
    if report_after.get("step") == "done" and report_before.get("step") != "done":
        record(incident, now, "report_finished", kind=report_after.get("kind"))


def record(incident: dict[str, Any], at: datetime | str, event: str, **details: Any) -> None:
    moment = at if isinstance(at, str) else to_shanghai(at).isoformat(timespec="seconds")
    incident["timeline"].append({"at": moment, "event": event, **details})
    incident["timeline"].sort(key=lambda entry: parse_iso(entry["at"]))


def _record_once(incident: dict[str, Any], at: str, event: str) -> None:
    incident["timeline"] = [e for e in incident["timeline"] if e["event"] != event]
    record(incident, at, event)


def timeline_text(entry: dict[str, Any], lang: str) -> str:
    event = entry["event"]
    text = pick(TIMELINE_TEXTS[event], lang)
    if event == "assessed":
        level = pick(LEVEL_NAMES[entry["level"]], lang) if entry.get("level") else ("未定" if lang == "zh" else "undetermined")
        return text.format(level=level, rules=entry.get("rules", ""))
    if event in ("duty_done", "duty_na"):
        sep = "；" if lang == "zh" else "; "
        how = f"{sep}{entry['how']}" if entry.get("how") else ""
        ref = f"{sep}{'编号' if lang == 'zh' else 'ref.'} {entry['ref']}" if entry.get("ref") else ""
        kind, _, to = entry["duty"].partition(":")
        return text.format(duty=pick(KIND_NAMES[kind], lang), to=recipients(to.split("+"), lang), how=how, ref=ref, why=entry.get("why", ""))
    if event == "report_finished":
        return text.format(kind=pick(KIND_NAMES.get(entry.get("kind") or "initial", KIND_NAMES["initial"]), lang))
    return text


# ------------------------------------------------------------------------------------------ exports
def export(state: ChatState, incident: dict[str, Any], lang: str) -> dict[str, Any]:
    """The incident record in the documented, versioned export schema (README: "Incident records")."""
    flows = flows_of(state, incident)
    assessment = flows.get("assess") or {}
    report = flows.get("report") or {}
    return {
        **EXPORT_SCHEMA,
        "id": incident["id"],
        "label": label(state, incident, lang),
        "created": incident["created"],
        "assessment": {"answers": assessment.get("answers") or {}, "result": assessment.get("result")},
        "duties": [
            {"id": duty_id(o), "kind": o["kind"], "to": o["to"], "deadline": o["deadline"], **incident["duties"].get(duty_id(o), {"status": "open"})}
            for o in own_duties(assessment.get("result"))
        ],
        "timeline": incident["timeline"],
        "reports": [{"kind": report.get("kind"), "state": report.get("step"), "facts": report.get("facts") or {}}] if report.get("kind") else [],
    }


def export_markdown(record: dict[str, Any], lang: str) -> str:
    """The same record, readable."""
    zh = lang == "zh"
    lines = [f"# {record['label']}", ""]
    result = record["assessment"]["result"]
    if result:
        level = pick(LEVEL_NAMES[result["level"]], lang) if result.get("level") else ("未定" if zh else "undetermined")
        lines += [f"## {'评估' if zh else 'Assessment'}", "", f"- {'级别' if zh else 'Level'}: {level}"]
        lines += [f"- {basis}" for basis in result.get("level_basis", [])]
        lines.append("")
    if record["duties"]:
        lines += [f"## {'义务' if zh else 'Duties'}", ""]
        for duty in record["duties"]:
            kind, _, to = duty["id"].partition(":")
            due = f" — {'最晚' if zh else 'by'} {clock(parse_iso(duty['deadline']))}" if duty.get("deadline") else ""
            lines.append(f"- {pick(KIND_NAMES[kind], lang)} → {recipients(to.split('+'), lang)}{due}: {pick(STATUS_NAMES[duty['status']], lang)}")
        lines.append("")
    lines += [f"## {'时间线' if zh else 'Timeline'}", ""]
    lines += [f"- {clock(parse_iso(e['at']))} {timeline_text(e, lang)}" for e in record["timeline"]] or ["-"]
    for report in record["reports"]:
        lines += ["", f"## {pick(KIND_NAMES[report['kind']], lang)}", ""]
        lines += [f"- {key}: {_plain_value(value)}" for key, value in report["facts"].items() if key not in ("assessment", "timeline")]
    return "\n".join(lines) + "\n"


def _plain_value(value: Any) -> str:
    """A report fact as a line of text: objects as "key: value" pairs, the button choice by its key."""
    if isinstance(value, dict):
        return value["choice"] if set(value) == {"choice"} else "；".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


def export_files(state: ChatState, incident: dict[str, Any], lang: str) -> list[FileOut]:
    record_ = export(state, incident, lang)
    stem = f"incident-{incident['id']}"
    return [
        FileOut(f"{stem}.json", json.dumps(record_, ensure_ascii=False, indent=2).encode("utf-8"), "application/json"),
        FileOut(f"{stem}.md", export_markdown(record_, lang).encode("utf-8"), "text/markdown"),
    ]


# ------------------------------------------------------------------------------------------ the buttons
def handle(state: ChatState, arg: str, ctx: "Ctx") -> list[Reply]:
    """"incident:<n>" switches, "incident:new" opens a new one, "incident:delete:<n>" deletes, "incident:export"."""
    if arg == "new":
        incident = open_new(state, ctx.now)
        return [Reply(pick(TEXTS["opened"], ctx.lang).format(label=label(state, incident, ctx.lang)))]
    if arg == "export":
        incident = ensure(state, ctx.now)
        return [Reply(pick(TEXTS["export"], ctx.lang).format(label=label(state, incident, ctx.lang)), files=export_files(state, incident, ctx.lang))]
    verb, _, number = arg.rpartition(":")
    if not number.isascii() or not number.isdigit() or verb not in ("", "delete"):
        return [Reply(pick(TEXTS["no_such"], ctx.lang).format(id=number[:12]))]
    if verb == "delete":
        target = next((i for i in state.incidents if i["id"] == int(number)), None)
        name = label(state, target, ctx.lang) if target else number
        deleted = delete(state, int(number))
        text = pick(TEXTS["deleted" if deleted else "no_such"], ctx.lang).format(label=name, id=number)
        return [Reply(text)] + listing(state, ctx)
    incident = switch(state, int(number))
    if incident is None:
        return [Reply(pick(TEXTS["no_such"], ctx.lang).format(id=number))]
    buttons = [Button(pick(TEXTS["delete"], ctx.lang), f"incident:delete:{incident['id']}")]
    return [Reply(pick(TEXTS["switched"], ctx.lang).format(label=label(state, incident, ctx.lang)) + "\n" + _progress(state, incident, ctx), buttons)]


# ------------------------------------------------------------------------------------------ the summary report's date
_SUMMARY_QUESTION = re.compile(r"总结报告|summary report")
_WHEN = re.compile(r"最晚|哪天|什么时候|何时|截止|期限|几号|when|deadline|due|by what date")
_ENDED = re.compile(r"(?:处置|处理|handling|response).{0,12}(?:结束|完成|完毕|ended|over|finished|completed)")


_DAYS_BACK = {"今天": 0, "今日": 0, "today": 0, "昨天": 1, "昨日": 1, "yesterday": 1, "前天": 2}


def _day_start(text: str, now: datetime) -> datetime | None:
    """"昨天结束的": a day without a clock time is taken from its first minute, which gives the earliest date
    (the strict reading)."""
    days = next((back for word, back in _DAYS_BACK.items() if word in text), None)
    if days is None:
        return None
    return (to_shanghai(now) - timedelta(days=days)).replace(hour=0, minute=0, second=0, microsecond=0)


def summary_due(state: ChatState, text: str, ctx: "Ctx") -> Reply | None:
    """"处置昨天已经结束了，总结报告最晚哪天交？" about the open incident: its summary date (a handling end said here is
    recorded in its assessment, which is worked out again); None when the text is not that question, or no
    assessed incident is open (the knowledge base answers in general then)."""
    folded = typed(text)
    if not (_SUMMARY_QUESTION.search(folded) and _WHEN.search(folded)):
        return None
    incident = current(state)
    data = state.flows.get("assess") or {}
    if incident is None or not data.get("result"):
        return None
    answers = data["answers"]
    ended = time_in(folded, ctx.now) if _ENDED.search(folded) else None
    day = _day_start(folded, ctx.now) if _ENDED.search(folded) and ended is None else None
    if day is not None and answers.get("discovered_at"):  # "ended yesterday" on the day it was found: not before that
        discovered = parse_iso(answers["discovered_at"])
        if day + timedelta(days=1) <= discovered:  # the whole day said lies before the discovery: a slip to point out
            return Reply(pick(TEXTS["ended_before"], ctx.lang).format(label=label(state, incident, ctx.lang), discovered=clock(discovered)))
        day = max(day, discovered)
    ended = ended or day
    if ended is not None and ended <= ctx.now and (not answers.get("discovered_at") or ended >= parse_iso(answers["discovered_at"])):
        answers["handling_ended_at"] = ended.isoformat(timespec="seconds")
        data["result"] = assess(answers, ctx.now, ctx.lang)
    name = label(state, incident, ctx.lang)
    summaries = [o for o in data["result"]["obligations"] if o["kind"] == "summary" and o["by"] == "operator"]
    if not answers.get("handling_ended_at") or not summaries:
        return Reply(pick(TEXTS["summary_when"], ctx.lang).format(label=name))
    due = min(parse_iso(o["deadline"]) for o in summaries)
    to = ("；" if ctx.lang == "zh" else "; ").join(recipients(o["to"], ctx.lang) for o in summaries)
    ended_at = clock(parse_iso(answers["handling_ended_at"]))
    return Reply(pick(TEXTS["summary_due"], ctx.lang).format(label=name, ended=ended_at, due=clock(due), to=to))
