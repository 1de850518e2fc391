"""The report conversation: Engine.step with the real flows and knowledge base, and a whole conversation
through `python -m bot chat --jsonl` as a separate process."""

import io
import json
from datetime import datetime
from pathlib import Path

import docx
import pytest

from bot.engine import Engine
from bot.flows.report import _parse_contact
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


# The assessment's "起草报告" button, then the initial report offered first.
START = ("report:start", "report:kind:initial")


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
def test_after_an_assessment_it_prefills_and_offers_the_initial_report_first(engine):
    state, replies = say(engine, assessed(), "report:start")
    assert state.active == "report"
    facts = draft(state)["facts"]
    assert facts["level"] == "relatively_major"
    assert facts["discovered_at"] == ANSWERS["discovered_at"]
    assert facts["assessment"]["cii"] is False
    assert draft(state)["kind"] is None
    assert replies[-1].text == "要起草哪种报告？"
    assert [(b.label, b.data) for b in replies[-1].buttons] == [
        ("首报（建议）", "report:kind:initial"),
        ("续报（补报）", "report:kind:supplement"),
        ("总结报告", "report:kind:summary"),
    ]
    state, replies = say(engine, state, "首报")
    assert draft(state)["kind"] == "initial"
    assert last(replies) == "报告单位的名称是什么？"
    assert {"report:skip", "report:preview"} <= set(data(replies))


def ended(lang="zh"):
    """A chat whose assessment knows that handling has ended."""
    answers = {**ANSWERS, "handling_ended_at": "2026-03-01T09:40:00+08:00"}
    return ChatState(lang=lang, flows={"assess": {"answers": answers, "result": assess(answers, NOW, lang)}})


@pytest.mark.parametrize("start", ["/report", "report:start"])
def test_once_handling_has_ended_a_summary_report_is_suggested_and_a_typed_kind_is_no_organisation(engine, start):
    state, replies = say(engine, ended(), start)
    assert draft(state)["kind"] is None
    assert replies[-1].text.splitlines() == ["事件处置已于 2026-03-01 09:40 结束，建议起草总结报告（处置结束后30日内提交）。", "要起草哪种报告？"]
    assert [b.label for b in replies[-1].buttons] == ["首报", "续报（补报）", "总结报告（建议）"]
    state, replies = say(engine, state, "总结报告")
    assert draft(state)["kind"] == "summary"
    assert "organization" not in draft(state)["facts"]
    assert last(replies) == "报告单位的名称是什么？"
    _, replies = say(engine, ended("en"), start)
    assert replies[-1].text.splitlines()[0] == "Handling ended at 2026-03-01 09:40, so a summary report is suggested (due within 30 days after handling ends)."
    assert replies[-1].buttons[2].label == "Summary report (suggested)"


@pytest.mark.parametrize(
    "typed,kind",
    [("总结报告", "summary"), ("续报", "supplement"), ("补报", "supplement"), ("summary report", "summary"), ("Supplementary report", "supplement"), ("首报", "initial")],
)
def test_a_kind_typed_at_any_question_switches_to_it_instead_of_being_an_answer(engine, typed, kind):
    state, _ = say(engine, ended(), "report:start", "report:kind:summary" if kind == "initial" else "report:kind:initial", "示例公司")
    assert draft(state)["step"] == "system"
    state, replies = say(engine, state, typed)
    assert draft(state)["kind"] == kind
    assert draft(state)["facts"]["organization"] == "示例公司"
    assert "system" not in draft(state)["facts"]
    assert replies[0].text.startswith("开始起草")


def test_the_kind_under_way_typed_again_is_said_and_the_item_asked_again(engine):
    state, _ = say(engine, assessed(), *START, "示例公司")
    state, replies = say(engine, state, "首报")
    assert draft(state)["kind"] == "initial"
    assert "system" not in draft(state)["facts"]
    assert replies[0].text == "正在起草的就是首报。"
    assert "受影响的设施" in last(replies)


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
    state, replies = say(engine, assessed(), *START, "示例公司", "OA系统", "张三 13800000000 zs@example.com")
    assert draft(state)["facts"]["contact"] == {"name": "张三", "phone": "13800000000", "email": "zs@example.com"}
    assert "什么时候发生" in last(replies)
    state, replies = say(engine, state, "稍后补充")
    assert "occurred_at" in draft(state)["skipped"]
    assert "地点" in last(replies)


SKIP_TYPED = ["稍后", "以后再说", "跳过", "先跳过", "暂不清楚", "待补报", "later", "skip", "tbd", "n/a", "unknown", "Later.", "N/A", "ＴＢＤ"]
SKIP_TYPED += ["不知道", "不清楚", "不确定", "说不好", "不知道。", "don't know", "Don’t know", "dont know", "idk", "IDK", "not sure", "Not sure."]


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("typed", SKIP_TYPED)
def test_skip_words_in_either_language_skip_like_the_later_button(engine, lang, typed):
    state, _ = say(engine, assessed(lang), *START, "示例公司", "OA系统")
    state, replies = say(engine, state, typed)
    assert "contact" not in draft(state)["facts"]
    assert draft(state)["skipped"] == ["contact"]
    assert draft(state)["step"] == "occurred_at"
    state, replies = say(engine, state, "report:preview")
    assert ("联系人：待补报  \n联系电话：待补报" if lang == "zh" else "Contact person: to be supplemented  \nPhone: to be supplemented") in replies[-1].text


