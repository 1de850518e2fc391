"""The report conversation: Engine.step with the real flows and knowledge base, and a whole conversation
through `python -m bot chat --jsonl` as a separate process."""

import io
import json
from datetime import datetime
from pathlib import Path

import docx
import pytest

from bot.engine import Engine
from bot.model import ChatState, Event
from bot.reports import DOCX_MIME
from bot.rules import assess
from bot.service import BotService
from bot.store import open_store
from bot.timeutil import SHANGHAI
from tests.conftest import run_bot

NOW = datetime(2026, 3, 1, 10, 0, tzinfo=SHANGHAI)
ANSWERS = {
    "cii": False,
    "central_state_organ": False,
    "level": "relatively_major",
    "discovered_at": "2026-03-01T09:00:00+08:00",
    "suspected_crime": True,
    "sector_rules": False,
}


@pytest.fixture(scope="module")
def engine():
    return Engine()


def say(engine, state, *texts):
    replies = []
    for text in texts:
        state, replies = engine.step(state, Event("t", text, NOW))
    return state, replies


def assessed(lang="zh"):
    """A chat that has just finished an assessment, in the shape the assess flow leaves behind."""
    return ChatState(lang=lang, flows={"assess": {"answers": dict(ANSWERS), "result": assess(ANSWERS, NOW, lang)}})


def data(replies):
    return [button.data for reply in replies for button in reply.buttons]


def last(replies):
    return replies[-1].text.splitlines()[-1]


def draft(state):
    return state.flows["report"]


# ---------------------------------------------------------------------- starting
def test_after_an_assessment_it_prefills_and_asks_the_first_open_item(engine):
    state, replies = say(engine, assessed(), "report:start")
    assert state.active == "report"
    facts = draft(state)["facts"]
    assert facts["level"] == "relatively_major"
    assert facts["discovered_at"] == ANSWERS["discovered_at"]
    assert facts["assessment"]["cii"] is False
    assert draft(state)["kind"] == "initial"
    assert last(replies) == "报告单位的名称是什么？"
    assert {"report:skip", "report:preview"} <= set(data(replies))


def test_report_command_without_an_assessment_asks_which_kind_first(engine):
    state, replies = say(engine, ChatState(lang="en"), "/report")
    assert last(replies) == "Which report do you want to draft?"
    assert data(replies) == ["report:kind:initial", "report:kind:supplement", "report:kind:summary"]
    state, replies = say(engine, state, "report:kind:summary")
    assert draft(state)["kind"] == "summary"
    assert last(replies) == "What is the name of your organisation?"


def test_typing_a_kind_label_chooses_it(engine):
    state, _ = say(engine, ChatState(lang="zh"), "/report", "总结报告")
    assert draft(state)["kind"] == "summary"


# ---------------------------------------------------------------------- answering
def test_items_come_one_at_a_time_and_can_be_skipped(engine):
    state, replies = say(engine, assessed(), "report:start", "示例公司", "OA系统", "张三 13800000000 zs@example.com")
    assert draft(state)["facts"]["contact"] == {"name": "张三", "phone": "13800000000", "email": "zs@example.com"}
    assert "什么时候发生" in last(replies)
    state, replies = say(engine, state, "稍后补充")
    assert "occurred_at" in draft(state)["skipped"]
    assert "地点" in last(replies)


def test_a_ransomware_type_brings_the_ransom_questions(engine):
    state, replies = say(engine, assessed(), "report:start", "甲", "乙", "report:skip", "report:skip", "机房", "勒索软件")
    assert draft(state)["facts"]["type"] == "勒索软件"
    state, replies = say(engine, state, "文件被加密", "已隔离")
    assert "勒索金额" in last(replies)
    state, replies = say(engine, state, "2 BTC", "勒索信，要求比特币", "2026-03-01")
    assert draft(state)["facts"]["ransom"] == {"amount": "2 BTC", "method": "勒索信，要求比特币", "date": "2026-03-01"}
    assert "事态" in last(replies)


def test_ransom_in_free_text_counts_as_ransomware(engine):
    state, replies = say(engine, assessed("en"), "report:start", "Org", "CRM", "report:skip", "report:skip", "Shanghai", "a ransom note on every server", "files encrypted", "isolated")
    assert "ransom" in last(replies).lower()


def test_other_types_skip_the_ransom_questions(engine):
    state, replies = say(engine, assessed(), "report:start", "甲", "乙", "report:skip", "report:skip", "机房", "report:type:ddos", "中断", "限流")
    assert draft(state)["facts"]["type"] == "DDoS攻击"
    assert "事态" in last(replies)


def test_the_other_type_button_asks_for_the_type_in_words(engine):
    state, replies = say(engine, assessed(), "report:start", "甲", "乙", "report:skip", "report:skip", "机房", "report:type:other")
    assert draft(state)["step"] == "type"
    state, _ = say(engine, state, "供应链投毒")
    assert draft(state)["facts"]["type"] == "供应链投毒"


