"""The Telegram adapters' framework-free parts: message splitting, keyboards, group manners, settings, log
redaction, retries, per-chat ordering, the reminder queue and the webhook's secret check."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

import pytest
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import given
from hypothesis import strategies as st

from bot.cli import build_parser
from bot.model import Button, FileOut, Reply
from bot.timeutil import SHANGHAI
from bot.transports.telegram.common import (
    CALLBACK_DATA_LIMIT,
    addressed_text,
    callback_data,
    chat_id_of,
    chat_key,
    keyboard,
    retrying,
    split_text,
    utf16_len,
)
from bot.transports.telegram.logs import RedactingFormatter
from bot.transports.telegram.schedule import ReminderQueue
from bot.transports.telegram.settings import SettingsError, load_settings
from bot.transports.telegram.webhook import SECRET_HEADER, webhook_app

TOKEN = "123456:AAE-secret_part"

# ------------------------------------------------------------------ splitting


@given(st.text(alphabet=st.sampled_from("ab 中\n😀"), max_size=400), st.integers(min_value=4, max_value=60))
def test_split_pieces_fit_and_keep_every_character(text, limit):
    pieces = split_text(text, limit)
    assert all(piece and utf16_len(piece) <= limit for piece in pieces)
    assert "".join(pieces).replace(" ", "").replace("\n", "") == text.replace(" ", "").replace("\n", "")


def test_split_prefers_line_breaks():
    lines = [f"line {n} " + "x" * 30 for n in range(300)]
    pieces = split_text("\n".join(lines))
    assert len(pieces) > 1
    assert all(utf16_len(piece) <= 4096 for piece in pieces)
    assert [line for piece in pieces for line in piece.split("\n")] == lines


def test_short_text_is_one_message():
    assert split_text("  你好  ") == ["你好"]
    assert split_text("   ") == []


# ------------------------------------------------------------------ keyboards


def test_short_labels_share_rows_long_ones_do_not():
    rows = keyboard([Button("继续", "resume:x"), Button("放弃", "discard:x"), Button("这是一个非常长的按钮标签文字啊", "faq:a"), Button("OK", "b")])
    assert rows == [[("继续", "resume:x"), ("放弃", "discard:x")], [("这是一个非常长的按钮标签文字啊", "faq:a")], [("OK", "b")]]


def test_callback_data_never_exceeds_64_bytes():
    assert callback_data(Button("Yes", "assess:yes")) == "assess:yes"
    assert callback_data(Button("Yes", "x" * (CALLBACK_DATA_LIMIT + 1))) == "Yes"  # the engine maps a label back
    assert callback_data(Button("长" * 30, "数" * 30)) is None
    assert keyboard([Button("长" * 30, "数" * 30), Button("OK", "ok")]) == [[("OK", "ok")]]


@given(st.lists(st.builds(Button, st.text(min_size=1, max_size=30), st.text(min_size=1, max_size=80)), max_size=12))
def test_keyboard_keeps_order_and_limits(buttons):
    rows = keyboard(buttons)
    flat = [data for row in rows for _, data in row]
    assert all(1 <= len(row) <= 2 for row in rows)
    assert all(0 < len(data.encode()) <= CALLBACK_DATA_LIMIT for data in flat)
    assert flat == [d for b in buttons if (d := callback_data(b)) is not None]


def test_chat_keys_round_trip_and_ignore_other_transports():
    assert chat_id_of(chat_key(-1001234)) == -1001234
    assert chat_id_of("terminal") is None and chat_id_of("tg:abc") is None


# ------------------------------------------------------------------ group manners


def test_private_chats_get_everything():
    assert addressed_text("hello", private=True, bot_username="MyBot", replied_to_bot=False) == "hello"


@pytest.mark.parametrize(
    ("text", "replied", "expected"),
    [
        ("just chatting", False, None),
        ("/contacts", False, "/contacts"),
        ("/contacts@MyBot", False, "/contacts@MyBot"),
        ("/contacts@mybot", False, "/contacts@mybot"),
        ("/help@OtherBot", False, None),
        ("@MyBot 报告邮箱是什么", False, "报告邮箱是什么"),
        ("报告邮箱是什么 @mybot", False, "报告邮箱是什么"),
        ("@MyBotter hi", False, None),
        ("yes", True, "yes"),
    ],
)
def test_groups_get_only_what_is_addressed_to_the_bot(text, replied, expected):
    assert addressed_text(text, private=False, bot_username="MyBot", replied_to_bot=replied) == expected


# ------------------------------------------------------------------ settings


def settings_for(argv, env):
    return load_settings(build_parser().parse_args(["telegram", *argv]), env)


def test_token_and_fallbacks_come_from_the_environment():
    settings = settings_for(
        [],
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": "http://127.0.0.1:8081/",
            "BOT_STORE": "memory:",
            "TELEGRAM_ALLOWED_CHATS": "1, -100200",
            "TELEGRAM_WEBHOOK_SECRET": "s3cret",
        },
    )
    assert settings.token == TOKEN and settings.api_url == "http://127.0.0.1:8081" and settings.store_url == "memory:"
    assert settings.allowed_chats == {1, -100200} and settings.permits(-100200) and not settings.permits(2)
    assert settings.webhook_secret == "s3cret"


def test_command_line_wins_over_environment():
    settings = settings_for(["--allow-chat", "5", "--allow-chat", "6,7", "--store", "x.sqlite3"], {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_ALLOWED_CHATS": "1", "BOT_STORE": "memory:"})
    assert settings.allowed_chats == {5, 6, 7} and settings.store_url == "x.sqlite3"


def test_no_allowlist_permits_every_chat():
    assert settings_for([], {"TELEGRAM_BOT_TOKEN": TOKEN}).permits(42)


def test_config_file_holds_the_token(tmp_path):
    config = tmp_path / "bot.toml"
    config.write_text(f'token = "{TOKEN}"\nallowed_chats = [1, 2]\n', encoding="utf-8")
    settings = settings_for(["--config", str(config)], {})
    assert settings.token == TOKEN and settings.allowed_chats == {1, 2}


@pytest.mark.parametrize(
    ("argv", "env", "message"),
    [
        ([], {}, "TELEGRAM_BOT_TOKEN"),
        ([], {"TELEGRAM_BOT_TOKEN": "not a token"}, "malformed"),
        (["--allow-chat", "abc"], {"TELEGRAM_BOT_TOKEN": TOKEN}, "not a chat id"),
        (["--api-url", "127.0.0.1:8081"], {"TELEGRAM_BOT_TOKEN": TOKEN}, "--api-url"),
        (["--webhook-secret", "with space"], {"TELEGRAM_BOT_TOKEN": TOKEN}, "webhook secret"),
    ],
)
def test_bad_settings_give_one_clear_line(argv, env, message):
    with pytest.raises(SettingsError, match=message) as caught:
        settings_for(argv, env)
    assert "\n" not in str(caught.value) and "not a token" not in str(caught.value)


def test_bad_config_files_are_named(tmp_path):
    broken = tmp_path / "broken.toml"
    broken.write_text("token = ", encoding="utf-8")
    with pytest.raises(SettingsError, match="not valid TOML"):
        settings_for(["--config", str(broken)], {})
    unknown = tmp_path / "unknown.toml"
    unknown.write_text('tokn = "x"\n', encoding="utf-8")
    with pytest.raises(SettingsError, match="unknown keys"):
        settings_for(["--config", str(unknown)], {})
    with pytest.raises(SettingsError, match="cannot read"):
        settings_for(["--config", str(tmp_path / "missing.toml")], {})


# ------------------------------------------------------------------ logs


def test_log_lines_never_show_the_token():
    settings = settings_for([], {"TELEGRAM_BOT_TOKEN": TOKEN})
    formatter = RedactingFormatter(settings.secrets(), "%(message)s")
    try:
        raise ConnectionError(f"GET https://api.telegram.org/bot{TOKEN}/getMe failed")
    except ConnectionError as error:
        record = logging.LogRecord("httpx", logging.ERROR, __file__, 1, "HTTP Request: %s", (error,), exc_info=(type(error), error, None))
    line = formatter.format(record)
    assert "secret_part" not in line and "<redacted>" in line


# ------------------------------------------------------------------ retries and ordering


class Flood(Exception):
    pass


async def test_retrying_waits_and_tries_again_until_it_works():
    failures = [Flood(), Flood()]
    waits = []

    async def call():
        if failures:
            raise failures.pop()
        return "sent"

    def delay(error, attempt):
        waits.append(attempt)
        return 0.0 if isinstance(error, Flood) else None

    assert await retrying(call, delay) == "sent"
    assert waits == [0, 1]


async def test_retrying_gives_up_on_other_errors_and_after_the_last_attempt():
    calls = []

    async def broken():
        calls.append(1)
        raise Flood()

    with pytest.raises(Flood):
        await retrying(broken, lambda error, attempt: None)
    assert len(calls) == 1
    with pytest.raises(Flood):
        await retrying(broken, lambda error, attempt: 0.0, attempts=3)
    assert len(calls) == 4


class RecordingSender:
    """Stands in for the Bot API at the process boundary: records what would be sent."""

    def __init__(self, delays: list[float] | None = None) -> None:
        self.sent: list[tuple] = []
        self.delays = delays or []  # slower first sends: later ones would overtake them if not kept in order

    async def send_text(self, chat_id, text, rows):
        await asyncio.sleep(self.delays.pop(0) if self.delays else 0)
        self.sent.append(("text", chat_id, text, rows))

    async def send_document(self, chat_id, file):
        self.sent.append(("document", chat_id, file.name))


def make_bridge(sender):
    from bot.service import BotService
    from bot.store.memory import MemoryStore
    from bot.transports.telegram.bridge import Bridge

    return Bridge(BotService(MemoryStore()), sender, lambda error, attempt: None)


async def test_deliver_splits_text_puts_buttons_last_and_files_after():
    sender = RecordingSender()
    bridge = make_bridge(sender)
    reply = Reply("a" * 5000, [Button("OK", "ok")], [FileOut("report.md", b"# r")])
    await bridge.deliver(7, [reply])
    assert [kind for kind, *_ in sender.sent] == ["text", "text", "document"]
    assert sender.sent[0][3] == [] and sender.sent[1][3] == [[("OK", "ok")]]
    assert sender.sent[0][2] + sender.sent[1][2] == "a" * 5000


async def test_one_chat_is_answered_in_order_and_idle_chats_hold_no_lock():
    sender = RecordingSender(delays=[0.04, 0.03, 0.02, 0.01])
    bridge = make_bridge(sender)
    await asyncio.gather(*(bridge.message(9, text, "zh-hans") for text in ["/lang en", "/help", "/lang zh", "/help"]))
    texts = [text for _, _, text, _ in sender.sent]
    assert texts[0].startswith("Switched to English") and texts[2].startswith("已切换为中文")
    assert len(bridge.locks) == 0


# ------------------------------------------------------------------ reminder queue

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=SHANGHAI)


def test_queue_keeps_one_time_per_chat():
    queue = ReminderQueue()
    assert queue.set("a", T0 + timedelta(minutes=10))
    assert queue.set("b", T0 + timedelta(minutes=5))
    assert not queue.set("a", T0 + timedelta(minutes=20))  # later: the earliest did not move
    assert queue.next_time() == T0 + timedelta(minutes=5)
    queue.set("b", None)
    assert queue.next_time() == T0 + timedelta(minutes=20) and len(queue) == 1
    assert queue.pop_due(T0 + timedelta(minutes=19)) == []
    assert queue.pop_due(T0 + timedelta(minutes=20)) == ["a"]
    assert queue.next_time() is None


@given(st.lists(st.tuples(st.sampled_from("abcd"), st.none() | st.integers(0, 30)), max_size=40), st.integers(0, 30))
def test_queue_pops_exactly_the_chats_due(operations, now_minutes):
    queue = ReminderQueue()
    latest: dict[str, int | None] = {}
    for key, minutes in operations:
        queue.set(key, None if minutes is None else T0 + timedelta(minutes=minutes))
        latest[key] = minutes
    due = queue.pop_due(T0 + timedelta(minutes=now_minutes))
    assert sorted(due) == sorted(k for k, m in latest.items() if m is not None and m <= now_minutes)
    assert len(queue) == len([k for k, m in latest.items() if m is not None and m > now_minutes])


# ------------------------------------------------------------------ webhook


async def test_webhook_refuses_a_wrong_secret_and_feeds_the_right_one():
    fed = []

    async def feed(update):
        fed.append(update)

    async with TestClient(TestServer(webhook_app("s3cret", "/hook", feed))) as client:
        update = {"update_id": 1, "message": {"text": "hi"}}
        assert (await client.post("/hook", json=update)).status == 403
        assert (await client.post("/hook", json=update, headers={SECRET_HEADER: "guess"})).status == 403
        assert (await client.post("/hook", data="{", headers={SECRET_HEADER: "s3cret"})).status == 400
        assert (await client.post("/hook", json=[1], headers={SECRET_HEADER: "s3cret"})).status == 400
        assert (await client.post("/hook", json=update, headers={SECRET_HEADER: "s3cret"})).status == 200
    assert fed == [update]
