"""One scenario suite for every chat platform: Telegram (python-telegram-bot, aiogram), WeCom, Feishu and
DingTalk. Each adapter runs as a real subprocess (`python -m bot <platform> …`) against a fake of its
platform on 127.0.0.1 that speaks the platform's protocol (tests/fake_*.py); no other network.

Every step is also played on a twin BotService in this process (a memory store), and what the bot sends must
be the twin's replies: the texts (whitespace and numbers aside: platforms cut long texts at their own limits,
and clock times depend on the minute), the button labels (as buttons, cards or numbered options) and the file
names. A `Platform` object per platform knows how to drive its fake and read what was sent.
"""

from __future__ import annotations

import re
import zipfile
from datetime import timedelta
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest

from bot.model import ChatState, Reply
from bot.service import BotService
from bot.store.memory import MemoryStore
from bot.store.sqlite import SQLiteStore
from bot.timeutil import now_shanghai
from bot.transports.im.common import NUMBERED, OPTIONS_MARK
from tests.fake_im import ImProcess, Msg, wait_until

NUMBER = re.compile(r"\d+")
SPACE = re.compile(r"\s+")
LINK = re.compile(r"^\[(.*)\]\(dtmd://.*\)$")
REMINDER = re.compile(r"^(<@[^>]+> |<at [^>]*></at> |@\S+ )*(#\d+ )?⏰")  # may @ its setter and name its incident
SIX_CHANNELS = ["12387", "12387.cert.org.cn", "CNCERT", "12387@cert.org.cn", "010-82992387", "小程序"]


# ------------------------------------------------------------------ the platforms


class Platform:
    """How the suite drives one platform's fake and reads what the bot sent."""

    name = ""
    lang_hint: str | None = None
    redelivers = True  # the fake can push a message again with the same id
    rate_limit_what = ""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.fake: Any = None
        self.process: ImProcess | Any = None

    def start(self, store: str | None = None) -> "Platform":
        raise NotImplementedError

    def restart(self) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        if self.process:
            self.process.stop()
        if self.fake:
            self.fake.stop()

    def chat_id(self, n: int, group: bool) -> Any:
        return f"g{n}" if group else f"user{n}"

    def key(self, chat: Any, group: bool) -> str:
        raise NotImplementedError

    def say(self, chat: Any, text: str, group: bool, mention: bool = True, msgid: str | None = None) -> str | None:
        raise NotImplementedError

    def press(self, chat: Any, group: bool, msg: Msg | None, data: str, number: int, label: str) -> str:
        """Press the button with `data` (under `msg`), or answer the numbered option `number`; returns what the
        core gets from it (the twin handles the same)."""
        if msg is not None and data in msg.button_data:
            self.press_button(chat, group, msg, data)
        else:
            self.say(chat, str(number), group)
        return data

    def press_button(self, chat: Any, group: bool, msg: Msg, data: str) -> None:
        raise NotImplementedError

    def messages(self, chat: Any) -> list[Msg]:
        return self.fake.messages(chat)

    limit = 0  # UTF-8 bytes a message may hold (the adapter's default split)

    def fits(self, text: str) -> bool:
        options = text.find("\n\n👉")  # numbered options are added after the split text
        return len((text if options < 0 else text[:options]).encode()) <= self.limit

    def setter_mark(self, chat: Any) -> str | None:
        """How a group reminder starts: the mention of the member who set it (the fake's default user)."""
        return None

    def rate_limit(self) -> None:
        """Make the next send fail with the platform's rate-limit answer."""
        raise NotImplementedError

    def rate_limits_served(self) -> int:
        return sum(1 for what, _ in self.fake.failures_served if what == self.rate_limit_what)

    def output(self) -> str:
        return self.process.output()

    def kill9(self) -> None:
        self.process.kill9()


