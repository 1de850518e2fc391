"""Reports: fact validation, the templates of every kind, format and language, the .docx, and CLI errors."""

import io
import json
import shutil
from datetime import datetime

import docx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from bot import TEMPLATES_DIR
from bot.cli import main
from bot.reports import FactsError, build_report, internal_text, parse_facts_json, render_docx, render_text, validate_facts
from bot.reports.fields import FACT_KEYS, FIELDS, KINDS, MISSING, SECTIONS
from bot.reports.render import BASE_DOCX, environment
from bot.timeutil import SHANGHAI

NOW = datetime(2026, 3, 1, 10, 0, tzinfo=SHANGHAI)
LANGS = ("zh", "en")
TEXT_FORMATS = ("md", "txt")

FULL = {
    "organization": "示例科技有限公司",
    "contact": {"name": "张三", "phone": "010-12345678", "email": "sec@example.com"},
    "system": "客户管理系统（CRM），部署于自有机房",
    "discovered_at": "2026-03-01T09:00",
    "occurred_at": "2026-03-01T03:10",
    "location": "北京市海淀区机房",
    "type": "勒索软件",
    "level": "较大",
    "impact": "3台服务器文件被加密，客户管理业务中断。",
    "measures": "已断开受感染主机网络，效果良好",
    "ransom": {"amount": "2 BTC", "method": "勒索信要求比特币支付", "date": "2026-03-01T08:30"},
    "trend": "若未及时处置，可能扩散至备份服务器",
    "cause": "远程桌面弱口令被暴力破解",
    "leads": "攻击源IP 203.0.113.7，利用RDP暴露端口",
    "next_steps": "从离线备份恢复系统并全面排查",
    "support_requested": "请求技术支援分析样本",
    "scene_preservation": "已对受感染主机做磁盘镜像并保存日志",
    "other": "已告知受影响客户",
    "handling_ended_at": "2026-03-05T18:00",
    "response": "隔离、清除、恢复",
    "harm": "业务中断36小时，直接损失约20万元",
    "accountability": "对运维负责人进行了问责",
    "remediation": "关闭公网RDP，启用多因素认证",
    "lessons": "加强口令管理和暴露面检查",
    "initial_report": {"at": "2026-03-01T09:40", "to": "北京市网信办", "channel": "12387热线", "reference": "BJ-2026-0301"},
    "timeline": [{"at": "2026-03-01T09:30", "text": "隔离受感染主机"}, {"at": "2026-03-01T09:00", "text": "发现文件被加密"}],
    "assessment": {"cii": False, "central_state_organ": False, "suspected_crime": True, "sector_rules": False},
}
INJECTIONS = ("{{ 7*7 }}", "{% for x in range(9) %}x{% endfor %}", "<b>html</b>", "*markdown* _x_ [a](b)", "</w:t><w:t>", "&amp; <![CDATA[x]]>")


def report(kind="initial", lang="zh", facts=None):
    return build_report(kind, lang, validate_facts(FULL if facts is None else facts), NOW)


def docx_text(content: bytes) -> str:
    document = docx.Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def docx_lines(content: bytes) -> list[str]:
    """The .docx's text, paragraph by paragraph (a line break inside one counting as a new line), blanks left out."""
    document = docx.Document(io.BytesIO(content))
    assert not document.tables  # everything is in paragraphs, as in the text
    return [line for p in document.paragraphs for line in p.text.split("\n") if line.strip()]


def txt_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def all_formats(built) -> dict[str, str]:
    return {"md": render_text(built, "md"), "txt": render_text(built, "txt"), "docx": "\n".join(docx_lines(render_docx(built)))}


def marked(text, lang):
    """How many lines show the missing marker as their value (the opening only mentions it mid-line)."""
    return sum(line.rstrip().endswith(MISSING[lang]) for line in text.splitlines())


