"""A Redis store, for several bot replicas sharing one state.

Keys (namespace "incident-bot:" by default):
  <namespace>chat:<chat id>        the chat's state, JSON (ChatState.to_json); expires after the retention
                                   period (BOT_RETAIN_DAYS, default 90) without use, never before its last reminder
  <namespace>reminders             a sorted set: each chat's next reminder, scored by its Unix time
  <namespace>quarantine:<chat id>  a hash of rows that did not load, field <when> → the row, "<when> reason" → why

Every write runs one Lua script, atomically: it compares a hash of the row with the one read (redis.sha1hex)
and only then sets the row and its reminder entry. Comparing content rather than a counter is enough: a
step computed from the state that is still stored is as if it had come after every earlier change. Nothing
ever waits on a lock. Redis persists to disk only as configured on the server (RDB snapshots / AOF); choose
appendonly for the same kill -9 guarantee as SQLite.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime

import redis

from bot.model import ChatState, StateError
from bot.store.base import FRESH_AFTER_RESET, Problem, Report, Snapshot, StoreError, due_key, keep_until, retain_days
from bot.timeutil import SHANGHAI, now_shanghai

log = logging.getLogger(__name__)

DEFAULT_NAMESPACE = "incident-bot:"
ANY = "*"  # a token that matches whatever is stored: unconditional saves

# KEYS: chat, reminders, quarantine. ARGV: expected hash ('' none, '*' any), new row ('' delete), ttl seconds,
# reminder score ('' none), chat id, reason to set the old row aside ('' keep it), when, '1' to forget the
# rows set aside as well.
COMPARE_AND_SET = """
local current = redis.call('GET', KEYS[1])
local seen = ''
if current then seen = redis.sha1hex(current) end
if ARGV[1] ~= '*' and seen ~= ARGV[1] then return 0 end
if ARGV[6] ~= '' and current then
  redis.call('HSET', KEYS[3], ARGV[7], current, ARGV[7] .. ' reason', ARGV[6])
  redis.call('EXPIRE', KEYS[3], ARGV[3])
end
if ARGV[2] == '' then
  redis.call('DEL', KEYS[1])
  redis.call('ZREM', KEYS[2], ARGV[5])
  if ARGV[8] == '1' then redis.call('DEL', KEYS[3]) end
  return 1
end
redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
if ARGV[4] == '' then redis.call('ZREM', KEYS[2], ARGV[5]) else redis.call('ZADD', KEYS[2], ARGV[4], ARGV[5]) end
return 1
"""

# KEYS: reminders. ARGV: up to this score, the chats' key prefix. Entries of chats that expired are dropped.
DUE = """
local found = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'WITHSCORES')
local live = {}
for i = 1, #found, 2 do
  if redis.call('EXISTS', ARGV[2] .. found[i]) == 1 then
    table.insert(live, found[i])
    table.insert(live, found[i + 1])
  else
    redis.call('ZREM', KEYS[1], found[i])
  end
