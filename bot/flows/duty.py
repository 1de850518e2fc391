"""Marking the open incident's duties: "已报告" (when — now or a time —, by which channel or to whom, an optional
reference number) or "不适用" (why). A duty marked stops its reminders, shows as done in the result and in
/incidents, and enters the incident's timeline, from which the reports take their dates.

Button data: "duty:mark" (the list), "duty:done:<duty id>", "duty:na:<duty id>", "duty:now", "duty:skip".
The flow's data: {"duty": duty id, "mode": "done"|"na", "step": "when"|"how"|"ref"|"why", "record": {…}}.
"""

from __future__ import annotations

import re
from typing import Any

from bot import incidents, reminders
from bot.incidents import duty_name
from bot.flows import BACK_WORDS, Ctx, typed
from bot.flows.readers import QUESTION, time_in
from bot.i18n import pick
from bot.inputs import ITEM_LIMIT, cut
from bot.model import Button, ChatState, Reply
from bot.timeutil import clock, parse_iso

NAME = "duty"
SKIP_WORDS = ("跳过", "没有", "无", "稍后", "skip", "none", "no", "later", "n/a")
STATUS = {
    "done": {"zh": "✅ 已完成", "en": "✅ done"},
    "not_applicable": {"zh": "➖ 不适用", "en": "➖ not applicable"},
    "overdue": {"zh": "⚠ 已逾期", "en": "⚠ overdue"},
    "due": {"zh": "⏳ 待办", "en": "⏳ to do"},
}
TEXTS = {
    "title": {"zh": "标记义务", "en": "marking duties"},
    "list": {"zh": "{label} 的义务（点“已报告”或“不适用”记录下来）：", "en": "Duties of {label} (press \"Reported\" or \"N/A\" to record them):"},
    "none": {"zh": "当前事件还没有评估结果，先 /assess 评估。", "en": "The open incident has no assessment yet; /assess first."},
    "reported": {"zh": "已报告：{duty}", "en": "Reported: {duty}"},
    "na": {"zh": "不适用：{duty}", "en": "N/A: {duty}"},
    "when": {
        "zh": "{duty}：什么时候报告的？点“刚刚”，或输入时间（如“10:32”“今天9点”）。",
        "en": "{duty}: when was it reported? Press \"Just now\" or type a time (e.g. \"10:32\", \"today 9:00\").",
    },
    "how": {
        "zh": "通过什么渠道、报给了谁？（如“电话报给省网信办值班室”；可点“跳过”）",
        "en": "By which channel, and to whom? (e.g. \"phoned the provincial CAC duty desk\"; or press \"Skip\")",
    },
    "ref": {"zh": "有受理编号吗？（可点“跳过”）", "en": "Is there a reference number? (or press \"Skip\")"},
    "why": {"zh": "{duty}：为什么不适用？", "en": "{duty}: why does it not apply?"},
    "now": {"zh": "刚刚", "en": "Just now"},
    "skip": {"zh": "跳过", "en": "Skip"},
    "time_hint": {
        "zh": "没看懂这个时间，请输入如“10:32”“今天9点”“2026-03-01 09:30”，或点“刚刚”。",
        "en": "I could not read that time; type e.g. \"10:32\", \"today 9:00\", \"2026-03-01 09:30\", or press \"Just now\".",
    },
    "future": {"zh": "这个时间（{time}）晚于现在，请输入已经过去的时间。", "en": "That time ({time}) is later than now; please give a time already past."},
    "saved_done": {"zh": "已记录：{duty}，{time}。提醒已停止。", "en": "Recorded: {duty}, {time}. Its reminders are stopped."},
    "saved_na": {"zh": "已记录：{duty} 不适用。提醒已停止。", "en": "Recorded: {duty} does not apply. Its reminders are stopped."},
    "stale": {"zh": "这项义务已不在当前事件的评估结果里。", "en": "That duty is no longer in the open incident's assessment."},
    "mark": {"zh": "标记已报告/不适用", "en": "Mark reported / N/A"},
}


def status_lines(state: ChatState, result: dict[str, Any], ctx: Ctx) -> list[str]:
    """Each of the operator's duties with done / not applicable / overdue / to do, for the result and /incidents."""
    incident = incidents.current(state)
    if incident is None:
        return []
    lines = []
    for obligation in incidents.own_duties(result):
        status = incidents.duty_status(incident, obligation, ctx.now)
        record = incident["duties"].get(incidents.duty_id(obligation), {})
        when = f"（{clock(parse_iso(record['at']))}）" if record.get("at") and ctx.lang == "zh" else (f" ({clock(parse_iso(record['at']))})" if record.get("at") else "")
        lines.append(f"- {duty_name(obligation, ctx.lang)}：{pick(STATUS[status], ctx.lang)}{when}" if ctx.lang == "zh" else f"- {duty_name(obligation, ctx.lang)}: {pick(STATUS[status], ctx.lang)}{when}")
    return lines


