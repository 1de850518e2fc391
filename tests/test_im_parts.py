"""The IM adapters' platform-free parts: keys and back, splitting by bytes, mentions, numbered options, settings,
retry delays, the allowlist, and the Bridge's group manners (numbers pick options, /forget asks first)."""

from __future__ import annotations

import argparse

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.model import Button, FileOut
from bot.service import BotService
from bot.store.memory import MemoryStore
from bot.transports.im.common import (
    Allowlist,
    ApiError,
    Dest,
    ImPlatform,
    SettingsError,
    load_im_settings,
    numbered_options,
    retry_delay,
    split_bytes,
    strip_leading_mentions,
)
from bot.transports.telegram.bridge import FORGET_CONFIRM, Bridge


def test_keys_lead_back_to_the_chat():
    wecom = ImPlatform("wc", 100)
    for dest in (Dest("u", "zhangsan"), Dest("g", "wrk:chat:1")):
        back = wecom.chat(wecom.key(dest))
        assert (back.kind, back.id) == (dest.kind, dest.id)
    assert wecom.chat("tg:5") is None and wecom.chat("wc:x:1") is None and wecom.chat("wc:u:") is None
    feishu = ImPlatform("fs", 100, kinds_in_key=False)
    assert feishu.key(Dest("g", "oc_1")) == "fs:oc_1" and feishu.chat("fs:oc_1").id == "oc_1"


@given(st.text(alphabet=st.sampled_from(["甲", "a", " ", "\n", "😀", "é"]), max_size=400), st.integers(min_value=8, max_value=120))
def test_split_bytes_keeps_every_piece_within_the_limit_and_loses_no_text(text, limit):
    pieces = split_bytes(text, limit)
    assert all(0 < len(piece.encode()) <= limit for piece in pieces)
    assert "".join(pieces).replace(" ", "").replace("\n", "") == text.replace(" ", "").replace("\n", "")


def test_mentions_are_removed():
    assert strip_leading_mentions("@事件助手 报告邮箱是什么", ["事件助手"]) == "报告邮箱是什么"
    assert strip_leading_mentions(" 报告邮箱是什么") == "报告邮箱是什么"
    assert strip_leading_mentions("@Incident Bot /help", ["Incident Bot"]) == "/help"


def test_numbered_options_say_how_to_answer_in_a_group():
    buttons = [Button("是", "a:yes"), Button("否", "a:no")]
    assert numbered_options(buttons, False).splitlines()[1:] == ["1. 是", "2. 否"]
    assert "@" in numbered_options(buttons, True).splitlines()[0]


def test_settings_come_from_the_environment_and_are_checked(tmp_path):
    args = argparse.Namespace(config=None, store=None, allow_chat=[], ws_url=None, text_limit=None)
    kwargs = dict(required={"bot_id": "WECOM_BOT_ID", "bot_secret": "WECOM_BOT_SECRET"}, urls={"ws_url": ("WECOM_WS_URL", "wss://x")}, options={"text_limit": ("T", 4000)})
    with pytest.raises(SettingsError, match="WECOM_BOT_SECRET"):
        load_im_settings("wecom", args, {"WECOM_BOT_ID": "b"}, **kwargs)
    settings = load_im_settings("wecom", args, {"WECOM_BOT_ID": "b", "WECOM_BOT_SECRET": "s3cret-long", "WECOM_ALLOWED_CHATS": "u1, g2"}, **kwargs)
    assert settings.allowed_chats == {"u1", "g2"} and settings.secrets() == ["s3cret-long"] and settings.urls["ws_url"] == "wss://x"
    with pytest.raises(SettingsError, match="at least 200"):
        load_im_settings("wecom", args, {"WECOM_BOT_ID": "b", "WECOM_BOT_SECRET": "s", "T": "abc"}, **kwargs)
    with pytest.raises(SettingsError, match="URL"):
        load_im_settings("wecom", args, {"WECOM_BOT_ID": "b", "WECOM_BOT_SECRET": "s", "WECOM_WS_URL": "openws"}, **kwargs)
    config = tmp_path / "bot.toml"
    config.write_text('bot_id = "b"\nbot_secret = "from-file"\nnonsense = 1\n')
    with pytest.raises(SettingsError, match="nonsense"):
        load_im_settings("wecom", argparse.Namespace(**{**vars(args), "config": str(config)}), {}, **kwargs)


