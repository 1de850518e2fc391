"""The terminal chat (the project's main job) and its machine twin, `chat --jsonl`.

Interactive: a greeting (or the offer to resume an unfinished flow), numbered buttons picked by number or
label, line editing and history (readline), `/quit` to leave. State lives in the store, so a restart
continues where the user was. With stdin from a pipe it reads line by line and prints the same text.
--jsonl: prints nothing until the first input line; one JSON line out per input line, flushed.

Nothing a line holds ends the session: stdin is read as bytes and decoded with replacement (bot.inputs), and
each line is answered inside an error boundary: whatever fails while answering it (the core, the store,
writing a report file) becomes the one-line apology of bot.service, logged as one line with an error id, and
the next line is read as usual. Output is UTF-8, whatever the locale says.
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import os
import sys
import threading
import unicodedata
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, TextIO

from bot.i18n import pick
from bot.inputs import clean, read_lines
from bot.model import Reply
from bot.numerals import ascii_int
from bot.service import BotService, apology
from bot.store import default_data_dir, open_store
from bot.timeutil import MAX_YEAR, MIN_YEAR, parse_iso
from bot.transports.files import chat_folder, forget_files, is_forget, save_file

TERMINAL_CHAT_ID = "terminal"
QUIT = ("/quit", "/exit", "/q")
BYE = {"zh": "再见！你的对话已保存，下次启动时可以继续。", "en": "Bye! Your conversation is saved; you can continue next time."}
REMINDER_POLL_SECONDS = 20
FILES_FORGOTTEN = {
    "zh": "另已删除本会话保存到磁盘的报告文件 {count} 个；终端不在磁盘上保存输入历史，本次会话的输入历史也已清空。",
    "en": "Also deleted the {count} report file(s) this chat saved to disk; the terminal keeps no input history on disk, and this session's is cleared.",
}
FILE_SAVED = {"zh": "文件已保存：", "en": "File saved: "}

log = logging.getLogger(__name__)


def run_chat(args: argparse.Namespace) -> int:
    try:
        now = parse_iso(args.now) if args.now else None
    except (ValueError, OverflowError):
        print(f"--now is not an ISO 8601 time: {args.now!r}", file=sys.stderr)
        return 2
    if now is not None and not MIN_YEAR <= now.year <= MAX_YEAR:
        print(f"--now must fall between the years {MIN_YEAR} and {MAX_YEAR}: {args.now!r}", file=sys.stderr)
        return 2
    # chat --jsonl without --chat-id can never be resumed, so it keeps nothing once it exits (not even after a kill -9)
    store = open_store("memory:" if args.jsonl and not args.chat_id else args.store or os.environ.get("BOT_STORE"))
    chat_id = args.chat_id or (f"jsonl-{uuid.uuid4().hex}" if args.jsonl else TERMINAL_CHAT_ID)
    files_dir = chat_folder(Path(args.files_dir) if args.files_dir else default_data_dir() / "reports", chat_id)
    service = BotService(store)
    if args.jsonl:
        sys.stdout.reconfigure(encoding="utf-8")  # the protocol's encoding, whatever the locale says
        return run_jsonl(service, chat_id, files_dir, sys.stdin.buffer, sys.stdout, now)
    sys.stdout.reconfigure(errors="replace")  # a terminal that cannot show a character shows "?" instead of failing
    return run_terminal(service, chat_id, files_dir, sys.stdin, sys.stdout, now)


def run_jsonl(service: BotService, chat_id: str, files_dir: Path, stdin: BinaryIO, stdout: TextIO, now: datetime | None = None) -> int:
    """`now`: a fixed time for every message (--now), else each is stepped at the moment it is read."""
    for line in read_lines(stdin):
        leaving = line.strip().lower() in QUIT
        messages = jsonl_messages(service, chat_id, None if leaving else line, files_dir, now)
        stdout.write(clean(json.dumps({"messages": messages}, ensure_ascii=False)) + "\n")  # valid UTF-8, always
        stdout.flush()
        if leaving:
            break
    return 0


def jsonl_messages(service: BotService, chat_id: str, line: str | None, files_dir: Path, now: datetime | None = None) -> list[dict]:
    """The answer to one line (None: the goodbye) as JSON messages: the error boundary of `chat --jsonl`.
    Whatever fails (the core, the store, saving a report file) is answered with the apology instead."""
    try:
        replies = [Reply(pick(BYE, _lang(service, chat_id)))] if line is None else service.handle(chat_id, line, now)
        if line is not None and is_forget(line):
            replies.append(Reply(pick(FILES_FORGOTTEN, _lang(service, chat_id)).format(count=forget_files(files_dir))))
        return [reply_to_json(reply, files_dir) for reply in replies]
    except Exception as error:
        return [reply_to_json(apology(error, _lang(service, chat_id)), files_dir)]


def _lang(service: BotService, chat_id: str) -> str:
    """The chat's language for a message the transport writes itself; Chinese if the store cannot tell."""
    try:
        return service.store.load(chat_id).lang or "zh"
    except Exception:  # inside the error boundary: a store that fails must not fail the apology too
        return "zh"