def test_a_time_it_cannot_read_is_asked_again(engine):
    state, replies = say(engine, ChatState(lang="zh"), "/report", "report:kind:initial", "甲", "乙", "report:skip", "report:skip", "不记得了")
    assert draft(state)["step"] == "occurred_at"
    assert "什么时候发生" in last(replies)
    state, _ = say(engine, state, "今天8点")
    assert draft(state)["facts"]["occurred_at"] == "2026-03-01T08:00:00+08:00"


def test_a_question_mid_way_is_answered_and_the_item_asked_again(engine):
    state, _ = say(engine, assessed(), "report:start", "示例公司")
    before = json.dumps(draft(state), sort_keys=True)
    state, replies = say(engine, state, "报告邮箱是什么？")
    assert "12387@cert.org.cn" in replies[0].text
    assert "受影响的设施" in last(replies)
    assert json.dumps(draft(state), sort_keys=True) == before


@pytest.mark.parametrize(
    "typed,contact",
    [
        ("张三 13800000000 zs@example.com", {"name": "张三", "phone": "13800000000", "email": "zs@example.com"}),
        ("联系人：李四，电话：010-8888 6666", {"name": "李四", "phone": "010-8888 6666"}),
        ("Wang Wu, +86 138 0000 0000", {"name": "Wang Wu", "phone": "+86 138 0000 0000"}),
        ("soc@example.com", {"email": "soc@example.com"}),
    ],
)
def test_contact_details_are_picked_out_of_one_line(engine, typed, contact):
    state, _ = say(engine, assessed(), "report:start", "甲", "乙", typed)
    assert draft(state)["facts"]["contact"] == contact


# ---------------------------------------------------------------------- preview and editing
def preview_state(engine, lang="zh"):
    state, replies = say(engine, assessed(lang), "report:start", "示例公司", "OA系统", "report:skip", "report:preview")
    return state, replies


def test_preview_marks_missing_items_and_offers_finish_and_edit(engine):
    state, replies = preview_state(engine)
    text = replies[-1].text
    assert "# 网络安全事件报告（首报）" in text
    assert "属地省级网信部门：最迟 2026-03-01 13:00（4小时内）" in text
    assert "**单位名称**：示例公司" in text
    assert "## 四、事件原因初步分析\n\n待补报" in text
    assert data(replies) == ["report:finish", "report:edit"]
    assert "编号或名称" in last(replies)


@pytest.mark.parametrize("typed", ["4", "原因", "修改 原因", "改原因", "第4项"])
def test_an_item_can_be_changed_by_number_or_name(engine, typed):
    state, _ = preview_state(engine)
    state, replies = say(engine, state, typed)
    assert draft(state)["step"] == "cause"
    state, replies = say(engine, state, "弱口令被暴力破解")
    assert draft(state)["step"] == "preview"
    assert "## 四、事件原因初步分析\n\n弱口令被暴力破解" in replies[-1].text


def test_english_names_work_too(engine):
    state, _ = preview_state(engine, "en")
    state, _ = say(engine, state, "edit cause")
    assert draft(state)["step"] == "cause"


def test_an_item_with_several_fields_offers_them(engine):
    state, _ = preview_state(engine)
    state, replies = say(engine, state, "6")
    assert data(replies) == ["report:field:next_steps", "report:field:support_requested"]
    state, replies = say(engine, state, "请求支援")
    assert draft(state)["step"] == "support_requested"


def test_the_edit_button_lists_every_item_and_keep_leaves_a_value(engine):
    state, _ = preview_state(engine)
    state, replies = say(engine, state, "修改")
    assert data(replies)[:8] == [f"report:section:{n}" for n in range(1, 9)]
    state, replies = say(engine, state, "report:section:1", "report:field:organization")
    assert replies[-1].text.startswith("当前：示例公司")
    state, replies = say(engine, state, "保持不变")
    assert draft(state)["facts"]["organization"] == "示例公司"
    assert draft(state)["step"] == "preview"


def test_changing_the_type_to_ransomware_asks_the_ransom_questions(engine):
    state, _ = preview_state(engine)
    state, replies = say(engine, state, "类型", "勒索软件")
    assert draft(state)["step"] == "ransom.amount"


def test_user_text_comes_out_literally_in_the_preview(engine):
    injection = "{{ 7*7 }} {% if 1 %}x{% endif %} <b>b</b> *m*"
    state, replies = say(engine, assessed(), "report:start", injection, "report:preview")
    assert injection in replies[-1].text
    assert "49" not in replies[-1].text


def test_facts_that_do_not_add_up_are_explained_not_crashed_on(engine):
    state, _ = say(engine, assessed(), "report:start", "report:kind:summary", "report:preview", "处置结束")
    assert draft(state)["step"] == "handling_ended_at"
    state, replies = say(engine, state, "2026-03-01 08:00")  # before the discovery at 09:00
    assert "handling_ended_at" in replies[-1].text and "报告无法生成" in replies[-1].text
    assert data(replies) == ["report:edit"]