def test_a_skip_word_inside_an_answer_is_an_answer(engine):
    state, _ = say(engine, assessed(), *START, "稍后补充的公司")
    assert draft(state)["facts"]["organization"] == "稍后补充的公司"


def test_the_occurrence_question_gives_its_own_examples_when_discovery_was_prefilled(engine):
    state, replies = say(engine, assessed(), *START, "示例公司", "OA系统", "report:skip")
    assert draft(state)["facts"]["discovered_at"] == ANSWERS["discovered_at"]  # never asked
    assert last(replies) == "事件大约什么时候发生？（如“今天9点”“2026-03-01 09:00”）"
    state, replies = say(engine, assessed("en"), *START, "Org", "CRM", "report:skip")
    assert "same" not in last(replies) and '"2026-03-01 09:00"' in last(replies)


def test_the_first_question_has_no_back_button_and_later_ones_go_back_one_item(engine):
    state, replies = say(engine, assessed(), *START)
    assert "report:back" not in data(replies)
    state, replies = say(engine, state, "示例公司")
    assert data(replies)[-1] == "report:back"
    assert replies[-1].buttons[-1].label == "返回上一步"
    state, replies = say(engine, state, "report:back")
    assert draft(state)["step"] == "organization"
    assert replies[-1].text.startswith("当前：示例公司")
    state, replies = say(engine, state, "保持不变")
    assert draft(state)["step"] == "system"  # the item left open is asked again


def test_back_reaches_a_prefilled_or_skipped_item_and_keeps_its_value(engine):
    state, _ = say(engine, assessed(), *START, "示例公司", "OA系统", "report:skip")
    assert draft(state)["step"] == "occurred_at"
    state, replies = say(engine, state, "上一步")  # discovery, filled in from the assessment
    assert draft(state)["step"] == "discovered_at"
    assert replies[-1].text.startswith("当前：2026-03-01 09:00")
    state, replies = say(engine, state, "report:back")
    assert draft(state)["step"] == "contact"
    state, _ = say(engine, state, "张三 13800000000")
    assert draft(state)["facts"]["contact"] == {"name": "张三", "phone": "13800000000"}
    assert draft(state)["skipped"] == []
    assert draft(state)["facts"]["discovered_at"] == ANSWERS["discovered_at"]
    assert draft(state)["step"] == "occurred_at"


def test_typing_back_at_the_first_question_says_so(engine):
    state, replies = say(engine, assessed("en"), *START, "back")
    assert draft(state)["step"] == "organization"
    assert replies[-1].text.splitlines() == ["This is the first item.", "What is the name of your organisation?"]


def test_a_ransomware_type_brings_the_ransom_questions(engine):
    state, replies = say(engine, assessed(), *START, "甲", "乙", "report:skip", "report:skip", "机房", "勒索软件")
    assert draft(state)["facts"]["type"] == {"choice": "ransomware"}  # the label typed is the button pressed
    state, replies = say(engine, state, "文件被加密", "已隔离")
    assert "勒索金额" in last(replies)
    state, replies = say(engine, state, "2 BTC", "勒索信，要求比特币", "2026-03-01")
    assert draft(state)["facts"]["ransom"] == {"amount": "2 BTC", "method": "勒索信，要求比特币", "date": "2026-03-01"}
    assert "事态" in last(replies)


def test_ransom_in_free_text_counts_as_ransomware(engine):
    state, replies = say(engine, assessed("en"), *START, "Org", "CRM", "report:skip", "report:skip", "Shanghai", "a ransom note on every server", "files encrypted", "isolated")
    assert "ransom" in last(replies).lower()


def test_other_types_skip_the_ransom_questions(engine):
    state, replies = say(engine, assessed(), *START, "甲", "乙", "report:skip", "report:skip", "机房", "report:type:ddos", "中断", "限流")
    assert draft(state)["facts"]["type"] == {"choice": "ddos"}
    assert "事态" in last(replies)


def test_a_type_chosen_by_button_is_named_in_the_reports_language_typed_text_stays(engine):
    state, _ = say(engine, assessed("en"), *START, "ACME", "CRM", "report:skip", "report:skip", "Shanghai", "report:type:ransomware")
    assert draft(state)["facts"]["type"] == {"choice": "ransomware"}
    state, replies = say(engine, state, "report:preview")
    assert "**Incident type**: Ransomware" in replies[-1].text
    state, replies = say(engine, state, "/lang zh")
    assert "**事件类型**：勒索软件" in replies[-1].text and "Ransomware" not in replies[-1].text
    assert "**勒索金额**：待补报" in replies[-1].text  # still ransomware in either language
    state, replies = say(engine, state, "类型")
    assert replies[-1].text.startswith("当前：勒索软件")
    state, replies = say(engine, state, "Supply-chain poisoning", "/lang en")
    assert "**Incident type**: Supply-chain poisoning" in replies[-1].text
    state, replies = say(engine, state, "/lang zh")
    assert "**事件类型**：Supply-chain poisoning" in replies[-1].text


