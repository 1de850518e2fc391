"""Conversations that ask one thing at a time. Each flow keeps its data in state.flows[flow.name].

A flow is driven by the engine:
- start(state, ctx) begins (or resumes) it and returns the first question;
- handle(state, text, ctx) takes a typed answer or a button's data and returns the next replies,
  or None when the text is not an answer (the engine then tries the knowledge base and re-asks);
- prompt(state, ctx) repeats the current question (after a FAQ interlude, a resume, a restart).
Button data of a flow starts with "<flow name>:" so the engine can route a pressed button to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from bot.knowledge.normalize import fold
from bot.model import ChatState, Reply

if TYPE_CHECKING:
    from bot.knowledge import KnowledgeBase


BACK_WORDS = ("返回", "返回上一步", "上一步", "后退", "back", "go back", "previous")


def typed(text: str) -> str:
    """How flows compare typed answers: width, case, 繁/简 and spacing folded, trailing punctuation dropped."""
    return " ".join(fold(text).replace("’", "'").split()).strip("。.!！,，;；")


@dataclass(frozen=True)
class Ctx:
    now: datetime  # the event's time, Asia/Shanghai
    lang: str  # the language of texts the bot starts itself
    kb: "KnowledgeBase"
    said: str = ""  # the user's message that led to this step (a description may state facts a flow asks for)


class Flow(Protocol):
    name: str

    def title(self, lang: str) -> str: ...

    def start(self, state: ChatState, ctx: Ctx) -> list[Reply]: ...

    def handle(self, state: ChatState, text: str, ctx: Ctx) -> list[Reply] | None: ...

    def prompt(self, state: ChatState, ctx: Ctx) -> list[Reply]: ...


def all_flows() -> dict[str, Flow]:
    from bot.flows.assess import AssessFlow
    from bot.flows.duty import DutyFlow
    from bot.flows.report import ReportFlow

    flows: list[Flow] = [AssessFlow(), ReportFlow(), DutyFlow()]
    return {flow.name: flow for flow in flows}
