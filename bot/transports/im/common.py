"""What the Feishu, DingTalk and WeCom adapters share: how a chat is addressed and keyed, message limits,
buttons as numbered options, settings, retries, the allowlist, and running a receive loop until a signal.

A chat is a `Dest`: single chat ("u", the person's id) or group ("g", the group's id). Its store key is
`<prefix>:u:<id>` / `<prefix>:g:<id>` (Feishu: `fs:<chat_id>`, since its chat ids already name the chat), and
the key alone leads back to where to send, so reminders find their way after a restart.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import re
import secrets
import signal
import tomllib
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.model import Button

log = logging.getLogger(__name__)

ERROR_TEXT = "出错了，请重试 / Something went wrong, please try again"
OPTIONS_MARK = "👉"  # the line that introduces buttons shown as numbered options (tests find them by it)
OPTIONS_HEAD = {
    "single": "回复序号或选项文字 / Reply with a number or the option's text:",
    "group": "@我并回复序号或选项文字 / Reply @me with a number or the option's text:",
}
NUMBERED = re.compile(r"^(\d+)\. (.*)$")


@dataclass
class Dest:
    """Where a reply goes. `origin`: the platform's handle for answering the message that is being handled
    (WeCom's req_id, Feishu's message id to quote); a sender uses it for the first reply and clears it.
    `author`: who sent the message (a group reminder or reply may mention them)."""

    kind: str  # "u" single chat, "g" group
    id: str
    origin: Any = None
    author: dict[str, str] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def group(self) -> bool:
        return self.kind == "g"


class ImPlatform:
    """The Bridge's view of one IM platform: keys, limits and buttons (passed through as a list)."""

    def __init__(self, prefix: str, limit: int, *, kinds_in_key: bool = True) -> None:
        self.prefix = prefix
        self.limit = limit  # UTF-8 bytes a text message may hold (conservative)
        self.kinds_in_key = kinds_in_key

    def key(self, chat: Dest) -> str:
        return f"{self.prefix}:{chat.kind}:{chat.id}" if self.kinds_in_key else f"{self.prefix}:{chat.id}"

    def chat(self, key: str) -> Dest | None:
        head = f"{self.prefix}:"
        if not key.startswith(head):
            return None
        rest = key[len(head):]
        if not self.kinds_in_key:
            return Dest("?", rest) if rest else None
        kind, colon, ident = rest.partition(":")
        return Dest(kind, ident) if colon and kind in ("u", "g") and ident else None

    def is_group(self, chat: Dest) -> bool:
        return chat.group

    def split(self, text: str) -> list[str]:
        return split_bytes(text, self.limit)

    def render(self, buttons: list[Button]) -> list[Button]:
        return list(buttons)

    def mention(self, chat: Dest, people: list[dict[str, str]]) -> Dest:
        """The chat, with the people a group reminder @-mentions (they set it); single chats mention nobody."""
        if chat.kind != "u":
            chat.extra["mention"] = people
        return chat


def split_bytes(text: str, limit: int) -> list[str]:
    """Cut a text into pieces of at most `limit` UTF-8 bytes, at a line break, else a space, else anywhere."""
    pieces: list[str] = []
    rest = text.strip()
    while len(rest.encode()) > limit:
        low, high = 1, len(rest)  # the longest prefix within the limit (binary search: CJK takes 3 bytes)
        while low < high:
            middle = (low + high + 1) // 2
            if len(rest[:middle].encode()) <= limit:
                low = middle
            else:
                high = middle - 1
        window = rest[:low]
        cut = window.rfind("\n")
        if cut < low // 2:
            cut = max(cut, window.rfind(" "))
        if cut <= 0:
            cut = low
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return [piece for piece in pieces if piece]


def numbered_options(buttons: list[Button], group: bool, link: Callable[[int, Button], str] | None = None) -> str:
    """Buttons as a numbered list the user answers by number or label (`link`: each line's own markup)."""
    lines = [f"{OPTIONS_MARK} {OPTIONS_HEAD['group' if group else 'single']}"]
    for number, button in enumerate(buttons, start=1):
        lines.append(link(number, button) if link else f"{number}. {button.label}")
    return "\n".join(lines)


def strip_leading_mentions(text: str, names: Iterable[str] = ()) -> str:
    """The text without the @-mentions a platform leaves in it (“@事件助手 报告邮箱是什么”)."""
    for name in names:
        if name:
            text = text.replace(f"@{name}", " ")
    text = re.sub(r"^(\s*@\S+)+", " ", text)
    return " ".join(text.split()) if "\n" not in text.strip() else text.strip()


# ------------------------------------------------------------------ retries


class ApiError(Exception):
    """A platform call that failed. `wait`: seconds the platform asked to wait (a rate limit), or None;
    `transient`: worth retrying after a backoff (network errors, 5xx, a timeout)."""

    def __init__(self, what: str, *, wait: float | None = None, transient: bool = False, code: Any = None) -> None:
        super().__init__(what)
        self.wait = wait
        self.transient = transient
        self.code = code


def backoff(attempt: int) -> float:
    return min(0.5 * 2**attempt, 8.0)


