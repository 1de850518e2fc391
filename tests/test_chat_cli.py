"""`python -m bot chat` and `chat --jsonl` driven as separate processes, the way users and programs do."""

import json
import os
import subprocess
import sys
import select

from tests.conftest import ROOT, run_bot


def jsonl(lines, *args, env=None):
    result = run_bot("chat", "--jsonl", *args, input="".join(line + "\n" for line in lines), env=env)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_jsonl_one_line_out_per_line_in():
    out = jsonl(["/start", "报告邮箱是什么", "", "/contacts", "{{7*7}}"])
    assert len(out) == 5
    assert out[0]["messages"][0]["buttons"]
    assert "12387@cert.org.cn" in out[1]["messages"][0]["text"]
    assert all(set(m) == {"text", "buttons", "files"} for o in out for m in o["messages"])
    assert "49" not in out[4]["messages"][0]["text"]


def test_jsonl_prints_nothing_before_the_first_line(tmp_path):
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "chat", "--jsonl"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "BOT_DATA_DIR": str(tmp_path)},
    )
    try:
        ready, _, _ = select.select([process.stdout], [], [], 1.5)
        assert not ready, "printed before any input"
        process.stdin.write("传真\n")
        process.stdin.flush()
        line = process.stdout.readline()  # flushed at once: usable as a coprocess
        assert "010-82992387" in json.loads(line)["messages"][0]["text"]
    finally:
        process.stdin.close()
        process.wait(timeout=20)


def test_jsonl_runs_are_fresh_unless_a_chat_id_is_given(tmp_path):
    env = {"BOT_DATA_DIR": str(tmp_path)}
    jsonl(["/assess"], "--chat-id", "c1", env=env)
    resumed = jsonl(["/start"], "--chat-id", "c1", env=env)
    assert [b["data"] for b in resumed[0]["messages"][0]["buttons"]] == ["resume:assess", "discard:assess"]
    fresh = jsonl(["/start"], env=env)
    assert "resume:assess" not in [b["data"] for b in fresh[0]["messages"][0]["buttons"]]


def test_terminal_chat_from_a_pipe_numbers_buttons_and_quits(tmp_path):
    result = run_bot("chat", input="3\n/quit\n", env={"BOT_DATA_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert "[1]" in result.stdout and "[3]" in result.stdout
    assert "010-82992387" in result.stdout  # button 3 of the menu: the channels
    assert "再见" in result.stdout


def test_terminal_chat_offers_the_unfinished_flow_after_a_restart(tmp_path):
    env = {"BOT_DATA_DIR": str(tmp_path)}
    run_bot("chat", input="/assess\n", env=env)
    result = run_bot("chat", input="/quit\n", env=env)
    assert "继续" in result.stdout and "放弃" in result.stdout


def test_ask_json_contract():
    result = run_bot("ask", "--json", "报告邮箱是什么")
    reply = json.loads(result.stdout)
    assert set(reply) == {"matched", "topic", "score", "answer", "source", "suggestions"}
    assert reply["matched"] is True and "12387@cert.org.cn" in reply["answer"] and reply["source"]


def test_ask_plain_prints_the_answer_text():
    result = run_bot("ask", "传真号码")
    assert result.returncode == 0 and "010-82992387" in result.stdout and not result.stdout.startswith("{")


def test_ask_batch_mode_keeps_lines_aligned():
    result = run_bot("ask", "--json", input="传真\n\n明天会下雨吗\n你好\n")
    replies = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(replies) == 4
    assert replies[0]["matched"] and not replies[1]["matched"] and not replies[2]["matched"]
    assert replies[3]["topic"] == "help" and replies[3]["matched"] is False


def test_bad_command_line_is_a_message_not_a_traceback():
    result = run_bot("report", "--kind", "nonsense", "--format", "md")
    assert result.returncode == 2 and "Traceback" not in result.stderr


def test_jsonl_quit_says_goodbye_and_stops():
    out = jsonl(["传真", "/quit", "报告邮箱"])
    assert len(out) == 2 and "再见" in out[1]["messages"][0]["text"]


def test_terminal_prints_a_reminder_that_falls_due_while_waiting(monkeypatch, tmp_path):
    import io
    import threading
    from datetime import timedelta

    from bot.model import ChatState
    from bot.service import BotService
    from bot.store.memory import MemoryStore
    from bot.timeutil import now_shanghai
    from bot.transports import terminal

    monkeypatch.setattr(terminal, "REMINDER_POLL_SECONDS", 0.01)
    store = MemoryStore()
    due = (now_shanghai() - timedelta(minutes=1)).isoformat()
    store.save("t", ChatState(lang="zh", reminders=[{"at": due, "deadline": due, "text": {"zh": "提醒：首报", "en": "x"}}]))
    out = io.StringIO()
    chat = terminal.TerminalChat(BotService(store), "t", tmp_path, out)
    chat.buttons = ["/assess"]
    stop = threading.Event()
    worker = threading.Thread(target=chat.remind_while_waiting, args=(stop,))
    worker.start()
    for _ in range(200):
        if "提醒：首报" in out.getvalue():
            break
        threading.Event().wait(0.01)
    stop.set()
    worker.join(5)
    assert "提醒：首报" in out.getvalue()
    assert chat.buttons == ["/assess"]  # the question's numbered buttons still apply
    assert store.load("t").reminders == []


def test_chat_jsonl_takes_a_fixed_now_so_relative_times_can_be_tested():
    done = run_bot("chat", "--jsonl", "--now", "2026-03-01T10:15", input="/assess\n否\n否\n较大\n昨晚23:30发现的\n")
    last = json.loads(done.stdout.splitlines()[-1])["messages"][-1]["text"]
    assert done.returncode == 0 and "已记录发现时间：2026-02-28 23:30" in last
    bad = run_bot("chat", "--jsonl", "--now", "garbage", input="")
    assert bad.returncode == 2 and "--now" in bad.stderr and "Traceback" not in bad.stderr
