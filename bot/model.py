"""The data that crosses the core's boundary: events in, replies out, and one chat's state.

Everything here is plain data so that any transport can translate it and any store can keep it as JSON.
"""

from __future__ import annotations

import copy
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Button:
    label: str
    data: str


@dataclass(frozen=True)
class FileOut:
    """A file the core produced (a rendered report); the transport decides where it goes."""

    name: str
    content: bytes
    mime: str = "application/octet-stream"


@dataclass
class Reply:
    text: str
    buttons: list[Button] = field(default_factory=list)
    files: list[FileOut] = field(default_factory=list)


@dataclass(frozen=True)
class Event:
    """One thing a user did: typed text, a command, or a button's data."""

    chat_id: str
    text: str
    now: datetime
    lang_hint: str | None = None  # e.g. Telegram's language_code, used only for a new chat


@dataclass
class ChatState:
    """Everything the bot remembers about one chat. Serialises to JSON."""

    lang: str | None = None
    active: str | None = None  # name of the flow in progress
    flows: dict[str, dict[str, Any]] = field(default_factory=dict)  # each flow's own data, by flow name
    buttons: list[dict[str, str]] = field(default_factory=list)  # last buttons shown, so typed labels work
    reminders: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> "ChatState":
        if not data:
            return cls()
        known = {k: copy.deepcopy(v) for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)

    def copy(self) -> "ChatState":
        return copy.deepcopy(self)