class TelegramPlatform(Platform):
    lang_hint = "zh-hans"

    def fits(self, text: str) -> bool:
        return len(text.encode("utf-16-le")) // 2 <= 4096

    redelivers = False
    rate_limit_what = "sendMessage"

    def __init__(self, workdir: Path, framework: str) -> None:
        super().__init__(workdir)
        self.name = framework

    def start(self, store: str | None = None) -> "TelegramPlatform":
        from tests.fake_telegram import BotProcess, FakeTelegram

        self.fake = self.fake or FakeTelegram().start()
        self.process = BotProcess(self.name, self.fake, self.workdir, store=store).start()
        return self

    def restart(self) -> None:
        from tests.fake_telegram import BotProcess

        self.process = BotProcess(self.name, self.fake, self.workdir, store=self.process.store).start()

    def chat_id(self, n: int, group: bool) -> int:
        return -(1000 + n) if group else n

    def key(self, chat: int, group: bool) -> str:
        return f"tg:{chat}"

    def say(self, chat: int, text: str, group: bool, mention: bool = True, msgid: str | None = None) -> None:
        from tests.fake_telegram import BOT_USERNAME

        if group and mention:
            text = f"@{BOT_USERNAME} {text}" if not text.startswith("/") else text.replace(" ", f"@{BOT_USERNAME} ", 1) if " " in text else f"{text}@{BOT_USERNAME}"
        self.fake.send_message(chat, text, kind="supergroup" if group else "private")

    def press_button(self, chat: int, group: bool, msg: Msg, data: str) -> None:
        self.fake.press(msg.raw, data)

    def messages(self, chat: int) -> list[Msg]:
        return [
            Msg(str(chat), text=s.text, buttons=[b for row in s.buttons for b in row], file=s.document, raw=s)
            for s in self.fake.sent_to(chat)
        ]

    def rate_limit(self) -> None:
        self.fake.fail_next("sendMessage", 429, retry_after=1)

    def rate_limits_served(self) -> int:
        return sum(1 for what, status in self.fake.failures_served if what == "sendMessage" and status == 429)


class WeComPlatform(Platform):
    name = "wecom"
    limit = 8000
    rate_limit_what = "aibot_respond_msg"

    def _env(self) -> dict[str, str]:
        from tests.fake_wecom import BOT_ID, BOT_NAME, SECRET

        return {"WECOM_BOT_ID": BOT_ID, "WECOM_BOT_SECRET": SECRET, "WECOM_BOT_NAME": BOT_NAME}

    def start(self, store: str | None = None) -> "WeComPlatform":
        from tests.fake_wecom import FakeWeCom

        self.fake = self.fake or FakeWeCom().start()
        self._spawn(store)
        return self

    def _spawn(self, store: str | None) -> None:
        before = self.fake.subscriptions
        self.process = ImProcess("wecom", ["--ws-url", self.fake.url.replace("http", "ws", 1) + "/"], self._env(), self.workdir, store)
        self.process.start(lambda: self.fake.subscriptions > before, self.fake)

    def restart(self) -> None:
        self._spawn(self.process.store)

    def key(self, chat: str, group: bool) -> str:
        return f"wc:{'g' if group else 'u'}:{chat}"

    def say(self, chat: str, text: str, group: bool, mention: bool = True, msgid: str | None = None) -> str:
        return self.fake.send_text(chat, text, group=group, mention=mention, msgid=msgid)

    def press_button(self, chat: str, group: bool, msg: Msg, data: str) -> None:
        self.fake.press(chat, msg, data, group=group)

    def rate_limit(self) -> None:
        self.fake.fail_next("aibot_respond_msg")

    def setter_mark(self, chat: str) -> str:
        return f"<@u-{chat}>"