# ---------------------------------------------------------------------- every template renders
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("fmt", TEXT_FORMATS)
def test_full_facts_render_with_nothing_missing(kind, lang, fmt):
    text = render_text(report(kind, lang), fmt)
    assert marked(text, lang) == 0
    assert "示例科技有限公司" in text
    for spec in SECTIONS[kind]:
        for key in spec.fields:
            if key not in ("ransom", "level") and FIELDS[key].value_type == "text":
                assert FULL[key] in text, key
    assert "2 BTC" in text  # the ransom item, in every kind, because ransom is given
    assert text.endswith("\n") and not text.endswith("\n\n")


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("fmt", TEXT_FORMATS)
def test_minimal_facts_mark_every_item_missing(kind, lang, fmt):
    text = render_text(report(kind, lang, {}), fmt)
    built = report(kind, lang, {})
    items = [item for section in built.sections for item in section.items]
    assert all(item.value is None for item in items)
    for section in built.sections:
        assert section.heading in text
        if len(section.items) > 1:
            assert all(item.label in text for item in section.items)
    # every item; the addressee (no assessment, no name); the signature's unit, contact person and phone
    assert marked(text, lang) == len(items) + 4


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("lang", LANGS)
def test_docx_renders_for_every_kind_and_language(kind, lang):
    for facts in (FULL, {}):
        content = render_docx(report(kind, lang, facts))
        text = docx_text(content)
        assert text.strip()
        assert (marked(text, lang) > 0) == (facts == {})


def test_each_section_keeps_the_order_of_the_measures():
    headings = [s.heading for s in report("initial", "zh").sections]
    assert [h[0] for h in headings] == list("一二三四五六七八")
    assert "原因" in headings[3] and "溯源" in headings[4] and "现场" in headings[6]
    summary = [s.heading for s in report("summary", "en").sections]
    assert [h.split(". ", 1)[1] for h in summary[1:]] == [
        "Cause", "Response measures", "Harm done", "Accountability", "Remediation", "Lessons learned", "Timeline of the handling"
    ]
    supplement = report("supplement", "zh")
    assert [s.number for s in supplement.sections] == list(range(1, 9))
    assert "首报" in supplement.sections[0].heading


def test_missing_items_are_marked_under_their_own_label():
    text = render_text(report("initial", "zh", {"organization": "甲单位", "cause": "未知漏洞"}), "txt")
    assert "单位名称：甲单位" in text
    assert "受影响的设施、系统或平台及其基本情况：待补报" in text
    assert "发现时间：待补报" in text
    assert "未知漏洞" in text
    en = render_text(report("initial", "en", {"organization": "Org"}), "md")
    assert "**Discovered at**: to be supplemented" in en


# ---------------------------------------------------------------------- ransom
@pytest.mark.parametrize("kind", KINDS)
def test_ransom_appears_whenever_given_whatever_the_type(kind):
    facts = {"type": "数据泄露", "ransom": {"amount": 50000}}
    text = render_text(report(kind, "zh", facts), "txt")
    assert "勒索金额：50000" in text
    assert "勒索方式：待补报" in text


def test_ransomware_without_ransom_facts_shows_the_ransom_items_marked():
    text = render_text(report("initial", "en", {"type": "Ransomware attack"}), "txt")
    assert "Ransom amount: to be supplemented" in text
    assert "Ransom" not in render_text(report("initial", "en", {"type": "DDoS"}), "txt")


def test_ransom_date_may_be_a_date_or_a_time():
    assert "勒索时间：2026-02-28" in render_text(report("initial", "zh", {"ransom": {"date": "2026-02-28"}}), "txt")
    assert "勒索时间：2026-02-28 16:05" in render_text(report("initial", "zh", {"ransom": {"date": "2026-02-28T08:05Z"}}), "txt")


# ---------------------------------------------------------------------- addressee, signature, report time
@pytest.mark.parametrize(
    "assessment,zh,en",
    [
        ({"cii": False, "central_state_organ": False}, "属地省级网信部门：", "To: the provincial cyberspace administration"),
        ({"cii": False, "central_state_organ": True}, "本部门网信工作机构：", "To: the cyberspace-affairs office of our department"),
        ({"cii": True, "central_state_organ": False}, "保护工作部门和公安机关：", "To: the CII protection department and the public security organ"),
    ],
)
@pytest.mark.parametrize("kind", KINDS)
def test_each_report_opens_with_the_generic_body_of_its_path(assessment, zh, en, kind):
    facts = {"organization": "甲单位", "discovered_at": "2026-03-01T09:00", "assessment": {**assessment, "suspected_crime": False, "sector_rules": False}}
    for lang, line in (("zh", zh), ("en", en)):
        built = report(kind, lang, facts)
        for fmt, text in all_formats(built).items():
            after_title = [line for line in text.splitlines() if line.strip()][1]
            assert after_title == line, (fmt, after_title)


