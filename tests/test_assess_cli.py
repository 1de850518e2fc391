"""`python -m bot assess` from the outside: one JSON line per scenario, in order, errors on their own line."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import ROOT, run_bot

NOW = "2026-03-01T10:15"


def assess_lines(*lines: str, now: str = NOW) -> list[dict]:
    """The output lines; the exit code is 2 exactly when one of them is an error."""
    done = run_bot("assess", "--json", "--now", now, input="".join(line + "\n" for line in lines))
    assert done.stderr == ""
    out = [json.loads(line) for line in done.stdout.splitlines()]
    assert done.returncode == (2 if any("error" in result for result in out) else 0)
    return out


def test_one_output_line_per_input_line_in_order_with_errors_in_place():
    out = assess_lines(
        '{"cii": true, "central_state_organ": false, "level": "重大", "discovered_at": "2026-03-01T09:00"}',
        "",
        "not json",
        "[1, 2]",
        '{"cii": "yes"}',
        '{"cii": false, "central_state_organ": false, "level": "general"}',
    )
    assert len(out) == 6
    assert out[0]["level"] == "major" and out[0]["obligations"][0]["deadline"] == "2026-03-01T10:00:00+08:00"
    assert out[1] == {"error": "empty line"}
    assert out[2]["error"].startswith("not valid JSON")
    assert out[3] == {"error": "a scenario must be a JSON object"}
    assert out[4] == {"error": 'cii must be true, false or null, not "yes"'}
    assert out[5]["must_report"] is False


def test_the_output_contract():
    (result,) = assess_lines('{"cii": false, "central_state_organ": false, "level": "relatively_major", "discovered_at": "2026-03-01T09:00", "suspected_crime": true, "sector_rules": false}')
    assert list(result) == ["must_report", "level", "provisional", "level_basis", "obligations", "assumptions", "caveats", "in_force", "also_note"]
    initial = result["obligations"][0]
    assert initial == {
        "kind": "initial",
        "by": "operator",
        "to": ["provincial_cac"],
        "within_minutes": 240,
        "within_days": None,
        "deadline": "2026-03-01T13:00:00+08:00",
        "channels": initial["channels"],
        "source": "Measures Art. 4",
    }
    assert len(initial["channels"]) == 6
    crime = next(o for o in result["obligations"] if o["kind"] == "crime")
    assert crime["to"] == ["public_security"] and crime["within_minutes"] is None and crime["deadline"] is None


def test_offsets_are_converted_and_missing_time_means_now():
    utc, missing = assess_lines(
        '{"cii": true, "central_state_organ": false, "level": "major", "discovered_at": "2026-12-31T23:30:00Z"}',
        '{"cii": true, "central_state_organ": false, "level": "major"}',
        now="2026-12-31T23:45:00+08:00",
    )
    assert utc["obligations"][0]["deadline"] == "2027-01-01T08:30:00+08:00"
    assert missing["obligations"][0]["deadline"] == "2027-01-01T00:45:00+08:00"


def test_grading_through_the_cli():
    (result,) = assess_lines('{"cii": false, "central_state_organ": false, "level": null, "grading": {"direct_loss_yuan": 6000000}}')
    assert result["level"] == "relatively_major" and result["provisional"] is True


def test_person_readable_output():
    done = run_bot(
        "assess",
        "--now",
        NOW,
        input='{"cii": false, "central_state_organ": false, "level": "较大", "discovered_at": "2026-03-01 09:00"}\n\n{"level": 5}\n',
    )
    assert done.returncode == 2  # one line was refused; the others were answered
    assert "结论：须按《国家网络安全事件报告管理办法》报告。" in done.stdout
    assert "首次报告 → 属地省级网信部门" in done.stdout and "最晚 2026-03-01 13:00 — 还剩 2小时45分" in done.stdout
    assert "12387@cert.org.cn" in done.stdout
    assert "错误：level must be one of" in done.stderr and "错误" not in done.stdout


def test_person_readable_output_in_english():
    done = run_bot("assess", "--now", NOW, input='{"level": "major", "cii": true, "central_state_organ": false, "discovered_at": "2026-03-01T08:00", "lang": "en"}\n')
    assert "Initial report → the CII protection department and the public security organ (police)" in done.stdout
    assert "by 2026-03-01 09:00 — overdue by 1 h 15 min" in done.stdout


def test_a_bad_now_is_refused_without_a_traceback():
    done = run_bot("assess", "--json", "--now", "tomorrow", input="{}\n")
    assert done.returncode == 2 and "--now" in done.stderr and "Traceback" not in done.stderr


def test_a_stray_byte_spoils_only_its_own_line():
    done = subprocess.run(
        [sys.executable, "-m", "bot", "assess", "--json", "--now", NOW],
        input=b'{"level": "\xff"}\n{"level": "major"}\n',
        capture_output=True,
        cwd=ROOT,
        timeout=60,
    )
    lines = [json.loads(line) for line in done.stdout.decode().splitlines()]
    assert done.returncode == 2 and "error" in lines[0] and lines[1]["level"] == "major"


def test_a_misspelt_key_is_refused_with_exit_2_and_names_the_key():
    done = run_bot("assess", "--json", "--now", NOW, input='{"grading": {"personal_info_ppl": 5000000}}\n')
    assert done.returncode == 2 and json.loads(done.stdout)["error"].startswith("unknown key grading.personal_info_ppl")
    done = run_bot("assess", "--now", NOW, input='{"clii": true}\n')
    assert done.returncode == 2 and done.stderr.startswith("错误：unknown key clii") and done.stdout == ""
