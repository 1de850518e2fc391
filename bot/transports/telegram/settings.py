"""Where the Telegram adapter's settings come from: the command line, then the environment, then a TOML file.

The token is only ever read from the environment or the config file (never a command-line argument, which
other users of the machine can see in the process list), and no error message ever repeats it.
"""

from __future__ import annotations

import argparse
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TOKEN_SHAPE = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
SECRET_SHAPE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")  # what setWebhook accepts as secret_token
MIN_SECRET_LENGTH = 12
CONFIG_KEYS = ("token", "api_url", "store", "allowed_chats", "webhook_url", "webhook_secret")


class SettingsError(Exception):
    """A setting is missing or malformed; the message is one line meant for the person starting the bot."""


@dataclass(frozen=True)
class Settings:
    token: str
    framework: str
    api_url: str | None
    store_url: str | None
    allowed_chats: frozenset[int]
    webhook_url: str | None
    listen: str
    port: int
    webhook_secret: str | None

    def permits(self, chat_id: int | None) -> bool:
        """Whether the allowlist lets this chat in (no allowlist: every chat)."""
        return not self.allowed_chats or chat_id in self.allowed_chats

    def secrets(self) -> list[str]:
        """Strings that must never reach a log line: the token, and its secret half and the webhook secret
        when they are long enough (as real ones are) not to match ordinary words."""
        parts = [self.token.partition(":")[2], self.webhook_secret or ""]
        return [self.token] + [part for part in parts if len(part) >= MIN_SECRET_LENGTH]


def load_settings(args: argparse.Namespace, environ: Mapping[str, str]) -> Settings:
    """Merge the `telegram` sub-command's arguments with TELEGRAM_* / BOT_STORE and the --config file."""
    config = _read_config(Path(args.config)) if args.config else {}

    def pick(cli: Any, env_name: str | None, key: str) -> Any:
        if cli not in (None, "", []):
            return cli
        if env_name and environ.get(env_name):
            return environ[env_name]
        return config.get(key)

    token = (environ.get("TELEGRAM_BOT_TOKEN") or config.get("token") or "").strip()
    if not token:
        raise SettingsError(
            "no bot token: set TELEGRAM_BOT_TOKEN to the token @BotFather gave you (or token = \"…\" in the --config file)"
        )
    if not TOKEN_SHAPE.match(token):
        raise SettingsError("the bot token is malformed: @BotFather's tokens look like 123456789:AAE…")
    api_url = pick(args.api_url, "TELEGRAM_API_URL", "api_url")
    if api_url is not None:
        api_url = str(api_url).rstrip("/")
        if not api_url.startswith(("http://", "https://")):
            raise SettingsError("--api-url must be an http:// or https:// URL, without /bot")
    webhook_url = pick(args.webhook_url, None, "webhook_url")
    if webhook_url is not None and not str(webhook_url).startswith(("http://", "https://")):
        raise SettingsError("--webhook-url must be an http:// or https:// URL")
    webhook_secret = pick(args.webhook_secret, "TELEGRAM_WEBHOOK_SECRET", "webhook_secret")
    if webhook_secret is not None and not SECRET_SHAPE.match(str(webhook_secret)):
        raise SettingsError("the webhook secret must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
    return Settings(
        token=token,
        framework=args.framework,
        api_url=api_url,
        store_url=pick(args.store, "BOT_STORE", "store"),
        allowed_chats=parse_chat_ids(pick(args.allow_chat, "TELEGRAM_ALLOWED_CHATS", "allowed_chats") or []),
        webhook_url=webhook_url,
        listen=args.listen,
        port=args.port,
        webhook_secret=webhook_secret,
    )


def parse_chat_ids(values: str | int | Iterable[str | int]) -> frozenset[int]:
    """Chat ids from "1,-1002" strings, repeated options or a TOML list; a non-number is an error."""
    if isinstance(values, (str, int)):
        values = [values]
    ids: set[int] = set()
    for value in values:
        for part in str(value).split(","):
            part = part.strip()
            if not part:
                continue
            try:
                ids.add(int(part))
            except ValueError:
                raise SettingsError(f"not a chat id: {part!r} (chat ids are integers, e.g. 123456 or -1001234567890)") from None
    return frozenset(ids)


def _read_config(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise SettingsError(f"cannot read the config file {path}: {error.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise SettingsError(f"the config file {path} is not valid TOML: {error}") from None
    unknown = sorted(set(data) - set(CONFIG_KEYS))
    if unknown:
        raise SettingsError(f"unknown keys in {path}: {', '.join(unknown)} (known: {', '.join(CONFIG_KEYS)})")
    return data
