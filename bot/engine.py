"""The whole bot as one step: step(state, event) -> (new state, replies).

Transports load a chat's state, call step, save the new state, then show the replies. The step never
touches a network, a file or a clock of its own (the event carries the time), so every transport behaves the
same and every behaviour can be tested without one. Every message is cleaned and cut here (bot.inputs), so no
transport can hand the flows text they cannot encode or a megabyte to store.
"""

from __future__ import annotations

from dataclasses import replace

from bot import incidents, reminders, texts
from bot.flows import Ctx, Flow, all_flows
from bot.flows.duty import mark_from_text
from bot.flows.intake import describes_own_incident
from bot.flows.readers import QUESTION, report_kind_in
from bot.inputs import MESSAGE_LIMIT, clean, cut
from bot.i18n import LANGS, detect_lang, normalize_lang, pick
from bot.knowledge import Answer, KnowledgeBase, load
from bot.knowledge.normalize import fold
from bot.model import Button, ChatState, Event, Reply
from bot.timeutil import to_shanghai

BUTTON_PREFIXES = ("incident", "faq", "topic", "resume", "discard", "remind", "lang")
COMMANDS = ("/start", "/help", "/faq", "/contacts", "/assess", "/report", "/incidents", "/incident", "/export", "/cancel", "/lang", "/forget")
# Exact whole messages that are commands (platforms without a command menu, and people who type words)
WORD_COMMANDS = {
    "帮助": "/help", "评估": "/assess", "报告": "/report", "渠道": "/contacts", "取消": "/cancel", "菜单": "/start",
    "起草报告": "/report", "写报告": "/report", "出报告": "/report", "draft report": "/report", "draft the report": "/report",
}
# Words for a button, typed instead of its label: (button data, the words), matched whole after folding.
BUTTON_WORDS = (
    ("incident:new-assess", ("新事件", "新的", "另一起", "另一个", "是新的", "新的一起", "new", "new incident", "a new one", "another one", "another incident")),
    ("assess:restart", ("同一起", "同一个", "是同一起", "same", "same one", "the same", "same incident")),
    ("resume:assess", ("同一起", "同一个", "是同一起", "same", "same one", "the same", "same incident")),
    ("assess:rest", ("看结果", "直接看结果", "see the result", "show the result", "dont know the rest", "don't know the rest")),
    ("assess:level:skip", ("从严", "按最坏", "assume the worst", "worst case")),
)
MESSAGE_CUT = {
    "zh": f"你的消息超过{MESSAGE_LIMIT}个字符，只读取了前{MESSAGE_LIMIT}个字符。",
    "en": f"Your message was longer than {MESSAGE_LIMIT:,} characters; only the first {MESSAGE_LIMIT:,} were read.",
}


def _is_sentence(text: str) -> bool:
    """A whole sentence, not a word or a name: enough to tell the language the user writes in."""
    return len(text.split()) >= 4 or sum("\u4e00" <= char <= "\u9fff" for char in text) >= 8