def test_a_named_addressee_is_used_as_typed_and_an_unknown_type_names_every_path():
    named = {**FULL, "addressee": "北京市互联网信息办公室 {{ 7*7 }}"}
    for text in all_formats(report("initial", "zh", named)).values():
        assert "北京市互联网信息办公室 {{ 7*7 }}：" in text and "属地省级网信部门" not in text
    unknown = report("initial", "zh", {"discovered_at": "2026-03-01T09:00", "assessment": {}})
    assert unknown.addressee == "保护工作部门和公安机关、本部门网信工作机构、属地省级网信部门"
    without = report("initial", "en", {"organization": "Org"})
    assert without.addressee is None and "To: to be supplemented" in render_text(without, "txt")


@pytest.mark.parametrize("lang,lines", [
    ("zh", ["特此报告。", "报告单位（盖章）：示例科技有限公司", "联系人：张三", "联系电话：010-12345678", "电子邮箱：sec@example.com", "报告时间：2026-03-01 10:00"]),
    ("en", ["Respectfully submitted.", "Reporting organisation (seal): 示例科技有限公司", "Contact person: 张三", "Phone: 010-12345678", "Email: sec@example.com", "Date: 2026-03-01 10:00"]),
])
@pytest.mark.parametrize("kind", KINDS)
def test_each_report_closes_with_the_signature_block(kind, lang, lines):
    built = report(kind, lang)
    for fmt, text in all_formats(built).items():
        assert [line.rstrip() for line in txt_lines(text)][-len(lines):] == lines, fmt
    document = docx.Document(io.BytesIO(render_docx(built)))
    paragraphs = [p.text for p in document.paragraphs]
    unit = paragraphs.index(lines[1])
    assert paragraphs[unit - 3 : unit] == ["", "", ""]  # room for the seal above the reporting unit
    missing = report(kind, lang, {"contact": {"email": "a@b.c"}})
    assert txt_lines(render_text(missing, "txt"))[-5:-2] == [f"{label}{missing.sep}{MISSING[lang]}" for label in (lines[1].split("：")[0].split(": ")[0], lines[2].split("：")[0].split(": ")[0], lines[3].split("：")[0].split(": ")[0])]


def test_the_report_time_is_the_given_time_or_now():
    assert report().reported_at == "2026-03-01 10:00"
    later = {**FULL, "reported_at": "2026-03-01T12:34"}
    built = report("initial", "zh", later)
    assert built.reported_at == "2026-03-01 12:34"
    assert "报告时间：2026-03-01 12:34" in render_text(built, "txt")
    with pytest.raises(FactsError, match="reported_at"):
        validate_facts({"reported_at": "soon"})


# ---------------------------------------------------------------------- internal matter stays out of the document
def test_the_internal_matter_holds_recipients_deadlines_time_left_and_channels():
    built = report("initial", "zh")
    internal = internal_text(built)
    assert internal.startswith("供你参考（不写入报告）：")
    assert "属地省级网信部门：最迟 2026-03-01 13:00（4小时内），还剩 3小时" in internal
    assert "公安机关（报案）：及时" in internal
    assert "12387@cert.org.cn" in internal and "010-82992387" in internal
    assert internal_text(report("initial", "zh", {"organization": "x"})) == ""  # no assessment: nothing internal


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("lang", LANGS)
def test_no_deadline_channel_or_assumption_text_in_any_format(kind, lang):
    # type unknown: assumptions; late; the user's own words name no channel (as "12387热线" would)
    facts = {**FULL, "assessment": {}, "reported_at": "2026-03-01T14:00", "initial_report": {"at": "2026-03-01T13:30", "to": "北京市网信办"}}
    built = report(kind, lang, facts)
    leaks = [*built.recipients, *built.channels, *built.notes]
    assert built.recipients and built.notes and (built.channels or kind != "initial")
    for fmt, text in all_formats(built).items():
        for leak in leaks:
            assert leak not in text, (fmt, leak)
        for word in ("12387", "最迟", "还剩", "已逾期", "by 2026", "left", "overdue", "不确定", "Not sure", "供你参考", "For you"):
            assert word not in text, (fmt, word)