def reply_to_json(reply: Reply, files_dir: Path) -> dict:
    return {
        "text": reply.text,
        "buttons": [{"label": b.label, "data": b.data} for b in reply.buttons],
        "files": [{"name": f.name, "path": str(save_file(f, files_dir))} for f in reply.files],
    }


class TerminalChat:
    """One person at a terminal: shows replies with numbered buttons and maps a typed number to its button.

    Reminders that fall due while the person is typing are printed by a background thread (interactive
    mode) or at the next turn (a pipe); a lock keeps the two from changing the chat's state at once.
    """

    def __init__(self, service: BotService, chat_id: str, files_dir: Path, out: TextIO, now: datetime | None = None) -> None:
        self.service = service
        self.now = now  # --now: a fixed time for every message
        self.chat_id = chat_id
        self.files_dir = files_dir
        self.out = out
        self.buttons: list[str] = []
        self.lock = threading.Lock()

    def show(self, replies: list[Reply]) -> None:
        self.buttons = []
        self._write(replies)

    def _write(self, replies: list[Reply]) -> None:
        for reply in replies:
            self.out.write("\n" + reply.text.rstrip() + "\n")
            for file in reply.files:
                path = save_file(file, self.files_dir)
                self.out.write(f"📄 {pick(FILE_SAVED, self.lang())}{path}\n")
            if reply.buttons:
                labels = []
                for button in reply.buttons:
                    self.buttons.append(button.data)
                    labels.append(f"[{len(self.buttons)}] {button.label}")
                self.out.write("  ".join(labels) + "\n")
        self.out.flush()

    def lang(self) -> str:
        return _lang(self.service, self.chat_id)

    def send(self, line: str) -> None:
        """One typed line: a number picks that button. Digits are read as everywhere in the bot: ASCII after
        width folding (NFKC: '３' as an input method types it is 3); '٣' or '፩' is text, not a number."""
        text = line.strip()
        number = ascii_int(unicodedata.normalize("NFKC", text))
        if number is not None and 1 <= number <= len(self.buttons):
            text = self.buttons[number - 1]
        with self.lock:
            try:  # the error boundary of the terminal: the core, the store, saving a report file
                replies = self.service.due_reminders(self.chat_id, self.now) + self.service.handle(self.chat_id, text, self.now)
                if is_forget(text):
                    _clear_typed_history()
                    replies.append(Reply(pick(FILES_FORGOTTEN, self.lang()).format(count=forget_files(self.files_dir))))
                self.show(replies)
            except Exception as error:
                self.show([apology(error, self.lang())])

    def remind_while_waiting(self, stop: threading.Event) -> None:
        """Print due reminders as they fall due, keeping the numbered buttons of the question on screen."""
        while not stop.wait(REMINDER_POLL_SECONDS):
            with self.lock:
                try:
                    due = self.service.due_reminders(self.chat_id, self.now)
                except Exception as error:  # the store failed: try again at the next poll, the chat goes on
                    log.error("reminder check failed (%s)", type(error).__name__)
                    continue
                if due:
                    self._write([Reply(reply.text) for reply in due])
                    self.out.write("> ")
                    self.out.flush()


def run_terminal(service: BotService, chat_id: str, files_dir: Path, stdin: TextIO, stdout: TextIO, now: datetime | None = None) -> int:
    interactive = stdin.isatty() and stdout.isatty()
    chat = TerminalChat(service, chat_id, files_dir, stdout, now)
    stop = threading.Event()
    if interactive:
        _enable_line_editing(default_data_dir() / "history")
    chat.show(service.opening(chat_id, now))
    if interactive:
        threading.Thread(target=chat.remind_while_waiting, args=(stop,), daemon=True).start()
    for line in _typed_lines() if interactive else read_lines(stdin.buffer):
        if line.strip().lower() in QUIT:
            break
        if line.strip():
            chat.send(line)
    stop.set()
    stdout.write(pick(BYE, chat.lang()) + "\n")
    return 0


def _typed_lines() -> Iterator[str]:
    """Lines typed at the terminal until end of input or Ctrl-C; a byte the terminal's encoding cannot
    decode becomes U+FFFD instead of ending the chat."""
    sys.stdin.reconfigure(errors="replace")
    while True:
        try:
            yield input("> ")
        except (EOFError, KeyboardInterrupt):
            return


def _clear_typed_history() -> None:
    try:
        importlib.import_module("readline").clear_history()
    except (ImportError, AttributeError):
        pass


def _enable_line_editing(old_history: Path) -> None:
    """Arrow keys and this session's history, where the platform has readline. Nothing typed is written to
    disk (what people type in an incident holds phone numbers and patient details); a history file an older
    version kept is deleted."""
    old_history.unlink(missing_ok=True)
    try:
        importlib.import_module("readline")  # once imported, input() has line editing
    except ImportError:
        return
