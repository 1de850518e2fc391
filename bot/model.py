"""The data that crosses the core's boundary: events in, replies out, and one chat's state.

Everything here is plain data so that any transport can translate it and any store can keep it as JSON.
"""

from __future__ import annotations

import copy
import json
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

STATE_VERSION = 1  # the "v" of a stored state; a row with another version is not guessed at but set aside


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
    author: dict[str, str] | None = None  # who in a group chat typed or pressed it: {"id", "name"}


@dataclass
class ChatState:
    """Everything the bot remembers about one chat. Serialises to JSON."""

    lang: str | None = None
    active: str | None = None  # name of the flow in progress
    flows: dict[str, dict[str, Any]] = field(default_factory=dict)  # each flow's own data, by flow name
    buttons: list[dict[str, str]] = field(default_factory=list)  # last buttons shown, so typed labels work
    reminders: list[dict[str, Any]] = field(default_factory=list)
    reset: bool = False  # the stored conversation could not be read and was started afresh: say so once
    seen: list[str] = field(default_factory=list)  # the platform ids of the last messages handled: a re-push is skipped
    answers: list[dict[str, Any]] = field(default_factory=list)  # replies kept for callers that retry (the web)
    incidents: list[dict[str, Any]] = field(default_factory=list)  # every incident's record (bot.incidents)
    current: int | None = None  # the id of the open incident, whose flow data is `flows`

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def copy(self) -> "ChatState":
        return copy.deepcopy(self)

    def to_json(self) -> str:
        """The stored form: the fields plus the format's version."""
        return json.dumps({"v": STATE_VERSION, **self.to_dict()}, ensure_ascii=False)

    @classmethod
    def from_json(cls, raw: str | bytes) -> "ChatState":
        """Read a stored state, refusing (StateError) anything this code would trip over later.

        The shape is checked here, once, so that a damaged or foreign row fails at loading, where the store
        can set it aside, instead of in the middle of a step or of the reminder loop. Rows written before
        versioning carry no "v" and have version 1's shape.
        """
        try:
            data = json.loads(raw)
        except (UnicodeDecodeError, ValueError, RecursionError) as error:
            raise StateError(f"not JSON ({type(error).__name__})") from None
        if not isinstance(data, dict):
            raise StateError(f"not an object but {type(data).__name__}")
        version = data.pop("v", STATE_VERSION)
        if version != STATE_VERSION:
            raise StateError(f"unknown version {version!r:.20}")
        unknown = sorted(set(data) - set(cls.__dataclass_fields__))
        if unknown:
            raise StateError(f"unknown field {unknown[0]!r:.40}")
        state = cls(**data)
        _check_shape(state)
        return state


class StateError(ValueError):
    """A stored state that cannot be used; the message says why in a few words (never the content)."""


def _check_shape(state: ChatState) -> None:
    from bot.timeutil import parse_iso

    checks = [
        ("lang", state.lang is None or state.lang in ("zh", "en")),
        ("active", state.active is None or isinstance(state.active, str)),
        ("flows", isinstance(state.flows, dict) and all(isinstance(k, str) and isinstance(v, dict) for k, v in state.flows.items())),
        ("buttons", isinstance(state.buttons, list) and all(_is_str_dict(b, ("label", "data")) for b in state.buttons)),
        ("reminders", isinstance(state.reminders, list) and all(_is_reminder(r) for r in state.reminders)),
        ("reset", isinstance(state.reset, bool)),
        ("seen", isinstance(state.seen, list) and all(isinstance(s, str) for s in state.seen)),
        ("answers", isinstance(state.answers, list) and all(isinstance(a, dict) and isinstance(a.get("id"), str) for a in state.answers)),
        ("incidents", isinstance(state.incidents, list) and all(_is_incident(i) for i in state.incidents)),
        ("current", state.current is None or (isinstance(state.current, int) and not isinstance(state.current, bool))),
    ]
    for name, ok in checks:
        if not ok:
            raise StateError(f"bad {name}")
    for reminder in state.reminders:
        try:
            parse_iso(reminder["at"])
        except (ValueError, OverflowError):
            raise StateError("bad reminders") from None


def _is_str_dict(value: Any, keys: tuple[str, ...]) -> bool:
    return isinstance(value, dict) and all(isinstance(value.get(key), str) for key in keys)


def _is_incident(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and isinstance(value.get("id"), int)
        and isinstance(value.get("created"), str)
        and isinstance(value.get("flows"), dict)
        and isinstance(value.get("duties"), dict)
        and isinstance(value.get("timeline"), list)
        and all(isinstance(e, dict) and isinstance(e.get("at"), str) and isinstance(e.get("event"), str) for e in value["timeline"])
    )


def _is_reminder(value: Any) -> bool:
    return _is_str_dict(value, ("at", "deadline")) and isinstance(value.get("text"), dict) and isinstance(value["text"].get("zh"), str)