def test_summary_deadline_is_thirty_days_after_handling_ends_in_the_internal_matter():
    assert "最迟 2026-04-04 18:00（处置结束后30日内）" in internal_text(report("summary", "zh"))


def test_without_an_assessment_the_addressee_is_marked_missing():
    facts = {key: value for key, value in FULL.items() if key != "assessment"}
    text = render_text(report("initial", "zh", facts), "txt")
    assert "主送单位：待补报" in text
    assert "事件级别：较大" in text


# ---------------------------------------------------------------------- grading basis, late reason, initial report, timeline
GRADED = {"cii": False, "central_state_organ": False, "suspected_crime": False, "sector_rules": False, "grading": {"personal_info_people": 3000000}}


@pytest.mark.parametrize("kind", KINDS)
def test_the_level_item_states_the_grading_basis(kind):
    facts = {"organization": "甲单位", "discovered_at": "2026-03-01T09:00", "assessment": GRADED}
    for lang, line in (
        ("zh", "事件级别：较大；定级依据：公民个人信息泄露人数 300万人 ≥ 100万人（较大）"),
        ("en", "Level: relatively major; basis: people whose personal information leaked 3,000,000 people ≥ 1,000,000 people (relatively major)"),
    ):
        built = report(kind, lang, facts)
        for fmt, text in all_formats(built).items():
            assert line in text.replace("**", ""), (fmt, lang)
        assert "已确认" not in render_text(built, "txt") and "confirmed" not in render_text(built, "txt")
    given = report(kind, "zh", {"level": "重大", "assessment": GRADED})  # the user's own level: no criterion to cite
    assert "事件级别：重大\n" in render_text(given, "txt") and "定级依据" not in render_text(given, "txt")


LATE_ITEM = {"zh": "迟报原因", "en": "Reason the report is late"}


@pytest.mark.parametrize("lang", LANGS)
def test_a_late_report_has_an_item_for_the_reason(lang):
    on_time = report("initial", lang, {**FULL, "reported_at": "2026-03-01T12:59"})
    late = report("initial", lang, {**FULL, "reported_at": "2026-03-01T13:01"})
    assert not on_time.late and late.late
    assert LATE_ITEM[lang] not in render_text(on_time, "txt")
    for text in all_formats(late).values():
        assert f"{'九、' if lang == 'zh' else '9. '}{LATE_ITEM[lang]}" in text
    assert late.incomplete
    reason = report("initial", lang, {**FULL, "reported_at": "2026-03-01T13:01", "late_reason": "值班人员误判为一般事件 {{ x }}"})
    assert "值班人员误判为一般事件 {{ x }}" in render_text(reason, "txt") and not reason.incomplete
    assert ("已逾期 1分" if lang == "zh" else "overdue by 1 min") in internal_text(late)


def test_only_the_reports_own_deadline_makes_it_late():
    days_later = {**FULL, "reported_at": "2026-03-10T09:00"}  # the initial deadline long past, the summary's not yet
    assert report("initial", "zh", days_later).late
    assert not report("supplement", "zh", days_later).late and not report("summary", "zh", days_later).late
    summary_late = report("summary", "zh", {**FULL, "reported_at": "2026-04-05T09:00"})
    assert summary_late.late and summary_late.sections[-1].heading == "九、迟报原因"


@pytest.mark.parametrize("lang,lines", [
    ("zh", ["首报时间：2026-03-01 09:40", "首报报送单位：北京市网信办", "首报渠道：12387热线", "首报受理编号：BJ-2026-0301"]),
    ("en", ["Initial report made at: 2026-03-01 09:40", "Initial report made to: 北京市网信办", "Initial report channel: 12387热线", "Initial report reference: BJ-2026-0301"]),
])
def test_a_supplement_cites_when_and_to_whom_the_initial_report_was_made(lang, lines):
    for text in all_formats(report("supplement", lang)).values():
        plain = text.replace("**", "")
        assert all(line in plain for line in lines)
        assert plain.index(lines[0]) < plain.index("2." if lang == "en" else "二、")  # in item 1, the incident
    unknown = render_text(report("supplement", lang, {"initial_report": {"at": "2026-03-01T09:40"}}), "txt")
    assert lines[0] in unknown and f"{lines[1].split(':')[0].split('：')[0]}{'：' if lang == 'zh' else ': '}{MISSING[lang]}" in unknown
    assert lines[2].split(":")[0].split("：")[0] not in unknown  # the channel only when given
    assert "首报时间" not in render_text(report("initial", "zh"), "txt")