end
return live
"""


class RedisStore:
    def __init__(self, url: str, namespace: str = DEFAULT_NAMESPACE) -> None:
        self.namespace = namespace
        self.prefix = namespace + "chat:"
        self.retain_days = retain_days()  # read once: a bad BOT_RETAIN_DAYS fails at opening, not at every message
        self._index = namespace + "reminders"
        try:
            self._redis = redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=5)
            self._redis.ping()
        except (redis.RedisError, ValueError) as error:
            raise StoreError(f"cannot use the state store at {_without_password(url)}: {error}") from None
        self._compare_and_set = self._redis.register_script(COMPARE_AND_SET)
        self._due = self._redis.register_script(DUE)

    def read(self, chat_id: str) -> Snapshot:
        """The chat's state and the hash of its row; a row that does not load is set aside and replaced."""
        while True:  # again only if the unreadable row changed before it could be set aside
            raw = self._redis.get(self.prefix + chat_id)
            if raw is None:
                return Snapshot(ChatState())
            token = hashlib.sha1(raw).hexdigest()
            try:
                return Snapshot(ChatState.from_json(raw), token)
            except StateError as error:
                if self._set(chat_id, FRESH_AFTER_RESET, token, reason=str(error)):
                    log.warning("the stored state of chat %s did not load (%s); set aside, the chat starts afresh", chat_id, error)
                # read again: the fresh row, or whatever replaced the unreadable one meanwhile

    def write(self, chat_id: str, state: ChatState, token: object, forget: bool = False) -> bool:
        """Store `state` if the row still hashes to `token` (None: still no row). An empty state deletes the
        chat; `forget` (the user's /forget) also deletes what was set aside for it."""
        return self._set(chat_id, state, "" if token is None else str(token), forget=forget)

    def load(self, chat_id: str) -> ChatState:
        return self.read(chat_id).state

    def save(self, chat_id: str, state: ChatState) -> None:
        self._set(chat_id, state, ANY)

    def delete(self, chat_id: str) -> None:
        """Everything stored for the chat, including rows set aside."""
        self._set(chat_id, ChatState(), ANY, forget=True)

    def chat_ids(self) -> list[str]:
        return [key[len(self.prefix):].decode() for key in self._redis.scan_iter(match=_glob_escape(self.prefix) + "*", count=1000)]

    def reminders_due(self, until: datetime) -> list[tuple[str, datetime]]:
        found = self._due(keys=[self._index], args=[until.timestamp(), self.prefix])
        return [(found[i].decode(), datetime.fromtimestamp(float(found[i + 1]), SHANGHAI)) for i in range(0, len(found), 2)]

    def next_reminder(self, chat_id: str) -> datetime | None:
        score = self._redis.zscore(self._index, chat_id)
        return None if score is None else datetime.fromtimestamp(score, SHANGHAI)

    def check(self) -> Report:
        """Every row that does not load, and how many rows are set aside (nothing is changed)."""
        keys = list(self._redis.scan_iter(match=_glob_escape(self.prefix) + "*", count=1000))
        problems = []
        for start in range(0, len(keys), 500):
            batch = keys[start:start + 500]
            for key, raw in zip(batch, self._redis.mget(batch)):
                if raw is None:
                    continue  # expired meanwhile
                try:
                    ChatState.from_json(raw)
                except StateError as error:
                    problems.append(Problem(key[len(self.prefix):].decode(), str(error)))
        quarantined = sum(1 for _ in self._redis.scan_iter(match=_glob_escape(self.namespace + "quarantine:") + "*", count=1000))
        return Report([f"redis {self.namespace!r}: {len(keys)} conversation(s), {len(problems)} that do not load, {quarantined} chat(s) with rows set aside"], problems)

    def vacuum(self) -> Report:
        """Idle conversations expire by themselves (TTL); what is left is the reminder entries of expired chats."""
        before = self._redis.zcard(self._index)
        self._due(keys=[self._index], args=["+inf", self.prefix])
        dropped = before - self._redis.zcard(self._index)
        return Report([f"redis {self.namespace!r}: conversations expire after {self.retain_days} idle days; dropped {dropped} reminder entr(ies) of expired chats"], [])

    def close(self) -> None:
        self._redis.close()

    def _set(self, chat_id: str, state: ChatState, expected: str, reason: str = "", forget: bool = False) -> bool:
        now = now_shanghai()
        empty = state == ChatState()
        ttl = int((keep_until(state, now, self.retain_days) - now).total_seconds())
        due = due_key(state)
        args = [expected, "" if empty else state.to_json(), ttl, "" if due is None else due, chat_id, reason, now.isoformat(timespec="seconds"), int(forget)]
        keys = [self.prefix + chat_id, self._index, f"{self.namespace}quarantine:{chat_id}"]
        return bool(self._compare_and_set(keys=keys, args=args))


def _glob_escape(text: str) -> str:
    """`text` as a literal in a Redis MATCH pattern."""
    return "".join("\\" + char if char in "*?[]\\" else char for char in text)


def _without_password(url: str) -> str:
    """The URL for a message: a password in it is never shown."""
    scheme, sep, rest = url.partition("://")
    return f"{scheme}{sep}{rest.rpartition('@')[2]}" if "@" in rest else url