def test_the_other_type_button_asks_for_the_type_in_words(engine):
    state, replies = say(engine, assessed(), *START, "甲", "乙", "report:skip", "report:skip", "机房", "report:type:other")
    assert draft(state)["step"] == "type"
    state, _ = say(engine, state, "供应链投毒")
    assert draft(state)["facts"]["type"] == "供应链投毒"


def test_a_time_it_cannot_read_is_asked_again(engine):
    state, replies = say(engine, ChatState(lang="zh"), "/report", "report:kind:initial", "甲", "乙", "report:skip", "report:skip", "不记得了")
    assert draft(state)["step"] == "occurred_at"
    assert "什么时候发生" in last(replies)
    state, _ = say(engine, state, "今天8点")
    assert draft(state)["facts"]["occurred_at"] == "2026-03-01T08:00:00+08:00"


@pytest.mark.parametrize("typed,shown", [("2026-03-02", "2026-03-02"), ("今天23点", "2026-03-01 23:00"), ("2026-03-01 10:01", "2026-03-01 10:01")])
def test_a_ransom_date_after_now_is_refused_and_asked_again(engine, typed, shown):
    state, _ = say(engine, assessed(), *START, "甲", "乙", "report:skip", "report:skip", "机房", "勒索软件", "加密", "隔离", "2 BTC", "勒索信")
    assert draft(state)["step"] == "ransom.date"
    state, replies = say(engine, state, typed)
    assert draft(state)["step"] == "ransom.date"
    assert "date" not in draft(state)["facts"]["ransom"]
    assert replies[-1].text.splitlines() == [f"这个时间（{shown}）晚于现在（2026-03-01 10:00），请输入已经过去的时间。", "何时收到勒索要求？（日期或时间）"]
    state, _ = say(engine, state, "今天8点")
    assert draft(state)["facts"]["ransom"]["date"] == "2026-03-01T08:00:00+08:00"
    state, _ = say(engine, assessed(), *START, "甲", "乙", "report:skip", "report:skip", "机房", "勒索软件", "加密", "隔离", "2 BTC", "勒索信", "2026-03-01")
    assert draft(state)["facts"]["ransom"]["date"] == "2026-03-01"  # today's date is not in the future


def test_every_time_item_refuses_a_time_after_now(engine):
    state, replies = say(engine, ChatState(lang="en"), "/report", "report:kind:initial", "Org", "CRM", "report:skip", "today 11:00")
    assert draft(state)["step"] == "discovered_at"
    assert "discovered_at" not in draft(state)["facts"]
    assert replies[-1].text.startswith("That time (2026-03-01 11:00) is later than now (2026-03-01 10:00)")


def test_a_question_mid_way_is_answered_and_the_item_asked_again(engine):
    state, _ = say(engine, assessed(), *START, "示例公司")
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
    state, _ = say(engine, assessed(), *START, "甲", "乙", typed)
    assert draft(state)["facts"]["contact"] == contact


@pytest.mark.parametrize("typed", ["a" * 100_000, "a@" * 50_000, "x@" + "a-" * 50_000, "1 " * 50_000])
def test_contact_parsing_reads_a_long_line_in_one_pass(typed):
    """The e-mail pattern once backtracked from every character: 100,000 of them took 19 s."""
    contact = _parse_contact(typed)
    assert contact and "email" not in contact


@pytest.mark.parametrize("far", ["1900-01-01 00:00", "99999 days ago", "0001-01-01 00:00", "2101-01-01 09:00"])
def test_times_outside_1992_to_2100_are_refused_with_the_reason(engine, far):
    state, _ = say(engine, assessed(), *START, "report:field:occurred_at")
    state, replies = say(engine, state, far)
    assert "1992" in replies[0].text and "2100" in replies[0].text
    assert "occurred_at" not in draft(state)["facts"] and draft(state)["step"] == "occurred_at"


def test_a_far_time_stored_before_times_were_checked_is_asked_again(engine):
    state, _ = say(engine, assessed(), *START, "示例公司")
    draft(state)["facts"]["discovered_at"] = "0001-01-01T00:00:00+08:05:43"  # as an older version saved it
    state, replies = say(engine, state, "report:preview")
    assert [b.data for b in replies[-1].buttons] == ["report:edit", "report:new"]
    state, replies = say(engine, state, "report:field:discovered_at", "2026-03-01 08:00", "report:preview")
    assert "2026-03-01 08:00" in replies[0].text


def test_a_far_ransom_date_is_refused_too(engine):
    state, _ = say(engine, assessed(), *START, "report:field:ransom.date", "0001-01-01")
    assert "ransom" not in draft(state)["facts"] and draft(state)["step"] == "ransom.date"


# ---------------------------------------------------------------------- preview and editing
def preview_state(engine, lang="zh"):
    state, replies = say(engine, assessed(lang), *START, "示例公司", "OA系统", "report:skip", "report:preview")
    return state, replies