class FeishuPlatform(Platform):
    name = "feishu"
    limit = 20_000
    rate_limit_what = "send"

    def start(self, store: str | None = None) -> "FeishuPlatform":
        from tests.fake_feishu import FakeFeishu

        self.fake = self.fake or FakeFeishu().start()
        self._spawn(store)
        return self

    def _spawn(self, store: str | None) -> None:
        from tests.fake_feishu import APP_ID, APP_SECRET

        before = self.fake.connections
        env = {"FEISHU_APP_ID": APP_ID, "FEISHU_APP_SECRET": APP_SECRET}
        self.process = ImProcess("feishu", ["--api-url", self.fake.url], env, self.workdir, store)
        self.process.start(lambda: self.fake.connections > before, self.fake)

    def restart(self) -> None:
        self._spawn(self.process.store)

    def key(self, chat: str, group: bool) -> str:
        return f"fs:{chat}"

    def say(self, chat: str, text: str, group: bool, mention: bool = True, msgid: str | None = None) -> str:
        return self.fake.send_text(chat, text, group=group, mention=mention, msgid=msgid)

    def press_button(self, chat: str, group: bool, msg: Msg, data: str) -> None:
        self.fake.press(chat, msg, data)

    def rate_limit(self) -> None:
        self.fake.fail_next("send", "429")

    def setter_mark(self, chat: str) -> str:
        return f'<at user_id="ou_{chat}"></at>'


    def rate_limits_served(self) -> int:
        return sum(1 for what, failure in self.fake.failures_served if what == "send" and failure == "429")


class DingTalkPlatform(Platform):
    name = "dingtalk"
    limit = 5000

    def start(self, store: str | None = None) -> "DingTalkPlatform":
        from tests.fake_dingtalk import FakeDingTalk

        self.fake = self.fake or FakeDingTalk().start()
        self._spawn(store)
        return self

    def _spawn(self, store: str | None) -> None:
        from tests.fake_dingtalk import CLIENT_ID, CLIENT_SECRET

        before = self.fake.connections
        env = {"DINGTALK_CLIENT_ID": CLIENT_ID, "DINGTALK_CLIENT_SECRET": CLIENT_SECRET, **self.extra_env()}
        self.process = ImProcess("dingtalk", ["--api-url", self.fake.url, "--oapi-url", self.fake.url], env, self.workdir, store)
        self.process.start(lambda: self.fake.connections > before, self.fake)

    def extra_env(self) -> dict[str, str]:
        return {}

    def restart(self) -> None:
        self._spawn(self.process.store)

    def key(self, chat: str, group: bool) -> str:
        return f"dt:{'g' if group else 'u'}:{chat}"

    def say(self, chat: str, text: str, group: bool, mention: bool = True, msgid: str | None = None) -> str:
        return self.fake.send_text(chat, text, group=group, mention=mention, msgid=msgid)

    def press(self, chat: str, group: bool, msg: Msg | None, data: str, number: int, label: str) -> str:
        """A card button (with a card template); else in a single chat the option's dtmd:// link sends its label
        as the user's message, in a group @me + the number."""
        if msg is not None and data in msg.button_data:
            self.fake.press(chat, msg, data, group=group)
            return data
        if not group:
            links = [link for m in reversed(self.fake.messages(chat)) if m.raw for link in m.raw["links"]]
            content = next((content for shown, content in links if shown == label), None)
            assert content is not None, f"no option {label!r} among the links"
            self.say(chat, content, group)
            return content
        self.say(chat, str(number), group)
        return data

    def rate_limit(self) -> None:
        self.fake.fail_next("send", "qps")

    def setter_mark(self, chat: str) -> str:
        return "@测试用户"

    def rate_limits_served(self) -> int:
        return sum(1 for what, failure in self.fake.failures_served if what == "send" and failure == "qps")


class DingTalkCardPlatform(DingTalkPlatform):
    """DingTalk with the operator's interactive-card template: buttons are card buttons."""

    name = "dingtalk-card"

    def extra_env(self) -> dict[str, str]:
        from tests.fake_dingtalk import TEMPLATE_ID

        return {"DINGTALK_CARD_TEMPLATE_ID": TEMPLATE_ID}

    def setter_mark(self, chat: str) -> str:
        return f"@staff-{chat}"  # a card press names the user by id (the callback carries no nick)


FACTORIES = {
    "ptb": lambda workdir: TelegramPlatform(workdir, "ptb"),
    "aiogram": lambda workdir: TelegramPlatform(workdir, "aiogram"),
    "wecom": WeComPlatform,
    "feishu": FeishuPlatform,
    "dingtalk": DingTalkPlatform,
    "dingtalk-card": DingTalkCardPlatform,
}
PLATFORMS = list(FACTORIES)


@pytest.fixture(scope="module", params=PLATFORMS)
def platform(request, tmp_path_factory):
    """One fake and one bot process per platform, shared by the scenarios (each uses its own chats)."""
    chosen = FACTORIES[request.param](tmp_path_factory.mktemp(request.param)).start()
    yield chosen
    chosen.stop()


# ------------------------------------------------------------------ a user and the twin


def _blob(text: str) -> str:
    return NUMBER.sub("#", SPACE.sub("", text))


def expected_view(replies: list[Reply]) -> tuple[str, list[str], list[str]]:
    return (
        "".join(_blob(reply.text) for reply in replies),
        [button.label for reply in replies for button in reply.buttons],
        [file.name for reply in replies for file in reply.files],
    )


def view(messages: list[Msg]) -> tuple[str, list[str], list[str]]:
    """What the bot sent, as the twin's replies look: numbered options become labels, reminders are left out."""
    text, labels, files = "", [], []
    for msg in messages:
        if msg.text and REMINDER.match(msg.text):
            continue
        body = msg.text or ""
        if OPTIONS_MARK in body:
            body, _, options = body.partition(OPTIONS_MARK)
            for line in options.splitlines()[1:]:
                match = NUMBERED.match(line.strip())
                if match:
                    label = match.group(2)
                    link = LINK.match(label)
                    labels.append(link.group(1) if link else label)
        text += _blob(body)
        labels += [label for label, _ in msg.buttons]
        if msg.file:
            files.append(msg.file[0])
    return text, labels, files


class Chat:
    """One chat (single or group) on a platform, with the twin that predicts every reply."""

    def __init__(self, platform: Platform, n: int, group: bool = False) -> None:
        self.platform = platform
        self.group = group
        self.id = platform.chat_id(n, group)
        self.key = platform.key(self.id, group)
        self.twin = BotService(MemoryStore())
        self.read = 0
        self.last: list[Msg] = []

    def say(self, text: str, msgid: str | None = None) -> list[Msg]:
        expected = self.twin.handle(self.key, text, lang_hint=self.platform.lang_hint)
        self.platform.say(self.id, text, self.group, msgid=msgid)
        return self.receive(expected)

    def press(self, data: str) -> list[Msg]:
        buttons = self.state().buttons
        number = next((n for n, b in enumerate(buttons, start=1) if b["data"] == data), 0)
        label = buttons[number - 1]["label"] if number else data
        under = next((m for m in reversed(self.last) if data in m.button_data), None)
        sent = self.platform.press(self.id, self.group, under, data, number, label)
        return self.receive(self.twin.handle(self.key, sent, lang_hint=self.platform.lang_hint))

    def buttons(self) -> list[str]:
        """The data of the buttons the twin's last replies carried."""
        return [b["data"] for b in self.state().buttons]

    def state(self) -> ChatState:
        return self.twin.store.load(self.key)

    def new_messages(self) -> list[Msg]:
        return self.platform.messages(self.id)[self.read :]

    def receive(self, replies: list[Reply]) -> list[Msg]:
        want = expected_view(replies)
        try:
            wait_until(lambda: view(self.new_messages()) == want, 20, "the twin's replies")
        except AssertionError:
            assert view(self.new_messages()) == want  # shows the difference
        got = self.new_messages()
        self.read += len(got)
        self.last = got
        return got


def run_assessment(chat: Chat) -> None:
    """/assess answered by pressing buttons only (the first option each time, "Now" for the time)."""
    chat.say("/assess")
    for _ in range(30):
        buttons = chat.buttons()
        if "remind:on" in buttons or "report:start" in buttons:
            return
        answers = [d for d in buttons if d.startswith("assess:") and d.count(":") == 2 and ":change:" not in d]
        assert answers, f"no answer buttons: {buttons}"
        chat.press(answers[0])
    raise AssertionError("the assessment did not finish in 30 presses")


def texts(messages: list[Msg]) -> str:
    return "\n".join(m.text or "" for m in messages)


# ------------------------------------------------------------------ scenarios on the shared process


def test_greeting_with_buttons(platform):
    chat = Chat(platform, 1)
    sent = chat.say("/start")
    assert "你好" in texts(sent) or "欢迎" in texts(sent)
    assert {"/assess", "/report", "/contacts", "/faq"} <= set(chat.buttons())


def test_a_question_is_answered(platform):
    assert "12387@cert.org.cn" in texts(Chat(platform, 2).say("报告邮箱是什么"))


def test_contacts_in_one_message(platform):
    sent = Chat(platform, 3).say("/contacts")
    assert any(all(channel in (m.text or "") for channel in SIX_CHANNELS) for m in sent)


def test_a_whole_assessment_by_buttons_then_reminders_are_stored(platform):
    chat = Chat(platform, 4)
    run_assessment(chat)
    chat.press("remind:on")
    stored = SQLiteStore(platform.process.store).load(chat.key)
    assert stored.reminders and [{k: v for k, v in r.items() if k != "by"} for r in stored.reminders] == chat.state().reminders


def test_a_report_by_buttons_ends_in_a_docx(platform):
    chat = Chat(platform, 5)
    chat.say("/report")
    files: list[tuple[str, bytes]] = []
    for _ in range(40):
        buttons = chat.buttons()
        choices = [d for d in buttons if d in ("report:finish", "report:preview") or d.startswith("report:kind:initial")]
        data = choices[0] if choices else next(d for d in buttons if d == "report:skip")
        files = [m.file for m in chat.press(data) if m.file]
        if files:
            break
    docx = next(content for name, content in files if name.endswith(".docx"))
    assert "word/document.xml" in zipfile.ZipFile(BytesIO(docx)).namelist()


def test_a_long_reply_is_split_within_the_platform_limit(platform):
    chat = Chat(platform, 13)
    chat.say("/report")
    chat.press("report:kind:initial")
    chat.say("甲" * 3000 + "有限公司")
    preview = chat.press("report:preview")  # the draft quotes the name more than once
    texts_sent = [m.text for m in preview if m.text]
    assert all(platform.fits(text) for text in texts_sent)
    assert len(texts_sent) > 1 or platform.fits("".join(texts_sent))  # split wherever one message would not do


def test_a_rate_limit_is_waited_out_and_the_message_still_arrives(platform):
    chat = Chat(platform, 6)
    served = platform.rate_limits_served()
    platform.rate_limit()
    sent = chat.say("/contacts")
    assert platform.rate_limits_served() == served + 1
    assert "12387" in texts(sent)


def test_a_due_reminder_is_delivered(platform):
    """The incident was discovered (soonest deadline − 5) minutes ago: its reminder is due at once."""
    chat = Chat(platform, 7)
    run_assessment(chat)
    obligations = chat.state().flows["assess"]["result"]["obligations"]
    soonest = min(o["within_minutes"] for o in obligations if o["by"] == "operator" and o["within_minutes"])
    chat.press("assess:change:discovered_at")
    chat.say(f"{soonest - 5}分钟前")
    chat.press("remind:on")
    wait_until(lambda: any(REMINDER.match(m.text or "") for m in platform.messages(chat.id)), 20, "the reminder")
    assert len(SQLiteStore(platform.process.store).load(chat.key).reminders) == len(chat.state().reminders) - 1


def test_a_reminder_in_a_group_mentions_who_set_it(platform):
    mark = platform.setter_mark("g12")
    if mark is None:
        pytest.skip("Telegram reminders mention nobody")
    chat = Chat(platform, 12, group=True)
    run_assessment(chat)
    obligations = chat.state().flows["assess"]["result"]["obligations"]
    soonest = min(o["within_minutes"] for o in obligations if o["by"] == "operator" and o["within_minutes"])
    chat.press("assess:change:discovered_at")
    chat.say(f"{soonest - 5}分钟前")
    chat.press("remind:on")
    wait_until(lambda: any(REMINDER.match(m.text or "") for m in platform.messages(chat.id)), 20, "the reminder")
    reminder = next(m.text for m in platform.messages(chat.id) if REMINDER.match(m.text or ""))
    assert reminder.startswith(mark), reminder
    stored = SQLiteStore(platform.process.store).load(chat.key)
    assert all(entry.get("by") for incident in stored.incidents for entry in incident["timeline"])  # who did what


def test_a_group_gets_answers_only_when_it_mentions_the_bot(platform):
    chat = Chat(platform, 8, group=True)
    platform.say(chat.id, "大家好，今天系统有点慢", True, mention=False)
    sent = chat.say("报告邮箱是什么")  # the first thing the group gets is the answer to the mention
    assert "12387@cert.org.cn" in texts(sent)
    chat.say("/assess")  # one shared conversation: the next member's answer continues it
    assert chat.state().active == "assess"


def test_forget_in_a_group_asks_first(platform):
    chat = Chat(platform, 9, group=True)
    chat.say("/assess")
    platform.say(chat.id, "/forget", True)
    wait_until(lambda: any("/forget confirm" in m.button_data or "confirm" in (m.text or "") for m in chat.new_messages()), 20, "the question")
    chat.read += len(chat.new_messages())
    assert SQLiteStore(platform.process.store).load(chat.key).active == "assess"  # nothing deleted yet
    chat.say("/forget confirm")
    assert SQLiteStore(platform.process.store).load(chat.key) == ChatState()


def test_a_message_pushed_again_is_answered_once(platform):
    if not platform.redelivers:
        pytest.skip("Telegram confirms updates by offset; tests/test_telegram_e2e.py covers its redelivery")
    chat = Chat(platform, 10)
    msgid = "dup-msg-1"
    chat.say("/contacts", msgid=msgid)
    platform.say(chat.id, "/contacts", False, msgid=msgid)  # the platform's re-push: the same message id
    chat.say("/help")  # the next thing the chat gets is the answer to /help, not a second /contacts


def test_word_commands_work_on_every_platform(platform):
    chat = Chat(platform, 11)
    sent = chat.say("渠道")
    assert "12387@cert.org.cn" in texts(sent)


def test_no_secret_in_the_output(platform):
    output = platform.output()
    for secret in ("wecom-test-secret-0123456789", "feishu-test-secret", "dingtalk-test-secret"):
        assert secret not in output
    assert "Traceback" not in output


# ------------------------------------------------------------------ kill -9 and restart


@pytest.mark.parametrize("name", PLATFORMS)
def test_kill_9_then_restart_resumes_and_an_old_button_still_works(name, tmp_path):
    platform = FACTORIES[name](tmp_path).start()
    try:
        chat = Chat(platform, 20)
        chat.say("/assess")
        first = chat.buttons()
        first_labels = [b["label"] for b in chat.state().buttons]
        chat.press(next(d for d in first if d.endswith(":yes")))
        wait_until(lambda: SQLiteStore(platform.process.store).load(chat.key).active == "assess", 10, "the save")
        platform.kill9()
        now = now_shanghai()
        reminders = [{"at": (now - timedelta(minutes=1)).isoformat(), "deadline": now.isoformat(), "text": {"zh": "⏰ 提醒：测试一", "en": "⏰ one"}}]
        other = Chat(platform, 21)
        SQLiteStore(platform.process.store).save(other.key, ChatState(lang="zh", reminders=reminders))
        platform.restart()
        wait_until(lambda: any(m.text == "⏰ 提醒：测试一" for m in platform.messages(other.id)), 20, "the stored reminder")
        assert chat.say("/start") and chat.buttons() == ["resume:assess", "discard:assess"]
        chat.press("resume:assess")
        old = first[1]  # a button under a message sent before the kill
        current = chat.buttons()
        number = current.index(old) + 1 if old in current else 0
        sent = platform.press(chat.id, False, _first_with(platform, chat, old), old, number, first_labels[1])
        chat.receive(chat.twin.handle(chat.key, sent, lang_hint=platform.lang_hint))
    finally:
        platform.stop()


def _first_with(platform: Platform, chat: Chat, data: str) -> Msg | None:
    return next((m for m in platform.messages(chat.id) if data in m.button_data), None)


# ------------------------------------------------------------------ what only one platform has


@pytest.fixture
def wecom(tmp_path):
    platform = WeComPlatform(tmp_path).start()
    yield platform
    platform.stop()


def test_wecom_welcomes_within_5_seconds_of_enter_chat(wecom):
    wecom.fake.enter_chat("user40")
    wait_until(lambda: any("你好" in (m.text or "") or "欢迎" in (m.text or "") for m in wecom.messages("user40")), 20, "the welcome")
    assert wecom.fake.count("aibot_respond_welcome_msg") == 1


def test_wecom_reconnects_after_the_connection_drops(wecom):
    before = wecom.fake.subscriptions
    wecom.fake.drop_connection()
    wecom.fake.wait_for(lambda: wecom.fake.subscriptions > before, 20, "a new subscription")
    assert "12387@cert.org.cn" in texts(Chat(wecom, 41).say("报告邮箱是什么"))
    assert wecom.output().count("reconnecting in") == 1


def test_wecom_exits_when_another_instance_takes_over(wecom):
    wecom.fake.take_over()
    assert wecom.process.wait_exit(20) == 1
    assert "another instance" in wecom.output() and "Traceback" not in wecom.output()


def test_wecom_rejected_secret_is_exit_2(tmp_path):
    from tests.fake_wecom import BOT_ID, FakeWeCom

    fake = FakeWeCom().start()
    try:
        process = ImProcess("wecom", ["--ws-url", fake.url.replace("http", "ws", 1) + "/"], {"WECOM_BOT_ID": BOT_ID, "WECOM_BOT_SECRET": "wrong-secret-123"}, tmp_path)
        process.spawn()
        assert process.wait_exit(30) == 2
        assert "rejected" in process.output() and "wrong-secret-123" not in process.output()
    finally:
        fake.stop()


def test_wecom_more_than_six_buttons_become_numbered_options(wecom):
    chat = Chat(wecom, 42)
    sent = chat.say("/faq")
    if len(chat.buttons()) <= 6:
        pytest.skip("the FAQ has six topics or fewer")
    assert any(OPTIONS_MARK in (m.text or "") for m in sent) and not any(m.buttons for m in sent)
    topic = chat.buttons()[0]
    chat.press(topic)  # answered by typing its number
    assert chat.buttons() and all(d.startswith("faq:") for d in chat.buttons())


@pytest.fixture(scope="module")
def feishu(tmp_path_factory):
    platform = FeishuPlatform(tmp_path_factory.mktemp("feishu-only")).start()
    yield platform
    platform.stop()


def test_feishu_acknowledges_events_and_quotes_the_asker(feishu):
    replies = feishu.fake.replies
    event_id = "ev-quote-1"
    Chat(feishu, 50).say("报告邮箱是什么", msgid=event_id)
    assert event_id in feishu.fake.acked and feishu.fake.replies == replies + 1


def test_feishu_expired_token_is_dropped_and_fetched_again(feishu):
    issued = feishu.fake.tokens_issued
    feishu.fake.fail_next("send", "token")
    assert "12387" in texts(Chat(feishu, 51).say("/contacts"))
    assert feishu.fake.tokens_issued == issued + 1


def test_feishu_greets_a_group_it_is_added_to(feishu):
    feishu.fake.add_bot_to_group("g52")
    wait_until(lambda: any("你好" in (m.text or "") or "欢迎" in (m.text or "") for m in feishu.messages("g52")), 20, "the greeting")


def test_feishu_reconnects_after_the_connection_drops(feishu):
    before = feishu.fake.connections
    feishu.fake.drop_connection()
    feishu.fake.wait_for(lambda: feishu.fake.connections > before, 30, "a new connection")
    assert "12387@cert.org.cn" in texts(Chat(feishu, 53).say("报告邮箱是什么"))
    assert "reconnecting" in feishu.output()


def test_feishu_rejected_secret_is_exit_2(tmp_path):
    from tests.fake_feishu import APP_ID, FakeFeishu

    fake = FakeFeishu().start()
    try:
        process = ImProcess("feishu", ["--api-url", fake.url], {"FEISHU_APP_ID": APP_ID, "FEISHU_APP_SECRET": "wrong-secret-456"}, tmp_path)
        process.spawn()
        assert process.wait_exit(60) == 2
        assert "rejected" in process.output() and "wrong-secret-456" not in process.output()
    finally:
        fake.stop()


@pytest.fixture(scope="module")
def dingtalk(tmp_path_factory):
    platform = DingTalkPlatform(tmp_path_factory.mktemp("dingtalk-only")).start()
    yield platform
    platform.stop()


def test_dingtalk_acknowledges_callbacks_and_echoes_pings(dingtalk):
    Chat(dingtalk, 60).say("/help")
    pings = dingtalk.fake.pongs
    dingtalk.fake.ping()
    dingtalk.fake.wait_for(lambda: dingtalk.fake.pongs > pings, 20, "the ping's echo")
    assert dingtalk.fake.acked  # every callback frame so far was acknowledged with code 200


def test_dingtalk_reconnects_when_the_gateway_says_disconnect(dingtalk):
    before = dingtalk.fake.connections
    dingtalk.fake.disconnect()
    dingtalk.fake.wait_for(lambda: dingtalk.fake.connections > before, 30, "a new connection")
    assert "12387@cert.org.cn" in texts(Chat(dingtalk, 61).say("报告邮箱是什么"))
    assert dingtalk.output().count("reconnecting") == 1


def test_dingtalk_expired_token_is_fetched_again(dingtalk):
    issued = dingtalk.fake.tokens_issued
    dingtalk.fake.fail_next("send", "token")
    assert "12387" in texts(Chat(dingtalk, 62).say("/contacts"))
    assert dingtalk.fake.tokens_issued == issued + 1


def test_dingtalk_options_are_links_in_single_chat_and_numbers_in_groups(dingtalk):
    single = Chat(dingtalk, 63).say("/start")
    assert any("dtmd://dingtalkclient/sendMessage?content=" in (m.text or "") for m in single)
    group = Chat(dingtalk, 64, group=True).say("/start")
    assert any("@我" in (m.text or "") for m in group) and not any("dtmd://" in (m.text or "") for m in group)


def test_dingtalk_rejected_secret_is_exit_2(tmp_path):
    from tests.fake_dingtalk import CLIENT_ID, FakeDingTalk

    fake = FakeDingTalk().start()
    try:
        env = {"DINGTALK_CLIENT_ID": CLIENT_ID, "DINGTALK_CLIENT_SECRET": "wrong-secret-789"}
        process = ImProcess("dingtalk", ["--api-url", fake.url, "--oapi-url", fake.url], env, tmp_path)
        process.spawn()
        assert process.wait_exit(30) == 2
        assert "rejected" in process.output() and "wrong-secret-789" not in process.output()
    finally:
        fake.stop()
