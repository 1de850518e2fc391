"""`python -m bot faq check` passes on faq/ and names each kind of problem in a broken copy."""

import shutil

import yaml

from bot import FAQ_DIR
from bot.knowledge.check import check, figures
from tests.conftest import run_bot


def test_faq_check_passes_from_the_command_line():
    result = run_bot("faq", "check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "OK" in result.stdout


def broken_copy(tmp_path, mutate, file="channels.yaml"):
    folder = tmp_path / "faq"
    shutil.copytree(FAQ_DIR, folder)
    path = folder / file
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    mutate(entries)
    path.write_text(yaml.safe_dump(entries, allow_unicode=True), encoding="utf-8")
    return folder


def test_duplicate_id_is_reported(tmp_path):
    def mutate(entries):
        entries[1]["id"] = entries[0]["id"]

    problems, _ = check(broken_copy(tmp_path, mutate))
    assert any("used 2 times" in p for p in problems)


def test_unresolved_source_is_reported(tmp_path):
    def mutate(entries):
        entries[0]["source"] = "no_such_source"

    problems, _ = check(broken_copy(tmp_path, mutate))
    assert any("no_such_source" in p for p in problems)


def test_missing_answer_language_is_reported(tmp_path):
    def mutate(entries):
        del entries[0]["answer"]["en"]

    problems, _ = check(broken_copy(tmp_path, mutate))
    assert any("answer needs non-empty zh and en" in p for p in problems)


def test_related_that_does_not_exist_is_reported(tmp_path):
    def mutate(entries):
        entries[1]["related"] = ["no_such_entry"]

    problems, _ = check(broken_copy(tmp_path, mutate))
    assert any("no_such_entry" in p for p in problems)


def test_spam_from_the_seed_is_reported(tmp_path):
    def mutate(entries):
        entries[0]["answer"]["zh"] += " 也可拨打400-716-5055"

    problems, _ = check(broken_copy(tmp_path, mutate))
    assert any("spam" in p for p in problems)


def test_phrasing_that_retrieves_another_entry_is_reported(tmp_path):
    def mutate(entries):
        entries[0]["phrasings"]["zh"].append(entries[1]["phrasings"]["zh"][0])

    problems, _ = check(broken_copy(tmp_path, mutate))
    assert any("retrieves" in p for p in problems)


def test_yaml_syntax_error_is_a_message_not_a_traceback(tmp_path):
    folder = tmp_path / "faq"
    shutil.copytree(FAQ_DIR, folder)
    (folder / "channels.yaml").write_text("- id: [unclosed\n", encoding="utf-8")
    problems, _ = check(folder)
    assert problems and "cannot read" in problems[0]


def entry(entries, entry_id):
    return next(item for item in entries if item["id"] == entry_id)


def test_12387_planted_as_the_cii_channel_is_reported(tmp_path):
    def mutate(entries):
        entry(entries, "deadline_cii")["answer"]["zh"] += "关基运营者拨打12387热线报告即可。\n"

    problems, _ = check(broken_copy(tmp_path, mutate, "deadlines.yaml"))
    assert any("deadline_cii (zh): presents 12387 as the CII or central-organ path's channel" in p for p in problems)


def test_12387_planted_as_the_central_organ_channel_in_english_is_reported(tmp_path):
    def mutate(entries):
        entry(entries, "deadline_central_organs")["answer"]["en"] += "A central or state organ can simply call 12387.\n"

    problems, _ = check(broken_copy(tmp_path, mutate, "deadlines.yaml"))
    assert any("deadline_central_organs (en): presents 12387" in p for p in problems)


def test_channel_answer_without_the_path_it_serves_is_reported(tmp_path):
    def mutate(entries):
        entry(entries, "channel_fax")["answer"] = {"zh": "发送传真至010-82992387报告，也可拨打12387。", "en": "Send a fax to 010-82992387 or call 12387."}

    problems, _ = check(broken_copy(tmp_path, mutate))
    assert any("channel_fax (zh): names 12387 without the path it serves" in p for p in problems)


def test_cii_answer_listing_12387_without_saying_it_does_not_replace_the_bodies_is_reported(tmp_path):
    def mutate(entries):
        answer = entry(entries, "help_incident_now")["answer"]
        answer["zh"] = answer["zh"].replace("12387不替代它们", "")

    problems, _ = check(broken_copy(tmp_path, mutate, "incident_help.yaml"))
    assert any("help_incident_now (zh): names the CII or central-organ path and 12387 without saying" in p for p in problems)


def test_provisional_content_marked_confirmed_is_reported(tmp_path):
    def mutate(entries):
        entry(entries, "grading_relatively_major")["confidence"] = "confirmed"

    problems, _ = check(broken_copy(tmp_path, mutate, "grading.yaml"))
    assert any("grading_relatively_major: the answer flags provisional content" in p for p in problems)


def test_provisional_flag_in_one_language_only_is_reported(tmp_path):
    def mutate(entries):
        answer = entry(entries, "report_ransomware_items")["answer"]
        answer["en"] = answer["en"].replace("; wording provisional", "")

    problems, _ = check(broken_copy(tmp_path, mutate, "report_contents.yaml"))
    assert any("report_ransomware_items: only the zh answer flags provisional content" in p for p in problems)


def test_different_figures_in_zh_and_en_are_reported(tmp_path):
    def mutate(entries):
        answer = entry(entries, "deadline_other_operators")["answer"]
        answer["en"] = answer["en"].replace("within 4 hours", "within 6 hours")

    problems, _ = check(broken_copy(tmp_path, mutate, "deadlines.yaml"))
    assert any("deadline_other_operators: zh and en state different figures (zh only: 4; en only: 6)" in p for p in problems)


def test_pipl_duty_without_its_exception_is_reported(tmp_path):
    def mutate(entries):
        entry(entries, "channel_email")["answer"]["zh"] += "另按《个人信息保护法》第五十七条通知受影响的个人。\n"

    problems, _ = check(broken_copy(tmp_path, mutate))
    assert any("channel_email (zh): states the PIPL Art. 57 duty to notify without its exception" in p for p in problems)


def test_figures_read_units_dates_and_chinese_numerals_alike():
    assert figures("100万人以上") == figures("1 million people or more") == figures("1,000,000 people") == {"1000000"}
    assert figures("最迟不超过半小时") == figures("within 30 minutes") == {"30"}
    assert figures("自2025年11月1日起") == figures("from 1 November 2025") == figures("2025-11-01") == {"2025", "11-01"}
    assert figures("《办法》第四条") == figures("Art. 4") == {"4"}
    assert figures("1亿元") == figures("100 million yuan") == {"100000000"}
    assert figures("1. 先定级\n2. 再报告") == set()  # list numbering is not a figure


def test_help_text_presenting_12387_as_the_cii_channel_is_reported(monkeypatch):
    from bot import texts

    monkeypatch.setitem(texts.HELP, "en", "Hello! /contacts: CII operators call 12387.")
    problems, _ = check()
    assert any(p.startswith("bot/texts.py: HELP (en): presents 12387") for p in problems)


def test_unverified_figure_in_a_confirmed_answer_is_reported(tmp_path):
    def mutate(entries):
        entry(entries, "deadline_other_operators")["answer"]["zh"] += "直接经济损失达到500万元即须报告。\n"

    problems, _ = check(broken_copy(tmp_path, mutate, "deadlines.yaml"))
    assert any("deadline_other_operators: states a [likely]/[draft] figure or item (zh) without marking it provisional" in p for p in problems)


def test_a_keyword_alternative_that_is_no_concept_is_reported(tmp_path):
    def mutate(entries):
        entries[0]["keywords"] = ["热线|no_such_concept"]

    problems, _ = check(broken_copy(tmp_path, mutate))
    assert any("keyword 'no_such_concept'" in p for p in problems)
    assert not any("keyword '热线'" in p for p in problems)


def test_an_unsure_operator_told_to_just_call_12387_is_reported(tmp_path):
    """The channel rule holds for every answer: 12387 beside the CII path without 'does not replace'."""

    def mutate(entries):
        entry = next(e for e in entries if e["id"] == "channel_busy_cii")
        entry["answer"]["zh"] = "涉及关基的，打12387热线就行。\n其他运营者向属地省级网信部门报告。"

    problems, _ = check(broken_copy(tmp_path, mutate))
    assert any("channel_busy_cii (zh)" in p and "12387" in p for p in problems)