def test_preview_marks_missing_items_and_offers_finish_and_edit(engine):
    state, replies = preview_state(engine)
    text = replies[-1].text
    assert "# 网络安全事件报告（首报）" in text
    assert "属地省级网信部门：最迟 2026-03-01 13:00（4小时内）" in text
    assert "**单位名称**：示例公司" in text
    assert "## 四、事件原因初步分析\n\n待补报" in text
    assert data(replies) == ["report:finish", "report:edit"]
    assert last(replies) == "以上为预览。确认无误请点“确认生成”；要修改，点“修改”选择要改的项，或直接输入项目名称（如“原因”）。"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_text_not_understood_at_the_preview_gets_a_short_reply_not_the_report_again(engine, lang):
    state, _ = preview_state(engine, lang)
    state, replies = say(engine, state, "Preview" if lang == "zh" else "blorp")
    assert draft(state)["step"] == "preview"
    assert len(replies) == 1
    assert "示例公司" not in replies[0].text and "#" not in replies[0].text
    assert replies[0].text.startswith("没能理解" if lang == "zh" else "I couldn't take that")
    assert data(replies) == ["report:finish", "report:edit"]


def test_a_question_at_the_preview_is_answered_without_the_report_again(engine):
    state, _ = preview_state(engine)
    state, replies = say(engine, state, "12387有哪些报告渠道？")
    assert "12387@cert.org.cn" in replies[0].text
    assert replies[-1].text == "预览见上方：确认无误请点“确认生成”，要修改请点“修改”。"
    assert data(replies) == ["report:finish", "report:edit"]


def test_the_preview_does_not_invite_typing_numbers_its_buttons_carry_in_a_terminal(engine):
    for lang in ("zh", "en"):
        _, replies = preview_state(engine, lang)
        assert not any(character.isdigit() for character in last(replies))


@pytest.mark.parametrize("typed", ["原因", "修改 原因", "改原因", "事件原因初步分析"])
def test_an_item_can_be_changed_by_name_at_the_preview(engine, typed):
    state, _ = preview_state(engine)
    state, replies = say(engine, state, typed)
    assert draft(state)["step"] == "cause"
    state, replies = say(engine, state, "弱口令被暴力破解")
    assert draft(state)["step"] == "preview"
    assert "## 四、事件原因初步分析\n\n弱口令被暴力破解" in replies[-1].text


@pytest.mark.parametrize("typed", ["4", "原因", "第4项"])
def test_an_item_can_be_changed_by_number_or_name_in_the_edit_menu(engine, typed):
    state, _ = preview_state(engine)
    state, replies = say(engine, state, "修改")
    assert replies[-1].buttons[3].label.startswith("4. ")  # the terminal's [4] is item 4
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
    state, replies = say(engine, assessed(), *START, injection, "report:preview")
    assert injection in replies[-1].text
    assert "49" not in replies[-1].text


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_handling_end_before_the_discovery_is_refused_at_entry(engine, lang):
    state, _ = say(engine, assessed(lang), *START, "report:kind:summary", "report:preview", "report:field:handling_ended_at")
    assert draft(state)["step"] == "handling_ended_at"
    state, replies = say(engine, state, "2026-03-01 08:00")  # before the discovery at 09:00
    assert draft(state)["step"] == "handling_ended_at"
    assert "handling_ended_at" not in draft(state)["facts"]
    refusal = {
        "zh": "处置结束时间（2026-03-01 08:00）早于发现时间（2026-03-01 09:00），请核对。",
        "en": "The end of handling (2026-03-01 08:00) is before the discovery time (2026-03-01 09:00); please check.",
    }
    assert replies[-1].text.splitlines()[0] == refusal[lang]
    state, replies = say(engine, state, "2026-03-01 09:30")
    assert draft(state)["step"] == "preview"
    assert ("处置结束时间**：2026-03-01 09:30" if lang == "zh" else "Handling ended at**: 2026-03-01 09:30") in replies[-1].text


def test_a_discovery_after_the_end_of_handling_is_refused_too(engine):
    state, _ = say(engine, ended(), "report:start", "report:kind:summary", "report:field:discovered_at")
    state, replies = say(engine, state, "今天9点50")  # handling ended at 09:40
    assert draft(state)["facts"]["discovered_at"] == ANSWERS["discovered_at"]
    assert replies[-1].text.startswith("发现时间（2026-03-01 09:50）晚于处置结束时间（2026-03-01 09:40），请核对。")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_occurrence_after_the_discovery_is_refused_with_the_reason(engine, lang):
    state, _ = say(engine, assessed(lang), *START, "甲", "乙", "report:skip")
    assert draft(state)["step"] == "occurred_at"
    state, replies = say(engine, state, "2026-03-01 09:30")  # discovered at 09:00
    assert draft(state)["step"] == "occurred_at"
    assert "occurred_at" not in draft(state)["facts"]
    refusal = {
        "zh": "发生时间（2026-03-01 09:30）晚于发现时间（2026-03-01 09:00）：事件不可能在发生之前就被发现，请核对。",
        "en": "The occurrence time (2026-03-01 09:30) is after the discovery time (2026-03-01 09:00): an incident cannot be discovered before it happens; please check.",
    }
    assert replies[-1].text.splitlines()[0] == refusal[lang]
    state, _ = say(engine, state, "2026-03-01 09:00")  # the same minute is possible
    assert draft(state)["facts"]["occurred_at"] == "2026-03-01T09:00:00+08:00"
    state, replies = say(engine, state, "report:field:discovered_at", "2026-03-01 08:00")
    assert replies[-1].text.startswith("发现时间（2026-03-01 08:00）早于发生时间（2026-03-01 09:00）" if lang == "zh" else "The discovery time (2026-03-01 08:00) is before the occurrence time")