def test_a_summary_gives_the_timeline_as_a_dated_list_in_time_order():
    built = report("summary", "zh")
    txt = render_text(built, "txt")
    section = txt[txt.index("八、事件处置经过（时间线）") :]
    assert section.splitlines()[1:3] == ["2026-03-01 09:00 发现文件被加密", "2026-03-01 09:30 隔离受感染主机"]
    assert "- 2026-03-01 09:00 发现文件被加密\n- 2026-03-01 09:30 隔离受感染主机" in render_text(built, "md")
    assert "时间线" not in render_text(report("initial", "zh"), "txt")
    assert "八、事件处置经过（时间线）\n待补报" in render_text(report("summary", "zh", {}), "txt")


@pytest.mark.parametrize(
    "facts,message",
    [
        ({"initial_report": "yesterday"}, "initial_report: expected an object"),
        ({"initial_report": {"at": "soon"}}, "initial_report.at"),
        ({"initial_report": {"to": 5}}, "initial_report.to: expected a string"),
        ({"initial_report": {"by": "x"}}, "unknown keys in initial_report: by"),
        ({"timeline": {"at": "2026-03-01T09:00"}}, "timeline: expected an array"),
        ({"timeline": [{"at": "2026-03-01T09:00"}]}, "timeline\\[0\\]: needs both"),
        ({"timeline": [{"at": "2026-03-01T09:00", "text": "x", "who": "y"}]}, "unknown keys in timeline\\[0\\]: who"),
        ({"timeline": [{"at": "1900-01-01T00:00", "text": "x"}]}, "timeline\\[0\\].at"),
        ({"addressee": ["x"]}, "addressee: expected a string"),
        ({"late_reason": 1}, "late_reason: expected a string"),
    ],
)
def test_the_new_facts_are_checked(facts, message):
    with pytest.raises(FactsError, match=message):
        validate_facts(facts)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("facts", [FULL, {}, {**FULL, "assessment": {}, "reported_at": "2026-03-02T09:00", "cause": "第一行\n第二行"}])
def test_the_docx_says_what_the_txt_says_paragraph_for_line(kind, lang, facts):
    built = report(kind, lang, facts)
    assert docx_lines(render_docx(built)) == txt_lines(render_text(built, "txt"))


MAY_BE_HIGHER = {  # 1.5 million people's data leaked (relatively major); the direct loss, which could lift it, unknown
    "cii": False,
    "central_state_organ": False,
    "discovered_at": "2026-03-01T09:00",
    "suspected_crime": False,
    "sector_rules": False,
    "grading": {"personal_info_people": 1500000, "direct_loss_yuan": None},
}


@pytest.mark.parametrize(
    "lang,line", [("en", "level: at least relatively major (possibly higher)"), ("zh", "事件级别：至少较大（可能更高）")]
)
@pytest.mark.parametrize("level", [None, "relatively_major"])
def test_a_level_that_unknown_criteria_could_lift_is_at_least(lang, line, level):
    facts = {"organization": "甲单位", "assessment": MAY_BE_HIGHER} | ({"level": level} if level else {})
    text = render_text(report("initial", lang, facts), "txt")
    assert text.lower().count(line.lower()) == 1  # the level item
    higher = {**facts, "level": "major"}  # a level the user states is theirs: no "at least"
    assert "at least" not in render_text(report("initial", lang, higher), "txt") and "至少" not in render_text(report("initial", lang, higher), "txt")


def test_the_reports_level_overrides_the_assessments():
    facts = {**FULL, "level": "重大"}
    assert report("initial", "zh", facts).level == "重大"


def test_unknown_operator_type_lists_every_path_with_its_assumption():
    built = report("initial", "zh", {"discovered_at": "2026-03-01T09:00", "assessment": {}})
    joined = internal_text(built)
    assert "保护工作部门和公安机关：最迟 2026-03-01 10:00" in joined
    assert "本部门网信工作机构：最迟 2026-03-01 11:00" in joined
    assert "属地省级网信部门：最迟 2026-03-01 13:00" in joined
    assert any("中央和国家机关" in note for note in built.notes)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("lang", LANGS)
