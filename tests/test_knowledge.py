"""The knowledge base answers what users type: Chinese and English, typos, 繁體, abbreviations."""

from pathlib import Path

import pytest
import yaml

from bot.knowledge import load
from bot.knowledge.spam import spam_profile

HERE = Path(__file__).parent
QUESTIONS = [
    item
    for name in ("questions.yaml", "questions_independent.yaml")
    for item in yaml.safe_load((HERE / name).read_text(encoding="utf-8"))
] + [  # independent sets: {first_run, questions}; the questions not yet right are in benchmarks/questions_open.yaml
    item
    for path in sorted(HERE.glob("questions_set_*.yaml"))
    for item in yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]
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


def test_every_independent_set_keeps_its_first_run():
    sets = sorted(HERE.glob("questions_set_*.yaml"))
    assert len(sets) >= 3
    for path in sets:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        first = data["first_run"]
        assert 0 < first["right"] <= first["total"] and first["total"] >= len(data["questions"]) > 0


# ---------------------------------------------------------------- questions asking several things at once
@pytest.mark.parametrize(
    "question, parts",
    [
        ("民营企业出了较大事件，找谁报？几个小时？用什么渠道？", ["省级网信部门", "4小时", "12387"]),
        ("我们是关基 出事了 报给谁 多久 用什么渠道", ["保护工作部门", "1小时", "12387"]),
        ("Private firm, relatively major incident: who do we notify, by when, through which channel?", ["provincial", "4 hours", "12387"]),
        ("報告郵箱是多少 幾小時內要報", ["12387@cert.org.cn", "4小时"]),
    ],
)
def test_a_question_asking_several_parts_gets_every_part(kb, question, parts):
    answer = kb.ask(question)
    assert answer.matched and len(kb.aspects_asked(question)) >= 2
    for part in parts:
        assert squash(part) in squash(answer.text), part


def test_a_part_the_best_entry_lacks_comes_from_another_entry_with_its_source(kb):
    answer = kb.ask("报告邮箱是什么，多久内要报")
    assert answer.entry_id == "channel_email"
    assert "另见「报告时限总览」" in answer.text and "4小时" in answer.text
    assert answer.text.count("来源：") == 2  # the added part cites its own source
    assert answer.related[0][0] == "deadlines_overview"
    assert set(answer.to_json()) == {"matched", "topic", "score", "answer", "source", "suggestions"}


def test_a_one_part_question_gets_one_entry(kb):
    answer = kb.ask("报告邮箱是什么")
    assert "另见" not in answer.text and answer.text.count("来源：") == 1


# ---------------------------------------------------------------- answers that must lead with the right thing
@pytest.mark.parametrize(
    "question, lead",
    [
        ("我们是关基 12387打不通怎么办", ["保护工作部门", "公安机关", "1小时"]),
        ("部委 12387打不通", ["本部门网信工作机构", "2小时"]),
        ("we are CII and the 12387 line is engaged", ["protection department", "public security", "1 hour"]),
        ("用户信息泄露了要不要告诉用户本人", ["个人信息保护法", "第五十七条"]),
    ],
)
def test_the_first_line_names_what_the_question_turns_on(kb, question, lead):
    first = kb.ask(question).text.split("\n")[0]
    for part in lead:
        assert part in first, (part, first)


def test_the_channel_list_does_not_let_an_operator_unsure_of_its_type_rely_on_12387(kb):
    for lang, words in (("zh", ["拿不准自己属于哪类运营者", "1小时", "不替代"]), ("en", ["unsure which type of operator", "1 hour", "does not replace"])):
        text = kb.answer_entry(kb.by_id["channels_all"], lang).text
        assert "拿不准用哪个渠道时，打12387热线" not in text
        for word in words:
            assert word in text


@pytest.mark.parametrize("entry_id", ["help_defaced", "grading_defacement"])
def test_defacement_answers_give_every_tier(kb, entry_id):
    zh = kb.answer_entry(kb.by_id[entry_id], "zh").text
    en = kb.answer_entry(kb.by_id[entry_id], "en").text
    for figure in ("6小时", "24小时", "2小时", "12小时", "1万次", "10万次", "30分钟", "1000次", "认定"):
        assert figure in zh, figure
    for figure in ("6 hours", "24 hours", "2 hours", "12 hours", "10,000", "100,000", "30 minutes", "1,000", "determined"):
        assert figure in en, figure
    assert "征求意见稿" in zh and "draft" in en


# ---------------------------------------------------------------- matching rules
def test_whether_questions_are_no_negation(kb):
    canonical = kb.normalizer.canonical
    cii = kb.normalizer.concept_char("关键信息基础设施")
    assert cii in canonical("不确定是不是关基") and cii in canonical("我们属不属于关基")
    assert cii not in canonical("我们不是关基") and cii not in canonical("not CII")


def test_a_keyword_may_list_alternatives(kb):
    entry = kb.by_id["scope_who_reports"]
    assert any("|" in keyword for keyword in entry.keywords)
    assert kb.ask("谁有义务报告").entry_id == "scope_who_reports"
    assert kb.ask("适用范围").entry_id == "scope_who_reports"


def test_spaces_between_chinese_phrases_split_clauses(kb):
    assert kb.ask("我们公司是做电商的 服务器在杭州 被黑了 要报给谁").matched


@pytest.mark.parametrize(
    "question, not_entry",
    [
        ("we are busy containing the incident, can we report later", "channel_busy"),
        ("we missed the intrusion for three days, when does the clock start", "deadline_missed"),
        ("how do I apply for an ICP license", "scope_who_reports"),
        ("is ransomware covered by the measures", "scope_who_reports"),
        ("关基全称是什么", "about_issuer"),
    ],
)
def test_a_word_in_another_sense_does_not_route_to_its_entry(kb, question, not_entry):
    assert kb.ask(question).entry_id != not_entry
