"""`python -m bot store check|vacuum`: look after the state store the chat and the Telegram bot share.

check reads every row and reports, one line each, those that do not load (changing nothing: the bot sets
such a row aside itself when its chat next writes); exit 1 if there are any. vacuum drops conversations
idle longer than BOT_RETAIN_DAYS and compacts. A store that cannot be opened is one line and exit 2 (main).
"""

from __future__ import annotations

import argparse
import os
import sys

from bot.store import open_store


def run_store(args: argparse.Namespace) -> int:
    store = open_store(args.store or os.environ.get("BOT_STORE"))
    report = store.check() if args.store_command == "check" else store.vacuum()
    for line in report.lines:
        print(line)
    for problem in report.problems:
        print(f"does not load: {problem.chat_id or '(file)'}: {problem.reason}", file=sys.stderr)
    return 1 if report.problems else 0