def test_a_stored_draft_whose_times_contradict_gets_a_translated_message_with_the_way_out(engine):
    """Drafts saved before times were checked at entry (or an assessment changed since) can still disagree."""
    state, _ = say(engine, assessed(), *START)
    draft(state)["kind"] = "summary"
    draft(state)["facts"]["handling_ended_at"] = "2026-03-01T08:00:00+08:00"
    for text in ("report:preview", "随便什么", "report:finish"):
        state, replies = say(engine, state, text)
        shown = "\n".join(reply.text for reply in replies)
        assert "handling_ended_at" not in shown and "assessment" not in shown
        assert replies[-1].text == "报告暂时无法生成：处置结束时间（2026-03-01 08:00）早于发现时间（2026-03-01 09:00），请核对。点下方按钮修改相应的时间。"
        assert data(replies) == ["report:field:handling_ended_at", "report:field:discovered_at", "report:edit"]
    state, replies = say(engine, state, "处置结束时间", "2026-03-01 09:30")
    assert draft(state)["step"] == "preview"
    assert replies[-1].text.startswith("# 网络安全事件总结报告")


def test_any_other_error_is_told_in_the_users_language_never_as_the_internal_text(engine):
    state, _ = say(engine, assessed("en"), *START)
    draft(state)["facts"]["level"] = "bogus"  # a draft that cannot be validated, whatever the reason
    state, replies = say(engine, state, "report:preview")
    assert replies[-1].text.startswith("The report cannot be generated yet: the draft contradicts itself")
    assert "bogus" not in replies[-1].text and "level must" not in replies[-1].text
    assert data(replies) == ["report:edit", "report:new"]


def test_the_assessments_assumptions_are_shown_beside_the_preview_never_in_the_report(engine):
    answers = {"level": "relatively_major", "discovered_at": ANSWERS["discovered_at"]}  # operator type unknown
    state = ChatState(lang="zh", flows={"assess": {"answers": answers, "result": assess(answers, NOW, "zh")}})
    state, replies = say(engine, state, *START, "示例公司", "report:preview")
    preview = replies[-1].text
    report_text, _, after = preview.partition("供你参考（不写入报告）：")
    assert "不确定本单位是否属于中央和国家机关" in after
    assert "特此报告" in report_text and "不确定" not in report_text and "说明" not in report_text
    state, replies = say(engine, state, "report:finish")
    assert "不确定" not in replies[0].text
    docx_file, txt_file, md_file = replies[-1].files
    assert "不确定本单位是否属于中央和国家机关" in replies[-1].text  # in the message that delivers the files
    assert "不确定" not in txt_file.content.decode("utf-8") and "不确定" not in md_file.content.decode("utf-8")
    document = docx.Document(io.BytesIO(docx_file.content))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert "不确定" not in "\n".join([*(p.text for p in document.paragraphs), *cells])


# ---------------------------------------------------------------------- finishing
def test_finish_gives_the_text_then_the_three_files_with_the_internal_matter(engine):
    state, _ = preview_state(engine)
    state, replies = say(engine, state, "确认生成")
    report, delivery = replies
    assert report.text.startswith("# 网络安全事件报告（首报）") and not report.files
    names = [f.name for f in delivery.files]
    assert names == ["incident-report-initial-zh.docx", "incident-report-initial-zh.txt", "incident-report-initial-zh.md"]
    docx_file, txt_file, md_file = delivery.files
    assert docx_file.mime == DOCX_MIME and md_file.mime.startswith("text/markdown")
    document = docx.Document(io.BytesIO(docx_file.content))
    paragraphs = [line for p in document.paragraphs for line in p.text.split("\n") if line.strip()]
    txt = txt_file.content.decode("utf-8")
    assert paragraphs == [line for line in txt.splitlines() if line.strip()]  # the same content
    assert md_file.content.decode("utf-8") == report.text
    assert "单位名称：示例公司" in txt
    assert delivery.text.startswith("报告已生成（三个文件内容相同）")
    internal = delivery.text[delivery.text.index("供你参考（不写入报告）：") :]
    assert "属地省级网信部门：最迟 2026-03-01 13:00（4小时内），还剩 3小时" in internal and "12387@cert.org.cn" in internal
    for content in (txt, md_file.content.decode("utf-8"), "\n".join(paragraphs)):
        assert "最迟" not in content and "12387" not in content and "还剩" not in content
    assert state.active is None
    assert draft(state)["step"] == "done"
    assert draft(state)["finished_at"] == NOW.isoformat(timespec="seconds")
    assert "report:kind:supplement" in data(replies)


