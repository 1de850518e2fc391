"""Incidents as records: separate incidents in one chat, duties marked done, the timeline, exports, the CLI,
/forget that forgets (checked on disk), and conversations stored before incidents existed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.engine import Engine
from bot.model import ChatState, Event
from bot.timeutil import SHANGHAI
from tests.conftest import ROOT

NOW = datetime(2026, 3, 1, 10, 0, tzinfo=SHANGHAI)
ENGINE = Engine()
MINISTRY = ("/assess", "否", "是", "重大", "2026-03-01 09:00", "否", "否")
PRIVATE_RANSOMWARE = ("否", "否", "较大", "2026-03-01 09:30", "是", "否")


def say(state, *texts, now=NOW):
    replies = []
    for text in texts:
        state, replies = ENGINE.step(state, Event("t", text, now))
    return state, replies


def two_incidents():
    state, _ = say(ChatState(), *MINISTRY)
    state, replies = say(state, "/assess")
    assert "同一起事件，还是一个新事件" in replies[-1].text
    state, _ = say(state, "incident:new-assess", *PRIVATE_RANSOMWARE)
    return state


def test_two_incidents_in_one_chat_never_share_an_answer_or_a_recipient():
    state = two_incidents()
    assert [i["id"] for i in state.incidents] == [1, 2] and state.current == 2
    second = state.flows["assess"]
    assert second["answers"]["central_state_organ"] is False
    assert all("department_cac_office" not in o["to"] for o in second["result"]["obligations"])
    state, replies = say(state, "/report", "首报", "示例物流公司", "来不及了 直接出报告吧")
    preview = "\n".join(r.text for r in replies)
    assert "本部门网信工作机构" not in preview and "示例物流公司" in preview
    state, replies = say(state, "/incident 1")
    assert "已切换到 #1" in replies[0].text and state.current == 1
    first = state.flows["assess"]
    assert first["answers"]["central_state_organ"] is True and "report" not in state.flows  # #2's draft stays with #2
    state, replies = say(state, "/incidents")
    assert "#1 · 2026-03-01" in replies[0].text and "#2 · 2026-03-01" in replies[0].text and "（当前）" in replies[0].text


def test_a_duty_marked_done_stops_its_reminders_and_enters_the_timeline():
    state, _ = say(ChatState(), *MINISTRY[:-2], "否", "否", now=NOW - timedelta(minutes=50))
    state, _ = say(state, "remind:on")
    assert any(r["duty"] == "initial:department_cac_office" for r in state.reminders)
    state, replies = say(state, "duty:mark", "duty:done:initial:department_cac_office", "9:40", "电话报给部网信办", "跳过")
    assert not any(r["duty"] == "initial:department_cac_office" for r in state.reminders)
    incident = state.incidents[0]
    assert incident["duties"]["initial:department_cac_office"] == {"status": "done", "at": "2026-03-01T09:40:00+08:00", "how": "电话报给部网信办"}
    events = [entry["event"] for entry in incident["timeline"]]
    assert events == ["discovered", "assessed", "duty_done"]
    assert "✅ 已完成" in replies[-1].text


def test_not_applicable_asks_why_and_the_result_shows_each_duty_state():
    state, _ = say(ChatState(), "/assess", "否", "否", "较大", "2026-03-01 09:00", "是", "否")
    state, replies = say(state, "duty:mark", "duty:na:crime:public_security")
    assert "为什么不适用" in replies[-1].text
    state, replies = say(state, "警方已介入，由总部统一报案")
    assert state.incidents[0]["duties"]["crime:public_security"]["status"] == "not_applicable"
    assert "➖ 不适用" in replies[-1].text
    state, replies = say(state, "assess:change:discovered_at", "2026-03-01 09:00")
    assert "进度：" in replies[-1].text and "➖ 不适用" in replies[-1].text


def test_the_summary_report_date_of_the_open_incident():
    state, _ = say(ChatState(), "/assess", "否", "否", "较大", "2026-03-01 09:00", "否", "否")
    _, replies = say(state, "处置昨天18:00已经结束了，总结报告最晚哪天交？", now=NOW + timedelta(days=1))
    assert "总结报告最晚 2026-03-31 18:00" in replies[-1].text and "#1" in replies[-1].text


def test_export_gives_the_record_as_json_and_markdown_in_a_versioned_schema():
    state, _ = say(ChatState(), "/assess", "否", "否", "较大", "2026-03-01 09:00", "否", "否")
    _, replies = say(state, "/export")
    files = {f.name: f.content for f in replies[-1].files}
    record = json.loads(files["incident-1.json"])
    assert record["schema"] == "incident-report-bot/incident" and record["version"] == 1
    assert record["assessment"]["answers"]["level"] == "relatively_major" and record["duties"][0]["status"] == "open"
    assert "## 时间线" in files["incident-1.md"].decode()


def test_a_conversation_stored_before_incidents_loads_as_one_incident():
    old = {"lang": "zh", "active": None, "flows": {"assess": {"step": "done", "answers": {"cii": False, "central_state_organ": False, "level": "major", "discovered_at": "2026-03-01T09:00:00+08:00", "suspected_crime": False, "sector_rules": False}, "history": [], "result": None}}, "buttons": [], "reminders": []}
    state = ChatState.from_json(json.dumps(old))
    state, replies = say(state, "/incidents")
    assert state.current == 1 and "#1 · 2026-03-01" in replies[0].text


def test_deleting_one_incident_keeps_the_other():
    state = two_incidents()
    state, replies = say(state, "incident:delete:1")
    assert [i["id"] for i in state.incidents] == [2] and "已删除 #1" in replies[0].text


def run_bot(*args, env=None, stdin=""):
    return subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)


def test_the_incidents_command_line_reads_the_same_store(tmp_path):
    env = {**os.environ, "BOT_DATA_DIR": str(tmp_path)}
    lines = "\n".join([*MINISTRY, "duty:mark", "duty:done:initial:department_cac_office", "9:30", "跳过", "跳过"]) + "\n"
    run_bot("chat", "--jsonl", "--chat-id", "team", "--now", "2026-03-01T10:00", env=env, stdin=lines)
    listed = run_bot("incidents", "list", "--chat-id", "team", env=env)
    assert listed.returncode == 0 and "#1 · 2026-03-01" in listed.stdout and "discovered 2026-03-01T09:00:00+08:00" in listed.stdout
    exported = json.loads(run_bot("incidents", "export", "1", "--chat-id", "team", env=env).stdout)
    assert exported["duties"][0]["status"] == "done" and exported["version"] == 1
    shown = run_bot("incidents", "show", "#1", "--chat-id", "team", env=env)
    assert "已完成" in shown.stdout
    missing = run_bot("incidents", "show", "7", "--chat-id", "team", env=env)
    assert missing.returncode == 2 and "no incident" in missing.stderr and "Traceback" not in missing.stderr


def test_forget_leaves_no_byte_of_the_chat_on_disk(tmp_path):
    env = {**os.environ, "BOT_DATA_DIR": str(tmp_path)}
    secret = "患者张三13912345678"
    lines = "\n".join(["/report", "首报", secret, "来不及了 直接出报告吧", "report:finish", "/assess", "否", "否", "较大", "现在", "否", "否", "/forget"]) + "\n"
    done = run_bot("chat", "--jsonl", "--chat-id", "ward", env=env, stdin=lines)
    last = json.loads(done.stdout.splitlines()[-1])["messages"]
    assert "已删除" in last[0]["text"] and "报告文件" in last[-1]["text"]
    for path in Path(tmp_path).rglob("*"):
        if path.is_file():
            assert secret.encode() not in path.read_bytes(), path
            assert "13912345678".encode() not in path.read_bytes(), path


def draft_report(state, kind_button, now=NOW):
    state, replies = say(state, "/report", now=now)
    state, replies = say(state, kind_button, "示例单位", "来不及了 直接出报告吧", now=now)
    return state, "\n".join(r.text for r in replies)


def test_a_supplementary_report_states_when_and_to_whom_the_initial_report_was_made():
    state, _ = say(ChatState(), "/assess", "否", "否", "较大", "2026-03-01 09:00", "否", "否")
    state, _ = say(state, "duty:mark", "duty:done:initial:provincial_cac", "9:40", "邮件报送12387@cert.org.cn", "A-7")
    state, preview = draft_report(state, "report:kind:supplement")
    assert state.flows["report"]["facts"]["initial_report"] == {
        "at": "2026-03-01T09:40:00+08:00", "to": "属地省级网信部门", "channel": "邮件报送12387@cert.org.cn", "reference": "A-7"
    }
    assert "2026-03-01 09:40" in preview


def test_the_summary_reports_timeline_is_filled_from_the_incident():
    state, _ = say(ChatState(), "/assess", "否", "否", "较大", "2026-03-01 09:00", "否", "否")
    state, _ = say(state, "duty:mark", "duty:done:initial:provincial_cac", "9:40", "跳过", "跳过")
    state, preview = draft_report(state, "report:kind:summary")
    timeline = state.flows["report"]["facts"]["timeline"]
    assert [entry["text"] for entry in timeline][:2] == ["发现或获知事件", "已完成：首次报告 → 属地省级网信部门"]
    assert "发现或获知事件" in preview


def test_with_a_retention_setting_old_incidents_go_and_recent_ones_stay(monkeypatch):
    state = two_incidents()
    monkeypatch.setenv("BOT_RETAIN_DAYS", "30")
    later, _ = say(state, "/incidents", now=NOW + timedelta(days=10))
    assert [i["id"] for i in later.incidents] == [1, 2]
    much_later, replies = say(state, "/incidents", now=NOW + timedelta(days=31))
    assert much_later.incidents == [] and "还没有事件记录" in replies[0].text
    monkeypatch.delenv("BOT_RETAIN_DAYS")
    kept, _ = say(state, "/incidents", now=NOW + timedelta(days=400))
    assert len(kept.incidents) == 2  # off by default


def test_showing_a_result_again_later_adds_no_assessment_to_the_timeline():
    state, _ = say(ChatState(), "/assess", "否", "否", "较大", "2026-03-01 09:00", "否", "否")
    state, _ = say(state, "resume:assess", now=NOW + timedelta(hours=5))
    assert [e["event"] for e in state.incidents[0]["timeline"]].count("assessed") == 1
    state, _ = say(state, "assess:change:level", "重大")
    assert [e["event"] for e in state.incidents[0]["timeline"]].count("assessed") == 2


def test_a_report_drafted_before_the_assessment_ends_takes_nothing_from_it():
    state, _ = say(ChatState(), "我们公司官网被勒索了，一小时前发现的", "否")
    state, replies = say(state, "/report", "首报", "测试公司", "来不及了 直接出报告吧")
    preview = "\n".join(r.text for r in replies)
    assert "一般" not in preview and "assessment" not in state.flows["report"]["facts"]


def test_handling_said_to_end_the_day_before_discovery_is_pointed_out():
    state, _ = say(ChatState(), "/assess", "否", "否", "较大", "2026-03-01 07:00", "否", "否")
    _, replies = say(state, "处置昨天就已经结束了，总结报告最晚什么时候交？")
    assert "处置不会在那之前结束" in replies[-1].text


def test_the_list_flags_an_overdue_deadline():
    state, _ = say(ChatState(), "/assess", "否", "否", "较大", "2026-03-01 09:00", "否", "否")
    _, replies = say(state, "/incidents", now=NOW + timedelta(hours=5))
    assert "⚠ 已逾期" in replies[0].text


@pytest.mark.parametrize(
    ("text", "marked"),
    [("已经在9点40打电话报给省网信办了，编号SD-2026-0088，帮我标记成已完成", True), ("we reported it to the provincial CAC at 9:40", True),
     ("我们还没报给网信办", False), ("报给网信办之后还要书面报告吗？", False)],
)
def test_a_report_already_made_said_in_words_marks_the_duty(text, marked):
    state, _ = say(ChatState(), "/assess", "否", "否", "较大", "2026-03-01 09:00", "否", "否")
    state, replies = say(state, text)
    duty = state.incidents[0]["duties"].get("initial:provincial_cac")
    assert bool(duty) is marked
    if marked:
        assert duty["at"] == "2026-03-01T09:40:00+08:00" and ("提醒已停止" in replies[0].text or "reminders are stopped" in replies[0].text)
