"""Reminders before the deadlines of the last assessment, kept in the chat's state.

handle() is the engine's "remind:<arg>" button: "on" sets one reminder per duty of yours (the operator's)
with a deadline still ahead, due 15 minutes before it (at once when less is left); "off" clears them.
Upstream deadlines belong to the receiving bodies, so they get no reminder. Transports call pop_due()
when they get the chance (the Telegram scheduler at next_due(), the terminal chat before each reply):
it removes the reminders that are due from the state and returns their messages.

Each entry of state.reminders is plain JSON: {"at": ISO, "deadline": ISO, "text": {"zh": …, "en": …}}.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot.i18n import LANGS, pick
from bot.model import Button, ChatState, Reply
from bot.rules.tables import KIND_NAMES
from bot.rules.wording import recipients
from bot.timeutil import clock, parse_iso, to_shanghai

if TYPE_CHECKING:
    from bot.flows import Ctx

LEAD = timedelta(minutes=15)

TEXTS = {
    "reminder": {
        "zh": "⏰ 提醒：{duty} → {to}，最晚 {clock}（北京时间）。",
        "en": "⏰ Reminder: {duty} → {to}, due by {clock} (Beijing time).",
    },
    "set": {"zh": "好的，我会在以下时间提醒你：", "en": "Done. I will remind you at these times:"},
    "line": {"zh": "{at} — {duty} → {to}（截止 {clock}）", "en": "{at} — {duty} → {to} (due {clock})"},
    "overdue": {
        "zh": "以下截止时间已过，请尽快补救：{items}",
        "en": "These deadlines have already passed; act now: {items}",
    },
    "nothing": {
        "zh": "最近一次评估里没有尚未到期的截止时间，无需提醒。",
        "en": "The last assessment has no deadline still ahead, so there is nothing to remind you of.",
    },
    "no_assessment": {
        "zh": "还没有完成评估，先评估一下报告时限吧。",
        "en": "There is no finished assessment yet; let's assess the deadlines first.",
    },
    "off": {"zh": "已取消全部提醒。", "en": "All reminders are cancelled."},
    "unknown": {"zh": "没有这个提醒操作。", "en": "Unknown reminder action."},
    "cancel": {"zh": "取消提醒", "en": "Cancel reminders"},
    "assess": {"zh": "评估报告时限", "en": "Assess deadlines"},
    "note": {
        "zh": "提醒只在机器人运行时送达，请不要只依赖提醒。",
        "en": "Reminders arrive only while the bot is running; don't rely on them alone.",
    },
}


def handle(state: ChatState, arg: str, ctx: "Ctx") -> list[Reply]:
    """The "remind:<arg>" button: "on" or "off". Its reply takes the place of the summary's buttons, so it
    carries the assessment's follow-ups again (draft the report, the other reminder button, start over)."""
    if arg == "off":
        state.reminders = [r for r in state.reminders if r.get("incident") != state.current]
        return [Reply(pick(TEXTS["off"], ctx.lang), _follow_ups(state, ctx))]
    if arg != "on":
        return [Reply(pick(TEXTS["unknown"], ctx.lang))]
    result = (state.flows.get("assess") or {}).get("result")
    if not result:
        return [Reply(pick(TEXTS["no_assessment"], ctx.lang), [Button(pick(TEXTS["assess"], ctx.lang), "assess:start")])]
    ahead = [item for item in upcoming(result, ctx.now) if not _settled(state, item[0])]
    others = [r for r in state.reminders if r.get("incident") != state.current]
    state.reminders = others + [_entry(obligation, deadline, at, state.current) for obligation, deadline, at in ahead]
    parts = []
    if ahead:
        parts.append(pick(TEXTS["set"], ctx.lang))
        parts += [pick(TEXTS["line"], ctx.lang).format(at=clock(at), **_parts(o, d, ctx.lang)) for o, d, at in ahead]
        parts.append(pick(TEXTS["note"], ctx.lang))
    else:
        parts.append(pick(TEXTS["nothing"], ctx.lang))
    overdue = _overdue(result, ctx.now, ctx.lang)
    if overdue:
        parts.append(pick(TEXTS["overdue"], ctx.lang).format(items=overdue))
    return [Reply("\n".join(parts), _follow_ups(state, ctx))]