class Engine:
    """Routes events to commands, flows and the knowledge base. Holds only immutable indexes."""

    def __init__(self, kb: KnowledgeBase | None = None, flows: dict[str, Flow] | None = None) -> None:
        self.kb = kb or load()
        self.flows = flows if flows is not None else all_flows()

    # ------------------------------------------------------------------ entry point
    def step(self, state: ChatState, event: Event) -> tuple[ChatState, list[Reply]]:
        before = state
        state = state.copy()
        if state.flows and state.current is None:
            incidents.ensure(state, event.now)  # a conversation stored before incidents existed: its incident #1
        incidents.expire(state, event.now, incidents.retention_days())
        text, was_cut = cut(clean(event.text), MESSAGE_LIMIT)
        typed = text.strip()  # line breaks stay: a report item may span several lines
        pressed = self._pressed(state, typed)
        text = WORD_COMMANDS.get(typed.lower().rstrip("。.!！"), typed) if pressed is None else pressed  # 帮助 → /help
        # The language of the user's own words: free text, or a button label typed out — but never an answer to a
        # flow's question (a company name, a number, "no"): only a question or a message outside a flow tells it.
        own_words = pressed is not None or not (typed.startswith("/") or self._is_button_data(typed))
        answering = state.active in self.flows and not QUESTION.search(fold(typed))
        guess = detect_lang(typed) if own_words and state.lang is None and not answering else None
        ctx = Ctx(
            now=to_shanghai(event.now), lang=state.lang or guess or normalize_lang(event.lang_hint) or "zh", kb=self.kb, said=typed
        )
        replies, understood = self._route(state, text, ctx)
        if state.flows and state.current is None:
            incidents.ensure(state, ctx.now)  # a flow started in a chat with no incident yet: its first incident
        incidents.observe(before, state, ctx.now)
        if state.lang is None and guess and (understood or _is_sentence(typed)):
            state.lang = guess  # the first message understood (or a whole sentence, answered in it) sets the language
        state.buttons = [{"label": b.label, "data": b.data} for reply in replies for b in reply.buttons]
        if was_cut:
            replies.insert(0, Reply(pick(MESSAGE_CUT, state.lang or ctx.lang)))
        return state, replies

    # ------------------------------------------------------------------ routing
    def _pressed(self, state: ChatState, text: str) -> str | None:
        """The data of the button whose label was typed: typing a label counts as pressing it, and so do a few
        words that name a button shown ("新事件" for "新的事件", "see the result" for "Don't know the rest")."""
        folded = " ".join(fold(text).split()).strip("。.!！,，")
        for button in state.buttons:
            if " ".join(fold(button["label"]).split()) == folded:
                return button["data"]
        shown = {button["data"] for button in state.buttons}
        return next((data for data, words in BUTTON_WORDS if data in shown and folded in words), None)

    def _is_button_data(self, text: str) -> bool:
        prefix, colon, _ = text.partition(":")
        return bool(colon) and (prefix in BUTTON_PREFIXES or prefix in self.flows)

    def _route(self, state: ChatState, text: str, ctx: Ctx) -> tuple[list[Reply], bool]:
        """The replies, and whether the text was understood (a command, a button, an answer or a known question)."""
        if not text:
            return self._answer_replies(state, self.kb.ask(text, ctx.lang), ctx), False
        if text.startswith("/"):
            return self._command(state, text, ctx), True
        prefix, colon, rest = text.partition(":")
        if not colon:
            prefix = ""  # plain words ("report", "assess") are text, not button data
        if prefix == "faq" and rest in self.kb.by_id:
            return self._answer_replies(state, self.kb.answer_entry(self.kb.by_id[rest], ctx.lang), ctx), True
        if prefix == "topic" and any(e.topic == rest for e in self.kb.entries):
            buttons = [Button(pick(e.title, ctx.lang), f"faq:{e.id}") for e in self.kb.entries if e.topic == rest]
            return [Reply(pick(texts.TOPIC_PICK, ctx.lang), buttons)], True
        if prefix == "resume" and rest in self.flows:
            state.active = rest
            flow = self.flows[rest]  # the flow's data may be gone (discarded, forgotten): then it starts anew
            return (flow.prompt(state, ctx) if rest in state.flows else flow.start(state, ctx)), True
        if prefix == "discard" and rest in self.flows:
            state.flows.pop(rest, None)
            state.active = None
            return [Reply(pick(texts.DISCARDED, ctx.lang), self._menu(ctx.lang))], True
        if prefix == "remind":
            return reminders.handle(state, rest, ctx), True
        if prefix == "incident" and rest in ("new", "new-assess"):
            return self._new_incident(state, ctx), True
        if prefix == "incident":
            return incidents.handle(state, rest, ctx), True
        if prefix == "lang" and rest in LANGS:
            return self._set_lang(state, rest, ctx), True
        if prefix in self.flows:
            return self._flow_button(state, prefix, text, ctx), True
        if state.active in self.flows:
            flow = self.flows[state.active]
            replies = flow.handle(state, text, ctx)
            if replies is not None:
                return replies, True
            answer = self.kb.ask(text, ctx.lang)
            if answer.matched or answer.topic == "help" or QUESTION.search(fold(text)):
                # a question is answered wherever it is asked ("not covered" too), and the flow's question follows
                return self._answer_replies(state, answer, ctx), True
            return [Reply(pick(texts.NOT_AN_ANSWER, ctx.lang))] + flow.prompt(state, ctx), False
        marked = mark_from_text(state, text, ctx)
        if marked is not None:  # "已经在9点40打电话报给省网信办了，编号…": the duty recorded as reported
            return marked, True
        due = incidents.summary_due(state, text, ctx)
        if due is not None:  # "处置昨天已经结束了，总结报告最晚哪天交？" about the open incident
            return [due], True
        if report_kind_in(text) and "report" in self.flows:  # "我要补报一下", "summary please": that report, at once
            state.active = "report"
            return self.flows["report"].start(state, ctx), True
        answer = self.kb.ask(text, ctx.lang)
        replies = self._answer_replies(state, answer, ctx)
        return replies, answer.matched or answer.topic == "help" or state.active is not None  # a description understood

    def _flow_button(self, state: ChatState, name: str, data: str, ctx: Ctx) -> list[Reply]:
        """A flow's button. One left over from another flow while a flow is under way only re-asks its question;
        a flow's start button always works, and an idle chat resumes the flow the button belongs to."""
        flow = self.flows[name]
        starts = data.split(":", 1)[1] in ("start", "restart")
        if state.active in self.flows and state.active != name and not starts:
            return [Reply(pick(texts.STALE_BUTTON, ctx.lang))] + self.flows[state.active].prompt(state, ctx)
        if state.active != name:
            state.active = name
            if name not in state.flows:
                return flow.start(state, ctx)
        replies = flow.handle(state, data, ctx)
        return replies if replies is not None else flow.prompt(state, ctx)

    def _answer_replies(self, state: ChatState, answer: Answer, ctx: Ctx) -> list[Reply]:
        """An answer from the knowledge base; inside a flow, followed by the flow's question again."""
        if state.active in self.flows:
            return [Reply(answer.display())] + self.flows[state.active].prompt(state, ctx)
        if answer.topic == "help":
            return [Reply(answer.text, self._menu(answer.lang))]
        described = describes_own_incident(ctx.said)
        action = answer.action or ("assess" if described else None)
        # A description is answered by starting the assessment: a "not covered" reply to it would only confuse.
        told = [Reply(answer.display())] if answer.matched or not described else []
        if action == "assess" and (self._assessed(state) or (described and "assess" in state.flows)):
            return [*told, self._same_or_new(state, ctx)]  # an incident is open: this one may be another
        if action in self.flows:  # someone describing an incident under way: start helping at once
            state.active = action
            return told + self.flows[action].start(state, ctx)
        related = [Button(title, f"faq:{entry_id}") for entry_id, title in answer.related]
        return [Reply(answer.display(), related)]

    # ------------------------------------------------------------------ commands
    def _command(self, state: ChatState, text: str, ctx: Ctx) -> list[Reply]:
        command, *rest = text.split(maxsplit=1)
        command = command.split("@", 1)[0].lower()  # Telegram's /cmd@BotName in groups
        argument = rest[0].strip() if rest else ""
        if command == "/start":
            if state.active in self.flows:
                flow = self.flows[state.active]
                return [
                    Reply(
                        pick(texts.RESUME, ctx.lang).format(flow=flow.title(ctx.lang)),
                        [
                            Button(pick(texts.CONTINUE, ctx.lang), f"resume:{flow.name}"),
                            Button(pick(texts.DISCARD, ctx.lang), f"discard:{flow.name}"),
                        ],
                    )
                ]
            return [Reply(pick(texts.GREETING, ctx.lang), self._menu(ctx.lang))]
        if command == "/help":
            return [Reply(self.kb.help(ctx.lang).text, self._menu(ctx.lang))]
        if command == "/faq":
            return [Reply(pick(texts.FAQ_TOPICS, ctx.lang), self._topics(ctx.lang))]
        if command == "/contacts":
            entry = self.kb.by_id.get("channels_all")
            return self._answer_replies(state, self.kb.answer_entry(entry, ctx.lang), ctx)
        if command == "/assess" and self._assessed(state):
            return [self._same_or_new(state, ctx)]
        if command in ("/assess", "/report"):
            name = command[1:]
            state.active = name
            return self.flows[name].start(state, ctx)
        if command == "/incidents" or (command == "/incident" and not argument):
            return incidents.listing(state, ctx)
        if command == "/incident":
            return incidents.handle(state, argument.lstrip("#"), ctx)
        if command == "/export":
            return incidents.handle(state, "export", ctx)
        if command == "/cancel":
            if state.active is None:
                return [Reply(pick(texts.NOTHING_TO_CANCEL, ctx.lang), self._menu(ctx.lang))]
            state.active = None
            return [Reply(pick(texts.CANCELLED, ctx.lang), self._menu(ctx.lang))]
        if command == "/lang":
            lang = argument.lower()
            if lang not in LANGS:
                return [Reply(pick(texts.LANG_USAGE, ctx.lang), [Button("中文", "lang:zh"), Button("English", "lang:en")])]
            return self._set_lang(state, lang, ctx)
        if command == "/forget":
            counts = {"incidents": len(state.incidents) or int(bool(state.flows)), "reminders": len(state.reminders)}
            for name, value in ChatState().to_dict().items():
                setattr(state, name, value)
            return [Reply(pick(texts.FORGOTTEN, ctx.lang).format(**counts))]
        return [Reply(pick(texts.UNKNOWN_COMMAND, ctx.lang).format(commands=" ".join(COMMANDS)), self._menu(ctx.lang))]

    def _assessed(self, state: ChatState) -> bool:
        """Whether the open incident's assessment is finished (a new /assess may then be another incident)."""
        return (state.flows.get("assess") or {}).get("step") == "done"

    def _same_or_new(self, state: ChatState, ctx: Ctx) -> Reply:
        """Ask whether a new assessment is about the open incident; a description typed is kept for a new one."""
        state.flows["assess"]["description"] = ctx.said if not ctx.said.startswith("/") else ctx.said.partition(" ")[2]
        name = incidents.label(state, incidents.ensure(state, ctx.now), ctx.lang)
        same = "assess:restart" if self._assessed(state) else "resume:assess"  # an unfinished one is continued
        buttons = [Button(pick(incidents.TEXTS["same"] if self._assessed(state) else incidents.TEXTS["same_go_on"], ctx.lang), same),
                   Button(pick(incidents.TEXTS["new"], ctx.lang), "incident:new-assess")]
        return Reply(pick(incidents.TEXTS["same_or_new"], ctx.lang).format(label=name), buttons)

    def _new_incident(self, state: ChatState, ctx: Ctx) -> list[Reply]:
        """A new incident opened, and its assessment started with the description that led here, if any."""
        description = (state.flows.get("assess") or {}).pop("description", "")
        incidents.ensure(state, ctx.now)
        incident = incidents.open_new(state, ctx.now)
        opened = Reply(pick(incidents.TEXTS["opened"], ctx.lang).format(label=f"#{incident['id']}"))
        state.active = "assess"
        return [opened, *self.flows["assess"].start(state, replace(ctx, said=description))]

    def _set_lang(self, state: ChatState, lang: str, ctx: Ctx) -> list[Reply]:
        state.lang = lang
        replies = [Reply(pick(texts.LANG_SET, lang), self._menu(lang) if state.active is None else [])]
        if state.active in self.flows:
            replies += self.flows[state.active].prompt(state, Ctx(ctx.now, lang, ctx.kb))
        return replies

    def _menu(self, lang: str) -> list[Button]:
        return [Button(pick(label, lang), data) for label, data in texts.MENU]

    def _topics(self, lang: str) -> list[Button]:
        present = dict.fromkeys(entry.topic for entry in self.kb.entries)
        ordered = [t for t in texts.TOPIC_NAMES if t in present] + [t for t in present if t not in texts.TOPIC_NAMES]
        return [Button(pick(texts.TOPIC_NAMES.get(t, {"zh": t}), lang), f"topic:{t}") for t in ordered]