def test_the_report_time_is_the_moment_it_is_finished(engine):
    state, _ = preview_state(engine)
    finished = datetime(2026, 3, 1, 11, 47, tzinfo=SHANGHAI)
    state, replies = engine.step(state, Event("t", "report:finish", finished))
    _, txt_file, _ = replies[-1].files
    assert "报告时间：2026-03-01 11:47" in txt_file.content.decode("utf-8")
    assert "报告时间：2026-03-01 11:47" in replies[0].text and "还剩 1小时13分" in replies[-1].text


COMPLETE = {
    "organization": "示例公司",
    "system": "OA系统",
    "contact": {"name": "张三", "phone": "13800000000"},
    "occurred_at": "2026-03-01T08:00:00+08:00",
    "location": "北京",
    "type": "DDoS攻击",
    "impact": "访问中断",
    "measures": "限流",
    "trend": "已平稳",
    "cause": "流量攻击",
    "leads": "僵尸网络",
    "next_steps": "持续监测",
    "support_requested": "无",
    "scene_preservation": "已保存流量日志",
    "other": "无",
    "initial_report": {"at": "2026-03-01T09:40:00+08:00", "to": "北京市网信办"},
    "addressee": "北京市网信办",
}


def test_the_supplement_hint_appears_only_while_something_is_missing(engine):
    state, _ = say(engine, assessed(), *START)
    draft(state)["facts"].update(COMPLETE)
    state, replies = say(engine, state, "report:kind:supplement", *["report:keep"] * 6)
    assert draft(state)["step"] == "preview"
    assert not any(line.endswith("待补报") for line in replies[-1].text.splitlines())
    state, replies = say(engine, state, "report:finish")
    assert replies[-1].text.splitlines()[:2] == [
        "报告已生成（三个文件内容相同）：.docx 用于打印、盖章或作附件，.txt 可粘贴到邮件正文或网页表单，.md 供支持 Markdown 的系统使用。",
        "",
    ]
    state, _ = say(engine, state, "/report", "report:continue", "report:edit", "8", "稍后")
    state, replies = say(engine, state, "report:finish")
    assert "## 八、其他应当报告的情况\n\n待补报" in replies[0].text
    assert replies[-1].text.splitlines()[1] == "标注“待补报”的事项查明后请及时补报：输入 /report 即可据此起草续报。"


def test_a_supplement_asks_for_news_on_what_changes_showing_the_current_value(engine):
    state, _ = say(engine, assessed(), *START)
    draft(state)["facts"].update(COMPLETE)
    state, replies = say(engine, state, "report:preview", "report:finish", "report:kind:supplement")
    assert "没有变化请点“保持不变”" in replies[0].text
    asked = []
    while draft(state)["step"] != "preview":
        step = draft(state)["step"]
        asked.append(step)
        assert replies[-1].text.splitlines()[:2] == ["上次报告以来有新情况吗？", f"当前：{COMPLETE[step]}"]
        assert "report:keep" in data(replies)
        state, replies = say(engine, state, "已恢复80%业务" if step == "impact" else "保持不变")
    assert asked == ["impact", "measures", "trend", "cause", "leads", "next_steps"]
    assert draft(state)["facts"]["impact"] == "已恢复80%业务"
    update = replies[-1].text[replies[-1].text.index("## 二、最新进展") : replies[-1].text.index("## 三、")]
    assert "已恢复80%业务" in update and "**已采取的措施及效果**：限流" in update


def test_the_preview_button_leaves_the_items_under_review_as_they_are(engine):
    state, _ = say(engine, assessed(), *START)
    draft(state)["facts"].update(COMPLETE)
    state, replies = say(engine, state, "report:kind:supplement", "report:preview")
    assert draft(state)["facts"]["impact"] == "访问中断"
    assert "**已造成的影响和危害**：访问中断" in replies[-1].text
    state, replies = say(engine, state, "report:finish")
    assert "待补报" not in replies[0].text.replace("标注为“待补报”", "")


def test_a_finished_report_is_called_finished_and_no_conversation_is_left_open(engine):
    state, _ = preview_state(engine)
    state, _ = say(engine, state, "report:finish")
    assert state.active is None
    state, replies = say(engine, state, "/report")
    assert state.active is None
    assert replies[-1].text == "你已生成一份首报（已填 4 项）。查看或修改后重新生成，据此起草续报或总结报告，还是重新开始？"
    assert "草稿" not in replies[-1].text
    state, replies = say(engine, state, "/start")
    assert "resume:report" not in data(replies)
    state, replies = say(engine, state, "report:kind:supplement")  # the buttons still work
    assert state.active == "report"
    assert draft(state)["kind"] == "supplement"
    assert "联系人" in last(replies)


def test_english_finished_report_points_to_the_chinese_version_by_its_buttons(engine):
    state, _ = preview_state(engine, "en")
    state, replies = say(engine, state, "report:finish")
    assert "/lang zh, then /report → 查看 → 确认生成" in replies[-1].text
    state, replies = say(engine, state, "/lang zh", "/report")
    assert [b.label for b in replies[-1].buttons][0] == "查看"
    state, replies = say(engine, state, "查看", "确认生成")
    assert replies[0].text.startswith("# 网络安全事件报告（首报）")