# ---------------------------------------------------------------------- finishing
def test_finish_gives_the_text_and_the_docx_and_txt_files(engine):
    state, _ = preview_state(engine)
    state, replies = say(engine, state, "确认生成")
    report = replies[0]
    assert report.text.startswith("# 网络安全事件报告（首报）")
    names = [f.name for f in report.files]
    assert names == ["incident-report-initial-zh.docx", "incident-report-initial-zh.txt"]
    docx_file, txt_file = report.files
    assert docx_file.mime == DOCX_MIME
    document = docx.Document(io.BytesIO(docx_file.content))
    assert "示例公司" in "\n".join(p.text for p in document.paragraphs)
    assert "单位名称：示例公司" in txt_file.content.decode("utf-8")
    assert state.active is None
    assert draft(state)["step"] == "done"
    assert "report:kind:supplement" in data(replies)


def test_a_finished_report_becomes_a_supplement_that_asks_the_skipped_items(engine):
    state, _ = preview_state(engine)
    state, replies = say(engine, state, "report:finish", "/report")
    assert "report:continue" in data(replies)
    state, replies = say(engine, state, "report:kind:supplement")
    assert draft(state)["kind"] == "supplement"
    assert draft(state)["facts"]["organization"] == "示例公司"
    assert "联系人" in last(replies)  # skipped in the initial report, asked again


# ---------------------------------------------------------------------- the draft survives
def test_the_draft_survives_cancel_and_continues_where_it_was(engine):
    state, _ = say(engine, assessed(), "report:start", "示例公司", "/cancel")
    assert state.active is None
    assert draft(state)["facts"]["organization"] == "示例公司"
    state, replies = say(engine, state, "/report")
    assert data(replies) == ["report:continue", "report:kind:supplement", "report:kind:summary", "report:new"]
    state, replies = say(engine, state, "继续")
    assert "受影响的设施" in last(replies)


def test_start_over_keeps_the_assessment_but_not_the_answers(engine):
    state, _ = say(engine, assessed(), "report:start", "示例公司", "/report", "report:new")
    assert "organization" not in draft(state)["facts"]
    assert draft(state)["facts"]["level"] == "relatively_major"


def test_the_draft_survives_a_restart(tmp_path):
    url = str(tmp_path / "state.sqlite3")
    first = BotService(open_store(url))
    for text in ("/report", "report:kind:initial", "示例公司"):
        first.handle("c1", text, NOW)
    second = BotService(open_store(url))
    replies = second.opening("c1", NOW)
    assert "resume:report" in data(replies)
    replies = second.handle("c1", "resume:report", NOW)
    assert "受影响的设施" in last(replies)


def test_english_conversation(engine):
    state, replies = say(engine, assessed("en"), "report:start", "ACME Ltd", "report:preview")
    text = replies[-1].text
    assert "# Cybersecurity Incident Report (Initial Report)" in text
    assert "the provincial cyberspace administration where you are located: by 2026-03-01 13:00 (within 4 h)" in text
    assert "to be supplemented" in text
    assert data(replies) == ["report:finish", "report:edit"]


# ---------------------------------------------------------------------- the whole thing, from outside
def test_assessment_to_report_through_jsonl(tmp_path):
    lines = [
        "/lang zh",
        "/assess",
        "否",
        "否",
        "较大",
        "2026-03-01 09:00",
        "是",
        "否",
        "起草报告",
        "示例科技有限公司",
        "客户管理系统",
        "张三 13800000000",
        "稍后补充",
        "北京",
        "勒索软件",
        "3台服务器被加密",
        "已断网隔离",
        "2 BTC",
        "勒索信",
        "2026-03-01",
        "预览",
        "原因",
        "远程桌面弱口令",
        "确认生成",
    ]
    files_dir = tmp_path / "files"
    result = run_bot(
        "chat", "--jsonl", "--chat-id", "report-test", "--files-dir", str(files_dir), input="".join(line + "\n" for line in lines), env={"BOT_DATA_DIR": str(tmp_path / "data")}
    )
    assert result.returncode == 0, result.stderr
    outputs = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(outputs) == len(lines)
    final = outputs[-1]["messages"][0]
    assert final["text"].startswith("# 网络安全事件报告（首报）")
    for expected in ("示例科技有限公司", "远程桌面弱口令", "勒索金额**：2 BTC", "属地省级网信部门：最迟 2026-03-01 13:00（4小时内）", "**发生时间**：待补报"):
        assert expected in final["text"]
    paths = {Path(f["name"]).suffix: Path(f["path"]) for f in final["files"]}
    assert set(paths) == {".docx", ".txt"}
    assert paths[".docx"].parent == files_dir
    document = docx.Document(str(paths[".docx"]))
    assert "示例科技有限公司" in "\n".join(p.text for p in document.paragraphs)
    assert "远程桌面弱口令" in paths[".txt"].read_text(encoding="utf-8")
