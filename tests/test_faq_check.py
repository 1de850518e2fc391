"""`python -m bot faq check` passes on faq/ and names each kind of problem in a broken copy."""

import shutil

import yaml

from bot import FAQ_DIR
from bot.knowledge.check import check
from tests.conftest import run_bot


def test_faq_check_passes_from_the_command_line():
    result = run_bot("faq", "check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "OK" in result.stdout


def broken_copy(tmp_path, mutate):
    folder = tmp_path / "faq"
    shutil.copytree(FAQ_DIR, folder)
    path = folder / "channels.yaml"
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