class DutyFlow:
    name = NAME

    def title(self, lang: str) -> str:
        return pick(TEXTS["title"], lang)

    def start(self, state: ChatState, ctx: Ctx) -> list[Reply]:
        """The list of duties; a duty's own button pressed from it (the engine starts the flow with it) goes on."""
        state.flows.pop(NAME, None)
        if ctx.said.startswith(NAME + ":"):
            return self._button(state, ctx.said[len(NAME) + 1 :], ctx)
        return self._list(state, ctx)

    def prompt(self, state: ChatState, ctx: Ctx) -> list[Reply]:
        data = state.flows.get(NAME)
        if not data:
            return self._list(state, ctx)
        name = duty_name(data["duty"], ctx.lang)
        if data["step"] == "when":
            return [Reply(pick(TEXTS["when"], ctx.lang).format(duty=name), [Button(pick(TEXTS["now"], ctx.lang), f"{NAME}:now")])]
        if data["step"] == "why":
            return [Reply(pick(TEXTS["why"], ctx.lang).format(duty=name))]
        return [Reply(pick(TEXTS[data["step"]], ctx.lang), [Button(pick(TEXTS["skip"], ctx.lang), f"{NAME}:skip")])]

    def handle(self, state: ChatState, text: str, ctx: Ctx) -> list[Reply] | None:
        if text.startswith(NAME + ":"):
            return self._button(state, text[len(NAME) + 1 :], ctx)
        data = state.flows.get(NAME)
        if not data:
            return self._list(state, ctx)
        folded = typed(text)
        if folded in BACK_WORDS:
            return self.start(state, ctx)
        if data["step"] == "when":
            moment = time_in(text, ctx.now)
            if moment is None and QUESTION.search(folded):
                return None  # a question: the knowledge base answers, and this question follows
            if moment is None:
                return [Reply(pick(TEXTS["time_hint"], ctx.lang))] + self.prompt(state, ctx)
            if moment > ctx.now:
                return [Reply(pick(TEXTS["future"], ctx.lang).format(time=clock(moment)))] + self.prompt(state, ctx)
            return self._when(state, moment.isoformat(timespec="seconds"), ctx)
        value = None if folded in SKIP_WORDS else cut(text.strip(), ITEM_LIMIT)[0]
        return self._answer(state, value, ctx)

    # ------------------------------------------------------------------------------------ steps
    def _button(self, state: ChatState, token: str, ctx: Ctx) -> list[Reply]:
        verb, _, duty = token.partition(":")
        if verb in ("done", "na"):
            result = (state.flows.get("assess") or {}).get("result")
            if duty not in {incidents.duty_id(o) for o in incidents.own_duties(result)}:
                return [Reply(pick(TEXTS["stale"], ctx.lang))] + self._list(state, ctx)
            state.flows[NAME] = {"duty": duty, "mode": verb, "step": "when" if verb == "done" else "why", "record": {}}
            return self.prompt(state, ctx)
        data = state.flows.get(NAME)
        if verb == "now" and data and data["step"] == "when":
            return self._when(state, ctx.now.replace(second=0, microsecond=0).isoformat(timespec="seconds"), ctx)
        if verb == "skip" and data and data["step"] in ("how", "ref"):
            return self._answer(state, None, ctx)
        return self._list(state, ctx)

    def _when(self, state: ChatState, at: str, ctx: Ctx) -> list[Reply]:
        data = state.flows[NAME]
        data["record"]["at"] = at
        data["step"] = "how"
        return self.prompt(state, ctx)

    def _answer(self, state: ChatState, value: str | None, ctx: Ctx) -> list[Reply]:
        data = state.flows[NAME]
        if data["step"] == "how":
            data["record"]["how"] = value
            data["step"] = "ref"
            return self.prompt(state, ctx)
        if data["step"] == "ref":
            data["record"]["ref"] = value
        else:  # why
            data["record"]["why"] = value or ""
        return self._save(state, ctx)

    def _save(self, state: ChatState, ctx: Ctx) -> list[Reply]:
        data = state.flows.pop(NAME)
        state.active = None
        incident = incidents.ensure(state, ctx.now)
        record = {key: value for key, value in data["record"].items() if value}
        done = data["mode"] == "done"
        incident["duties"][data["duty"]] = {"status": "done" if done else "not_applicable", **record}
        details = {key: value for key, value in record.items() if key != "at"}
        incidents.record(incident, record.get("at") or ctx.now, "duty_done" if done else "duty_na", duty=data["duty"], **details)
        reminders.drop(state, state.current, data["duty"])
        name = duty_name(data["duty"], ctx.lang)
        text = pick(TEXTS["saved_done" if done else "saved_na"], ctx.lang).format(duty=name, time=clock(parse_iso(record["at"])) if done else "")
        return [Reply(text)] + self._list(state, ctx)

    def _list(self, state: ChatState, ctx: Ctx) -> list[Reply]:
        """The duties with their state, and a button pair for each open one; no question is under way."""
        state.active = None
        result = (state.flows.get("assess") or {}).get("result")
        duties = incidents.own_duties(result)
        if not duties:
            return [Reply(pick(TEXTS["none"], ctx.lang))]
        incident = incidents.ensure(state, ctx.now)
        lines = [pick(TEXTS["list"], ctx.lang).format(label=incidents.label(state, incident, ctx.lang)), *status_lines(state, result, ctx)]
        buttons = []
        for obligation in duties:
            if incidents.duty_id(obligation) not in incident["duties"]:
                short = duty_name(obligation, ctx.lang)
                buttons.append(Button(pick(TEXTS["reported"], ctx.lang).format(duty=short), f"{NAME}:done:{incidents.duty_id(obligation)}"))
                buttons.append(Button(pick(TEXTS["na"], ctx.lang).format(duty=short), f"{NAME}:na:{incidents.duty_id(obligation)}"))
        return [Reply("\n".join(lines), buttons)]