def test_the_assessments_assumptions_stay_out_of_the_document(kind, lang):
    facts = {"discovered_at": "2026-03-01T09:00", "handling_ended_at": "2026-03-02T09:00", "assessment": {}}
    built = report(kind, lang, facts)
    notes = report("initial", lang, facts).notes
    assert notes  # the initial report's routing rests on assumptions, and on channels of others' choosing
    for text in (render_text(built, "md"), render_text(built, "txt"), docx_text(render_docx(built))):
        assert not any(note in text for note in notes)
        assert ("说明" if lang == "zh" else "Notes") not in text
        assert "12387" not in text  # the channels too: they are for the sender, beside the document


@pytest.mark.parametrize("kind", KINDS)
def test_a_report_is_incomplete_while_anything_shows_the_marker(kind):
    assert not report(kind, "zh").incomplete
    assert report(kind, "zh", {}).incomplete
    without_contact = {key: value for key, value in FULL.items() if key != "contact"}  # shown in the signature only
    assert report(kind, "zh", without_contact).incomplete
    without_assessment = {key: value for key, value in FULL.items() if key != "assessment"}  # no addressee
    assert report(kind, "zh", without_assessment).incomplete
    assert not report(kind, "zh", {**without_assessment, "addressee": "北京市网信办"}).incomplete


# ---------------------------------------------------------------------- user text is data
@pytest.mark.parametrize("fmt", TEXT_FORMATS)
@pytest.mark.parametrize("injection", INJECTIONS)
def test_injection_comes_out_literally_in_text(fmt, injection):
    facts = {"organization": injection, "cause": injection, "contact": {"name": injection}, "ransom": {"method": injection}}
    text = render_text(report("initial", "zh", facts), fmt)
    assert text.count(injection) >= 4
    assert "49" not in text.replace(injection, "")


@pytest.mark.parametrize("injection", INJECTIONS)
def test_injection_comes_out_literally_in_docx(injection):
    content = render_docx(report("initial", "en", {"organization": injection, "cause": injection}))
    text = docx_text(content)
    assert text.count(injection) >= 3  # item 1, item 4, the signature


def test_control_characters_cannot_break_the_docx():
    content = render_docx(report("initial", "zh", {"cause": "a\x00b\x07c\x1bd"}))
    assert "abcd" in docx_text(content)


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=1, max_size=200).filter(str.strip))
def test_any_text_is_kept_verbatim(value):
    facts = {"cause": value, "other": value}
    for fmt in TEXT_FORMATS:
        assert render_text(report("initial", "zh", facts), fmt).count(value) >= 2


def test_long_text_is_kept_whole():
    long = "".join(f"第{i}行：攻击者在该时段横向移动并加密文件。\n" for i in range(2000)) + "结尾"
    facts = {"impact": long, "cause": long}
    for fmt in TEXT_FORMATS:
        assert render_text(report("initial", "zh", facts), fmt).count(long) == 2
    assert docx_text(render_docx(report("initial", "zh", facts))).count(long) == 2


def test_the_template_environment_is_sandboxed_strict_and_unescaped():
    env = environment(TEMPLATES_DIR)
    assert isinstance(env, SandboxedEnvironment)
    assert env.autoescape is False
    with pytest.raises(SecurityError):
        env.from_string("{{ report.__class__.__init__.__globals__ }}").render(report=report())
    with pytest.raises(Exception, match="undefined"):
        env.from_string("{{ nothing_here }}").render()


# ---------------------------------------------------------------------- .docx
def test_docx_holds_the_organisation_and_every_provided_item():
    text = docx_text(render_docx(report("initial", "zh")))
    keys = [key for spec in SECTIONS["initial"] for key in spec.fields if FIELDS[key].value_type == "text"]
    for key in keys:
        assert FULL[key] in text, key
    for shown in ("2026-03-01 09:00", "2026-03-01 03:10", "较大", "张三", "010-12345678", "sec@example.com", "2 BTC", "2026-03-01 08:30"):
        assert shown in text
    assert "属地省级网信部门：" in text and "最迟" not in text


