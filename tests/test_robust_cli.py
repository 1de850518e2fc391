"""Every input that once ended a process, replayed from outside: `chat --jsonl`, the terminal chat, the `ask`
coprocess and the `report`/`assess` commands run as separate processes, the way programs and people drive them.

The chat must answer each line with exactly one JSON line and log nothing: the per-message error boundary
would turn a crash into an apology and a log line, so an empty stderr shows each root cause is fixed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from bot.engine import MESSAGE_CUT
from bot.flows.report import TEXTS as REPORT_TEXTS
from tests.conftest import ROOT, run_bot

# (what once crashed, the lines that reproduced it)
CRASHERS = {
    "buttons of a discarded report": ["/report", "report:kind:initial", "/start", "discard:report", "resume:report"],
    "buttons of a forgotten report": ["/report", "report:kind:initial", "report:edit", "/forget", "resume:report", "report:section:1"],
    "a section number in another script": ["/report", "report:kind:initial", "report:edit", "report:section:፩", "፩", "²"],
    "a 5,000-digit number": ["/report", "report:kind:initial", "report:edit", "9" * 5000, "report:section:" + "9" * 5000, "/assess", "9" * 5000],
    "far discovery times": ["/report", "report:kind:initial", "report:field:discovered_at", "1900-01-01 00:00", "99999 days ago", "0001-01-01 00:00"],
    "far times in the assessment": ["/assess", "否", "否", "否", "1900-01-01 00:00", "0001-01-01 00:00", "99999 days ago"],
}


def jsonl_session(payload: bytes, *args: str) -> tuple[list[dict], str]:
    """Feed raw bytes to one `chat --jsonl` process; its replies (one per line, checked) and its stderr."""
    result = subprocess.run(
        [sys.executable, "-m", "bot", "chat", "--jsonl", *args], input=payload, capture_output=True, cwd=ROOT, env=os.environ, timeout=120
    )
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    lines = result.stdout.decode("utf-8").splitlines()  # strict: the output is valid UTF-8
    replies = [json.loads(line) for line in lines]
    for reply in replies:
        assert reply["messages"] and all(set(message) == {"text", "buttons", "files"} for message in reply["messages"])
    return replies, result.stderr.decode(errors="replace")


@pytest.mark.parametrize("lines", CRASHERS.values(), ids=CRASHERS.keys())
def test_former_crashers_are_answered_without_an_error(lines):
    replies, stderr = jsonl_session("".join(f"{line}\n" for line in lines).encode())
    assert len(replies) == len(lines)
    assert stderr == ""  # not even the boundary's apology: the root cause is gone


def test_far_times_are_refused_at_the_question_and_never_stored():
    replies, _ = jsonl_session(b"/report\nreport:kind:initial\nreport:field:discovered_at\n0001-01-01 00:00\n99999 days ago\n")
    for reply in replies[-2:]:
        assert "1992" in reply["messages"][0]["text"] and "2100" in reply["messages"][0]["text"]
    replies, _ = jsonl_session(b"/report\nreport:kind:initial\nreport:preview\n")
    assert "0001" not in json.dumps(replies, ensure_ascii=False)


def test_invalid_bytes_and_huge_lines_never_end_the_session():
    payload = b"".join(
        [
            b"\xff\xfe\xe4\xb8\xad\xed\xa0\x80 \xe6\x96\x87\n",  # invalid UTF-8 around Chinese (once a UnicodeEncodeError in OpenCC)
            b"\xc3\n",  # a character cut in half
            b"a" * 200_000 + b"\n",  # longer than a message: read up to the cap, the rest skipped
            "报告邮箱是什么\n".encode(),
        ]
    )
    replies, stderr = jsonl_session(payload)
    assert len(replies) == 4 and stderr == ""
    assert replies[2]["messages"][0]["text"] in MESSAGE_CUT.values()  # the user is told the message was cut
    assert "12387@cert.org.cn" in replies[3]["messages"][-1]["text"]


def test_an_oversized_report_item_is_cut_with_a_note(tmp_path):
    lines = ["/report", "report:kind:initial", "report:field:impact", "影响" * 1500, "report:field:impact"]
    replies, _ = jsonl_session("".join(f"{line}\n" for line in lines).encode(), "--chat-id", "c", "--store", str(tmp_path / "s.sqlite3"))
    assert replies[3]["messages"][0]["text"] in REPORT_TEXTS["item_cut"].values()
    assert "影响" * 1000 in replies[4]["messages"][0]["text"] and "影响" * 1001 not in replies[4]["messages"][0]["text"]


def test_the_terminal_reads_other_scripts_digits_and_huge_numbers_as_text():
    result = run_bot("chat", input="３\n²\n፩\n" + "9" * 5000 + "\n/quit\n")
    assert result.returncode == 0 and result.stderr == "", result.stderr
    assert "010-82992387" in result.stdout  # "３" (full width, as input methods type it) picked menu button 3


def test_the_ask_coprocess_survives_invalid_bytes():
    process = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "--json"], input=b"\xff\xe9\x82\xae\xe7\xae\xb1\xed\xa0\x80\n\xfe\xfe\n\xe4\xbc\xa0\xe7\x9c\x9f\n",
        capture_output=True, cwd=ROOT, env=os.environ, timeout=60,
    )
    assert process.returncode == 0 and process.stderr == b""
    answers = [json.loads(line) for line in process.stdout.decode("utf-8").splitlines()]
    assert len(answers) == 3 and "010-82992387" in answers[2]["answer"]


BAD_FACTS = {
    "a far date": '{"discovered_at": "9999-12-31T23:59-12:00"}',
    "an ancient date": '{"occurred_at": "0001-01-01T00:00"}',
    "deep JSON": "[" * 100_000 + "]" * 100_000,
    "nesting within the JSON limit": '{"a":' * 30 + "1" + "}" * 30,
    "a 5,000-digit integer": '{"ransom": {"amount": 1' + "0" * 5000 + "}}",
    "an integer too large for a float": '{"ransom": {"amount": 1' + "0" * 400 + "}}",
    "infinity": '{"ransom": {"amount": 1e400}}',
    "a lone surrogate": '{"organization": "\\ud800"}',
    "a lone surrogate in a key": '{"\\udcff": 1}',
    "more than a million characters": '{"impact": "' + "x" * 1_000_001 + '"}',
}


@pytest.mark.parametrize(
    ("facts", "fmt"),
    [*((facts, "md") for facts in BAD_FACTS.values()), (BAD_FACTS["a lone surrogate"], "docx")],  # .docx: lxml refused it
    ids=[*BAD_FACTS, "a lone surrogate in a docx"],
)
def test_report_refuses_bad_facts_with_exit_2_and_one_line(facts, fmt, tmp_path):
    result = run_bot("report", "--kind", "initial", "--format", fmt, "--out", str(tmp_path / f"r.{fmt}"), input=facts)
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert not (tmp_path / f"r.{fmt}").exists()


@pytest.mark.parametrize(
    ("command", "stdin"),
    [(["report", "--kind", "initial", "--format", "md"], "{}"), (["assess", "--json"], '{"cii": true}\n'), (["ask", "传真"], "")],
)
def test_a_full_stdout_is_exit_2_and_one_line(command, stdin):
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [sys.executable, "-m", "bot", *command], input=stdin, stdout=full, stderr=subprocess.PIPE, text=True, cwd=ROOT, timeout=60
        )
    assert result.returncode == 2 and result.stderr == "error: No space left on device\n"


def test_assess_with_a_lone_surrogate_is_exit_2_and_never_writes_invalid_utf8():
    result = subprocess.run(
        [sys.executable, "-m", "bot", "assess", "--json"], input=b'{"level": "\\ud800"}\n', capture_output=True, cwd=ROOT, timeout=60
    )
    assert result.returncode == 2 and result.stderr.count(b"\n") <= 1 and b"Traceback" not in result.stderr
    result.stdout.decode("utf-8")  # strict: whatever was written is valid UTF-8


def test_a_failure_outside_the_core_is_one_apology_line_and_the_session_goes_on(tmp_path):
    """The transport's own boundary: the report files cannot be saved (--files-dir is a file, not a folder)."""
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    lines = ["/report", "report:kind:initial", "report:preview", "report:finish", "/contacts"]
    replies, stderr = jsonl_session("".join(f"{line}\n" for line in lines).encode(), "--files-dir", str(blocked))
    assert len(replies) == len(lines)
    [sorry] = replies[3]["messages"]
    assert sorry["text"].startswith("抱歉") and sorry["files"] == []
    assert "010-82992387" in replies[4]["messages"][0]["text"]
    [logged] = stderr.splitlines()
    assert "error" in logged and "Error" in logged  # one line: an error id and the class
