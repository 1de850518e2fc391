"""Conversation benchmark (issue 10, item 7): scripted personas talk to `python -m bot chat --jsonl` in free text.

Each persona in benchmarks/personas.yaml is someone in the first hour of an incident (a hospital, a ministry, a
bank, a factory, a small shop …; zh, 繁體 and en). It types an opening message, then answers every question the
bot asks the way people type under stress: hedged, with an explanation after the yes or no, counts and durations
inside sentences, times as said ("凌晨3点左右吧"). The driver starts ONE `chat --jsonl --chat-id <unique>` process
per persona (BOT_DATA_DIR in a temporary directory), reads each reply, recognises which fact the bot asks from
keywords of the last line of the last message (the step in the buttons' data when no keyword matches), types
the persona's answer for that fact (its `default` when it has none), and stops at the summary: the first
message with a deadline "最晚/by YYYY-MM-DD HH:MM" or a verdict line "结论：" / "Conclusion:".

Every persona states its EXPECTED outcome, worked out by hand from /work/shared/facts/measures.md (§2, §3, §8),
not from the bot: must it report, the recipients of each initial report and its clock time, and the level where
it is settled. `--check` feeds each persona's equivalent `assess` scenario to `python -m bot assess --json` and
compares it with the expectation (a disagreement is a bug in the persona or in the rules: see the `why` line).

Relative times ("昨晚23:30") need a fixed clock: when `chat --help` offers `--now`, the driver passes the
persona's `now` and types its answers as written; without it, it types the persona's `absolute` variants
(the same moments with the date spelt out), so the expected clock times hold whatever the real time is.

It prints, per persona (details with --show) and overall: how many reach the right recipients and clock times,
how many answers were not understood the first time (the bot asked the same question again, or said it did not
understand), how many questions each needed, and every question whose answer the user had already given. The
goals of issue 10 are printed with whether they are met. Asserts nothing (tests/test_personas.py does).

usage: python benchmarks/personas.py [--show] [--raw] [--absolute] [--only ID ...] [--check] [--jobs N] [--timeout SECONDS]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import selectors
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
PERSONAS = Path(__file__).resolve().parent / "personas.yaml"
MAX_TURNS = 45  # answers per persona before the driver gives up (the longest walk asks ~25 questions)
REPLY_TIMEOUT = 30.0  # seconds to wait for one reply line

# ------------------------------------------------------------------------------------------------ recognising
# Which fact the bot asks, from the last line of its last message (lower case, simplified and traditional
# forms both listed where they differ). Checked in order: the more specific first ("主要功能中断" before
# "关键信息基础设施", "other than the homepage" before "homepage").
QUESTION_KEYWORDS: list[tuple[str, tuple[str, ...]]] = [
    ("confirm", ("对吗", "對嗎", "是这样吗", "is that right", "is this right", "did you mean")),
    ("cii_main_function_outage_minutes", ("主要功能中断", "主要功能中斷", "main functions out of service", "main functions")),
    ("cii_whole_outage_minutes", ("整体中断", "整體中斷", "as a whole")),
    ("people_services_affected", ("水、电、气", "水、電、氣", "water, power, gas")),
    ("personal_info_threat", ("个人信息的丢失", "個人信息的丟失", "個人資訊的丟失", "forgery of the personal information")),
    ("personal_info_people", ("多少人的个人信息", "多少人的個人信息", "多少人的個人資訊", "people's personal information")),
    ("data_threat", ("核心数据或重要数据", "核心數據或重要數據", "core or important data")),
    ("direct_loss_yuan", ("直接经济损失", "直接經濟損失", "direct economic loss")),
    ("system_loss", ("信息系统遭受的损失", "信息系統遭受的損失", "loss has the information system")),
    ("other_threat", ("其他威胁", "其他威脅", "any other threat", "other threat")),
    ("portal_outage_hours", ("无法访问了多久", "無法訪問了多久", "been unreachable", "how long has the site")),
    ("portal_tier", ("门户网站或重点新闻网站", "門戶網站或重點新聞網站", "portal or a key news site")),
    ("population_share_pct", ("百分之多少", "what share of that region", "share of that region")),
    ("population_region", ("相当比例的人口", "相當比例的人口", "share of a region's population", "sizeable share")),
    ("defacement_other_page_hours", ("首页以外", "首頁以外", "other than the homepage")),
    ("defacement_homepage_hours", ("首页上挂了多久", "首頁上掛了多久", "on the homepage")),
    ("defacement_views", ("浏览了多少次", "瀏覽了多少次", "times were the defaced pages viewed", "viewed")),
    ("defacement_shares", ("转发了多少次", "轉發了多少次", "times was the content shared", "shared")),
    ("defacement_site", ("哪类网站", "哪類網站", "which kind of site")),
    ("defacement_determined", ("认定本事件为特别重大", "認定本事件為特別重大", "determined the incident")),
    ("incident_type", ("发生了什么", "發生了什麼", "what happened")),
    ("handling_ended_at", ("处置是什么时候结束", "處置是什麼時候結束", "handling of the incident end")),
    ("discovered_at", ("发现或获知", "發現或獲知", "discover or learn of", "earliest moment")),
    ("suspected_crime", ("违法犯罪", "違法犯罪", "crime suspected", "is a crime")),
    ("sector_rules", ("专门的网络安全事件报告规定", "專門的網絡安全事件報告規定", "own incident-reporting rules", "sector regulator")),
    ("central_state_organ", ("中央和国家机关", "中央和國家機關", "central or state organ")),
    ("level", ("事件属于哪一级", "事件屬於哪一級", "what level is the incident", "what level")),
    ("cii", ("关键信息基础设施", "關鍵信息基礎設施", "關鍵資訊基礎設施", "critical information infrastructure")),
]
NOT_UNDERSTOOD = ("没能理解", "没看懂", "沒能理解", "沒看懂", "couldn't take that", "could not read", "didn't understand", "did not understand")
DEADLINE = re.compile(r"(?:最晚|\bby)\s+(\d{4}-\d\d-\d\d \d\d:\d\d)")
VERDICT = re.compile(r"^(?:结论|結論|Conclusion)[：:]", re.M)
INITIAL_LINE = re.compile(r"^\s*\d+\.\s*(?:首次报告|Initial report)\s*→\s*(.+)$")
CRIME_LINE = re.compile(r"^\s*\d+\.\s*(?:报案|Report the suspected crime)\s*→", re.M)
LEVEL_LINE = re.compile(r"^(?:级别|Level)[：:]\s*(.+)$", re.M)
# Recipients of an initial report, as the summary names them (zh and en).
RECIPIENT_NAMES = {
    "protection_department": ("保护工作部门", "cii protection department"),
    "public_security": ("公安机关", "public security organ"),
    "department_cac_office": ("本部门网信工作机构", "department's cyberspace-affairs office"),
    "provincial_cac": ("属地省级网信部门", "provincial cyberspace administration"),
}
LEVEL_WORDS = [  # longest first: "特别重大" before "重大", "relatively major" before "major"
    ("especially_major", ("特别重大", "especially major")),
    ("relatively_major", ("较大", "relatively major")),
    ("major", ("重大", "major")),
    ("general", ("一般", "general")),
    (None, ("未定", "undetermined")),
]
CONFIRM_WORDS = {"zh": "对的", "zh-Hant": "對的", "en": "yes"}
DENY_WORDS = {"zh": "不对", "zh-Hant": "不對", "en": "no, that's not right"}
YES_NO_FACTS = ("cii", "central_state_organ", "suspected_crime", "sector_rules", "defacement_determined")
_READ_UNSURE = re.compile(r"不确定|不確定|不清楚|not sure|unsure|unknown")
_READ_NO = re.compile(r"不涉及|不涉嫌|没有|沒有|不属于|不屬於|不是|无专门|\bno\b|\bnot\b|n't")
MAIN_FACTS = ("cii", "central_state_organ", "level", "incident_type", "discovered_at", "suspected_crime", "sector_rules")


def question_asked(message: dict[str, Any]) -> str | None:
    """The fact a bot message asks for: by keywords of its last line, else by its buttons' step, else None."""
    lines = [line for line in message.get("text", "").strip().splitlines() if line.strip()]
    last = lines[-1].lower() if lines else ""
    for fact, words in QUESTION_KEYWORDS:
        if any(word in last for word in words):
            return fact
    for button in message.get("buttons", []):
        parts = button.get("data", "").split(":")
        if len(parts) == 3 and parts[0] == "assess":
            return parts[1].removeprefix("g.")
    return None