def test_docx_uses_the_base_documents_styles_and_page():
    document = docx.Document(io.BytesIO(render_docx(report("summary", "en"))))
    styles = {p.style.name for p in document.paragraphs}
    assert {"Title", "Heading 1", "Normal"} <= styles
    assert document.paragraphs[0].text == "Cybersecurity Incident Summary Report"
    assert round(document.sections[0].page_width.mm) == 210
    assert document.core_properties.title == "Cybersecurity Incident Summary Report"


def test_base_docx_can_be_rebuilt_from_its_script(tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_base_docx", TEMPLATES_DIR / "make_base_docx.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    rebuilt = module.build(tmp_path / BASE_DOCX)
    for path in (rebuilt, TEMPLATES_DIR / BASE_DOCX):
        names = {style.name for style in docx.Document(str(path)).styles}
        assert {"Title", "Heading 1", "Normal", "Table Grid"} <= names


def test_docx_and_txt_share_title_opening_and_closing():
    built = report("supplement", "zh")
    txt = render_text(built, "txt")
    paragraphs = [p.text for p in docx.Document(io.BytesIO(render_docx(built))).paragraphs]
    assert paragraphs[0] == txt.splitlines()[0]
    intro = next(line for line in txt.splitlines() if line.startswith("本报告是对首报"))
    assert intro in paragraphs


# ---------------------------------------------------------------------- adapted templates
@pytest.fixture
def own_templates(tmp_path):
    folder = tmp_path / "templates"
    shutil.copytree(TEMPLATES_DIR, folder)
    return folder


def test_an_adapted_template_is_used_for_text_and_docx(own_templates):
    path = own_templates / "initial.zh.txt.j2"
    path.write_text(path.read_text(encoding="utf-8").replace("网络安全事件报告（首报）", "甲集团网络安全事件报告（首报）"), encoding="utf-8")
    built = report("initial", "zh")
    assert render_text(built, "txt", own_templates).startswith("甲集团网络安全事件报告（首报）")
    assert docx.Document(io.BytesIO(render_docx(built, own_templates))).paragraphs[0].text == "甲集团网络安全事件报告（首报）"


def test_a_broken_template_is_a_clear_cli_error(own_templates, monkeypatch, capsys):
    layout = own_templates / "_layout.txt.j2"
    layout.write_text(layout.read_text(encoding="utf-8").replace("{{ item.label }}", "{{ item.labl }}"), encoding="utf-8")
    monkeypatch.setattr("bot.reports.render.TEMPLATES_DIR", own_templates)
    code, out, err = run_cli(monkeypatch, capsys, "{}", "--kind", "initial", "--format", "txt")
    assert code == 1 and out == ""
    assert "_layout.txt.j2, line" in err and "labl" in err and "Traceback" not in err
    (own_templates / "initial.zh.md.j2").write_text("{% if %}", encoding="utf-8")
    code, _, err = run_cli(monkeypatch, capsys, "{}", "--kind", "initial", "--format", "md")
    assert code == 1 and "initial.zh.md.j2, line 1" in err


# ---------------------------------------------------------------------- validation
def test_unknown_keys_are_listed():
    with pytest.raises(FactsError, match="unknown keys: colour, severity"):
        validate_facts({"organization": "x", "severity": 1, "colour": "red"})
    with pytest.raises(FactsError, match="unknown keys in contact: fax"):
        validate_facts({"contact": {"name": "x", "fax": "1"}})
    with pytest.raises(FactsError, match="unknown keys in ransom: wallet"):
        validate_facts({"ransom": {"wallet": "bc1"}})


@pytest.mark.parametrize("level,key", [("较大", "relatively_major"), ("特别重大", "especially_major"), ("major", "major"), ("general", "general"), (" 一般 ", "general")])
def test_level_accepts_english_keys_and_chinese_names(level, key):
    assert validate_facts({"level": level}).get("level") == key


@pytest.mark.parametrize(
    "facts,message",
    [
        ({"level": "严重"}, "level"),
        ({"level": 3}, "level"),
        ({"discovered_at": "yesterday"}, "discovered_at"),
        ({"discovered_at": 1700000000}, "discovered_at"),
        ({"organization": ["a"]}, "organization: expected a string"),
        ({"contact": "张三"}, "contact: expected an object"),
        ({"ransom": {"date": "soon"}}, "ransom.date"),
        ({"assessment": []}, "assessment"),
        ({"assessment": {"cii": True, "operator": "x"}}, "unknown keys in assessment: operator"),
        ({"assessment": {"grading": {"people": 5}}}, "unknown keys in assessment.grading: people"),
    ],
)
def test_bad_values_say_which_key(facts, message):
    with pytest.raises(FactsError, match=message):
        validate_facts(facts)


def test_every_problem_is_reported_at_once():
    with pytest.raises(FactsError) as error:
        validate_facts({"bogus": 1, "level": "x", "occurred_at": "y"})
    assert "bogus" in str(error.value) and "level" in str(error.value) and "occurred_at" in str(error.value)


def test_a_bad_assessment_is_a_facts_error():
    with pytest.raises(FactsError, match="assessment: cii"):
        report("initial", "zh", {"assessment": {"cii": "yes"}})


def test_times_without_offset_are_beijing_time_and_shown_to_the_minute():
    facts = validate_facts({"discovered_at": "2026-03-01T09:05:59", "occurred_at": "2026-03-01T00:30Z"})
    shown = report("initial", "zh", {"discovered_at": "2026-03-01T09:05:59", "occurred_at": "2026-03-01T00:30Z"}).shown
    assert facts.get("discovered_at").utcoffset().total_seconds() == 8 * 3600
    assert shown["discovered_at"] == "2026-03-01 09:05"
    assert shown["occurred_at"] == "2026-03-01 08:30"


def test_blank_and_null_values_count_as_not_provided():
    facts = validate_facts({"organization": "  ", "cause": None, "contact": {"name": ""}})
    assert facts.values == {}


def test_invalid_json_and_non_objects_are_facts_errors():
    with pytest.raises(FactsError, match="invalid JSON"):
        parse_facts_json("{bad")
    with pytest.raises(FactsError, match="one JSON object"):
        parse_facts_json("[1, 2]")


@settings(max_examples=80, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(sorted(FACT_KEYS)) | st.text(max_size=8),
        st.none() | st.booleans() | st.integers() | st.text(max_size=20) | st.dictionaries(st.sampled_from(["name", "amount", "date", "x"]), st.text(max_size=10)),
        max_size=6,
    )
)
def test_any_json_object_is_either_valid_or_a_facts_error(raw):
    for kind in KINDS:
        try:
            built = build_report(kind, "en", validate_facts(raw), NOW)
        except FactsError as error:
            assert str(error)
            continue
        assert render_text(built, "txt")