def test_a_finished_report_becomes_a_supplement_that_asks_the_skipped_items(engine):
    state, _ = preview_state(engine)
    state, replies = say(engine, state, "report:finish", "/report")
    assert "report:continue" in data(replies)
    state, replies = say(engine, state, "report:kind:supplement")
    assert draft(state)["kind"] == "supplement"
    assert draft(state)["facts"]["organization"] == "示例公司"
    assert "联系人" in last(replies)  # skipped in the initial report, asked again


# ---------------------------------------------------------------------- addressee, late reason, initial report
def say_at(engine, state, when, *texts):
    replies = []
    for text in texts:
        state, replies = engine.step(state, Event("t", text, when))
    return state, replies


def all_but(*keys):
    return {key: value for key, value in COMPLETE.items() if key not in keys}


def test_the_addressee_is_asked_last_and_kept_as_typed(engine):
    state, _ = say(engine, assessed(), *START)
    draft(state)["facts"].update(all_but("organization", "addressee"))
    state, replies = say(engine, state, "示例公司")
    assert draft(state)["step"] == "addressee"
    assert last(replies) == "最后，这份报告报送给哪个单位？请输入具体名称（如“北京市网信办”）；点“稍后补充”则写作“属地省级网信部门”。"
    assert {"report:skip", "report:preview", "report:back"} <= set(data(replies))
    typed = "  北京市互联网信息办公室（网络安全应急处）{{ x }}"
    state, replies = say(engine, state, typed)
    assert draft(state)["facts"]["addressee"] == typed.strip()
    assert draft(state)["step"] == "preview"
    assert replies[-1].text.split("\n\n")[1] == "北京市互联网信息办公室（网络安全应急处）{{ x }}："


@pytest.mark.parametrize("lang,line", [("zh", "属地省级网信部门："), ("en", "To: the provincial cyberspace administration")])
def test_a_skipped_addressee_is_the_paths_generic_body(engine, lang, line):
    state, _ = say(engine, assessed(lang), *START)
    draft(state)["facts"].update(all_but("organization", "addressee"))
    state, replies = say(engine, state, "Org", "稍后补充" if lang == "zh" else "later")
    assert draft(state)["step"] == "preview" and "addressee" in draft(state)["skipped"]
    assert replies[-1].text.split("\n\n")[1] == line
    state, replies = say(engine, state, "report:finish")
    txt = replies[-1].files[1].content.decode("utf-8")
    assert txt.splitlines()[2] == line


def test_without_an_assessment_the_addressee_question_says_so(engine):
    state, replies = say(engine, ChatState(lang="zh"), "/report", "首报")
    draft(state)["facts"].update(all_but("organization", "addressee", "initial_report"))
    draft(state)["facts"].update({"discovered_at": "2026-03-01T09:00:00+08:00", "level": "relatively_major"})
    state, replies = say(engine, state, "甲单位")
    assert draft(state)["step"] == "addressee" and "/assess" in last(replies)


def test_the_addressee_can_be_changed_from_the_edit_menu_and_by_name(engine):
    state, replies = preview_state(engine)
    state, replies = say(engine, state, "report:edit")
    assert "report:field:addressee" in data(replies) and "报送单位" in [b.label for b in replies[-1].buttons]
    state, replies = say(engine, state, "report:preview", "报送单位")
    assert draft(state)["step"] == "addressee"
    state, replies = say(engine, state, "上海市网信办")
    assert replies[-1].text.split("\n\n")[1] == "上海市网信办："


LATE = datetime(2026, 3, 1, 14, 0, tzinfo=SHANGHAI)  # the initial report was due at 13:00


def test_a_late_report_asks_the_reason_and_states_it(engine):
    state, _ = say_at(engine, assessed(), LATE, *START)
    draft(state)["facts"].update(all_but("organization", "addressee"))
    state, replies = say_at(engine, state, LATE, "示例公司")
    assert draft(state)["step"] == "late_reason"
    assert last(replies) == "本报告已超过报告时限，报告中须说明迟报原因。迟报的原因是什么？"
    reason = "值班人员最初误判为一般事件，\n13:20 复核后立即报告"
    state, replies = say_at(engine, state, LATE, reason)
    assert draft(state)["facts"]["late_reason"] == reason
    assert draft(state)["step"] == "addressee"
    state, replies = say_at(engine, state, LATE, "report:skip", "report:finish")
    txt = replies[-1].files[1].content.decode("utf-8")
    assert f"九、迟报原因\n{reason}\n" in txt
    assert "已逾期 1小时" in replies[-1].text and "已逾期" not in txt


def test_a_skipped_late_reason_is_marked_and_an_on_time_report_has_no_such_item(engine):
    state, _ = say_at(engine, assessed(), LATE, *START)
    draft(state)["facts"].update(all_but("organization", "addressee"))
    state, replies = say_at(engine, state, LATE, "示例公司", "稍后补充", "report:skip")
    assert "## 九、迟报原因\n\n待补报" in replies[-1].text
    state, replies = say(engine, assessed(), *START, "示例公司", "report:preview")
    assert "迟报原因" not in replies[-1].text