def is_summary(message: dict[str, Any]) -> bool:
    text = message.get("text", "")
    return bool(DEADLINE.search(text) or VERDICT.search(text))


# ------------------------------------------------------------------------------------------------ the summary
@dataclass
class Outcome:
    must_report: bool | None
    in_force: bool
    level: str | None
    initial: list[tuple[tuple[str, ...], str | None]]  # (sorted recipients, "YYYY-MM-DD HH:MM" or None)
    crime: bool | None = None  # whether the summary lists reporting the suspected crime to the police


def read_summary(text: str) -> Outcome:
    """The conclusion, level and initial reports (recipients and clock times) of the bot's summary."""
    head = next((line for line in text.splitlines() if VERDICT.match(line)), "")
    lowered = head.lower()
    if "不适用" in head or "came into force" in lowered:
        must, in_force = False, False
    elif "无需" in head or "need not" in lowered:
        must, in_force = False, True
    elif head:
        must, in_force = True, True
    else:
        must, in_force = None, True
    level_match = LEVEL_LINE.search(text)
    level = _level_in(level_match.group(1)) if level_match else "?"
    initial = []
    lines = text.splitlines()
    for number, line in enumerate(lines):
        match = INITIAL_LINE.match(line)
        if not match:
            continue
        recipients = tuple(sorted(key for key, names in RECIPIENT_NAMES.items() if any(n in match.group(1).lower() for n in names)))
        following = lines[number + 1] if number + 1 < len(lines) else ""
        clock = DEADLINE.search(following)
        initial.append((recipients, clock.group(1) if clock else None))
    return Outcome(must, in_force, level, sorted(initial), bool(CRIME_LINE.search(text)))


