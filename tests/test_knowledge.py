"""The knowledge base answers what users type: Chinese and English, typos, 繁體, abbreviations."""

from pathlib import Path

import pytest
import yaml

from bot.knowledge import load
from bot.knowledge.spam import spam_profile

QUESTIONS = [
    item
    for name in ("questions.yaml", "questions_independent.yaml")
    for item in yaml.safe_load((Path(__file__).parent / name).read_text(encoding="utf-8"))
]
SPAM = ["400-716-5055", "4007165055", "途尊", "保险柜"]


def squash(text: str) -> str:
    return "".join(text.split()).lower()


@pytest.fixture(scope="module")
def kb():
    return load()


@pytest.mark.parametrize("item", QUESTIONS, ids=[item["q"] for item in QUESTIONS])
def test_question(kb, item):
    answer = kb.ask(item["q"])
    shown = squash(answer.display())
    assert not any(squash(s) in shown for s in SPAM)
    scope = item.get("scope", "in")
    if scope == "out":
        assert not answer.matched, f"answered out-of-scope question with {answer.entry_id}"
        assert answer.topic is None
        return
    if scope == "help":
        assert not answer.matched and answer.topic == "help"
        assert "/assess" in answer.text
        return
    assert answer.matched, f"not matched (best score {answer.score:.2f})"
    for group in item["must"]:
        assert any(squash(s) in shown for s in group), f"{answer.entry_id}: missing one of {group}"


def test_answer_follows_language_of_question(kb):
    assert kb.ask("报告邮箱").lang == "zh"
    english = kb.ask("reporting email address")
    assert english.lang == "en" and "Source" in english.text


def test_every_answer_cites_its_source(kb):
    for entry in kb.entries:
        for lang in ("zh", "en"):
            answer = kb.answer_entry(entry, lang)
            assert answer.source and answer.source in answer.text


def test_uncertain_entries_carry_a_caveat(kb):
    uncertain = [entry for entry in kb.entries if entry.confidence != "confirmed"]
    assert uncertain, "facts marked likely/draft exist, so some entries must be uncertain"
    for entry in uncertain:
        assert "暂定" in kb.answer_entry(entry, "zh").text
        assert "provisional" in kb.answer_entry(entry, "en").text


def test_not_covered_offers_at_most_three_suggestions(kb):
    answer = kb.ask("怎么给猫洗澡")
    assert not answer.matched and 1 <= len(answer.suggestions) <= 3


def test_reply_never_echoes_the_question(kb):
    for question in ["我的问题是关于火星基地的网络", "tell me about unicorn servers", "保险柜维修电话"]:
        assert squash(question) not in squash(kb.ask(question).display())


def test_spam_profile_comes_from_the_seed():
    profile = spam_profile()
    assert "4007165055" in profile.phones
    assert profile.looks_like_spam_query("保险柜维修电话")
    assert not profile.looks_like_spam_query("网络安全事件报告热线")


def test_the_built_index_is_cached_and_an_edit_rebuilds_it(tmp_path, monkeypatch):
    import shutil

    from bot import FAQ_DIR
    from bot.knowledge import load as load_cached

    monkeypatch.setenv("BOT_CACHE_DIR", str(tmp_path / "cache"))
    folder = tmp_path / "faq"
    shutil.copytree(FAQ_DIR, folder)
    assert load_cached.__wrapped__(folder).ask("传真").matched
    assert len(list((tmp_path / "cache").glob("kb-*.pickle"))) == 1
    channels = folder / "channels.yaml"
    channels.write_text(channels.read_text(encoding="utf-8").replace("010-82992387", "010-00000000"), encoding="utf-8")
    assert "010-00000000" in load_cached.__wrapped__(folder).ask("传真").text
    assert len(list((tmp_path / "cache").glob("kb-*.pickle"))) == 2
