"""A store that forgets on exit: for tests and one-shot runs."""

from __future__ import annotations

import json

from bot.model import ChatState


class MemoryStore:
    def __init__(self) -> None:
        self._rows: dict[str, str] = {}

    def load(self, chat_id: str) -> ChatState:
        raw = self._rows.get(chat_id)
        return ChatState.from_dict(json.loads(raw)) if raw else ChatState()

    def save(self, chat_id: str, state: ChatState) -> None:
        self._rows[chat_id] = json.dumps(state.to_dict(), ensure_ascii=False)

    def delete(self, chat_id: str) -> None:
        self._rows.pop(chat_id, None)

    def chat_ids(self) -> list[str]:
        return list(self._rows)
