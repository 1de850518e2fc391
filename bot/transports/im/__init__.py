"""The bot on Feishu (飞书), DingTalk (钉钉) and WeCom (企业微信), each over its long connection (no public IP).

Thin adapters over the same core and the same Bridge as Telegram: `python -m bot feishu|dingtalk|wecom`.
Each platform's SDK is an optional extra and imported only by its own command (bot.transports.im.run); this
module holds only the command-line options, so `python -m bot ask` starts as fast as before.
"""

from __future__ import annotations

import argparse


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """The three sub-commands and their options (for bot/cli.py)."""

    def common(parser: argparse.ArgumentParser, platform: str) -> None:
        parser.add_argument("--store", help="state store: SQLite path, sqlite:///path or redis://… (env BOT_STORE)")
        parser.add_argument("--config", help="a TOML file with the credentials and settings; keep it outside the repo")
        parser.add_argument(
            "--allow-chat", action="append", default=[], help=f"only answer these chats (repeatable; env {platform.upper()}_ALLOWED_CHATS)"
        )
        parser.add_argument("--text-limit", type=int, help="split messages longer than this many UTF-8 bytes")

    feishu = sub.add_parser("feishu", help="run the Feishu / Lark bot (long connection)")
    feishu.add_argument("--api-url", help="scheme and host of the open platform (env FEISHU_API_URL; default https://open.feishu.cn; Lark: https://open.larksuite.com)")
    common(feishu, "feishu")
    dingtalk = sub.add_parser("dingtalk", help="run the DingTalk bot (Stream mode)")
    dingtalk.add_argument("--api-url", help="OpenAPI base (env DINGTALK_API_URL; default https://api.dingtalk.com)")
    dingtalk.add_argument("--oapi-url", help="the upload host (env DINGTALK_OAPI_URL; default https://oapi.dingtalk.com)")
    common(dingtalk, "dingtalk")
    wecom = sub.add_parser("wecom", help="run the WeCom AI bot (long connection)")
    wecom.add_argument("--ws-url", help="the long-connection URL (env WECOM_WS_URL; default wss://openws.work.weixin.qq.com)")
    common(wecom, "wecom")