def retry_delay(error: Exception, attempt: int) -> float | None:
    """A rate limit: the platform's wait; a network error, 5xx or timeout: backoff; anything else: give up."""
    if isinstance(error, ApiError):
        if error.wait is not None:
            return error.wait
        return backoff(attempt) if error.transient else None
    if isinstance(error, (OSError, asyncio.TimeoutError, ConnectionError)):
        return backoff(attempt)
    try:
        import aiohttp

        if isinstance(error, aiohttp.ClientError):
            return backoff(attempt)
    except ImportError:  # pragma: no cover
        pass
    return None


# ------------------------------------------------------------------ settings


class SettingsError(Exception):
    """A missing or malformed setting: one line for the person starting the bot."""


@dataclass(frozen=True)
class ImSettings:
    platform: str
    credentials: dict[str, str]  # secrets and ids, from the environment or the config file only
    urls: dict[str, str]
    store_url: str | None
    allowed_chats: frozenset[str]
    options: dict[str, Any]

    def secrets(self) -> list[str]:
        return [value for name, value in self.credentials.items() if "secret" in name.lower() and len(value) >= 6]


def load_im_settings(
    platform: str,
    args: argparse.Namespace,
    environ: Mapping[str, str],
    *,
    required: dict[str, str],  # config key -> env name
    optional: dict[str, str] | None = None,
    urls: dict[str, tuple[str, str | None]],  # config key -> (env name, default)
    options: dict[str, tuple[str, Any]] | None = None,  # config key -> (env name, default)
) -> ImSettings:
    optional = optional or {}
    options = options or {}
    config = _read_config(Path(args.config), {*required, *optional, *urls, *options, "store", "allowed_chats"}) if getattr(args, "config", None) else {}
    credentials: dict[str, str] = {}
    for key, env in {**required, **optional}.items():
        value = str(environ.get(env) or config.get(key) or "").strip()
        if not value and key in required:
            raise SettingsError(f"missing {env}: set it in the environment (or {key} = \"…\" in the --config file)")
        if value:
            credentials[key] = value
    resolved: dict[str, str] = {}
    for key, (env, default) in urls.items():
        value = getattr(args, key, None) or environ.get(env) or config.get(key) or default
        if value:
            value = str(value).rstrip("/")
            if not re.match(r"^(https?|wss?)://[^/\s]+", value):
                raise SettingsError(f"--{key.replace('_', '-')} must be a URL such as https://host (got {value[:60]!r})")
            resolved[key] = value
    chosen: dict[str, Any] = {}
    for key, (env, default) in options.items():
        value = getattr(args, key, None)
        value = value if value not in (None, "") else environ.get(env) or config.get(key) or default
        if isinstance(default, int):
            try:
                value = int(value)
            except (TypeError, ValueError):
                value = 0
            if value < 200:
                raise SettingsError(f"{env} / --{key.replace('_', '-')} must be a whole number of bytes, at least 200")
        chosen[key] = value
    allowed = getattr(args, "allow_chat", None) or environ.get(f"{platform.upper()}_ALLOWED_CHATS") or config.get("allowed_chats") or []
    if isinstance(allowed, str):
        allowed = [allowed]
    chats = frozenset(part.strip() for value in allowed for part in str(value).split(",") if part.strip())
    store_url = getattr(args, "store", None) or environ.get("BOT_STORE") or config.get("store")
    return ImSettings(platform, credentials, resolved, store_url, chats, chosen)


def _read_config(path: Path, known: set[str]) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise SettingsError(f"cannot read the config file {path}: {error.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise SettingsError(f"the config file {path} is not valid TOML: {error}") from None
    unknown = sorted(set(data) - known)
    if unknown:
        raise SettingsError(f"unknown keys in {path}: {', '.join(unknown)} (known: {', '.join(sorted(known))})")
    return data


class Allowlist:
    """Which chats are answered (none given: all). A chat is named by its id or its store key; a chat left
    out is logged once, not on every message."""

    def __init__(self, allowed: frozenset[str], platform: ImPlatform) -> None:
        self.allowed = allowed
        self.platform = platform
        self._logged: set[str] = set()

    def permits(self, chat: Dest) -> bool:
        if not self.allowed:
            return True
        key = self.platform.key(chat)
        if chat.id in self.allowed or key in self.allowed:
            return True
        if key not in self._logged and len(self._logged) < 10_000:
            self._logged.add(key)
            log.info("a chat outside the allowlist was ignored: %s", key)
        return False


# ------------------------------------------------------------------ running


class Tasks:
    """Background handlers: kept until done (so none is collected mid-way), failures logged as one line."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()

    def spawn(self, coro: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log_failure(task.exception())

    def __len__(self) -> int:
        return len(self._tasks)

    async def drain(self, timeout: float = 5.0) -> None:
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=timeout)


def log_failure(error: BaseException | None) -> str:
    error_id = secrets.token_hex(4)
    log.error("handling an event failed: error %s (%s)", error_id, type(error).__name__)
    return error_id


async def run_until_stopped(main: Callable[[asyncio.Event], Awaitable[int]]) -> int:
    """Run `main(stop)` until it returns; SIGINT/SIGTERM set `stop`."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    return await main(stop)


def proxy_env() -> bool:
    """Whether a proxy is configured (aiohttp and requests then honour HTTPS_PROXY/NO_PROXY themselves)."""
    return any(os.environ.get(name) for name in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"))
