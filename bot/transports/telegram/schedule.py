"""When each chat's next deadline reminder is due: a heap of (due time, chat key), one live entry per chat.

Rescheduling a chat pushes a new entry and leaves the old one in the heap; an entry whose time is no longer
the chat's current one is skipped when it surfaces, so updates cost O(log n) and nothing is searched.
"""

from __future__ import annotations

import heapq
from datetime import datetime


class ReminderQueue:
    def __init__(self) -> None:
        self._heap: list[tuple[datetime, str]] = []
        self._due: dict[str, datetime] = {}

    def __len__(self) -> int:
        return len(self._due)

    def set(self, key: str, due: datetime | None) -> bool:
        """Record the chat's next reminder time (None: it has none). True if the earliest time moved earlier."""
        if due is None:
            self._due.pop(key, None)
            return False
        if self._due.get(key) == due:
            return False
        earliest = self.next_time()
        self._due[key] = due
        heapq.heappush(self._heap, (due, key))
        return earliest is None or due < earliest

    def next_time(self) -> datetime | None:
        self._drop_stale()
        return self._heap[0][0] if self._heap else None

    def pop_due(self, now: datetime) -> list[str]:
        """The chats whose reminder time has come, each once; they leave the queue until set again."""
        keys = []
        while (due := self.next_time()) is not None and due <= now:
            _, key = heapq.heappop(self._heap)
            del self._due[key]
            keys.append(key)
        return keys

    def _drop_stale(self) -> None:
        while self._heap and self._due.get(self._heap[0][1]) != self._heap[0][0]:
            heapq.heappop(self._heap)
