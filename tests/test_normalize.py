"""Normalization: width, case, 繁→简, punctuation, synonyms as whole words, longest first."""

from hypothesis import given
from hypothesis import strategies as st

from bot.knowledge import load
from bot.knowledge.normalize import PhraseTable, fold, words


def test_fold_width_case_and_traditional():
    assert fold("ＥＭＡＩＬ") == "email"
    assert fold("報告郵箱") == "报告邮箱"
    assert fold("關鍵資訊基礎設施") == "关键信息基础设施"


def test_words_turns_punctuation_into_single_spaces():
    assert words("E-Mail，报告！") == "e mail 报告"


def test_english_phrases_match_whole_words_only():
    table = PhraseTable(["fine", "mail"])
    assert table.replace("define email", lambda p: "X") == "define email"
    assert table.replace("a fine mail", lambda p: "X") == "a X X"


def test_longest_phrase_wins():
    table = PhraseTable(["重大", "特别重大"])
    assert table.replace("特别重大事件", lambda p: f"<{p}>") == "<特别重大>事件"


def test_abbreviations_meet_their_full_form():
    normalizer = load().normalizer
    assert normalizer.canonical("关基") == normalizer.canonical("关键信息基础设施") == normalizer.canonical("CII")
    assert normalizer.canonical("油箱") == normalizer.canonical("邮箱")


@given(st.text(max_size=60), st.lists(st.text(min_size=1, max_size=6), max_size=8))
def test_phrase_table_never_raises_and_keeps_text_without_phrases(text, phrases):
    table = PhraseTable(phrases)
    replaced = table.replace(words(text), lambda p: "")
    assert len(replaced) <= len(words(text))
    if not table.search(words(text)):
        assert replaced == words(text)


@given(st.text(max_size=100))
def test_ask_never_raises_and_keeps_the_contract(text):
    answer = load().ask(text)
    data = answer.to_json()
    assert set(data) == {"matched", "topic", "score", "answer", "source", "suggestions"}
    assert len(data["suggestions"]) <= 3 and data["answer"]