# ---------------------------------------------------------------------- CLI (in process)
def run_cli(monkeypatch, capsys, stdin, *args):
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(["report", *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    "stdin,args,message",
    [
        ("{bad json", ("--kind", "initial", "--format", "md"), "invalid JSON"),
        ('{"nonsense": 1}', ("--kind", "initial", "--format", "txt"), "unknown keys: nonsense"),
        ('{"level": "huge"}', ("--kind", "summary", "--format", "md"), "level"),
        ("{}", ("--kind", "initial", "--format", "docx"), "--out"),
        ('"text"', ("--kind", "initial", "--format", "md"), "one JSON object"),
    ],
)
def test_cli_errors_exit_2_with_a_message_and_no_traceback(monkeypatch, capsys, stdin, args, message):
    code, out, err = run_cli(monkeypatch, capsys, stdin, *args)
    assert code == 2
    assert out == ""
    assert message in err
    assert "Traceback" not in err


def test_cli_writes_md_to_stdout_and_docx_to_out(monkeypatch, capsys, tmp_path):
    code, out, _ = run_cli(monkeypatch, capsys, json.dumps(FULL), "--kind", "initial", "--format", "md", "--lang", "en")
    assert code == 0 and out.startswith("# Cybersecurity Incident Report (Initial Report)")
    target = tmp_path / "r.docx"
    code, out, _ = run_cli(monkeypatch, capsys, json.dumps(FULL), "--kind", "summary", "--format", "docx", "--out", str(target))
    assert code == 0 and out == ""
    assert "示例科技有限公司" in docx_text(target.read_bytes())


def test_cli_unwritable_out_is_a_clear_error(monkeypatch, capsys, tmp_path):
    code, _, err = run_cli(monkeypatch, capsys, "{}", "--kind", "initial", "--format", "txt", "--out", str(tmp_path / "missing" / "r.txt"))
    assert code == 2 and "cannot write" in err
