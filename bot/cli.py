"""Command line: ask, chat, assess, report, faq check, store check|vacuum, telegram, web, feishu, dingtalk, wecom.

These sub-commands and their options are public contracts that other programs drive; keep them stable.
Whatever happens, a command ends with at most one line on stderr, never a traceback: bad input and an output
that cannot be written exit 2, an internal error exits 1 with an error id.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys

from bot.inputs import MESSAGE_LIMIT, clean, cut, read_lines
from bot.errors import StoreError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Cybersecurity incident-reporting assistant (China, 2025 Measures)")
    sub = parser.add_subparsers(dest="command", required=True)

    ask = sub.add_parser("ask", help="answer one question (or one per stdin line)")
    ask.add_argument("question", nargs="*", help="the question; none: read questions from stdin, one per line")
    ask.add_argument("--json", action="store_true", help="print JSON: matched, topic, score, answer, source, suggestions")
    ask.add_argument("--lang", choices=["zh", "en"], help="language for questions without letters (default zh)")

    chat = sub.add_parser("chat", help="the terminal chat (default when no command is given)")
    chat.add_argument("--jsonl", action="store_true", help="machine mode: one JSON line out per input line")
    chat.add_argument("--chat-id", help="continue a stored conversation by id")
    chat.add_argument("--store", help="state store: a SQLite path, sqlite:///path, memory: or redis://… (default: SQLite in the user data dir)")
    chat.add_argument("--files-dir", help="where rendered report files are written (default: the user data dir)")
    chat.add_argument("--now", help="a fixed current time for every message, ISO 8601 (no offset = Asia/Shanghai), for tests and examples")

    assess = sub.add_parser("assess", help="deadlines for incident scenarios read as JSON lines from stdin")
    assess.add_argument("--json", action="store_true", help="print one JSON line per scenario")
    assess.add_argument("--now", help="the current time, ISO 8601 (no offset = Asia/Shanghai)")

    report = sub.add_parser("report", help="render a report from a JSON object of facts on stdin")
    report.add_argument("--kind", required=True, choices=["initial", "supplement", "summary"])
    report.add_argument("--format", required=True, choices=["md", "txt", "docx"])
    report.add_argument("--lang", default="zh", choices=["zh", "en"])
    report.add_argument("--out", help="output file (required for docx)")

    faq = sub.add_parser("faq", help="knowledge-base tools")
    faq_sub = faq.add_subparsers(dest="faq_command", required=True)
    faq_sub.add_parser("check", help="validate faq/: schema, ids, sources, related, spam, self-retrieval")

    incidents = sub.add_parser("incidents", help="list, show or export the incidents stored for a chat")
    incidents.add_argument("action", choices=["list", "show", "export"])
    incidents.add_argument("id", nargs="?", help="the incident's number (show, export), as in #3")
    incidents.add_argument("--format", choices=["json", "md"], default="json", help="export format (default json)")
    incidents.add_argument("--chat-id", default="terminal", help="whose incidents (default: the terminal chat's)")
    incidents.add_argument("--store", help="a SQLite path, sqlite:///path or redis://… (default: BOT_STORE, else SQLite in the user data dir)")
    incidents.add_argument("--lang", choices=["zh", "en"], help="language of labels and Markdown (default: the chat's, else zh)")

    store = sub.add_parser("store", help="state-store tools")
    store_sub = store.add_subparsers(dest="store_command", required=True)
    for name, text in (
        ("check", "report stored conversations that do not load (changes nothing; exit 1 if any)"),
        ("vacuum", "drop conversations idle longer than BOT_RETAIN_DAYS (default 90) and compact the store"),
    ):
        tool = store_sub.add_parser(name, help=text)
        tool.add_argument("--store", help="a SQLite path, sqlite:///path or redis://… (default: BOT_STORE, else SQLite in the user data dir)")

    telegram = sub.add_parser("telegram", help="run the Telegram bot")
    telegram.add_argument("--framework", choices=["ptb", "aiogram"], default="ptb")
    telegram.add_argument("--api-url", help="Bot API base URL without /bot (env TELEGRAM_API_URL; default the public server)")
    telegram.add_argument("--store", help="state store: SQLite path, sqlite:///path or redis://… (env BOT_STORE)")
    telegram.add_argument("--config", help="a config file (TOML) holding token = \"…\" and other settings; keep it outside the repo")
    telegram.add_argument("--allow-chat", action="append", default=[], help="only answer these chat ids (repeatable; env TELEGRAM_ALLOWED_CHATS, comma-separated)")
    telegram.add_argument("--webhook-url", help="serve a webhook at this public URL instead of long polling")
    telegram.add_argument("--listen", default="127.0.0.1", help="webhook listen address")
    telegram.add_argument("--port", type=int, default=8443, help="webhook listen port")
    telegram.add_argument("--webhook-secret", help="secret token Telegram sends with each webhook call (env TELEGRAM_WEBHOOK_SECRET)")

    web = sub.add_parser("web", help="the chat page, the embeddable widget and the HTTP API (FastAPI on uvicorn)")
    web.add_argument("--host", default="127.0.0.1", help="listen address (default 127.0.0.1: this machine only)")
    web.add_argument("--port", type=int, default=8080, help="listen port (default 8080)")
    web.add_argument("--store", help="state store: SQLite path, sqlite:///path, memory: or redis://… (env BOT_STORE); redis for several replicas")
    web.add_argument("--root-path", default="", help="the path prefix a reverse proxy serves the bot under, e.g. /bot")
    web.add_argument("--allow-origin", action="append", default=[], help="an origin (https://intranet.example) whose pages may embed the widget (repeatable)")
    web.add_argument("--api-token", action="append", default=[], help="a bearer token the API accepts (repeatable; env BOT_API_TOKEN, comma-separated); none: the API is open")
    web.add_argument("--trust-user-header", help="a header the reverse proxy sets to the signed-in user (e.g. X-Remote-User); requests without it are refused")
    web.add_argument("--rate-limit", type=int, default=600, help="requests a minute per client address (default 600; 0: no limit; the reminder stream is not counted)")

    from bot.transports.im import add_parsers as add_im_parsers  # argparse only: the SDKs load in run_im

    add_im_parsers(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv:
        argv = ["chat"]
    args = build_parser().parse_args(argv)
    try:
        if args.command == "ask":
            return run_ask(args)
        if args.command == "chat":
            from bot.transports.terminal import run_chat

            return run_chat(args)
        if args.command == "assess":
            from bot.rules.cli import run_assess

            return run_assess(args)
        if args.command == "report":
            from bot.reports.cli import run_report

            return run_report(args)
        if args.command == "faq":
            from bot.knowledge.check import run_check

            return run_check()
        if args.command == "telegram":
            from bot.transports.telegram import run_telegram

            return run_telegram(args)
        if args.command in ("feishu", "dingtalk", "wecom"):
            from bot.transports.im.run import run_im

            return run_im(args.command, args)
        if args.command == "web":
            from bot.transports.web import run_web

            return run_web(args)
        if args.command == "store":
            from bot.store.cli import run_store

            return run_store(args)
        if args.command == "incidents":
            from bot.incidents_cli import run as run_incidents

            return run_incidents(args)
    except StoreError as error:  # a damaged database file, an unreachable Redis: one line, no traceback
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the reader went away (`| head`): nothing left to say
        _discard_stdout()
        return 0
    except OSError as error:  # the output cannot be written: a full disk, /dev/full, a vanished directory
        _discard_stdout()
        return _fail(f"{error.strerror or error}{f': {error.filename}' if error.filename else ''}")
    except UnicodeEncodeError as error:  # e.g. "\ud800" in a JSON input, echoed back: never written as invalid UTF-8
        surrogate = "\ud800" <= error.object[error.start] <= "\udfff"
        return _fail("the input holds a lone surrogate (such as \\ud800 in JSON), which is not text" if surrogate else str(error))
    except Exception as error:  # the last net: one line with an id to quote, never a traceback
        sys.stderr.write(f"error: internal error {secrets.token_hex(4)} ({type(error).__name__}); please report it\n")
        return 1
    return 2


def _fail(message: str) -> int:
    sys.stderr.write(f"error: {message}\n")
    return 2


def _discard_stdout() -> None:
    """Point stdout at /dev/null, so that the interpreter's final flush at exit cannot fail (and print) again."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):  # no real stdout (closed, or captured): nothing to flush there
        pass


def run_ask(args: argparse.Namespace) -> int:
    from bot.knowledge import load

    kb = load()
    sys.stdout.reconfigure(encoding="utf-8")
    if args.question:
        answer = kb.ask(_question(" ".join(args.question)), args.lang)
        print(clean(json.dumps(answer.to_json(), ensure_ascii=False) if args.json else answer.display()))
        return 0
    for line in read_lines(sys.stdin.buffer):  # bytes decoded with replacement: a bad byte never ends the run
        answer = kb.ask(_question(line), args.lang)
        if args.json:
            sys.stdout.write(clean(json.dumps(answer.to_json(), ensure_ascii=False)) + "\n")
        else:
            sys.stdout.write(clean(answer.display()) + "\n\n")
        sys.stdout.flush()
    return 0


def _question(text: str) -> str:
    """A question as the matcher reads it: valid text, at most MESSAGE_LIMIT characters (the rest unread)."""
    return cut(clean(text).strip(), MESSAGE_LIMIT)[0]
