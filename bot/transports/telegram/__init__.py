"""The Telegram bot, on python-telegram-bot (`--framework ptb`) or aiogram (`--framework aiogram`).

Both adapters are thin: they translate updates into calls of the one transport-free core (BotService) and
its replies into Bot API calls, through the framework-free Bridge; settings, logging, the webhook server and
the reminder schedule are shared, so the two behave the same.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

from bot.transports.telegram.logs import configure_logging
from bot.transports.telegram.settings import SettingsError, load_settings

log = logging.getLogger(__name__)


def run_telegram(args: argparse.Namespace) -> int:
    """Run the bot until SIGINT/SIGTERM. Exit 2 on bad settings or a rejected token, 1 if unreachable."""
    try:
        settings = load_settings(args, os.environ)
    except SettingsError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    configure_logging(settings.secrets())
    from bot.store import open_store

    try:
        store = open_store(settings.store_url)
        store.chat_ids()  # fail now, not at the first message, if the store cannot be reached
    except Exception as error:  # sqlite3, OS and redis errors alike: one clear line, never a traceback
        log.error("cannot open the state store: %s", error)
        return 2
    if settings.framework == "aiogram":
        from bot.transports.telegram.aiogram_adapter import run
    else:
        from bot.transports.telegram.ptb import run
    log.info("starting the Telegram bot on %s (%s)", settings.framework, "webhook" if settings.webhook_url else "long polling")
    return run(settings, store)