_REPORTED = re.compile(
    r"(?:已经?|刚刚?|刚才)?(?:电话|邮件|传真|书面|网上|在线)?(?:报给|报告给|报送给?|上报给?|报了|已报|打电话报|通报给)|"
    r"\b(?:we |i )?(?:have |already |just )*(?:reported|phoned|called|emailed|notified|filed)\b"
)
_NOT_YET = re.compile(r"没|未|不|还没|\b(?:not|haven't|have not|didn't|did not|yet to)\b")
_REFERENCE = re.compile(r"(?:编号|受理号|受理编号|工单号|回执号|单号|reference|ref\.?|ticket|case (?:no\.?|number))\s*[:：#]?\s*(?P<ref>[A-Za-z0-9][A-Za-z0-9-]{2,30})", re.IGNORECASE)
_BODIES = {  # a body named in the text → the duties whose recipients include it
    "provincial_cac": re.compile(r"网信|cac|12387|cyberspace"),
    "department_cac_office": re.compile(r"网信|cac|cyberspace"),
    "protection_department": re.compile(r"保护工作部门|主管部门|监管部门|protection department|regulator"),
    "public_security": re.compile(r"公安|警方|派出所|110|police"),
    "sector_regulator": re.compile(r"行业|监管|regulator"),
}


def mark_from_text(state: ChatState, text: str, ctx: Ctx) -> list[Reply] | None:
    """"已经在9点40打电话报给省网信办了，编号SD-2026-0088": the open incident's duty to that body marked reported
    (the first open initial report when no body is named), at the time said (else now), with the text as how and
    the reference; None when the text says no such thing or the incident has no result yet."""
    folded = typed(text)
    result = (state.flows.get("assess") or {}).get("result")
    said = _REPORTED.search(folded)
    if not said or not result or QUESTION.search(folded) or _NOT_YET.search(folded[max(0, said.start() - 6) : said.end()]):
        return None  # no such statement, nothing assessed, a question, or "还没报给…"
    incident = incidents.ensure(state, ctx.now)
    open_duties = [o for o in incidents.own_duties(result) if incidents.duty_id(o) not in incident["duties"]]
    named = {body for body, pattern in _BODIES.items() if pattern.search(folded)}
    duties = [o for o in open_duties if named & set(o["to"])] or [o for o in open_duties if o["kind"] == "initial"][:1]
    if not duties:
        return None
    moment = time_in(text, ctx.now)
    at = (moment if moment is not None and moment <= ctx.now else ctx.now.replace(second=0, microsecond=0)).isoformat(timespec="seconds")
    reference = _REFERENCE.search(text)
    record = {"at": at, "how": cut(text.strip(), 200)[0], **({"ref": reference["ref"]} if reference else {})}
    names = []
    for obligation in duties[:1]:  # one statement settles one duty: the one it names
        duty = incidents.duty_id(obligation)
        incident["duties"][duty] = {"status": "done", **record}
        incidents.record(incident, at, "duty_done", duty=duty, how=record["how"], **({"ref": record["ref"]} if "ref" in record else {}))
        reminders.drop(state, state.current, duty)
        names.append(duty_name(duty, ctx.lang))
    text_done = pick(TEXTS["saved_done"], ctx.lang).format(duty="；".join(names), time=clock(parse_iso(at)))
    return [Reply(text_done)] + DutyFlow()._list(state, ctx)
