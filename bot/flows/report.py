"""The report conversation: draft an initial, supplementary or summary report one item at a time.

It starts from what the chat already knows (the assessment's answers and result), asks each remaining item in
the order of the report, lets every item be skipped ("later", by button or in words such as 稍后, 跳过, tbd —
the report marks it 待补报) and any question go back to the item before, shows a preview that can be
corrected item by item (by name there; by number or name in the edit menu, whose buttons carry the numbers),
and ends with the report as text, then one message with the .docx/.txt/.md files (the same content) and the
internal matter the document never holds (recipients with deadlines and time left, channels, assumptions).

Besides the report's items it asks: for a supplement, when and to whom the initial report was made
("initial_report.at", "initial_report.to"; only while unknown); the late reason ("late_reason") when the report,
made now, is past its own deadline (draft["late"], counted again at every message; "finish" asks it first if the
draft turned late after its items were asked); and last the addressee ("addressee"; skipped, the report names
the path's body). Every one can be skipped; what is typed is kept as typed. The report time is the moment of
"finish" (kept as draft["finished_at"]).

The draft lives in state.flows["report"] as plain JSON:
    {"kind": "initial"|"supplement"|"summary"|None, "facts": {…the `report` contract's keys…},
     "skipped": [question keys], "review": [question keys], "step": str, "late": bool, "finished_at": ISO}
except that an incident type chosen by button is kept as {"choice": <key>}, so the report names it in the
language it is rendered in. "review" holds the items a supplementary report asks again although they have a
value (impact, measures, trend, …: what changes as handling goes on), each shown with a "Keep" button.
Steps: "kind" (a new draft: which report; the one the facts suggest is marked), "choose" (a draft exists:
continue, switch kind, start over), a question key ("cause", "ransom.amount", …), "preview", "edit" (pick an
item), "edit:<section number>" (pick a field), "done" (finished: the conversation is over, state.active is
None, and the flow's buttons still reach it through the engine).
A kind's name typed at any step ("总结报告", "续报", "summary report") chooses that kind, never answers an item.
A typed answer that ends with a question mark is taken as a question for the knowledge base instead. Times
(and the ransom date) are of things past, and they keep their order (occurred ≤ discovered ≤ handling ended):
one that breaks either is refused with the reason and the item asked again.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from bot.flows import BACK_WORDS, Ctx, typed
from bot import incidents
from bot.flows.readers import report_instruction, report_kind_in
from bot.i18n import pick
from bot.inputs import ITEM_LIMIT, cut
from bot.knowledge.normalize import fold
from bot.model import Button, ChatState, FileOut, Reply
from bot.numerals import ascii_int
from bot.reports import DOCX_MIME, FactsError, Report, build_report, internal_text, is_ransomware, render_docx, render_text, validate_facts
from bot.reports.fields import FIELDS, INITIAL_REPORT_PARTS, KIND_NAMES, KINDS, RANSOM_PARTS, Kind, SectionSpec, sections_of
from bot.rules import FactsError as AssessError
from bot.rules.facts import KNOWN_KEYS as ASSESS_KEYS
from bot.rules.facts import parse_facts as parse_assess_input
from bot.rules.wording import recipients
from bot.rules.tables import LEVEL_ALIASES, LEVEL_NAMES, LEVELS
from bot.timetext import is_out_of_range, parse_time
from bot.timeutil import MAX_YEAR, MIN_YEAR, clock, parse_iso

NAME = "report"
RANSOM_QUESTIONS = tuple(f"ransom.{part}" for part in RANSOM_PARTS)
# A supplement asks when and to whom the initial report went (the channel and a reference go in the same words).
INITIAL_QUESTIONS = ("initial_report.at", "initial_report.to")
# The facts kept as parts of one object, and the labels of their parts.
PARTS = {"ransom": RANSOM_PARTS, "initial_report": INITIAL_REPORT_PARTS}
# Asked after every item: the addressee is no item of the report, but its first line.
LAST_QUESTIONS = ("addressee",)

TITLE = {"zh": "起草报告", "en": "report draft"}
QUESTIONS: dict[str, dict[str, str]] = {
    "organization": {"zh": "报告单位的名称是什么？", "en": "What is the name of your organisation?"},
    "system": {
        "zh": "受影响的设施、系统或平台是什么？请简述其基本情况（用途、规模、部署位置等）。",
        "en": "Which facility, system or platform is affected? Describe it briefly (purpose, size, where it runs).",
    },
    "contact": {
        "zh": "联系人及联系方式？（如：张三 13800000000 zhangsan@example.com）",
        "en": "Who is the contact person, and how to reach them? (e.g. Zhang San +86 138 0000 0000 zs@example.com)",
    },
    "discovered_at": {
        "zh": "什么时候发现（获知）事件的？（如“2026-03-01 09:30”“30分钟前”“现在”）",
        "en": "When did you discover (learn of) the incident? (e.g. \"2026-03-01 09:30\", \"30 minutes ago\", \"now\")",
    },
    "occurred_at": {
        "zh": "事件大约什么时候发生？（如“今天9点”“2026-03-01 09:00”）",
        "en": "When did the incident happen, roughly? (e.g. \"today 9:00\", \"2026-03-01 09:00\")",
    },
    "location": {"zh": "事件发生在什么地点？（机房、城市、云服务区域等）", "en": "Where did it happen? (site, city, cloud region …)"},
    "type": {"zh": "事件属于什么类型？请点选，或直接输入。", "en": "What type of incident is it? Pick one or type it."},
    "level": {
        "zh": "事件级别？请点选（不确定可先用 /assess 评估，或点“稍后补充”）。",
        "en": "Which level is the incident? Pick one (not sure: grade it with /assess, or press \"Later\").",
    },
    "impact": {"zh": "目前已造成哪些影响和危害？", "en": "What impact and harm has it caused so far?"},
    "measures": {"zh": "已采取了哪些措施？效果如何？", "en": "What measures have you taken, and with what effect?"},
    "ransom.amount": {"zh": "勒索金额是多少？（含币种，如 2 BTC）", "en": "How much ransom is demanded? (with the currency, e.g. 2 BTC)"},
    "ransom.method": {
        "zh": "勒索方式？（勒索信、邮件或网页，要求的支付方式等）",
        "en": "How is the ransom demanded? (note, email or web page; the payment method asked for)",
    },
    "ransom.date": {"zh": "何时收到勒索要求？（日期或时间）", "en": "When was the ransom demanded? (date or time)"},
    "initial_report.at": {
        "zh": "首报是什么时间报送的？（如“2026-03-01 10:30”“今天10点半”）",
        "en": "When was the initial report made? (e.g. \"2026-03-01 10:30\", \"today 10:30\")",
    },
    "initial_report.to": {
        "zh": "首报报送给了哪个单位？通过什么渠道？（如“北京市网信办，12387热线”；有受理编号也可一并写上）",
        "en": "To whom was the initial report made, and how? (e.g. \"Beijing CAC, 12387 hotline\"; add a reference number if you have one)",
    },
    "late_reason": {
        "zh": "本报告已超过报告时限，报告中须说明迟报原因。迟报的原因是什么？",
        "en": "This report is past its deadline, and the report must say why. Why is it late?",
    },
    "addressee": {
        "zh": "最后，这份报告报送给哪个单位？请输入具体名称（如“北京市网信办”）；点“稍后补充”则写作“{generic}”。",
        "en": "Last: to whom does the report go? Type the body's name (e.g. \"Beijing Cyberspace Administration\"); with \"Later\" it says \"{generic}\".",
    },
    "trend": {"zh": "事态可能如何发展？可能造成哪些进一步的影响和危害？", "en": "How may the situation develop, and what further impact or harm may it cause?"},
    "cause": {"zh": "对事件原因的初步分析？", "en": "What is your preliminary analysis of the cause?"},
    "leads": {
        "zh": "有哪些溯源线索？（可能的攻击者信息、攻击路径、被利用的漏洞等）",
        "en": "What leads are there for tracing the source? (possible attacker, attack path, vulnerabilities exploited)",
    },
    "next_steps": {"zh": "下一步拟采取哪些应对措施？", "en": "Which further response measures do you plan?"},
    "support_requested": {"zh": "需要请求哪些支援？（没有可回答“无”）", "en": "What support do you request? (answer \"none\" if none)"},
    "scene_preservation": {
        "zh": "现场（日志、磁盘镜像、样本等证据）是如何保护的？",
        "en": "How is the scene preserved (logs, disk images, samples and other evidence)?",
    },
    "other": {"zh": "还有其他应当报告的情况吗？（没有可回答“无”）", "en": "Anything else that should be reported? (answer \"none\" if nothing)"},
    "handling_ended_at": {"zh": "事件处置是什么时候结束的？", "en": "When did handling of the incident end?"},
    "response": {"zh": "采取了哪些应急处置措施？", "en": "Which response measures were taken?"},
    "harm": {"zh": "事件最终造成了哪些危害（含损失）？", "en": "What harm did the incident do in the end (losses included)?"},
    "accountability": {"zh": "责任认定与处理情况如何？", "en": "How was accountability determined and dealt with?"},
    "remediation": {"zh": "采取或计划采取了哪些整改措施？", "en": "Which remediation measures were taken or are planned?"},
    "lessons": {"zh": "有哪些经验教训？", "en": "What lessons were learned?"},
}
TEXTS = {
    "kind": {"zh": "要起草哪种报告？", "en": "Which report do you want to draft?"},
    "suggest_summary": {
        "zh": "事件处置已于 {time} 结束，建议起草总结报告（处置结束后30日内提交）。",
        "en": "Handling ended at {time}, so a summary report is suggested (due within 30 days after handling ends).",
    },
    "suggested": {"zh": "{label}（建议）", "en": "{label} (suggested)"},
    "same_kind": {"zh": "正在起草的就是{kind}。", "en": "This is the {kind} already."},
    "paused": {
        "zh": "已退出{kind}的起草，已填的内容都保留；/report 可以继续。",
        "en": "Left the {kind} draft; everything filled in is kept, and /report continues it.",
    },
    "review": {
        "zh": "续报会逐一列出影响、措施、趋势、原因、溯源线索和后续措施的当前内容：有新情况就输入最新情况，没有变化请点“保持不变”。",
        "en": "The supplementary report shows the impact, measures, trend, cause, leads and next steps as they stand: type what is new, or press \"Keep\" if nothing changed.",
    },
    "update": {"zh": "上次报告以来有新情况吗？", "en": "Anything new since the last report?"},
    "prefilled": {
        "zh": "开始起草{kind}。评估中已知的事项（级别、时间、报送对象）已自动填入。每一项都可点“稍后补充”跳过，报告中会标注“待补报”。",
        "en": "Drafting the {kind}. What the assessment already knows (level, times, recipients) is filled in. Any item can be skipped with \"Later\"; the report then marks it \"to be supplemented\".",
    },
    "fresh": {
        "zh": "开始起草{kind}。每一项都可点“稍后补充”跳过，报告中会标注“待补报”。（先用 /assess 评估，可自动填入级别、报送对象和时限。）",
        "en": "Drafting the {kind}. Any item can be skipped with \"Later\"; the report then marks it \"to be supplemented\". (Run /assess first to fill in the level, recipients and deadlines.)",
    },
    "draft": {
        "zh": "你有一份{kind}草稿（已填 {count} 项）。继续修改，据此起草续报或总结报告，还是重新开始？",
        "en": "You have a draft {kind} ({count} items filled). Continue it, build a supplementary or summary report on it, or start over?",
    },
    "finished": {
        "zh": "你已生成一份{kind}（已填 {count} 项）。查看或修改后重新生成，据此起草续报或总结报告，还是重新开始？",
        "en": "You have a finished {kind} ({count} items filled). Review it (and generate it again), build a supplementary or summary report on it, or start over?",
    },
    "current": {"zh": "当前：{value}", "en": "Now: {value}"},
    "type_other": {"zh": "请直接输入事件类型。", "en": "Type the kind of incident."},
    "addressee_unknown": {
        "zh": "最后，这份报告报送给哪个单位？请输入具体名称（如“北京市网信办”）；不清楚可先用 /assess 评估，或点“稍后补充”。",
        "en": "Last: to whom does the report go? Type the body's name (e.g. \"Beijing Cyberspace Administration\"); not sure: run /assess, or press \"Later\".",
    },
    "preview": {
        "zh": "以上为预览。确认无误请点“确认生成”；要修改，点“修改”选择要改的项，或直接输入项目名称（如“原因”）。",
        "en": "That is the preview. Press \"Finish\" if it is right; to change something, press \"Edit\" and pick the item, or type the item's name (e.g. \"cause\").",
    },
    "preview_unclear": {
        "zh": "没能理解。预览见上方：确认无误请点“确认生成”；要修改，点“修改”或输入项目名称（如“原因”）。输入 /cancel 可退出。",
        "en": "I couldn't take that. The preview is above: press \"Finish\" if it is right; to change something, press \"Edit\" or type the item's name (e.g. \"cause\"). /cancel leaves.",
    },
    "preview_again": {
        "zh": "预览见上方：确认无误请点“确认生成”，要修改请点“修改”。",
        "en": "The preview is above: press \"Finish\" if it is right, \"Edit\" to change something.",
    },
    "edit": {"zh": "要修改哪一项？点选，或输入编号或名称。", "en": "Which item do you want to change? Pick it, or type its number or name."},
    "edit_section": {"zh": "第{number}项包括以下内容，要修改哪一个？", "en": "Item {number} holds these; which one do you want to change?"},
    "done": {
        "zh": "报告已生成（三个文件内容相同）：.docx 用于打印、盖章或作附件，.txt 可粘贴到邮件正文或网页表单，.md 供支持 Markdown 的系统使用。",
        "en": "Your report is ready (three files, the same content): the .docx to print, stamp or attach, the .txt to paste into an email or a web form, the .md for systems that read Markdown. Chinese authorities expect Chinese: /lang zh, then /report → 查看 → 确认生成 gives the Chinese version.",
    },
    "done_missing": {
        "zh": "标注“待补报”的事项查明后请及时补报：输入 /report 即可据此起草续报。",
        "en": "Supplement the items marked \"to be supplemented\" promptly once known: type /report to build a supplementary report on this one.",
    },
    "years": {
        "zh": f"这个时间不在{MIN_YEAR}年至{MAX_YEAR}年之间，请检查年份后重新输入（如“2026-03-01 09:30”）。",
        "en": f"That time is not between the years {MIN_YEAR} and {MAX_YEAR}; please check the year and type it again (e.g. \"2026-03-01 09:30\").",
    },
    "item_cut": {
        "zh": f"这一项超过{ITEM_LIMIT}个字符，只保存了前{ITEM_LIMIT}个字符；更多内容可附在报告之后另行提交。",
        "en": f"That item was longer than {ITEM_LIMIT:,} characters; only the first {ITEM_LIMIT:,} were kept. Send anything longer along with the report.",
    },
    "future": {"zh": "这个时间（{time}）晚于现在（{now}），请输入已经过去的时间。", "en": "That time ({time}) is later than now ({now}); please give a time already past."},
    "order": {"zh": "{this}（{time}）{relation}{other}（{other_time}）{why}，请核对。", "en": "{this} ({time}) is {relation} {other} ({other_time}){why}; please check."},
    "before": {"zh": "早于", "en": "before"},
    "after": {"zh": "晚于", "en": "after"},
    "unseen": {"zh": "：事件不可能在发生之前就被发现", "en": ": an incident cannot be discovered before it happens"},
    "first": {"zh": "已经是第一项了。", "en": "This is the first item."},
    "fix_times": {
        "zh": "报告暂时无法生成：{problem}点下方按钮修改相应的时间。",
        "en": "The report cannot be generated yet. {problem} Press a button below to change one of the times.",
    },
    "invalid": {
        "zh": "报告暂时无法生成：草稿中有相互矛盾的内容（例如各项时间与评估中的时间先后不符）。请点“修改”核对各项，或点“重新开始”。",
        "en": "The report cannot be generated yet: the draft contradicts itself (its times and the assessment's may be out of order, for example). Press \"Edit\" to check the items, or \"Start over\".",
    },
}
# The times a report states, in the order they happen; how each is named in a sentence.
TIME_ORDER = ("occurred_at", "discovered_at", "handling_ended_at")
TIME_NAMES = {
    "occurred_at": {"zh": "发生时间", "en": "the occurrence time"},
    "discovered_at": {"zh": "发现时间", "en": "the discovery time"},
    "handling_ended_at": {"zh": "处置结束时间", "en": "the end of handling"},
}
# What a supplementary report updates: the items that change while an incident is handled.
UPDATES = ("impact", "measures", "trend", "cause", "leads", "next_steps")
BUTTONS = {
    "later": {"zh": "稍后补充", "en": "Later"},
    "back": {"zh": "返回上一步", "en": "Back"},
    "keep": {"zh": "保持不变", "en": "Keep"},
    "preview": {"zh": "预览", "en": "Preview"},
    "finish": {"zh": "确认生成", "en": "Finish"},
    "edit": {"zh": "修改", "en": "Edit"},
    "continue": {"zh": "继续", "en": "Continue"},
    "review": {"zh": "查看", "en": "Review"},
    "new": {"zh": "重新开始", "en": "Start over"},
}
KIND_BUTTONS: dict[Kind, dict[str, str]] = {
    "initial": {"zh": "首报", "en": "Initial report"},
    "supplement": {"zh": "续报（补报）", "en": "Supplementary report"},
    "summary": {"zh": "总结报告", "en": "Summary report"},
}
INCIDENT_TYPES = {
    "ransomware": {"zh": "勒索软件", "en": "Ransomware"},
    "data_leak": {"zh": "数据泄露", "en": "Data leak"},
    "defacement": {"zh": "网页篡改", "en": "Web defacement"},
    "ddos": {"zh": "DDoS攻击", "en": "DDoS attack"},
    "outage": {"zh": "系统故障", "en": "System failure"},
    "other": {"zh": "其他", "en": "Other"},
}
# Typed instead of an answer, in either language: skip the item like the "Later" button (folded, as typed() gives).
SKIP_WORDS = frozenset(
    (
        *("稍后", "稍后补充", "稍后再说", "以后再说", "跳过", "先跳过", "待补报"),
        *("暂不清楚", "不清楚", "尚不清楚", "还不清楚", "不知道", "还不知道", "不确定", "暂不确定", "说不好", "不好说"),
        *("later", "skip", "tbd", "n/a", "unknown", "to be supplemented"),
        *("don't know", "dont know", "i don't know", "i dont know", "idk", "not sure", "unsure", "no idea", "not known yet"),
    )
)
EDIT_WORDS = re.compile(r"^(?:(?:修改|更改|更正|改|编辑|edit|change|fix)\s*)?(?:第|item|no\.?)?\s*")
# Linear on any text: an address starts only where a run of its characters starts (the lookbehind), so a long
# run is scanned once, not once per character; the domain's parts are possessive (nothing to backtrack).
EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]++(?:\.[\w-]++)+")
PHONE = re.compile(r"\+?\d[\d\s()-]{5,}\d", re.ASCII)
CONTACT_WORDS = re.compile(r"联系人|联系方式|电话|手机|邮箱|\b(?:contact|phone|tel|mobile|e-?mail|name)\b|[:：,，;；、/]", re.IGNORECASE)


class ReportFlow:
    name = NAME

    def title(self, lang: str) -> str:
        return pick(TITLE, lang)

    def start(self, state: ChatState, ctx: Ctx) -> list[Reply]:
        """A new draft begins with the choice of kind (a summary is suggested once handling has ended, which the
        initial report's questions would not notice); an existing one with what to do with it. A finished
        report is no conversation under way: its choices are offered with state.active left None."""
        draft = state.flows.get(NAME)
        if draft is not None and draft["kind"] is not None:
            _prefill(draft, state, ctx)
            _refresh_late(draft, ctx)
            if draft["step"] == "done":
                state.active = None
            else:
                draft["step"] = "choose"
            return self.prompt(state, ctx)
        draft = {"kind": None, "facts": {}, "skipped": [], "review": [], "step": "kind"}  # a kind-less draft holds nothing typed
        state.flows[NAME] = draft
        _prefill(draft, state, ctx)
        wanted = report_kind_in(ctx.said)  # "我要补报一下": the kind asked for is chosen at once
        return self._set_kind(state, draft, wanted, ctx) if wanted else self.prompt(state, ctx)

    def prompt(self, state: ChatState, ctx: Ctx) -> list[Reply]:
        draft = state.flows[NAME]
        _refresh_late(draft, ctx)
        step = draft["step"]
        lang = ctx.lang
        if step in ("choose", "done"):
            kind = pick(KIND_NAMES[draft["kind"]], lang)
            finished = step == "done"
            buttons = [Button(pick(BUTTONS["review" if finished else "continue"], lang), f"{NAME}:continue")]
            buttons += [Button(pick(KIND_BUTTONS[k], lang), f"{NAME}:kind:{k}") for k in ("supplement", "summary")]
            buttons.append(Button(pick(BUTTONS["new"], lang), f"{NAME}:new"))
            text = pick(TEXTS["finished" if finished else "draft"], lang)
            return [Reply(text.format(kind=kind, count=_count(draft["facts"])), buttons)]
        if step == "kind":
            return [self._kind_question(draft, lang)]
        if step == "preview":
            return self._preview(draft, ctx)
        if step == "edit":
            specs = [spec for spec in _sections(draft) if _section_questions(draft, spec)]  # not the timeline: not asked
            buttons = [Button(f"{s.number}. {pick(s.short, lang)}", f"{NAME}:section:{s.number}") for s in specs]
            buttons += [Button(FIELDS[key].button(lang), f"{NAME}:field:{key}") for key in ("contact", *LAST_QUESTIONS)]
            buttons.append(Button(pick(BUTTONS["preview"], lang), f"{NAME}:preview"))
            return [Reply(pick(TEXTS["edit"], lang), buttons)]
        if step.startswith("edit:"):
            number = int(step.partition(":")[2])
            spec = _section(draft, number)
            if spec is None:  # an item no longer in the report (the late reason, once on time)
                draft["step"] = "edit"
                return self.prompt(state, ctx)
            buttons = [Button(_button_label(key, lang), f"{NAME}:field:{key}") for key in _section_questions(draft, spec)]
            return [Reply(pick(TEXTS["edit_section"], lang).format(number=number), buttons)]
        return [self._question(draft, step, ctx)]

    def handle(self, state: ChatState, text: str, ctx: Ctx) -> list[Reply] | None:
        draft = state.flows.get(NAME)
        if draft is None:
            return self.start(state, ctx)
        _refresh_late(draft, ctx)
        prefix, colon, action = text.partition(":")
        if colon and prefix == NAME:
            return self._press(state, draft, action, ctx)
        step = draft["step"]
        kind = report_kind_in(text)
        if kind is not None:
            return self._typed_kind(state, draft, kind, ctx)
        if step == "preview":
            return self._edit_target(state, draft, text, ctx) or self._preview_unclear(draft, text, ctx)
        if step == "edit" or step.startswith("edit:"):
            return self._edit_target(state, draft, text, ctx)
        if step in ("choose", "kind", "done") or text.rstrip().endswith(("?", "？")):
            return None
        instruction = report_instruction(text)
        if instruction is not None:
            return self._instruction(state, draft, *instruction, ctx)
        if typed(text) in SKIP_WORDS:
            return self._skip(state, draft, ctx)
        if typed(text) in BACK_WORDS:
            return self._back(state, draft, ctx)
        if _out_of_range(step, text, ctx):
            return [self._question(draft, step, ctx, note=pick(TEXTS["years"], ctx.lang))]
        text, was_cut = cut(text, ITEM_LIMIT)
        value = _parse_answer(step, text, ctx)
        if value is None:
            return None
        problem = _problem(draft, step, value, ctx)
        if problem is not None:
            return [self._question(draft, step, ctx, note=problem)]
        _store(draft["facts"], step, value)
        _settle(draft, step)
        replies = self._next(state, draft, ctx)
        return [Reply(pick(TEXTS["item_cut"], ctx.lang)), *replies] if was_cut else replies

    # ------------------------------------------------------------------ buttons
    def _press(self, state: ChatState, draft: dict[str, Any], action: str, ctx: Ctx) -> list[Reply] | None:
        """What a button of this flow does; unknown data is not an answer (None)."""
        verb, _, argument = action.partition(":")
        if verb == "start":
            return self.start(state, ctx)
        if verb == "new":
            state.flows.pop(NAME)
            return self.start(state, ctx)
        if verb == "kind" and argument in KINDS:
            return self._set_kind(state, draft, argument, ctx)
        if draft["kind"] is None:
            return self.prompt(state, ctx)  # nothing else makes sense before the kind is chosen
        if verb == "continue":
            return self._next(state, draft, ctx)
        if verb == "skip" and draft["step"] in _all_questions(draft):
            return self._skip(state, draft, ctx)
        if verb == "back" and draft["step"] in _all_questions(draft):
            return self._back(state, draft, ctx)
        if verb == "keep" and draft["step"] in _all_questions(draft):
            _settle(draft, draft["step"])
            return self._next(state, draft, ctx)
        if verb == "type" and argument in INCIDENT_TYPES and draft["step"] == "type":
            if argument == "other":
                return [Reply(pick(TEXTS["type_other"], ctx.lang), _question_buttons(draft, "type", ctx.lang, choices=False))]
            draft["facts"]["type"] = {"choice": argument}
            _settle(draft, "type")
            return self._next(state, draft, ctx)
        if verb == "level" and argument in LEVELS and draft["step"] == "level":
            draft["facts"]["level"] = argument
            _settle(draft, "level")
            return self._next(state, draft, ctx)
        if verb == "preview":
            # Items not reached yet are left "to be supplemented"; those under review keep their value.
            draft["skipped"] += [key for key in _open_questions(draft) if _value(draft["facts"], key) is None]
            draft["review"] = []
            draft["step"] = "preview"
            return self.prompt(state, ctx)
        if verb == "edit":
            draft["step"] = "edit"
            return self.prompt(state, ctx)
        spec = _section(draft, ascii_int(argument)) if verb == "section" else None
        if spec is not None:
            return self._edit_section(state, draft, spec, ctx)
        if verb == "field" and argument in _all_questions(draft):
            return self._ask(state, draft, argument, ctx)
        if verb == "finish":
            return self._finish(state, draft, ctx)
        return None

    # ------------------------------------------------------------------ steps
    def _set_kind(self, state: ChatState, draft: dict[str, Any], kind: Kind, ctx: Ctx) -> list[Reply]:
        """Choose the report kind; items skipped earlier are asked again (a supplement is where they belong),
        and a supplement asks for the news on every item that changes as handling goes on."""
        draft["kind"] = kind
        _refresh_late(draft, ctx)
        draft["skipped"] = []
        draft["review"] = [key for key in UPDATES if _value(draft["facts"], key) is not None] if kind == "supplement" else []
        intro = pick(TEXTS["prefilled" if draft["facts"].get("assessment") else "fresh"], ctx.lang).format(kind=pick(KIND_NAMES[kind], ctx.lang))
        if draft["review"]:
            intro += "\n" + pick(TEXTS["review"], ctx.lang)
        replies = self._next(state, draft, ctx)
        replies.insert(0, Reply(intro))
        return replies

    def _typed_kind(self, state: ChatState, draft: dict[str, Any], kind: Kind, ctx: Ctx) -> list[Reply]:
        """A kind named in words: chosen, unless it is the kind of the draft under way (then only said so)."""
        if kind != draft["kind"] or draft["step"] in ("kind", "choose", "done"):
            return self._set_kind(state, draft, kind, ctx)
        same = Reply(pick(TEXTS["same_kind"], ctx.lang).format(kind=pick(KIND_NAMES[kind], ctx.lang)))
        if draft["step"] == "preview":
            return [same, self._preview_buttons(pick(TEXTS["preview_again"], ctx.lang), ctx)]
        return [same, *self.prompt(state, ctx)]

    def _kind_question(self, draft: dict[str, Any], lang: str) -> Reply:
        """Which report: the kind the facts suggest is marked, and a summary's suggestion says why."""
        suggested = _suggested_kind(draft)
        lines = [pick(TEXTS["kind"], lang)]
        ended = _stored_time(draft["facts"].get("handling_ended_at"))
        if suggested == "summary" and ended is not None:
            lines.insert(0, pick(TEXTS["suggest_summary"], lang).format(time=clock(ended)))
        buttons = []
        for kind in KINDS:
            label = pick(KIND_BUTTONS[kind], lang)
            if kind == suggested:
                label = pick(TEXTS["suggested"], lang).format(label=label)
            buttons.append(Button(label, f"{NAME}:kind:{kind}"))
        return Reply("\n".join(lines), buttons)

    def _next(self, state: ChatState, draft: dict[str, Any], ctx: Ctx) -> list[Reply]:
        """The first item still open, or the preview when none is."""
        open_questions = _open_questions(draft)
        draft["step"] = open_questions[0] if open_questions else "preview"
        return self.prompt(state, ctx)

    def _ask(self, state: ChatState, draft: dict[str, Any], key: str, ctx: Ctx) -> list[Reply]:
        draft["step"] = key
        return self.prompt(state, ctx)

    def _instruction(self, state: ChatState, draft: dict[str, Any], verb: str, number: int | None, ctx: Ctx) -> list[Reply]:
        """An instruction typed where an item is asked ("来不及了 直接出报告吧", "下一项", "取消", "改一下第二项"):
        done, never stored as the item's text."""
        if verb == "skip":
            return self._skip(state, draft, ctx)
        if verb == "cancel":
            state.active = None
            return [Reply(pick(TEXTS["paused"], ctx.lang).format(kind=pick(KIND_NAMES[draft["kind"]], ctx.lang)))]
        spec = _section(draft, number) if verb == "edit" else None
        if spec is not None:
            return self._edit_section(state, draft, spec, ctx)
        draft["step"] = "preview"
        return self.prompt(state, ctx)

    def _skip(self, state: ChatState, draft: dict[str, Any], ctx: Ctx) -> list[Reply]:
        """"Later": the item is left empty (the report marks it 待补报) and the next open one is asked."""
        _clear(draft["facts"], draft["step"])
        _settle(draft, draft["step"])
        if draft["step"] not in draft["skipped"]:
            draft["skipped"].append(draft["step"])
        return self._next(state, draft, ctx)

    def _back(self, state: ChatState, draft: dict[str, Any], ctx: Ctx) -> list[Reply]:
        """The item before the current one in report order, shown with its value (kept unless changed)."""
        previous = _previous(draft, draft["step"])
        if previous is None:
            return [self._question(draft, draft["step"], ctx, note=pick(TEXTS["first"], ctx.lang))]
        return self._ask(state, draft, previous, ctx)

    def _edit_section(self, state: ChatState, draft: dict[str, Any], spec: SectionSpec, ctx: Ctx) -> list[Reply]:
        keys = _section_questions(draft, spec)
        if len(keys) == 1:
            return self._ask(state, draft, keys[0], ctx)
        draft["step"] = f"edit:{spec.number}"
        return self.prompt(state, ctx)

    def _edit_target(self, state: ChatState, draft: dict[str, Any], text: str, ctx: Ctx) -> list[Reply] | None:
        """'3', '原因', '修改 原因', 'edit cause': the item the user wants to change, if the text names one."""
        target = EDIT_WORDS.sub("", fold(text).strip()).strip().rstrip("项")
        number = ascii_int(target)
        if number is not None:
            spec = _section(draft, number)
            return self._edit_section(state, draft, spec, ctx) if spec else None
        key = _match_field(draft, target)
        if key is not None:
            return self._ask(state, draft, key, ctx)
        spec = next((s for s in _sections(draft) if target in {fold(v) for v in s.short.values()}), None)
        spec = _section(draft, spec.number) if spec is not None else None
        return self._edit_section(state, draft, spec, ctx) if spec else None

    def _question(self, draft: dict[str, Any], key: str, ctx: Ctx, note: str | None = None) -> Reply:
        lang = ctx.lang
        lines = [note] if note else []
        if key in draft.get("review", ()):
            lines.append(pick(TEXTS["update"], lang))
        current = _current(draft, key, ctx)
        if current is not None:
            lines.append(pick(TEXTS["current"], lang).format(value=current))
        if key == "addressee":
            generic = _generic_addressee(draft, ctx)
            lines.append(pick(QUESTIONS[key] if generic else TEXTS["addressee_unknown"], lang).format(generic=generic))
        else:
            lines.append(pick(QUESTIONS[key], lang))
        return Reply("\n".join(lines), _question_buttons(draft, key, lang, choices=True))

    def _preview(self, draft: dict[str, Any], ctx: Ctx) -> list[Reply]:
        """The report as it will be sent, then (outside it) the notes meant for the user only, then the question."""
        try:
            report = _report(draft, ctx)
        except FactsError:
            return [self._invalid(draft, ctx)]
        parts = [render_text(report, "md").rstrip()]
        internal = internal_text(report)
        if internal:
            parts.append(internal)
        parts.append(pick(TEXTS["preview"], ctx.lang))
        return [self._preview_buttons("\n\n".join(parts), ctx)]

    def _preview_buttons(self, text: str, ctx: Ctx) -> Reply:
        return Reply(text, [Button(pick(BUTTONS["finish"], ctx.lang), f"{NAME}:finish"), Button(pick(BUTTONS["edit"], ctx.lang), f"{NAME}:edit")])

    def _preview_unclear(self, draft: dict[str, Any], text: str, ctx: Ctx) -> list[Reply]:
        """Text at the preview that names no item: a question gets its answer, anything else a short word —
        with the preview's buttons, not the whole report again (it is right above). A draft that cannot be
        rendered gets its own short message again instead."""
        answer = ctx.kb.ask(text, ctx.lang)
        replies = [Reply(answer.display())] if answer.matched or answer.topic == "help" else []
        try:
            _report(draft, ctx)
        except FactsError:
            return [*replies, self._invalid(draft, ctx)]
        note = pick(TEXTS["preview_again" if replies else "preview_unclear"], ctx.lang)
        return [*replies, self._preview_buttons(note, ctx)]

    def _invalid(self, draft: dict[str, Any], ctx: Ctx) -> Reply:
        """A draft the report cannot be built from, said in the user's words (never the internal error): times
        out of order name the times with a button for each; anything else offers the edit menu or a fresh start."""
        lang = ctx.lang
        conflict = _time_conflict(draft)
        if conflict is None:
            return Reply(pick(TEXTS["invalid"], lang), [Button(pick(BUTTONS["edit"], lang), f"{NAME}:edit"), Button(pick(BUTTONS["new"], lang), f"{NAME}:new")])
        later, earlier = conflict
        times = _times(draft)
        problem = _order_text(later, times[later], earlier, times[earlier], lang)
        questions = _all_questions(draft)
        buttons = [Button(_button_label(key, lang), f"{NAME}:field:{key}") for key in (later, earlier) if key in questions]
        buttons.append(Button(pick(BUTTONS["edit"], lang), f"{NAME}:edit"))
        return Reply(pick(TEXTS["fix_times"], lang).format(problem=problem), buttons)

    def _finish(self, state: ChatState, draft: dict[str, Any], ctx: Ctx) -> list[Reply]:
        """The report made now (its report time is this moment), as text in the chat, then one message with
        the three files (.docx, .txt, .md: the same content) and the internal matter the document leaves out.
        A report that has turned late since its items were asked asks the late reason first."""
        try:
            report = _report(draft, ctx)
        except FactsError:
            return [self._invalid(draft, ctx)]
        if report.late and _value(draft["facts"], "late_reason") is None and "late_reason" not in draft["skipped"]:
            return self._ask(state, draft, "late_reason", ctx)
        markdown = render_text(report, "md")
        stem = f"incident-report-{draft['kind']}-{ctx.lang}"
        files = [
            FileOut(f"{stem}.docx", render_docx(report), DOCX_MIME),
            FileOut(f"{stem}.txt", render_text(report, "txt").encode("utf-8"), "text/plain; charset=utf-8"),
            FileOut(f"{stem}.md", markdown.encode("utf-8"), "text/markdown; charset=utf-8"),
        ]
        draft["step"] = "done"
        draft["finished_at"] = ctx.now.isoformat(timespec="seconds")
        state.active = None
        lang = ctx.lang
        buttons = [Button(pick(BUTTONS["edit"], lang), f"{NAME}:edit")]
        if draft["kind"] == "initial":
            buttons.append(Button(pick(KIND_BUTTONS["supplement"], lang), f"{NAME}:kind:supplement"))
        done = pick(TEXTS["done"], lang)
        if report.incomplete:
            done += "\n" + pick(TEXTS["done_missing"], lang)
        internal = internal_text(report)
        if internal:
            done += "\n\n" + internal
        return [Reply(markdown), Reply(done, buttons, files=files)]


# ---------------------------------------------------------------------- the draft's data
def _prefill(draft: dict[str, Any], state: ChatState, ctx: Ctx) -> None:
    """Copy what the assessment knows into the draft.

    The assessment input is replaced by the newest one (it only routes the report); level and times are
    filled only where the draft has none, so nothing the user typed in the draft is overwritten.
    """
    assess = state.flows.get("assess") or {}
    answers = {key: value for key, value in (assess.get("answers") or {}).items() if key in ASSESS_KEYS and key != "lang"}
    if not answers or not assess.get("result"):
        return  # an assessment under way holds answers that may not add up yet (no level means no "一般" either)
    try:
        parse_assess_input(answers, ctx.now)
    except AssessError:
        return  # an assessment abandoned half-way can hold answers that do not add up yet
    facts = draft["facts"]
    facts["assessment"] = answers
    level = (assess.get("result") or {}).get("level") or answers.get("level")
    if level in LEVEL_ALIASES:
        facts.setdefault("level", LEVEL_ALIASES[level])
    for key in ("discovered_at", "handling_ended_at"):
        if answers.get(key):
            facts.setdefault(key, answers[key])
    if answers.get("incident_type") in INCIDENT_TYPES and answers["incident_type"] != "other":
        facts.setdefault("type", {"choice": answers["incident_type"]})
    _from_incident(facts, state, ctx.lang)


def _from_incident(facts: dict[str, Any], state: ChatState, lang: str) -> None:
    """What the incident's record knows: when and to whom the initial report was made (a duty marked reported;
    what the user typed in the draft wins) and the timeline (derived afresh, for the summary report)."""
    incident = incidents.current(state)
    if incident is None:
        return
    initial = next((record for duty, record in incident["duties"].items() if duty.startswith("initial:") and record.get("status") == "done"), None)
    if initial is not None and initial.get("at"):
        duty = next(duty for duty, record in incident["duties"].items() if record is initial)
        made = {"at": initial["at"], "to": recipients(duty.partition(":")[2].split("+"), lang)}
        made.update({key: initial[value] for key, value in (("channel", "how"), ("reference", "ref")) if initial.get(value)})
        facts.setdefault("initial_report", made)
    if incident["timeline"]:
        facts["timeline"] = [{"at": entry["at"], "text": incidents.timeline_text(entry, lang)} for entry in incident["timeline"]]


def _refresh_late(draft: dict[str, Any], ctx: Ctx) -> None:
    """Whether the report, made now, is past its own deadline (then it asks and states the late reason): kept in
    draft["late"] for the questions' order, counted again at every message, since drafting takes time."""
    if draft.get("kind") is None:
        draft.pop("late", None)
        return
    try:
        draft["late"] = _report(draft, ctx).late
    except FactsError:
        pass  # a draft that does not validate says so at the preview; its late mark stays as it was


def _generic_addressee(draft: dict[str, Any], ctx: Ctx) -> str | None:
    """The body the report is addressed to when the user names none (from the assessment), or None."""
    facts = {key: value for key, value in draft["facts"].items() if key != "addressee"}
    try:
        return _report({**draft, "facts": facts}, ctx).addressee
    except FactsError:
        return None


def _suggested_kind(draft: dict[str, Any]) -> Kind:
    """A summary once handling has ended (the initial report is due long before), else the initial report."""
    return "summary" if draft["facts"].get("handling_ended_at") else "initial"


def _settle(draft: dict[str, Any], key: str) -> None:
    """An item answered, kept or skipped: no longer waiting to be asked or reviewed."""
    for pending in (draft["skipped"], draft.get("review", [])):
        if key in pending:
            pending.remove(key)


def _sections(draft: dict[str, Any]) -> tuple[SectionSpec, ...]:
    """The numbered items of the draft's report: with the late reason while it is late (draft["late"])."""
    return sections_of(draft["kind"], bool(draft.get("late")))


def _questions(draft: dict[str, Any]) -> list[str]:
    """Every question of the draft's kind, in report order (contact after the affected system, the addressee
    last); the timeline, which the chat does not ask, is none."""
    keys: list[str] = []
    for spec in _sections(draft):
        for key in spec.fields:
            if key == "ransom":
                keys += RANSOM_QUESTIONS if _ransom_applies(draft["facts"]) else []
            elif key == "initial_report":
                keys += INITIAL_QUESTIONS
            elif key != "timeline":
                keys.append(key)
            if key == "system":
                keys.append("contact")
    return keys + list(LAST_QUESTIONS)


def _all_questions(draft: dict[str, Any]) -> list[str]:
    """The questions plus the ransom ones, which an edit may reach even before the type says ransomware."""
    keys = _questions(draft)
    return keys if set(RANSOM_QUESTIONS) <= set(keys) else keys + list(RANSOM_QUESTIONS)


def _open_questions(draft: dict[str, Any]) -> list[str]:
    """The items still to ask: empty and not skipped, or under review in a supplement."""
    review = draft.get("review", ())
    return [key for key in _questions(draft) if key in review or (key not in draft["skipped"] and _value(draft["facts"], key) is None)]


def _previous(draft: dict[str, Any], key: str) -> str | None:
    """The question before `key` in report order; None for the first (or one outside the order)."""
    questions = _questions(draft)
    position = questions.index(key) if key in questions else 0
    return questions[position - 1] if position > 0 else None


def _ransom_applies(facts: dict[str, Any]) -> bool:
    return is_ransomware(_type_text(facts.get("type"), "en")) or bool(facts.get("ransom"))


def _type_text(value: Any, lang: str) -> str | None:
    """The incident type as the report states it: a button's choice named in `lang`, typed text as typed."""
    if isinstance(value, dict):
        return pick(INCIDENT_TYPES[value["choice"]], lang)
    return value


def _value(facts: dict[str, Any], key: str) -> Any:
    group, dot, part = key.partition(".")
    if dot:
        return (facts.get(group) or {}).get(part)
    return facts.get(key)


def _store(facts: dict[str, Any], key: str, value: Any) -> None:
    group, dot, part = key.partition(".")
    if dot:
        facts.setdefault(group, {})[part] = value
    else:
        facts[key] = value


def _clear(facts: dict[str, Any], key: str) -> None:
    group, dot, part = key.partition(".")
    if dot:
        (facts.get(group) or {}).pop(part, None)
    else:
        facts.pop(key, None)


def _count(facts: dict[str, Any]) -> int:
    """How many items the draft holds (the assessment, which only routes the report, and the timeline, which
    the incident's record keeps, not counted)."""
    return sum(1 for key, value in facts.items() if key not in ("assessment", "timeline") and value)


def _report(draft: dict[str, Any], ctx: Ctx) -> Report:
    facts = dict(draft["facts"])
    if "type" in facts:
        facts["type"] = _type_text(facts["type"], ctx.lang)
    return build_report(draft["kind"], ctx.lang, validate_facts(facts), ctx.now)


def _times(draft: dict[str, Any]) -> dict[str, datetime]:
    """The times the report will state: the draft's own, else the assessment's (discovery, end of handling)."""
    assessment = draft["facts"].get("assessment") or {}
    times = {}
    for key in TIME_ORDER:
        moment = _stored_time(draft["facts"].get(key) or assessment.get(key))
        if moment is not None:
            times[key] = moment
    return times


def _stored_time(value: Any) -> datetime | None:
    """A time kept in the draft, or None if there is none that can stand: a draft saved before times were
    checked may hold one outside 1992–2100 (even one no datetime can convert); the preview then refuses it
    and the user gives it again, instead of every message failing on it."""
    try:
        moment = parse_iso(value) if isinstance(value, str) else None
    except (ValueError, OverflowError):
        return None
    return moment if moment is not None and MIN_YEAR <= moment.year <= MAX_YEAR else None


def _time_conflict(draft: dict[str, Any]) -> tuple[str, str] | None:
    """(later key, earlier key) of the first two times out of order, or None when they keep their order."""
    times = _times(draft)
    for position, later in enumerate(TIME_ORDER):
        for earlier in TIME_ORDER[:position]:
            if later in times and earlier in times and times[later] < times[earlier]:
                return later, earlier
    return None


def _order_text(key: str, moment: datetime, other: str, other_moment: datetime, lang: str) -> str:
    """'处置结束时间（…）早于发现时间（…），请核对。' — why two times cannot both stand."""
    relation = pick(TEXTS["before" if moment < other_moment else "after"], lang)
    why = pick(TEXTS["unseen"], lang) if {key, other} == {"occurred_at", "discovered_at"} else ""
    this = pick(TIME_NAMES[key], lang)
    return pick(TEXTS["order"], lang).format(
        this=this[0].upper() + this[1:], time=clock(moment), relation=relation, other=pick(TIME_NAMES[other], lang), other_time=clock(other_moment), why=why
    )


def _section(draft: dict[str, Any], number: int | None) -> SectionSpec | None:
    """The numbered item `number` of the draft's report, if the chat can ask anything in it."""
    spec = next((spec for spec in _sections(draft) if spec.number == number), None)
    return spec if spec is not None and _section_questions(draft, spec) else None


def _section_questions(draft: dict[str, Any], spec: SectionSpec) -> list[str]:
    """The questions behind one numbered item of the report (the ransom ones only where they apply)."""
    questions = _questions(draft)
    expanded = {"ransom": RANSOM_QUESTIONS, "initial_report": INITIAL_QUESTIONS}
    return [q for key in spec.fields for q in expanded.get(key, (key,)) if q in questions]


def _match_field(draft: dict[str, Any], target: str) -> str | None:
    """The question a folded name points at: an exact label, short label or alias first, then the longest
    alias the text contains."""
    if not target:
        return None
    candidates: list[tuple[str, str]] = []
    for key in _all_questions(draft):
        group, dot, part = key.partition(".")
        if dot:
            names = list(PARTS[group][part].values())
        else:
            field = FIELDS[key]
            names = [*field.label.values(), *(field.short or {}).values(), *field.aliases]
        candidates += [(fold(name), key) for name in names]
    for name, key in candidates:
        if name == target:
            return key
    contained = [(len(name), key) for name, key in candidates if name in target]
    return max(contained)[1] if contained else None


def _current(draft: dict[str, Any], key: str, ctx: Ctx) -> str | None:
    """The current value of an item as the report shows it, for "Now: …" when editing."""
    value = _value(draft["facts"], key)
    if value is None:
        return None
    if key == "level":
        return pick(LEVEL_NAMES[value], ctx.lang)
    if key == "contact":
        return " ".join(value[part] for part in ("name", "phone", "email") if part in value)
    if key == "type":
        return _type_text(value, ctx.lang)
    if key == "ransom.date" and len(value) == 10:
        return value
    if _is_time(key):
        moment = _stored_time(value)
        return clock(moment) if moment is not None else None
    return str(value)


def _button_label(key: str, lang: str) -> str:
    group, dot, part = key.partition(".")
    if dot:
        return pick(PARTS[group][part], lang)
    return FIELDS[key].button(lang)


def _question_buttons(draft: dict[str, Any], key: str, lang: str, choices: bool) -> list[Button]:
    buttons: list[Button] = []
    if choices and key == "type":
        buttons += [Button(pick(label, lang), f"{NAME}:type:{k}") for k, label in INCIDENT_TYPES.items()]
    if choices and key == "level":
        buttons += [Button(pick(LEVEL_NAMES[level], lang), f"{NAME}:level:{level}") for level in reversed(LEVELS)]
    if _value(draft["facts"], key) is not None:
        buttons.append(Button(pick(BUTTONS["keep"], lang), f"{NAME}:keep"))
    buttons.append(Button(pick(BUTTONS["later"], lang), f"{NAME}:skip"))
    buttons.append(Button(pick(BUTTONS["preview"], lang), f"{NAME}:preview"))
    if _previous(draft, key) is not None:
        buttons.append(Button(pick(BUTTONS["back"], lang), f"{NAME}:back"))
    return buttons


# ---------------------------------------------------------------------- answers
def _parse_answer(key: str, text: str, ctx: Ctx) -> Any:
    """A typed answer in the draft's JSON form, or None when it is not one (the engine then re-asks)."""
    text = text.strip()
    if not text:
        return None
    if key == "ransom.date":
        day = _iso_date(text)
        if day is not None:
            return day.isoformat() if MIN_YEAR <= day.year <= MAX_YEAR else None
        moment = parse_time(text, ctx.now)
        return moment.isoformat() if moment else None
    if key == "initial_report.at":
        moment = parse_time(text, ctx.now)
        return moment.isoformat() if moment else None
    if key.startswith(("ransom.", "initial_report.")) or FIELDS[key].value_type == "text":
        return text
    field = FIELDS[key]
    if field.value_type == "time":
        moment = parse_time(text, ctx.now)
        return moment.isoformat() if moment else None
    if field.value_type == "level":
        return LEVEL_ALIASES.get(text) or LEVEL_ALIASES.get(fold(text).replace(" ", "_"))
    return _parse_contact(text)


def _iso_date(text: str) -> date | None:
    """A date without a time ("2026-03-01"), as a ransom note often gives it; None for anything else."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def _is_time(key: str) -> bool:
    """Whether the item is a time (or the ransom date)."""
    return key in ("ransom.date", "initial_report.at") or key in FIELDS and FIELDS[key].value_type == "time"


def _out_of_range(key: str, text: str, ctx: Ctx) -> bool:
    """A time (or ransom date) outside the years 1992–2100: refused with its reason, never stored."""
    if not _is_time(key):
        return False
    day = _iso_date(text) if key == "ransom.date" else None
    return not MIN_YEAR <= day.year <= MAX_YEAR if day else is_out_of_range(text, ctx.now)


def _problem(draft: dict[str, Any], key: str, value: Any, ctx: Ctx) -> str | None:
    """Why a readable answer cannot stand, or None: every time asked (and the ransom date) is of something
    that has already happened, so one after now is a slip; and an incident happens, is discovered and is
    handled in that order, so a time before one that must come first (or after one that must follow) is too."""
    if not _is_time(key):
        return None
    if len(value) == 10:  # a ransom date without a time
        late, shown = date.fromisoformat(value) > ctx.now.date(), value
    else:
        moment = parse_iso(value)
        late, shown = moment > ctx.now, clock(moment)
    if late:
        return pick(TEXTS["future"], ctx.lang).format(time=shown, now=clock(ctx.now))
    if key not in TIME_ORDER:
        return None
    position = TIME_ORDER.index(key)
    for other, other_moment in _times(draft).items():
        if other == key:
            continue
        comes_first = TIME_ORDER.index(other) < position
        if (other_moment > moment) if comes_first else (other_moment < moment):
            return _order_text(key, moment, other, other_moment, ctx.lang)
    return None


def _parse_contact(text: str) -> dict[str, str]:
    """'张三 138 0000 0000 zs@example.com' → name, phone, email (each only if present)."""
    contact: dict[str, str] = {}
    email = EMAIL.search(text)
    if email:
        contact["email"] = email.group()
        text = text.replace(email.group(), " ")
    phone = PHONE.search(text)
    if phone:
        contact["phone"] = phone.group().strip()
        text = text.replace(phone.group(), " ")
    name = " ".join(CONTACT_WORDS.sub(" ", text).split())
    if name:
        contact["name"] = name
    return contact
