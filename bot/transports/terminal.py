"""The terminal chat (the project's main job) and its machine twin, `chat --jsonl`.

Interactive: a greeting (or the offer to resume an unfinished flow), numbered buttons picked by number or
label, line editing and history (readline), `/quit` to leave. State lives in the store, so a restart
continues where the user was. With stdin from a pipe it reads line by line and prints the same text.
--jsonl: prints nothing until the first input line; one JSON line out per input line, flushed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import uuid
from pathlib import Path
from typing import TextIO

from bot.i18n import pick
from bot.model import Reply
from bot.service import BotService
from bot.store import default_data_dir, open_store
from bot.transports.files import save_file

TERMINAL_CHAT_ID = "terminal"
QUIT = ("/quit", "/exit", "/q")
BYE = {"zh": "再见！你的对话已保存，下次启动时可以继续。", "en": "Bye! Your conversation is saved; you can continue next time."}
REMINDER_POLL_SECONDS = 20
FILE_SAVED = {"zh": "文件已保存：", "en": "File saved: "}


def run_chat(args: argparse.Namespace) -> int:
    # chat --jsonl without --chat-id can never be resumed, so it keeps nothing once it exits (not even after a kill -9)
    store = open_store("memory:" if args.jsonl and not args.chat_id else args.store or os.environ.get("BOT_STORE"))
    files_dir = Path(args.files_dir) if args.files_dir else default_data_dir() / "reports"
    service = BotService(store)
    if args.jsonl:
        return run_jsonl(service, args.chat_id or f"jsonl-{uuid.uuid4().hex}", files_dir, sys.stdin, sys.stdout)
    return run_terminal(service, args.chat_id or TERMINAL_CHAT_ID, files_dir, sys.stdin, sys.stdout)


def run_jsonl(service: BotService, chat_id: str, files_dir: Path, stdin: TextIO, stdout: TextIO) -> int:
    for line in stdin:
        if line.strip().lower() in QUIT:
            bye = Reply(pick(BYE, service.store.load(chat_id).lang or "zh"))
            stdout.write(json.dumps({"messages": [reply_to_json(bye, files_dir)]}, ensure_ascii=False) + "\n")
            stdout.flush()
            break
        replies = service.handle(chat_id, line.rstrip("\r\n"))
        messages = [reply_to_json(reply, files_dir) for reply in replies]
        stdout.write(json.dumps({"messages": messages}, ensure_ascii=False) + "\n")
        stdout.flush()
    return 0


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

    def __init__(self, service: BotService, chat_id: str, files_dir: Path, out: TextIO) -> None:
        self.service = service
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
        return self.service.store.load(self.chat_id).lang or "zh"

    def send(self, line: str) -> None:
        text = line.strip()
        if text.isdigit() and 1 <= int(text) <= len(self.buttons):
            text = self.buttons[int(text) - 1]
        with self.lock:
            self.show(self.service.due_reminders(self.chat_id) + self.service.handle(self.chat_id, text))

    def remind_while_waiting(self, stop: threading.Event) -> None:
        """Print due reminders as they fall due, keeping the numbered buttons of the question on screen."""
        while not stop.wait(REMINDER_POLL_SECONDS):
            with self.lock:
                due = self.service.due_reminders(self.chat_id)
                if due:
                    self._write([Reply(reply.text) for reply in due])
                    self.out.write("> ")
                    self.out.flush()


def run_terminal(service: BotService, chat_id: str, files_dir: Path, stdin: TextIO, stdout: TextIO) -> int:
    interactive = stdin.isatty() and stdout.isatty()
    chat = TerminalChat(service, chat_id, files_dir, stdout)
    stop = threading.Event()
    if interactive:
        _enable_line_editing(default_data_dir() / "history")
    chat.show(service.opening(chat_id))
    if interactive:
        threading.Thread(target=chat.remind_while_waiting, args=(stop,), daemon=True).start()
    while True:
        try:
            line = input("> ") if interactive else stdin.readline()
        except (EOFError, KeyboardInterrupt):
            break
        if not interactive and not line:
            break
        if line.strip().lower() in QUIT:
            break
        if line.strip():
            chat.send(line)
    stop.set()
    stdout.write(pick(BYE, chat.lang()) + "\n")
    return 0


def _enable_line_editing(history: Path) -> None:
    """Arrow keys and history across runs, where the platform has readline."""
    try:
        import atexit
        import readline
    except ImportError:
        return
    history.parent.mkdir(parents=True, exist_ok=True)
    try:
        readline.read_history_file(history)
    except (FileNotFoundError, OSError):
        pass
    readline.set_history_length(1000)
    atexit.register(_write_history, readline, history)


def _write_history(readline_module, history: Path) -> None:
    try:
        readline_module.write_history_file(history)
    except OSError:
        pass
