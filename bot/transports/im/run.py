"""Starting one platform's bot: settings, logging (no secrets, quiet SDK loggers), the store, the adapter."""

from __future__ import annotations

import argparse
import logging
import os
import sys

log = logging.getLogger(__name__)

QUIET_LOGGERS = ("Lark", "lark_oapi", "dingtalk_stream", "websockets", "urllib3", "httpx", "httpcore", "aiohttp.access")


def run_im(platform: str, args: argparse.Namespace) -> int:
    """Run one platform's bot until SIGINT/SIGTERM: exit 2 on bad settings or rejected credentials, 1 when the
    receive loop dies (or, on WeCom, another instance took the connection over)."""
    from bot.transports.im.common import SettingsError
    from bot.transports.telegram.logs import configure_logging

    try:
        if platform == "wecom":
            from bot.transports.im.wecom import load_settings, run
        elif platform == "feishu":
            from bot.transports.im.feishu import load_settings, run
        else:
            from bot.transports.im.dingtalk import load_settings, run
    except ImportError as error:
        print(f"error: {platform} needs its extra: pip install -e \".[{platform}]\" ({error.name} is missing)", file=sys.stderr)
        return 2
    try:
        settings = load_settings(args, os.environ)
    except SettingsError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    configure_logging(settings.secrets())
    for name in QUIET_LOGGERS:  # lark logs the connection URL, dingtalk-stream its ticket
        logging.getLogger(name).setLevel(logging.WARNING)
    from bot.store import open_store

    try:
        store = open_store(settings.store_url)
        store.chat_ids()
    except Exception as error:
        log.error("cannot open the state store: %s", error)
        return 2
    log.info("starting the %s bot (long connection)", platform)
    return run(settings, store)
