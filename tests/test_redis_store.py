"""The Redis store against a real redis-server: REDIS_URL if set (CI starts one), else a throw-away server
started here on a free port. Without redis-server the tests are skipped, unless REQUIRE_REDIS=1."""

from __future__ import annotations

import uuid

import pytest

from bot.model import ChatState
from bot.service import BotService
from bot.store import open_store
from bot.store.redis import RedisStore


@pytest.fixture
def store(redis_url):
    """A store under a prefix of its own, so tests never see each other's keys (or anything else in that db)."""
    store = RedisStore(redis_url, prefix=f"test-{uuid.uuid4().hex}:")
    yield store
    for chat_id in store.chat_ids():
        store.delete(chat_id)
    store.close()


def test_save_load_delete_round_trip(store):
    state = ChatState(lang="zh", active="assess", flows={"assess": {"step": "level", "answers": {"cii": True}}}, reminders=[{"at": "x"}])
    assert store.load("tg:1") == ChatState()
    store.save("tg:1", state)
    assert store.load("tg:1") == state
    store.delete("tg:1")
    assert store.load("tg:1") == ChatState()


def test_chat_ids_lists_only_this_prefix(store, redis_url):
    other = RedisStore(redis_url, prefix=f"other-{uuid.uuid4().hex}:")
    try:
        other.save("x", ChatState(lang="en"))
        for n in range(1500):  # more than one SCAN batch
            store.save(f"tg:{n}", ChatState(lang="en"))
        assert sorted(store.chat_ids()) == sorted(f"tg:{n}" for n in range(1500))
    finally:
        other.delete("x")
        other.close()


def test_glob_characters_in_the_prefix_are_literal(redis_url):
    star = RedisStore(redis_url, prefix=f"t*{uuid.uuid4().hex}[1]:")
    plain = RedisStore(redis_url, prefix=star.prefix.replace("*", "x"))
    try:
        star.save("a", ChatState(lang="zh"))
        plain.save("b", ChatState(lang="zh"))
        assert star.chat_ids() == ["a"]
    finally:
        star.delete("a")
        plain.delete("b")


def test_two_replicas_share_one_conversation(redis_url):
    """What one process saved, another continues: the point of the Redis backend."""
    prefix = f"test-{uuid.uuid4().hex}:"
    first, second = BotService(RedisStore(redis_url, prefix)), BotService(RedisStore(redis_url, prefix))
    first.handle("tg:7", "/assess", lang_hint="en")
    assert second.store.load("tg:7").active == "assess"
    replies = second.handle("tg:7", "/start", lang_hint="en")
    assert [b.data for b in replies[0].buttons] == ["resume:assess", "discard:assess"]
    second.handle("tg:7", "/forget")
    assert first.store.chat_ids() == []


def test_open_store_understands_redis_urls(redis_url):
    assert isinstance(open_store(redis_url), RedisStore)