def _level_in(text: str) -> str | None:
    lowered = text.lower()
    found = [(lowered.find(w), key) for key, words in LEVEL_WORDS for w in words if w in lowered]
    return min(found)[1] if found else "?"


def expected_outcome(persona: dict[str, Any]) -> Outcome:
    expect = persona["expect"]
    initial = sorted((tuple(sorted(item["to"])), item["by"]) for item in expect.get("initial", []))
    return Outcome(expect["must_report"], expect.get("in_force", True), expect.get("level", "?"), initial, expect.get("crime"))


def compare(expected: Outcome, got: Outcome) -> list[str]:
    """What differs, in words; empty when the outcome is right. A level of "?" is not checked."""
    problems = []
    if got.must_report != expected.must_report or got.in_force != expected.in_force:
        problems.append(f"verdict: expected must_report={expected.must_report} in_force={expected.in_force}, got must_report={got.must_report} in_force={got.in_force}")
    if got.initial != expected.initial:
        problems.append(f"initial reports: expected {_duties(expected.initial)}, got {_duties(got.initial)}")
    if expected.level != "?" and got.level != expected.level:
        problems.append(f"level: expected {expected.level}, got {got.level}")
    if expected.crime is not None and got.crime != expected.crime:
        problems.append(f"crime report to the police: expected {'listed' if expected.crime else 'not listed'}, got {'listed' if got.crime else 'not listed'}")
    return problems


def _duties(initial: list[tuple[tuple[str, ...], str | None]]) -> str:
    return "; ".join(f"{'+'.join(to)} by {by}" for to, by in initial) or "none"


# ------------------------------------------------------------------------------------------------ the process
@lru_cache(maxsize=1)
def chat_supports_now() -> bool:
    """Whether `python -m bot chat` accepts --now (issue 10 asks for it; until then absolute times are typed)."""
    try:
        shown = subprocess.run([sys.executable, "-m", "bot", "chat", "--help"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return False
    return "--now" in shown.stdout


class ChatProcess:
    """One `chat --jsonl` process: a line in, one JSON line out, with a timeout on every read."""

    def __init__(self, chat_id: str, data_dir: str, now: str | None = None, timeout: float = REPLY_TIMEOUT) -> None:
        command = [sys.executable, "-m", "bot", "chat", "--jsonl", "--chat-id", chat_id]
        if now:
            command += ["--now", now]
        env = {**os.environ, "BOT_DATA_DIR": data_dir, "PYTHONIOENCODING": "utf-8"}
        self.stderr = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(command, cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr)
        self.timeout = timeout
        self.buffer = b""
        self.selector = selectors.DefaultSelector()
        self.selector.register(self.proc.stdout, selectors.EVENT_READ)

    def send(self, text: str) -> list[dict[str, Any]]:
        """The bot's messages in answer to one line; raises RuntimeError on a timeout, an exit or bad JSON."""
        line = " ".join(text.splitlines()) + "\n"  # one message is one line
        try:
            self.proc.stdin.write(line.encode("utf-8"))
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError) as error:
            raise RuntimeError(f"the chat process is gone ({error}); stderr: {self.error_text()}") from error
        deadline = time.monotonic() + self.timeout
        while b"\n" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not self.selector.select(timeout=left):
                raise RuntimeError(f"no reply within {self.timeout:.0f} s")
            chunk = os.read(self.proc.stdout.fileno(), 65536)
            if not chunk:
                raise RuntimeError(f"the chat process exited (code {self.proc.poll()}); stderr: {self.error_text()}")
            self.buffer += chunk
        raw, self.buffer = self.buffer.split(b"\n", 1)
        try:
            return json.loads(raw.decode("utf-8"))["messages"]
        except (ValueError, KeyError, TypeError) as error:
            raise RuntimeError(f"not a reply line: {raw[:200]!r}") from error

    def error_text(self) -> str:
        try:
            self.stderr.seek(0)
            return self.stderr.read()[-500:].decode("utf-8", "replace").strip()
        except (OSError, ValueError):
            return ""

    def close(self) -> None:
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()  # only the process this object started
            self.proc.wait(timeout=5)
        self.selector.close()
        self.stderr.close()


# ------------------------------------------------------------------------------------------------ one persona
@dataclass
class Turn:
    asked: str | None  # the fact the bot asked (None: the opening message)
    said: str
    reply: str  # the bot's last message, as shown
    note: str = ""  # "not understood", "already given", "confirmation", "nudge"


@dataclass
class Result:
    persona: str
    lang: str
    right: bool = False
    problems: list[str] = field(default_factory=list)
    questions: int = 0  # questions the bot asked (re-asks and confirmations included)
    answers: int = 0  # answers the persona typed to them
    misunderstood: list[str] = field(default_factory=list)  # "fact: answer → what the bot did"
    already_given: list[str] = field(default_factory=list)  # "fact (given in …)"
    confirmations: list[str] = field(default_factory=list)  # "fact: answer → the bot's read-back"
    stalls: list[str] = field(default_factory=list)  # the bot asked nothing and gave no summary: the persona typed /assess
    error: str | None = None
    outcome: Outcome | None = None
    transcript: list[Turn] = field(default_factory=list)
    seconds: float = 0.0


def load_personas(path: Path = PERSONAS) -> list[dict[str, Any]]:
    personas = yaml.safe_load(path.read_text(encoding="utf-8"))
    ids = [p["id"] for p in personas]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        raise ValueError(f"duplicate persona ids: {sorted(duplicates)}")
    return personas


def _text(persona: dict[str, Any], key: str, with_now: bool) -> str | list[str] | None:
    """What the persona types for `key` ("opening" or a fact): its absolute variant when the chat has no --now."""
    if key == "opening":
        plain = persona.get("opening")
    else:
        plain = persona.get("answers", {}).get(key)
    if not with_now and key in persona.get("absolute", {}):
        return persona["absolute"][key]
    return plain


def _answer_for(persona: dict[str, Any], fact: str, times_asked: int, with_now: bool) -> str:
    """The persona's answer to `fact`; a list gives its next item each time the fact is asked again."""
    said = _text(persona, fact, with_now)
    if said is None:
        said = persona.get("default", "不清楚")
    if isinstance(said, list):
        said = said[min(times_asked, len(said) - 1)]
    return str(said)


MAX_ASKS = 3  # the same question answered this often without moving on: the persona is stuck


def _truth(persona: dict[str, Any], fact: str) -> tuple[bool, Any]:
    """(known, value): what the persona's scenario says about `fact` — the truth behind its answers."""
    scenario = persona.get("scenario", {})
    if fact in scenario:
        return True, scenario[fact]
    grading = scenario.get("grading", {})
    if fact in grading:
        return True, grading[fact]
    return False, None


def _button_for(persona: dict[str, Any], fact: str, buttons: list[dict[str, Any]]) -> str | None:
    """The label of the button that says what the persona means, for a person who, told that the bot did not
    understand, presses a button instead. None when no button fits (the persona then types a plain value)."""
    known, value = _truth(persona, fact)
    tokens = {}
    for button in buttons:
        parts = button.get("data", "").split(":")
        if len(parts) == 3 and parts[0] == "assess" and parts[1].removeprefix("g.") == fact:
            tokens[parts[2]] = button["label"]
    if not tokens:
        return None
    if fact == "level" and known and value is None:
        wanted = "grade"
    elif not known:
        wanted = "none" if "none" in tokens else ("0" if "0" in tokens else "unsure")
    elif value is None:
        wanted = "unsure"
    elif isinstance(value, bool):
        wanted = "yes" if value else "no"
    elif isinstance(value, (int, float)):
        numeric = sorted((float(t), t) for t in tokens if re.fullmatch(r"\d+(?:\.\d+)?", t))
        fitting = [t for number, t in numeric if number <= value]
        wanted = fitting[-1] if fitting else (numeric[0][1] if numeric else "unsure")
    else:
        wanted = str(value)
    return tokens.get(wanted)


def _plain_value(persona: dict[str, Any], fact: str) -> str | None:
    """A time typed plainly ("2026-11-30 03:00"), as the bot's hint shows, when no button fits."""
    known, value = _truth(persona, fact)
    if known and fact in ("discovered_at", "handling_ended_at") and isinstance(value, str):
        return value.replace("T", " ")[:16]
    return None


def _read_back_right(persona: dict[str, Any], fact: str | None, read_back: str) -> bool | None:
    """Whether the bot's read-back ("你是说：不涉及关键信息基础设施，对吗？") says what the persona meant: True or False
    for a yes/no fact whose truth the persona's scenario holds, None when the driver cannot tell (it then agrees)."""
    known, truth = _truth(persona, fact) if fact in YES_NO_FACTS else (False, None)
    if not known or not (truth is None or isinstance(truth, bool)):
        return None
    lowered = read_back.lower()
    said = None if _READ_UNSURE.search(lowered) else (False if _READ_NO.search(lowered) else True)
    return said == truth


def _last_text(messages: list[dict[str, Any]]) -> str:
    return messages[-1].get("text", "") if messages else ""


def _said_not_understood(messages: list[dict[str, Any]]) -> bool:
    texts = " ".join(m.get("text", "") for m in messages).lower()
    return any(word.lower() in texts for word in NOT_UNDERSTOOD)


def run_persona(
    persona: dict[str, Any], data_dir: str | None = None, timeout: float = REPLY_TIMEOUT, budget: float = 300.0, absolute: bool = False
) -> Result:
    """Talk one persona through the assessment; never raises, and gives up once `budget` seconds have passed
    (at most one reply timeout later).
    `absolute`: type the absolute variants and run on the real clock even when chat has --now."""
    result = Result(persona["id"], persona.get("lang", "zh"))
    with_now = chat_supports_now() and not absolute
    owned_dir = data_dir is None
    data_dir = data_dir or tempfile.mkdtemp(prefix="personas-")
    chat = None
    started = time.monotonic()
    try:
        chat = ChatProcess(f"persona-{persona['id']}-{uuid.uuid4().hex[:8]}", data_dir, str(persona["now"]) if with_now and persona.get("now") else None, timeout)
        given: dict[str, str] = {fact: "the first message" for fact in persona.get("gives", [])}
        also = persona.get("also", {})
        asked_count: dict[str, int] = {}
        previous: str | None = None  # the fact asked just before (None at the start)
        opening = str(_text(persona, "opening", with_now) or "/assess")
        messages = chat.send(opening)
        result.transcript.append(Turn(None, opening, _last_text(messages)))
        nudged = False
        for _ in range(MAX_TURNS):
            if time.monotonic() - started > budget:
                raise RuntimeError(f"persona took longer than {budget:.0f} s")
            summary = next((m for m in messages if is_summary(m)), None)
            if summary is not None:
                result.outcome = read_summary(summary["text"])
                break
            fact = question_asked(messages[-1]) if messages else None
            if fact is None:
                if nudged:
                    raise RuntimeError(f"the bot asks nothing the driver recognises: {_last_text(messages)[-200:]!r}")
                nudged = True  # a person who got an answer but no assessment presses the menu's button
                result.stalls.append(_last_text(messages)[-120:])
                messages = chat.send("/assess")
                result.transcript.append(Turn(None, "/assess", _last_text(messages), "nudge: the bot started no assessment"))
                continue
            result.questions += 1
            note = ""
            if fact == "confirm":
                read_back = _last_text(messages).splitlines()[-1]
                script = persona.get("script", "en" if result.lang == "en" else "zh")
                right = _read_back_right(persona, previous, read_back)
                answer = (CONFIRM_WORDS if right is not False else DENY_WORDS)[script]
                result.confirmations.append(f"{previous}: {read_back}" + ("" if right is not False else "  (WRONG: the persona says no)"))
                note = "confirmation" if right is not False else "confirmation of a wrong reading"
            else:
                if fact == previous:
                    pass  # a re-ask: already counted as not understood on the answer before
                elif fact in given:
                    result.already_given.append(f"{fact} (already given in {given[fact]})")
                    note = f"already given in {given[fact]}"
                times = asked_count.get(fact, 0)
                if times >= MAX_ASKS:
                    raise RuntimeError(f"stuck: {fact} asked {times + 1} times; the bot's last message: {_last_text(messages)[-200:]!r}")
                own = _text(persona, fact, with_now)
                if fact == previous and times >= (len(own) if isinstance(own, list) else 1):
                    # told it was not understood, with nothing else to say: press the button that says it
                    answer = _button_for(persona, fact, messages[-1].get("buttons", [])) or _plain_value(persona, fact) or _answer_for(persona, fact, times, with_now)
                else:
                    answer = _answer_for(persona, fact, times, with_now)
                asked_count[fact] = times + 1
            result.answers += 1
            messages = chat.send(answer)
            next_fact = None if any(is_summary(m) for m in messages) else (question_asked(messages[-1]) if messages else None)
            confirming = previous if fact == "confirm" else fact  # a read-back confirms the fact asked before it
            reasked = next_fact is not None and (next_fact == fact or (fact == "confirm" and next_fact == confirming))
            if _said_not_understood(messages) or reasked or note == "confirmation of a wrong reading":
                result.misunderstood.append(f"{confirming}: {answer!r} → {_brief(messages)}")
                note = (note + "; " if note else "") + "NOT UNDERSTOOD"
            elif confirming is not None:
                given.setdefault(confirming, f"the answer to {confirming}")
                for other in also.get(confirming, []):
                    given.setdefault(other, f"the answer to {confirming}")
            result.transcript.append(Turn(fact, answer, _last_text(messages), note))
            previous = confirming
        else:
            raise RuntimeError(f"no summary after {MAX_TURNS} answers")
        result.problems = compare(expected_outcome(persona), result.outcome)
        result.right = not result.problems
    except Exception as error:  # noqa: BLE001 - a benchmark reports, it does not stop
        result.error = str(error) or type(error).__name__
        result.problems.append(f"error: {result.error}")
    finally:
        if chat is not None:
            chat.close()
        if owned_dir:
            shutil.rmtree(data_dir, ignore_errors=True)
        result.seconds = time.monotonic() - started
    return result


def _brief(messages: list[dict[str, Any]]) -> str:
    """What the bot did with an answer, in one short line: its first line and its last."""
    lines = [line for m in messages for line in m.get("text", "").splitlines() if line.strip()]
    if not lines:
        return "(nothing)"
    return lines[0][:70] if len(lines) == 1 else f"{lines[0][:60]} … {lines[-1][:60]}"


# ------------------------------------------------------------------------------------------------ the cross-check
def assess_scenarios(personas: list[dict[str, Any]], timeout: float = 120) -> dict[str, Outcome | str]:
    """Each persona's `scenario` through `python -m bot assess --json --now <now>`: its outcome, or an error."""
    outcomes: dict[str, Outcome | str] = {}
    for persona in personas:
        scenario = persona.get("scenario")
        if scenario is None:
            outcomes[persona["id"]] = "no scenario"
            continue
        try:
            run = subprocess.run(
                [sys.executable, "-m", "bot", "assess", "--json", "--now", str(persona["now"])],
                input=json.dumps(scenario, ensure_ascii=False) + "\n", cwd=ROOT, capture_output=True, text=True, timeout=timeout,
            )
            data = json.loads(run.stdout.splitlines()[0])
        except (subprocess.SubprocessError, ValueError, IndexError) as error:
            outcomes[persona["id"]] = f"assess failed: {error}"
            continue
        if "error" in data:
            outcomes[persona["id"]] = f"assess refused the scenario: {data['error']}"
            continue
        initial = sorted(
            (tuple(sorted(o["to"])), o["deadline"][:16].replace("T", " ") if o["deadline"] else None)
            for o in data["obligations"] if o["kind"] == "initial" and o["by"] == "operator"
        )
        crime = any(o["kind"] == "crime" for o in data["obligations"])
        outcomes[persona["id"]] = Outcome(data["must_report"], data["in_force"], data["level"], initial, crime)
    return outcomes


# ------------------------------------------------------------------------------------------------ printing
GOAL_RATE = 1 / 50


def summarise(results: list[Result]) -> dict[str, Any]:
    answers = sum(r.answers for r in results)
    misunderstood = sum(len(r.misunderstood) for r in results)
    questions = [r.questions for r in results]
    return {
        "personas": len(results),
        "right": sum(r.right for r in results),
        "right_recipients_times": sum(r.outcome is not None and not any(x.startswith(("initial reports", "verdict")) for x in r.problems) for r in results),
        "answers": answers,
        "misunderstood": misunderstood,
        "already_given": sum(len(r.already_given) for r in results),
        "confirmations": sum(len(r.confirmations) for r in results),
        "stalls": sum(len(r.stalls) for r in results),
        "errors": sum(r.error is not None for r in results),
        "questions_total": sum(questions),
        "questions_median": statistics.median(questions) if questions else 0,
        "questions_max": max(questions, default=0),
        "questions_min": min(questions, default=0),
    }


def print_report(results: list[Result], show: bool, out=sys.stdout, raw: bool = False, absolute: bool = False) -> dict[str, Any]:
    figures = summarise(results)
    print(f"{'persona':<28} {'lang':<5} {'right':<6} {'questions':>9} {'not understood':>15} {'already given':>14} {'confirms':>9}", file=out)
    for r in results:
        mark = "yes" if r.right else ("ERROR" if r.error else "NO")
        print(f"{r.persona:<28} {r.lang:<5} {mark:<6} {r.questions:>9} {len(r.misunderstood):>15} {len(r.already_given):>14} {len(r.confirmations):>9}", file=out)
        if show or not r.right:
            for problem in r.problems:
                print(f"    ✗ {problem}", file=out)
        if show:
            for item in r.misunderstood:
                print(f"    ? not understood: {item}", file=out)
            for item in r.already_given:
                print(f"    ↺ asked again: {item}", file=out)
            for item in r.confirmations:
                print(f"    ≟ asked back: {item}", file=out)
            for item in r.stalls:
                print(f"    ∅ no assessment started after: {item!r}", file=out)
            for turn in r.transcript:
                tag = f" [{turn.note}]" if turn.note else ""
                print(f"      {turn.asked or 'opening'}{tag}: {turn.said}", file=out)
                if raw:
                    print("\n".join(f"          | {line}" for line in turn.reply.splitlines()), file=out)
            print(f"      ({r.seconds:.1f} s)", file=out)
    n = figures["personas"]
    answers = figures["answers"] or 1
    print("", file=out)
    print(f"personas with the right verdict, initial-report recipients and clock times: {figures['right_recipients_times']}/{n}", file=out)
    print(f"personas right in everything checked (also the level and the police report): {figures['right']}/{n}", file=out)
    print(
        f"answers not understood the first time: {figures['misunderstood']} of {figures['answers']} "
        f"({100 * figures['misunderstood'] / answers:.1f}%)", file=out,
    )
    print(
        f"questions per persona: median {figures['questions_median']}, min {figures['questions_min']}, max {figures['questions_max']} "
        f"(total {figures['questions_total']})", file=out,
    )
    print(f"questions whose answer the user had already given: {figures['already_given']}", file=out)
    print(f"read-backs asked to confirm (\"…对吗？\"): {figures['confirmations']}; openings that started no assessment: {figures['stalls']}; errors: {figures['errors']}", file=out)
    clock = "--now passed to chat, times typed as said" if chat_supports_now() and not absolute else "real clock, absolute times typed"
    print(f"clock: {clock}", file=out)
    goals = [
        ("every persona right", figures["right"] == n, f"{figures['right']}/{n}"),
        ("at most one misunderstanding in fifty answers", figures["misunderstood"] <= GOAL_RATE * figures["answers"], f"{figures['misunderstood']}/{figures['answers']}"),
        ("no question asked whose answer the user already gave", figures["already_given"] == 0, str(figures["already_given"])),
    ]
    print("\ngoals (issue 10):", file=out)
    for name, met, value in goals:
        print(f"  {'MET    ' if met else 'NOT MET'}  {name} ({value})", file=out)
    figures["goals_met"] = all(met for _, met, _ in goals)
    return figures


def print_check(personas: list[dict[str, Any]], out=sys.stdout) -> int:
    """Each persona's expectation against `assess` on its scenario; returns the number of disagreements."""
    outcomes = assess_scenarios(personas)
    disagreements = 0
    print("cross-check: expected (by hand from the facts) vs `python -m bot assess --json` on the equivalent scenario", file=out)
    for persona in personas:
        got = outcomes[persona["id"]]
        problems = [got] if isinstance(got, str) else compare(expected_outcome(persona), got)
        disagreements += bool(problems)
        print(f"  {persona['id']:<28} {'agrees' if not problems else 'DISAGREES'}", file=out)
        for problem in problems:
            print(f"      {problem}", file=out)
    print(f"  {len(personas) - disagreements}/{len(personas)} agree\n", file=out)
    return disagreements


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--show", action="store_true", help="per persona: problems, misunderstandings and the transcript")
    parser.add_argument("--only", action="append", default=[], metavar="ID", help="run only these personas (repeatable)")
    parser.add_argument("--check", action="store_true", help="first cross-check every expectation with `assess` on its scenario")
    parser.add_argument("--jobs", type=int, default=min(8, os.cpu_count() or 2), help="personas run in parallel (default: up to 8)")
    parser.add_argument("--timeout", type=float, default=REPLY_TIMEOUT, help="seconds to wait for one reply")
    parser.add_argument("--raw", action="store_true", help="with --show: the bot's last message after each answer too")
    parser.add_argument("--absolute", action="store_true", help="type the absolute times and leave out --now (the path for a chat without it)")
    parser.add_argument("--json", action="store_true", help="also print the overall figures as one JSON line")
    args = parser.parse_args(argv)
    personas = load_personas()
    if args.only:
        unknown = set(args.only) - {p["id"] for p in personas}
        if unknown:
            parser.error(f"unknown persona ids: {', '.join(sorted(unknown))}")
        personas = [p for p in personas if p["id"] in args.only]
    if args.check:
        print_check(personas)
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        results = list(pool.map(lambda p: run_persona(p, timeout=args.timeout, absolute=args.absolute), personas))
    figures = print_report(results, args.show or args.raw, raw=args.raw, absolute=args.absolute)
    if args.json:
        print(json.dumps(figures, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
