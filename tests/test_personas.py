"""Scripted personas (benchmarks/personas.yaml) talk to `python -m bot chat --jsonl` in free text (issue 10, item 7).

A subset runs here through the benchmark's own driver and must reach the right verdict, initial-report
recipients and clock times (and level and police report, where the persona states them). Every persona's
expectation — worked out by hand from the facts — is also checked against `assess` on its equivalent scenario.
The whole benchmark, with misunderstandings and questions asked twice: `python benchmarks/personas.py --show`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import personas as bench  # noqa: E402

PERSONAS = {p["id"]: p for p in bench.load_personas()}

SUBSET = [
    pytest.param("hospital_ransomware", id="hospital_ransomware"),
    pytest.param("bank_core_outage", id="bank_core_outage"),
    pytest.param("small_shop_leak", id="small_shop_leak"),
    pytest.param("pharmacy_chain_leak", id="pharmacy_chain_leak"),
    pytest.param("factory_ransomware_hant", id="factory_ransomware_hant"),
    pytest.param("ministry_intrusion", id="ministry_intrusion"),
    pytest.param("manufacturer_late_en", id="manufacturer_late_en"),
    pytest.param("gas_company_outage", id="gas_company_outage"),
]


def test_the_benchmark_has_its_personas():
    assert len(PERSONAS) >= 24
    langs = {(p.get("lang"), p.get("script")) for p in PERSONAS.values()}
    assert ("en", None) in langs and ("zh", None) in langs and ("zh", "zh-Hant") in langs
    for persona in PERSONAS.values():
        assert {"id", "org", "lang", "now", "answers", "expect", "scenario"} <= set(persona), persona["id"]
        assert "why" in persona["expect"], persona["id"]


def test_every_expectation_agrees_with_assess():
    """The hand-made expectations against the rules engine on the same facts: they must agree."""
    outcomes = bench.assess_scenarios(list(PERSONAS.values()))
    disagreements = {}
    for persona_id, got in outcomes.items():
        problems = [got] if isinstance(got, str) else bench.compare(bench.expected_outcome(PERSONAS[persona_id]), got)
        if problems:
            disagreements[persona_id] = problems
    assert not disagreements


def test_the_driver_recognises_every_question():
    """Each assessment question, in zh and en, is recognised as its own fact (keywords drift with the texts)."""
    from bot.flows.assess import QUESTIONS

    for step, question in QUESTIONS.items():
        for lang in ("zh", "en"):
            message = {"text": "前言\n" + question.text[lang], "buttons": []}
            assert bench.question_asked(message) == step.removeprefix("g."), (step, lang)


def test_the_summary_is_read():
    text = (
        "⚠ 已超过报告时限：立即报告，并说明迟报原因。\n结论：须按《国家网络安全事件报告管理办法》报告。\n级别：至少较大（可能更高）（暂定）\n\n你要做的：\n"
        "1. 首次报告 → 保护工作部门和公安机关\n   最晚 2026-03-01 10:00 — 已逾期 15分\n"
        "2. 首次报告 → 属地省级网信部门\n   最晚 2026-03-01 13:00 — 还剩 2小时45分\n3. 报案 → 公安机关\n   及时，无固定时限\n"
    )
    outcome = bench.read_summary(text)
    assert (outcome.must_report, outcome.in_force, outcome.level, outcome.crime) == (True, True, "relatively_major", True)
    assert outcome.initial == [(("protection_department", "public_security"), "2026-03-01 10:00"), (("provincial_cac",), "2026-03-01 13:00")]
    english = "Conclusion: a general incident, which need not be reported under the Measures.\nLevel: general\n"
    assert bench.read_summary(english) == bench.Outcome(False, True, "general", [], False)


@pytest.mark.parametrize("persona_id", SUBSET)
def test_persona_reaches_the_right_recipients_and_clock_times(persona_id, tmp_path):
    result = bench.run_persona(PERSONAS[persona_id], data_dir=str(tmp_path), budget=120)
    assert result.error is None, result.error
    assert result.problems == []
    assert result.right
