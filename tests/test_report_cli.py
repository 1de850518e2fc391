"""`python -m bot report` driven as a separate process, the way other programs use the contract."""

import io
import json

import docx
import pytest

from tests.conftest import run_bot

FACTS = {
    "organization": "示例科技有限公司",
    "contact": {"name": "李四", "phone": "13800000000"},
    "system": "门户网站",
    "discovered_at": "2026-03-01T09:00",
    "type": "网页篡改",
    "level": "relatively_major",
    "impact": "首页被篡改 {{ 7*7 }} <script>x</script>",
    "cause": "CMS 漏洞",
    "handling_ended_at": "2026-03-02T12:00",
    "lessons": "及时打补丁",
    "assessment": {"cii": False, "central_state_organ": False, "suspected_crime": False, "sector_rules": False},
}
TITLES = {
    ("initial", "zh"): "网络安全事件报告（首报）",
    ("supplement", "zh"): "网络安全事件报告（续报）",
    ("summary", "zh"): "网络安全事件总结报告",
    ("initial", "en"): "Cybersecurity Incident Report (Initial Report)",
    ("supplement", "en"): "Cybersecurity Incident Report (Supplementary Report)",
    ("summary", "en"): "Cybersecurity Incident Summary Report",
}


@pytest.mark.parametrize("kind,lang", list(TITLES))
@pytest.mark.parametrize("fmt", ["md", "txt"])
def test_every_kind_renders_to_stdout(kind, lang, fmt):
    result = run_bot("report", "--kind", kind, "--format", fmt, "--lang", lang, input=json.dumps(FACTS))
    assert result.returncode == 0, result.stderr
    assert result.stderr.startswith("供你参考（不写入报告）：" if lang == "zh" else "For you (not part of the report):")
    assert TITLES[(kind, lang)] in result.stdout.splitlines()[0]
    assert "示例科技有限公司" in result.stdout
    if kind != "summary":
        assert "{{ 7*7 }} <script>x</script>" in result.stdout


@pytest.mark.parametrize("kind", ["initial", "supplement", "summary"])
def test_docx_goes_to_out(kind, tmp_path):
    out = tmp_path / f"{kind}.docx"
    result = run_bot("report", "--kind", kind, "--format", "docx", "--out", str(out), input=json.dumps(FACTS))
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    document = docx.Document(io.BytesIO(out.read_bytes()))
    text = "\n".join(p.text for p in document.paragraphs)
    assert TITLES[(kind, "zh")] == document.paragraphs[0].text
    assert "示例科技有限公司" in text


def test_lang_defaults_to_chinese_and_txt_can_go_to_out(tmp_path):
    out = tmp_path / "report.txt"
    result = run_bot("report", "--kind", "initial", "--format", "txt", "--out", str(out), input="{}")
    assert result.returncode == 0 and result.stdout == ""
    text = out.read_text(encoding="utf-8")
    assert text.startswith("网络安全事件报告（首报）")
    assert "待补报" in text


@pytest.mark.parametrize(
    "stdin,args,message",
    [
        ("not json", ("--format", "md"), "invalid JSON"),
        ("", ("--format", "md"), "invalid JSON"),
        ('{"organisation": "typo"}', ("--format", "md"), "unknown keys: organisation"),
        ('{"discovered_at": "03/01/2026"}', ("--format", "txt"), "discovered_at"),
        ('{"level": "critical"}', ("--format", "txt"), "level"),
        ("{}", ("--format", "docx"), "--out"),
    ],
)
def test_bad_input_exits_2_with_one_clear_line(stdin, args, message):
    result = run_bot("report", "--kind", "initial", *args, input=stdin)
    assert result.returncode == 2
    assert result.stdout == ""
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_unknown_kind_is_refused_by_the_parser():
    result = run_bot("report", "--kind", "final", "--format", "md", input="{}")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("fmt", ["md", "txt"])
def test_the_assessments_assumptions_are_not_in_the_output(fmt):
    facts = {"organization": "示例科技有限公司", "discovered_at": "2026-03-01T09:00", "assessment": {}}
    result = run_bot("report", "--kind", "initial", "--format", fmt, input=json.dumps(facts))
    assert result.returncode == 0, result.stderr
    assert "属地省级网信部门" in result.stdout and "12387@cert.org.cn" not in result.stdout
    assert "不确定" not in result.stdout and "说明" not in result.stdout
    assert "12387@cert.org.cn" in result.stderr and "不确定本单位是否属于中央和国家机关" in result.stderr


INTERNAL = {**FACTS, "discovered_at": "2026-03-01T09:00", "reported_at": "2026-03-01T10:15", "handling_ended_at": None}


@pytest.mark.parametrize("fmt", ["md", "txt", "docx"])
def test_stderr_carries_the_internal_matter_and_the_document_none_of_it(fmt, tmp_path):
    out = tmp_path / f"report.{fmt}"
    result = run_bot("report", "--kind", "initial", "--format", fmt, "--out", str(out), input=json.dumps(INTERNAL))
    assert result.returncode == 0 and result.stdout == ""
    err = result.stderr
    assert err.splitlines()[0] == "供你参考（不写入报告）："
    assert "- 属地省级网信部门：最迟 2026-03-01 13:00（4小时内），还剩 2小时45分" in err
    assert "报送渠道：" in err and "- 邮箱 12387@cert.org.cn" in err
    if fmt == "docx":
        document = docx.Document(io.BytesIO(out.read_bytes()))
        text = "\n".join(p.text for p in document.paragraphs)
    else:
        text = out.read_text(encoding="utf-8")
    assert text.splitlines()[0].lstrip("# ") == "网络安全事件报告（首报）"
    assert "报告时间：2026-03-01 10:15" in text
    for internal in ("12387", "最迟", "还剩", "报送渠道"):
        assert internal not in text


def test_without_an_assessment_stderr_stays_empty():
    result = run_bot("report", "--kind", "initial", "--format", "txt", input=json.dumps({"organization": "甲单位"}))
    assert result.returncode == 0 and result.stderr == ""
    assert "主送单位：待补报" in result.stdout


def test_a_late_report_says_so_on_stderr_and_asks_the_reason_in_the_document():
    facts = {**INTERNAL, "reported_at": "2026-03-01T14:00"}
    result = run_bot("report", "--kind", "initial", "--format", "txt", input=json.dumps(facts))
    assert result.returncode == 0
    assert "已逾期 1小时" in result.stderr and "已超过报告时限" in result.stderr
    assert "九、迟报原因\n待补报" in result.stdout
    given = run_bot("report", "--kind", "initial", "--format", "txt", input=json.dumps({**facts, "late_reason": "误判为一般事件"}))
    assert "九、迟报原因\n误判为一般事件" in given.stdout
