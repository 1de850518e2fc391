"""The Redis store against a real redis-server: REDIS_URL if set (CI starts one), else a throw-away server
started here on a free port. Without redis-server the tests are skipped, unless REQUIRE_REDIS=1."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from bot.model import ChatState
from bot.service import BotService
from bot.store import StoreError, open_store
from bot.store.redis import RedisStore
from bot.timeutil import now_shanghai


@pytest.fixture
def store(redis_url):
    """A store under a namespace of its own, so tests never see each other's keys (or anything else in that db)."""
    store = RedisStore(redis_url, namespace=f"test-{uuid.uuid4().hex}:")
    yield store
    keys = store._redis.keys(store.namespace.encode() + b"*")
    if keys:
        store._redis.delete(*keys)
    store.close()


def reminder(minutes: int) -> dict:
    at = (now_shanghai() + timedelta(minutes=minutes)).isoformat(timespec="seconds")
    return {"at": at, "deadline": at, "text": {"zh": "提醒", "en": "Reminder"}}


def test_save_load_delete_round_trip(store):
    state = ChatState(lang="zh", active="assess", flows={"assess": {"step": "level", "answers": {"cii": True}}}, reminders=[reminder(5)])
    assert store.load("tg:1") == ChatState()
    store.save("tg:1", state)
    assert store.load("tg:1") == state
    store.delete("tg:1")
    assert store.load("tg:1") == ChatState()
    assert store.next_reminder("tg:1") is None


def test_a_write_succeeds_only_on_the_state_it_read(store):
    first = store.read("tg:1")
    assert store.write("tg:1", ChatState(lang="zh"), first.token)
    assert not store.write("tg:1", ChatState(lang="en"), first.token)  # stale: someone wrote since
    second = store.read("tg:1")
    assert second.state.lang == "zh" and store.write("tg:1", ChatState(), second.token)
    assert store.chat_ids() == []


def test_chat_ids_lists_only_this_namespace(store, redis_url):
    other = RedisStore(redis_url, namespace=f"other-{uuid.uuid4().hex}:")
    try:
        other.save("x", ChatState(lang="en"))
        for n in range(1500):  # more than one SCAN batch
            store.save(f"tg:{n}", ChatState(lang="en"))
        assert sorted(store.chat_ids()) == sorted(f"tg:{n}" for n in range(1500))
    finally:
        other.delete("x")
        other.close()


def test_glob_characters_in_the_namespace_are_literal(redis_url):
    star = RedisStore(redis_url, namespace=f"t*{uuid.uuid4().hex}[1]:")
    plain = RedisStore(redis_url, namespace=star.namespace.replace("*", "x"))
    try:
        star.save("a", ChatState(lang="zh"))
        plain.save("b", ChatState(lang="zh"))
        assert star.chat_ids() == ["a"]
    finally:
        star.delete("a")
        plain.delete("b")


def test_keys_expire_after_the_retention_period_but_not_before_the_last_reminder(store, redis_url, monkeypatch):
    monkeypatch.setenv("BOT_RETAIN_DAYS", "2")
    store = RedisStore(redis_url, namespace=store.namespace)  # the fixture's store cleans up after both
    store.save("idle", ChatState(lang="zh"))
    store.save("waiting", ChatState(lang="zh", reminders=[reminder(60 * 24 * 10)]))
    assert 2 * 86400 - 60 <= store._redis.ttl(store.prefix + "idle") <= 2 * 86400
    assert store._redis.ttl(store.prefix + "waiting") >= 11 * 86400 - 60


def test_the_reminder_index_forgets_chats_that_expired(store):
    store.save("gone", ChatState(lang="zh", reminders=[reminder(-1)]))
    store.save("here", ChatState(lang="zh", reminders=[reminder(-2)]))
    store._redis.delete(store.prefix + "gone")  # what the TTL does
    assert [key for key, _ in store.reminders_due(now_shanghai())] == ["here"]
    assert store._redis.zcard(store.namespace + "reminders") == 1


def test_two_replicas_share_one_conversation(redis_url):
    """What one process saved, another continues: the point of the Redis backend."""
    namespace = f"test-{uuid.uuid4().hex}:"
    first, second = BotService(RedisStore(redis_url, namespace)), BotService(RedisStore(redis_url, namespace))
    first.handle("tg:7", "/assess", lang_hint="en")
    assert second.store.load("tg:7").active == "assess"
    replies = second.handle("tg:7", "/start", lang_hint="en")
    assert [b.data for b in replies[0].buttons] == ["resume:assess", "discard:assess"]
    second.handle("tg:7", "/forget")
    assert first.store.chat_ids() == []


def test_open_store_understands_redis_urls(redis_url):
    assert isinstance(open_store(redis_url), RedisStore)


def test_an_unreachable_server_is_one_line_without_the_password():
    with pytest.raises(StoreError) as caught:
        RedisStore("redis://user:s3cret@127.0.0.1:1/0")
    assert "s3cret" not in str(caught.value) and "\n" not in str(caught.value)


def test_a_bad_retention_setting_is_refused_at_opening(redis_url, monkeypatch):
    monkeypatch.setenv("BOT_RETAIN_DAYS", "ninety")
    with pytest.raises(StoreError, match="BOT_RETAIN_DAYS"):
        RedisStore(redis_url)