def test_retry_delays():
    assert retry_delay(ApiError("x", wait=2.0), 0) == 2.0
    assert retry_delay(ApiError("x", transient=True), 1) == 1.0
    assert retry_delay(ApiError("x"), 0) is None
    assert retry_delay(ConnectionResetError(), 0) == 0.5
    assert retry_delay(KeyError(), 0) is None


def test_the_allowlist_names_chats_by_id_or_key():
    allowlist = Allowlist(frozenset({"u1", "wc:g:g2"}), ImPlatform("wc", 100))
    assert allowlist.permits(Dest("u", "u1")) and allowlist.permits(Dest("g", "g2"))
    assert not allowlist.permits(Dest("u", "u3")) and not allowlist.permits(Dest("u", "u3"))
    assert Allowlist(frozenset(), ImPlatform("wc", 100)).permits(Dest("u", "anyone"))


class Recorder:
    def __init__(self) -> None:
        self.sent: list[tuple[str, list[Button]]] = []

    async def send_text(self, chat: Dest, text: str, buttons: list[Button]) -> None:
        self.sent.append((text, buttons))

    async def send_document(self, chat: Dest, file: FileOut) -> None:
        self.sent.append((file.name, []))


async def test_a_number_picks_the_option_and_forget_in_a_group_asks_first():
    recorder = Recorder()
    bridge = Bridge(BotService(MemoryStore()), recorder, lambda error, attempt: None, ImPlatform("wc", 4000))
    group = Dest("g", "room")
    await bridge.message(group, "/start", None)
    menu = recorder.sent[-1][1]
    await bridge.message(group, "3", None, numbered=True)  # the third option: /contacts
    assert "12387" in recorder.sent[-1][0] and menu[2].data == "/contacts"
    acked = []

    async def ack() -> None:
        acked.append(len(recorder.sent))

    await bridge.message(group, "/forget", None, acked=ack)
    assert recorder.sent[-1][1] == [Button("确认删除", FORGET_CONFIRM)] and acked == [len(recorder.sent) - 1]
    assert bridge.service.store.load("wc:g:room").buttons  # nothing deleted yet
    await bridge.message(group, FORGET_CONFIRM, None)
    assert bridge.service.store.chat_ids() == []


async def test_a_message_id_seen_before_is_skipped():
    recorder = Recorder()
    bridge = Bridge(BotService(MemoryStore()), recorder, lambda error, attempt: None, ImPlatform("dt", 4000))
    chat = Dest("u", "staff1")
    await bridge.message(chat, "/help", None, message_id="dt:m1")
    count = len(recorder.sent)
    await bridge.message(chat, "/help", None, message_id="dt:m1")
    assert len(recorder.sent) == count
    await bridge.message(chat, "/help", None, message_id="dt:m2")
    assert len(recorder.sent) == 2 * count


def test_the_author_is_kept_on_timeline_entries_and_reminders():
    service = BotService(MemoryStore())
    alice, bob = {"id": "u-alice", "name": "Alice"}, {"id": "u-bob", "name": "Bob"}
    replies = service.handle("wc:g:room", "/assess", author=alice)
    for turn in range(40):
        buttons = [b.data for reply in replies for b in reply.buttons]
        if "remind:on" in buttons:
            break
        answer = next(d for d in buttons if d.startswith("assess:") and d.count(":") == 2 and ":change:" not in d)
        replies = service.handle("wc:g:room", answer, author=alice if turn % 2 else bob)
    service.handle("wc:g:room", "remind:on", author=bob)
    state = service.store.load("wc:g:room")
    entries = [entry for incident in state.incidents for entry in incident["timeline"]]
    assert entries and all(entry.get("by") in (alice, bob) for entry in entries)
    assert all(reminder["by"] == bob for reminder in state.reminders)


@pytest.mark.parametrize("word, command", [("帮助", "/help"), ("评估", "/assess"), ("报告", "/report"), ("渠道", "/contacts"), ("取消", "/cancel"), ("菜单", "/start")])
def test_six_words_typed_whole_are_commands_even_mid_conversation(word, command):
    typed, commanded = BotService(MemoryStore()), BotService(MemoryStore())
    for service in (typed, commanded):
        service.handle("c", "/assess")  # mid-conversation
    assert [r.text for r in typed.handle("c", word)] == [r.text for r in commanded.handle("c", command)]
    assert typed.store.load("c").active == commanded.store.load("c").active


def test_a_word_inside_a_sentence_is_no_command():
    service = BotService(MemoryStore())
    assert service.store.load("c").active is None
    replies = service.handle("c", "报告邮箱是什么")
    assert "12387@cert.org.cn" in replies[0].text