def test_a_draft_that_turns_late_before_it_is_finished_asks_the_reason_first(engine):
    state, _ = say(engine, assessed(), *START)
    draft(state)["facts"].update(COMPLETE)
    state, replies = say(engine, state, "report:preview")
    assert "迟报原因" not in replies[-1].text
    state, replies = say_at(engine, state, LATE, "report:finish")
    assert draft(state)["step"] == "late_reason" and not any(reply.files for reply in replies)
    state, replies = say_at(engine, state, LATE, "系统告警未送达值班人员")
    assert draft(state)["step"] == "preview"
    state, replies = say_at(engine, state, LATE, "report:finish")
    assert "九、迟报原因\n系统告警未送达值班人员" in replies[-1].files[1].content.decode("utf-8")


def test_a_supplement_asks_when_and_to_whom_the_initial_report_went(engine):
    state, _ = say(engine, assessed(), *START)
    draft(state)["facts"].update(all_but("initial_report"))
    state, replies = say(engine, state, "report:preview", "report:finish", "report:kind:supplement")
    assert draft(state)["step"] == "initial_report.at"
    assert last(replies) == "首报是什么时间报送的？（如“2026-03-01 10:30”“今天10点半”）"
    state, replies = say(engine, state, "今天9点40")
    assert draft(state)["facts"]["initial_report"] == {"at": "2026-03-01T09:40:00+08:00"}
    assert "首报报送给了哪个单位" in last(replies)
    typed = "北京市网信办，12387热线（受理编号 BJ-0301）"
    state, replies = say(engine, state, typed, *["保持不变"] * 6)
    assert draft(state)["facts"]["initial_report"]["to"] == typed
    assert draft(state)["step"] == "preview"
    assert f"**首报时间**：2026-03-01 09:40\n\n**首报报送单位**：{typed}" in replies[-1].text


def test_the_initial_report_questions_can_be_skipped_and_a_later_time_is_refused(engine):
    state, _ = say(engine, assessed(), *START)
    draft(state)["facts"].update(all_but("initial_report"))
    state, replies = say(engine, state, "report:preview", "report:finish", "report:kind:supplement", "2026-03-02 09:00")
    assert draft(state)["step"] == "initial_report.at" and "晚于现在" in replies[-1].text
    assert "initial_report" not in draft(state)["facts"]
    state, replies = say(engine, state, "稍后补充", "跳过")
    assert draft(state)["step"] == "impact"
    assert {"initial_report.at", "initial_report.to"} <= set(draft(state)["skipped"])
    state, replies = say(engine, state, "report:preview")
    assert "**首报时间**：待补报\n\n**首报报送单位**：待补报" in replies[-1].text


def test_a_summary_shows_the_timeline_it_is_given_and_does_not_ask_it(engine):
    state, _ = say(engine, ended(), "report:start", "report:kind:summary")
    draft(state)["facts"]["timeline"] = [
        {"at": "2026-03-01T09:40:00+08:00", "text": "处置结束"},
        {"at": "2026-03-01T09:00:00+08:00", "text": "发现事件"},
    ]
    state, replies = say(engine, state, "report:preview")
    assert "## 八、事件处置经过（时间线）\n\n- 2026-03-01 09:00 发现事件\n- 2026-03-01 09:40 处置结束" in replies[-1].text
    assert "timeline" not in draft(state)["skipped"]
    state, replies = say(engine, state, "report:edit")
    assert "report:section:8" not in data(replies) and "report:section:7" in data(replies)


# ---------------------------------------------------------------------- the draft survives
def test_the_draft_survives_cancel_and_continues_where_it_was(engine):
    state, _ = say(engine, assessed(), *START, "示例公司", "/cancel")
    assert state.active is None
    assert draft(state)["facts"]["organization"] == "示例公司"
    state, replies = say(engine, state, "/report")
    assert data(replies) == ["report:continue", "report:kind:supplement", "report:kind:summary", "report:new"]
    state, replies = say(engine, state, "继续")
    assert "受影响的设施" in last(replies)


def test_start_over_keeps_the_assessment_but_not_the_answers(engine):
    state, _ = say(engine, assessed(), *START, "示例公司", "/report", "report:new")
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
    state, replies = say(engine, assessed("en"), *START, "ACME Ltd", "report:preview")
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
        "首报",
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
    report, delivery = outputs[-1]["messages"]
    assert report["text"].startswith("# 网络安全事件报告（首报）\n\n属地省级网信部门：")
    for expected in ("示例科技有限公司", "远程桌面弱口令", "勒索金额**：2 BTC", "**发生时间**：待补报", "联系人：张三", "联系电话：13800000000"):
        assert expected in report["text"]
    assert "属地省级网信部门：最迟 2026-03-01 13:00（4小时内）" in delivery["text"] and "最迟" not in report["text"]
    paths = {Path(f["name"]).suffix: Path(f["path"]) for f in delivery["files"]}
    assert set(paths) == {".docx", ".txt", ".md"}
    assert files_dir in paths[".docx"].parents  # in the chat's own folder there (so /forget can delete them)
    document = docx.Document(str(paths[".docx"]))
    assert "示例科技有限公司" in "\n".join(p.text for p in document.paragraphs)
    assert "远程桌面弱口令" in paths[".txt"].read_text(encoding="utf-8")
