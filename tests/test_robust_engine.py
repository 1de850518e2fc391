"""The whole engine under any sequence of messages: texts, commands, the buttons just shown, button data of
other flows and of no flow, garbage. Nothing may raise; every step answers; the state stays small, valid JSON
that any store can keep; nothing the bot writes is invalid Unicode.

The examples are drawn by hypothesis (CI pins them with HYPOTHESIS_PROFILE=ci, see conftest.py).
"""

from __future__ import annotations

import json
from datetime import datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.engine import BUTTON_PREFIXES, COMMANDS, Engine
from bot.inputs import MESSAGE_LIMIT
from bot.model import ChatState, Event
from bot.timeutil import SHANGHAI

ENGINE = Engine()
NOW = datetime(2026, 3, 1, 10, 0, tzinfo=SHANGHAI)

# Words that reach deep into the flows: answers, times (far ones too), skip and back words, kinds.
WORDS = [
    "是", "否", "不确定", "yes", "no", "现在", "30分钟前", "2026-02-28 09:00", "1900-01-01 00:00", "99999 days ago",
    "0001-01-01 00:00", "9999-12-31 23:59", "稍后", "返回", "总结报告", "续报", "首报", "原因", "3", "第2项", "重大",
    "张三 13800000000 zs@example.com", "2 BTC", "500万元", "300万人", "2小时", "勒索软件", "/cancel", "无",
]
# Characters that have broken parsers before: digits int() cannot read, surrogates, full-width and CJK numerals.
ODD = ["²", "፩", "٣", "１", "\ud800", "\udcff", "\ufffd", "\x00", "\r", "\n", "一", "十", "万", "@", ".", ":", " "]
FLOW_DATA = [
    "report:kind:initial", "report:kind:summary", "report:kind:supplement", "report:start", "report:new", "report:continue",
    "report:keep", "report:skip", "report:back", "report:preview", "report:edit", "report:finish", "report:field:contact",
    "report:field:ransom.date", "report:type:ransomware", "report:level:major", "report:section:", "assess:start",
    "assess:restart", "assess:back", "assess:cii:yes", "assess:cii:no",
]

texts = st.one_of(
    st.sampled_from(WORDS),
    st.text(max_size=30),
    st.lists(st.sampled_from(ODD + WORDS), max_size=8).map("".join),
    st.builds(str.__mul__, st.sampled_from("19٣"), st.integers(1, 6000)),  # long numbers: int() refuses past 4,300 digits
)
data = st.one_of(
    st.sampled_from(FLOW_DATA),
    st.builds("{}:{}".format, st.sampled_from([*BUTTON_PREFIXES, "report", "assess", "nope"]), texts),
    st.builds("report:section:{}".format, st.sampled_from(["1", "3", "99", "፩", "²", "0", "-1", "9" * 5000])),
)
commands = st.builds("{} {}".format, st.sampled_from(COMMANDS), st.sampled_from(["", "en", "zh", "xx"])).map(str.strip)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.data())
def test_no_sequence_of_messages_makes_the_engine_raise(draw):
    state = ChatState()
    shown: list[str] = []  # the data of the buttons just shown: pressing them walks deep into the flows
    for _ in range(draw.draw(st.integers(5, 40), label="steps")):
        pool = [texts, data, commands] + ([st.sampled_from(shown)] * 3 if shown else [])
        message = draw.draw(st.one_of(pool), label="message")
        state, replies = ENGINE.step(state, Event("h", message, NOW))
        assert replies and all(reply.text for reply in replies)
        for reply in replies:
            reply.text.encode("utf-8")  # no lone surrogate reaches a transport
            for file in reply.files:
                assert file.content
        stored = json.dumps(state.to_dict(), ensure_ascii=False)
        stored.encode("utf-8")
        assert json.loads(stored) == state.to_dict()  # what a store keeps as JSON comes back the same
        assert all(len(value) <= MESSAGE_LIMIT for value in _strings(state.to_dict()))
        shown = [button.data for reply in replies for button in reply.buttons] or shown


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []
