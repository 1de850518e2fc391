"""The Telegram bot end to end: each adapter runs as a real subprocess (`python -m bot telegram --framework …
--api-url …`) against the fake Bot API server in tests/fake_telegram.py, over real HTTP on 127.0.0.1.

Every scenario runs on both frameworks. Each step is also played on a twin BotService in this process (a
memory store), and what the bot sends must be exactly the twin's replies, cut into Telegram messages (numbers
masked: clock times and "time left" depend on the minute, and the twin's may differ). So the adapters add
nothing and lose nothing, and after a kill -9 and a restart the process continues exactly where the twin is.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest

from bot.engine import COMMANDS
from bot.model import ChatState, Reply
from bot.service import BotService
from bot.store.memory import MemoryStore
from bot.store.redis import RedisStore
from bot.store.sqlite import SQLiteStore
from bot.timeutil import now_shanghai
from bot.transports.telegram.common import ERROR_TEXT, callback_data, chat_key, split_text, utf16_len
from tests.conftest import ROOT
from tests.fake_telegram import BOT_USERNAME, TOKEN, BotProcess, FakeTelegram, Sent

FRAMEWORKS = ["ptb", "aiogram"]
ALLOWED = [*range(1001, 1016), -1001]  # the main process's allowlist: each scenario has its own chat
OUTSIDER = 5000
NUMBER = re.compile(r"\d+")  # masked when comparing with the twin: clock times and "time left" depend on the minute
SIX_CHANNELS = ["12387", "12387.cert.org.cn", "CNCERT", "12387@cert.org.cn", "010-82992387", "小程序"]


# ------------------------------------------------------------------ processes


@pytest.fixture(scope="module", params=FRAMEWORKS)
def bot(request, tmp_path_factory):
    """One fake server and one bot process per framework, shared by the scenarios (each uses its own chats)."""
    fake = FakeTelegram().start()
    workdir = tmp_path_factory.mktemp(request.param)
    process = BotProcess(request.param, fake, workdir, env={"TELEGRAM_ALLOWED_CHATS": ",".join(map(str, ALLOWED))}).start()
    yield process
    process.stop()
    fake.stop()


@pytest.fixture
def fresh(tmp_path):
    """A fake server of its own and a factory for bot processes on it, for scenarios that restart or kill."""
    fake = FakeTelegram().start()
    processes: list[BotProcess] = []

    def make(framework: str, *args: str, env: dict[str, str] | None = None, store: str | None = None) -> BotProcess:
        processes.append(BotProcess(framework, fake, tmp_path, *args, env=env, store=store))
        return processes[-1]

    yield fake, make
    for process in processes:
        process.stop()
    fake.stop()


# ------------------------------------------------------------------ a user and the twin


class Chat:
    """One user in one chat, with the twin that predicts every reply."""

    def __init__(self, fake: FakeTelegram, chat_id: int, language_code: str = "zh-hans") -> None:
        self.fake = fake
        self.chat_id = chat_id
        self.language_code = language_code
        self.twin = BotService(MemoryStore())
        self.last_update = 0

    def say(self, text: str, extra: int = 0) -> list[Sent]:
        """Type a text; returns the bot's messages (the twin's replies, plus `extra` unpredicted ones)."""
        expected = self.twin.handle(chat_key(self.chat_id), text, lang_hint=self.language_code)
        self.last_update = self.fake.send_message(self.chat_id, text, language_code=self.language_code)
        return self._receive(expected, extra)

    def press(self, sent: Sent, data: str, extra: int = 0) -> list[Sent]:
        """Press a button under a message the bot sent; the callback query must be answered."""
        expected = self.twin.handle(chat_key(self.chat_id), data, lang_hint=self.language_code)
        answered = len(self.fake.calls("answerCallbackQuery"))
        self.last_update = self.fake.press(sent, data, language_code=self.language_code)
        received = self._receive(expected, extra)
        self.fake.wait_for(lambda: len(self.fake.calls("answerCallbackQuery")) > answered, 15, "answerCallbackQuery")
        return received

    def state(self) -> ChatState:
        return self.twin.store.load(chat_key(self.chat_id))

    def _receive(self, replies: list[Reply], extra: int) -> list[Sent]:
        messages = expected_messages(replies)
        sent = self.fake.wait_sent(self.chat_id, len(messages) + extra)
        got = [as_expected(s) for s in sent[: len(messages)]]
        assert got == messages, "\n".join(difflib.unified_diff(repr_lines(messages), repr_lines(got), "twin", "bot", lineterm=""))
        return sent


def expected_messages(replies: list[Reply]) -> list[tuple]:
    """The Telegram messages a list of core replies becomes: text pieces (buttons under the last), then files."""
    messages: list[tuple] = []
    for reply in replies:
        pieces = split_text(reply.text)
        data = [d for b in reply.buttons if (d := callback_data(b)) is not None]
        messages += [("text", NUMBER.sub("#", p), data if n == len(pieces) - 1 else []) for n, p in enumerate(pieces)]
        messages += [("file", f.name, []) for f in reply.files]
    return messages


def repr_lines(messages: list[tuple]) -> list[str]:
    return [line for message in messages for line in [*str(message[1]).splitlines(), repr(message[2])]]


def as_expected(sent: Sent) -> tuple:
    if sent.document:
        return ("file", sent.document[0], sent.button_data)
    return ("text", NUMBER.sub("#", sent.text or ""), sent.button_data)


def run_assessment(chat: Chat) -> list[Sent]:
    """/assess answered by pressing buttons only (the first option each time, "Now" for the time)."""
    messages = chat.say("/assess")
    for _ in range(30):
        question = messages[-1]
        if "remind:on" in question.button_data or "report:start" in question.button_data:
            return messages
        answers = [d for d in question.button_data if d.startswith("assess:") and d.count(":") == 2 and ":change:" not in d]
        assert answers, f"no answer buttons under {question.text!r}"
        messages = chat.press(question, answers[0])
    raise AssertionError("the assessment did not finish in 30 presses")


# ------------------------------------------------------------------ scenarios on the shared process


def test_start_greets_in_the_users_language_with_buttons(bot):
    zh = Chat(bot.fake, 1001, "zh-hans").say("/start")
    assert "你好" in zh[0].text or "欢迎" in zh[0].text
    assert {"/assess", "/report", "/contacts", "/faq"} <= set(zh[0].button_data)
    en = Chat(bot.fake, 1002, "en").say("/start")
    assert "Hello" in en[0].text or "Welcome" in en[0].text


def test_commands_menu_is_registered_in_zh_and_en(bot):
    calls = bot.fake.calls("setMyCommands")
    by_language = {call.get("language_code"): call for call in calls}
    assert {None, "zh", "en"} <= set(by_language)
    for call in by_language.values():
        assert {"/" + c["command"] for c in call["commands"]} == set(COMMANDS)
    assert by_language["zh"]["commands"] != by_language["en"]["commands"]


def test_a_question_is_answered(bot):
    sent = Chat(bot.fake, 1003).say("报告邮箱是什么")
    assert "12387@cert.org.cn" in sent[0].text


def test_contacts_lists_all_six_channels_in_one_message(bot):
    chat = Chat(bot.fake, 1012)
    sent = chat.say("/contacts")
    assert all(channel in sent[0].text for channel in SIX_CHANNELS)


def test_user_text_is_shown_literally(bot):
    markup = "<b>ACME</b> *Ltd* _x_ [a](http://b) `c` &amp;"
    chat = Chat(bot.fake, 1004)
    kinds = chat.say("/report")[-1]
    chat.press(kinds, "report:kind:initial")
    question = chat.say(markup)[-1]
    preview = chat.press(question, "report:preview")
    assert any(markup in m.text for m in preview if m.text)
    assert all("parse_mode" not in call for call in bot.fake.calls("sendMessage"))


def test_a_long_reply_is_split_at_telegrams_limit(bot):
    chat = Chat(bot.fake, 1011)
    kinds = chat.say("/report")[-1]
    chat.press(kinds, "report:kind:initial")
    question = chat.say("甲" * 3000 + "有限公司")[-1]
    preview = chat.press(question, "report:preview")  # the draft quotes the name more than once: > 4096
    assert len(preview) > 1 and all(utf16_len(m.text) <= 4096 for m in preview)
    assert [bool(m.button_data) for m in preview] == [False] * (len(preview) - 1) + [True]


def test_a_whole_assessment_by_buttons_then_reminders_are_stored(bot):
    chat = Chat(bot.fake, 1005)
    messages = run_assessment(chat)
    summary = messages[-1]
    assert "remind:on" in summary.button_data
    chat.press(summary, "remind:on")
    stored = SQLiteStore(bot.store).load(chat_key(1005))
    assert stored.reminders and stored.reminders == chat.state().reminders


def test_a_due_reminder_is_delivered_at_its_time(bot):
    """The incident is said to be discovered 55 minutes ago: the 60-minute deadline's reminder is due at once."""
    chat = Chat(bot.fake, 1006)
    summary = run_assessment(chat)[-1]
    soonest = min(o["within_minutes"] for o in chat.state().flows["assess"]["result"]["obligations"] if o["by"] == "operator" and o["within_minutes"])
    chat.press(summary, "assess:change:discovered_at")
    summary = chat.say(f"{soonest - 5}分钟前")[-1]
    sent = chat.press(summary, "remind:on", extra=1)  # the reply, then the reminder itself from the scheduler
    assert sent[-1].text.startswith("⏰")
    stored = SQLiteStore(bot.store).load(chat_key(1006))
    assert len(stored.reminders) == len(chat.state().reminders) - 1  # the delivered one left the store


def test_a_report_by_buttons_ends_in_documents(bot):
    chat = Chat(bot.fake, 1007)
    messages = chat.say("/report")
    for _ in range(40):
        last = messages[-1]
        if any(m.document for m in messages):
            break
        choices = [d for d in last.button_data if d in ("report:finish", "report:preview") or d.startswith("report:kind:initial")]
        data = choices[0] if choices else next(d for d in last.button_data if d == "report:skip")
        messages = chat.press(last, data)
    documents = [m.document for m in messages if m.document]
    assert {Path(name).suffix for name, _ in documents} >= {".docx", ".txt"}
    assert all(content for _, content in documents)


def test_flood_control_is_honoured_and_the_message_still_arrives(bot):
    chat = Chat(bot.fake, 1008)
    served = len(bot.fake.failures_served)
    bot.fake.fail_next("sendMessage", 429, retry_after=1)
    sent = chat.say("/contacts")
    assert bot.fake.failures_served[served:] == [("sendMessage", 429)]
    assert "12387" in sent[0].text


def test_server_errors_are_retried(bot):
    chat = Chat(bot.fake, 1013)
    served = len(bot.fake.failures_served)
    bot.fake.fail_next("sendMessage", 502)
    bot.fake.fail_next("sendMessage", 500)
    chat.say("/help")
    assert bot.fake.failures_served[served:] == [("sendMessage", 502), ("sendMessage", 500)]


def test_a_failed_update_tells_the_user_instead_of_going_silent(bot):
    chat = Chat(bot.fake, 1009)
    bot.fake.fail_next("sendMessage", 400)  # not retryable: the handler fails, the error handler speaks up
    chat.twin.handle(chat_key(1009), "/help", lang_hint="zh-hans")
    bot.fake.send_message(1009, "/help")
    assert bot.fake.wait_sent(1009, 1)[0].text == ERROR_TEXT
    chat.say("/contacts")  # and the chat goes on
    [logged] = [line for line in bot.output().splitlines() if "handling an update failed" in line]
    assert "BadRequest" in logged and "/help" not in logged  # one line: an error id and the class, no user text
    assert "Traceback" not in bot.output()


def test_forget_deletes_the_stored_row(bot):
    chat = Chat(bot.fake, 1010)
    chat.say("/assess")
    assert SQLiteStore(bot.store).load(chat_key(1010)) != ChatState()
    chat.say("/forget")
    with sqlite3.connect(bot.store) as db:
        assert db.execute("SELECT count(*) FROM chats WHERE chat_id = ?", (chat_key(1010),)).fetchone() == (0,)


def test_group_chat_answers_only_what_is_addressed_to_the_bot(bot):
    fake, group = bot.fake, -1001
    fake.send_message(group, "大家好，今天系统有点慢", kind="supergroup")
    fake.send_message(group, "/help@some_other_bot", kind="supergroup")
    fake.send_message(group, f"@{BOT_USERNAME} 报告邮箱是什么", kind="supergroup")
    answer = fake.wait_sent(group, 1)[0]  # the first message the group gets is the answer to the mention
    assert "12387@cert.org.cn" in answer.text
    fake.send_message(group, "报告邮箱是什么", kind="supergroup", reply_to=answer.message)
    assert "12387@cert.org.cn" in fake.wait_sent(group, 1)[0].text
    fake.send_message(group, f"/contacts@{BOT_USERNAME}", kind="supergroup")
    assert "CNCERT" in fake.wait_sent(group, 1)[0].text
    assert len(fake.sent_to(group)) == 3


def test_chats_outside_the_allowlist_get_nothing(bot):
    fake = bot.fake
    outsider = fake.send_message(OUTSIDER, "/start")
    Chat(fake, 1014).say("/help")
    fake.wait_confirmed(outsider)
    assert fake.sent_to(OUTSIDER) == []


def test_the_token_never_appears_in_the_output(bot):
    output = bot.output()
    assert "starting the Telegram bot" in output
    assert TOKEN not in output


# ------------------------------------------------------------------ scenarios with their own process


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_a_server_without_the_commands_menu_still_gets_a_working_bot(framework, fresh):
    fake, make = fresh
    for _ in range(3):
        fake.fail_next("setMyCommands", status=404)
    make(framework).start()
    chat = Chat(fake, 2101)
    assert "12387@cert.org.cn" in chat.say("报告邮箱是什么")[0].text


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_kill_9_mid_conversation_then_restart_resumes(framework, fresh):
    fake, make = fresh
    process = make(framework).start()
    chat = Chat(fake, 2001)
    first = chat.say("/assess")[-1]
    second = chat.press(first, next(d for d in first.button_data if d.endswith(":yes")))[-1]
    fake.wait_confirmed(chat.last_update)  # else Telegram (and the fake) deliver that update again: at least once
    process.kill9()

    # while the bot is down: a button pressed under the message sent before the kill, and a reminder comes due
    pressed = chat.twin.handle(chat_key(2001), second.button_data[0], lang_hint="zh-hans")
    fake.press(second, second.button_data[0])
    now = now_shanghai()
    reminders = [
        {"at": (now - timedelta(minutes=1)).isoformat(), "deadline": now.isoformat(), "text": {"zh": "⏰ 提醒：测试一", "en": "⏰ one"}},
        {"at": (now + timedelta(seconds=3)).isoformat(), "deadline": now.isoformat(), "text": {"zh": "⏰ 提醒：测试二", "en": "⏰ two"}},
    ]
    SQLiteStore(process.store).save(chat_key(2002), ChatState(lang="zh", reminders=reminders))

    make(framework).start()
    assert [as_expected(s) for s in fake.wait_sent(2001, len(expected_messages(pressed)))] == expected_messages(pressed)
    resumed = chat.say("/start")[-1]
    assert resumed.button_data == ["resume:assess", "discard:assess"]
    chat.press(resumed, "resume:assess")
    chat.press(first, first.button_data[1])  # a button from before the restart still works
    assert [s.text for s in fake.wait_sent(2002, 2)] == ["⏰ 提醒：测试一", "⏰ 提醒：测试二"]
    assert SQLiteStore(process.store).load(chat_key(2002)).reminders == []


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_webhook_mode_checks_the_secret_token(framework, fresh):
    fake, make = fresh
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram-hook"
    make(framework, "--webhook-url", url, "--port", str(port), env={"TELEGRAM_WEBHOOK_SECRET": "hook-secret_1"}).start("setWebhook")
    assert fake.webhook == {"url": url, "secret_token": "hook-secret_1"}

    def post(update: dict, secret: str | None) -> int:
        headers = {"Content-Type": "application/json", **({"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {})}
        request = urllib.request.Request(url, json.dumps(update).encode(), headers)
        try:
            with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(request, timeout=10) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    message = {"message_id": 1, "date": 0, "chat": fake.chat(3001), "from": fake.user(3001, "en"), "text": "/contacts",
               "entities": [{"type": "bot_command", "offset": 0, "length": 9}]}
    assert post(fake.make_update({"message": message}), None) == 403
    assert post(fake.make_update({"message": message}), "wrong") == 403
    assert post(fake.make_update({"message": message}), "hook-secret_1") == 200
    assert "CNCERT" in fake.wait_sent(3001, 1)[0].text
    assert fake.calls("getUpdates") == []


def wait_for_log(process: BotProcess, line: str, count: int, timeout: float = 30) -> None:
    """Until the bot's output holds `count` lines containing `line` (the bot writes them as things happen)."""
    deadline = time.monotonic() + timeout
    while process.output().count(line) < count:
        assert time.monotonic() < deadline, f"no {count}× {line!r} in:\n{process.output()}"
        time.sleep(0.1)


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_an_unreachable_bot_api_is_waited_for_and_each_failed_poll_is_one_line(framework, tmp_path):
    fake = FakeTelegram(port=free_port())  # not serving yet: the bot starts against a closed port
    process = BotProcess(framework, fake, tmp_path)
    process.spawn()
    try:
        wait_for_log(process, "connecting to the Bot API failed", 2)
        fake.start()
        fake.wait_call("getUpdates")
        for _ in range(2):
            fake.fail_next("getUpdates", 502)
        chat = Chat(fake, 2201)
        chat.say("/contacts")  # ends the pending long poll; the next two polls fail, then the bot goes on
        wait_for_log(process, "polling failed", 2)
        assert "12387@cert.org.cn" in chat.say("报告邮箱是什么")[0].text
        assert [served for served in fake.failures_served if served[0] == "getUpdates"] == [("getUpdates", 502)] * 2
    finally:
        process.stop()
        fake.stop()
    output = process.output()
    assert output.count("polling failed") == 2 and "Traceback" not in output
    for line in output.splitlines():
        if "polling failed" in line or "connecting to the Bot API failed" in line:
            assert "retrying in" in line and ("NetworkError" in line or "ServerError" in line), line


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_a_rejected_token_is_one_clear_line(framework, fresh):
    fake, make = fresh
    process = make(framework, env={"TELEGRAM_BOT_TOKEN": "999:WRONG_TOKEN_abcdef"})
    assert process.run_to_exit() == 2
    output = process.output()
    assert "rejected the token" in output and "Traceback" not in output and "WRONG_TOKEN" not in output


def test_a_missing_token_is_one_clear_line():
    env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    result = subprocess.run([sys.executable, "-m", "bot", "telegram"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "TELEGRAM_BOT_TOKEN" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_a_redis_store_carries_the_conversation_across_a_restart(framework, fresh, redis_url):
    fake, make = fresh
    chat_id = 4001 + FRAMEWORKS.index(framework)
    RedisStore(redis_url).delete(chat_key(chat_id))
    process = make(framework, store=redis_url).start()
    chat = Chat(fake, chat_id)
    chat.say("/assess")
    fake.wait_confirmed(chat.last_update)
    process.kill9()
    make(framework, store=redis_url).start()
    assert chat.say("/start")[-1].button_data == ["resume:assess", "discard:assess"]
    chat.say("/forget")
    assert chat_key(chat_id) not in RedisStore(redis_url).chat_ids()


def test_incidents_duties_and_the_three_report_files_work_the_same(bot):
    """Issue 11's parity: two incidents listed and switched by button, a duty marked reported by buttons, and a
    finished report delivered as .md, .txt and .docx."""
    chat = Chat(bot.fake, 1015)
    summary = run_assessment(chat)[-1]
    marked = chat.press(summary, "duty:mark")[-1]
    done = next(d for d in marked.button_data if d.startswith("duty:done:initial:"))
    asked = chat.press(marked, done)[-1]
    asked = chat.press(asked, "duty:now")[-1]
    asked = chat.press(asked, "duty:skip")[-1]
    recorded = chat.press(asked, "duty:skip")
    assert any("✅" in m.text for m in recorded)
    same_or_new = chat.say("/assess")[-1]
    assert "incident:new-assess" in same_or_new.button_data
    chat.press(same_or_new, "incident:new-assess")
    listing = chat.say("/incidents")[-1]
    assert {"incident:1", "incident:2"} <= set(listing.button_data)
    switched = chat.press(listing, "incident:1")
    assert "#1" in switched[0].text
    messages = chat.say("/report")
    for _ in range(40):
        if any(m.document for m in messages):
            break
        last = messages[-1]
        choices = [d for d in last.button_data if d in ("report:finish", "report:preview") or d.startswith("report:kind:initial")]
        messages = chat.press(last, choices[0] if choices else next(d for d in last.button_data if d == "report:skip"))
    assert {Path(name).suffix for name, _ in (m.document for m in messages if m.document)} == {".docx", ".txt", ".md"}
