"""A Redis store, for several bot replicas sharing one state: each chat's state is a JSON string under
"<prefix><chat id>".

Every save is a single SET, visible to all replicas at once. Redis persists to disk only as configured on
the server (RDB snapshots / AOF); choose appendonly for the same kill -9 guarantee as SQLite.
"""

from __future__ import annotations

import json

import redis

from bot.model import ChatState

DEFAULT_PREFIX = "incident-bot:chat:"


class RedisStore:
    def __init__(self, url: str, prefix: str = DEFAULT_PREFIX) -> None:
        self.prefix = prefix
        self._redis = redis.Redis.from_url(url, decode_responses=True)

    def load(self, chat_id: str) -> ChatState:
        raw = self._redis.get(self.prefix + chat_id)
        return ChatState.from_dict(json.loads(raw)) if raw else ChatState()

    def save(self, chat_id: str, state: ChatState) -> None:
        self._redis.set(self.prefix + chat_id, json.dumps(state.to_dict(), ensure_ascii=False))

    def delete(self, chat_id: str) -> None:
        self._redis.delete(self.prefix + chat_id)

    def chat_ids(self) -> list[str]:
        pattern = _glob_escape(self.prefix) + "*"
        return [key[len(self.prefix):] for key in self._redis.scan_iter(match=pattern, count=1000)]

    def close(self) -> None:
        self._redis.close()


def _glob_escape(text: str) -> str:
    """`text` as a literal in a Redis MATCH pattern."""
    return "".join("\\" + char if char in "*?[]\\" else char for char in text)