def _follow_ups(state: ChatState, ctx: "Ctx") -> list[Button]:
    # Imported here: the assessment flow imports this module for its reminder buttons.
    from bot.flows.assess import follow_up_buttons

    return follow_up_buttons(state, ctx.lang, ctx.now) if (state.flows.get("assess") or {}).get("result") else []


def upcoming(result: dict[str, Any], now: datetime) -> list[tuple[dict[str, Any], datetime, datetime]]:
    """(obligation, deadline, when to remind) for each of the operator's duties whose deadline is still ahead."""
    now = to_shanghai(now)
    upcoming = []
    for obligation in result.get("obligations", []):
        if obligation.get("by") != "operator" or not obligation.get("deadline"):
            continue
        deadline = parse_iso(obligation["deadline"])
        if deadline > now:
            upcoming.append((obligation, deadline, max(deadline - LEAD, now)))
    return sorted(upcoming, key=lambda item: item[2])


def _entry(obligation: dict[str, Any], deadline: datetime, at: datetime, incident: int | None) -> dict[str, Any]:
    """A reminder names its incident ("⏰ #2 提醒：…") and carries the duty it is for, so marking it done stops it."""
    named = f"⏰ #{incident} " if incident is not None else "⏰ "
    return {
        "at": at.isoformat(timespec="seconds"),
        "deadline": obligation["deadline"],
        "text": {lang: pick(TEXTS["reminder"], lang).format(**_parts(obligation, deadline, lang)).replace("⏰ ", named, 1) for lang in LANGS},
        "incident": incident,
        "duty": f"{obligation['kind']}:{'+'.join(obligation['to'])}",
    }


def _settled(state: ChatState, obligation: dict[str, Any]) -> bool:
    """A duty already marked reported or not applicable in the open incident needs no reminder."""
    from bot.incidents import current, duty_id

    incident = current(state)
    return bool(incident and duty_id(obligation) in incident["duties"])


def drop(state: ChatState, incident: int | None, duty: str) -> None:
    """Stop the reminders of one duty of one incident (it was done, or does not apply)."""
    state.reminders = [r for r in state.reminders if not (r.get("incident") == incident and r.get("duty") == duty)]


def pop_due(state: ChatState, now: datetime) -> list[Reply]:
    """Remove the reminders due at or before `now` from `state` and return their messages."""
    now = to_shanghai(now)
    lang = state.lang or "zh"
    due = [r for r in state.reminders if parse_iso(r["at"]) <= now]
    state.reminders = [r for r in state.reminders if parse_iso(r["at"]) > now]
    return [Reply(pick(r["text"], lang)) for r in due]


def next_due(state: ChatState) -> datetime | None:
    """When the next reminder is due, or None."""
    return min((parse_iso(r["at"]) for r in state.reminders), default=None)


def _parts(obligation: dict[str, Any], deadline: datetime, lang: str) -> dict[str, str]:
    return {"duty": pick(KIND_NAMES[obligation["kind"]], lang), "to": recipients(obligation["to"], lang), "clock": clock(deadline)}


def _overdue(result: dict[str, Any], now: datetime, lang: str) -> str:
    items = [
        f"{pick(KIND_NAMES[o['kind']], lang)} → {recipients(o['to'], lang)}（{clock(parse_iso(o['deadline']))}）"
        if lang == "zh"
        else f"{pick(KIND_NAMES[o['kind']], lang)} → {recipients(o['to'], lang)} ({clock(parse_iso(o['deadline']))})"
        for o in result.get("obligations", [])
        if o.get("by") == "operator" and o.get("deadline") and parse_iso(o["deadline"]) <= now
    ]
    return ("；" if lang == "zh" else "; ").join(items)
