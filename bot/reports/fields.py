"""The fields of each report kind, as data: labels, sections and their order.

One table serves the renderer (section titles, item labels), the report conversation (what to ask, in which
order, and which item a user means by "3" or "原因") and the fact validator (which keys exist). The order of
the initial report follows the Measures' list of contents (facts §4, items 1–8); the summary report follows
Art. 8 (cause, response, harm, accountability, remediation, lessons); the supplement refers back to the
initial report, updates item 2 and carries items 3–8.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["initial", "supplement", "summary"]
KINDS: tuple[Kind, ...] = ("initial", "supplement", "summary")

ValueType = Literal["text", "time", "level", "contact", "ransom", "initial_report", "timeline"]


@dataclass(frozen=True)
class Field:
    """One fact a report can state. `aliases` are extra words a user may type to name it when editing."""

    key: str
    label: dict[str, str]
    value_type: ValueType = "text"
    aliases: tuple[str, ...] = ()
    short: dict[str, str] | None = None  # a button label, where the label is long

    def button(self, lang: str) -> str:
        return (self.short or self.label)[lang]


@dataclass(frozen=True)
class SectionSpec:
    """One numbered item of a report: a title and the fields it shows, in order."""

    number: int
    title: dict[str, str]
    short: dict[str, str]  # a button label
    fields: tuple[str, ...]


def _field(key: str, zh: str, en: str, value_type: ValueType = "text", aliases: tuple[str, ...] = (), short: tuple[str, str] | None = None) -> Field:
    return Field(key, {"zh": zh, "en": en}, value_type, aliases, {"zh": short[0], "en": short[1]} if short else None)


FIELDS: dict[str, Field] = {
    f.key: f
    for f in (
        _field("organization", "单位名称", "Organisation", aliases=("单位", "公司", "organization", "company")),
        _field(
            "system",
            "受影响的设施、系统或平台及其基本情况",
            "Affected facility, system or platform",
            aliases=("系统", "设施", "平台", "system", "platform", "facility"),
            short=("受影响系统", "Affected system"),
        ),
        _field(
            "contact",
            "联系人及联系方式",
            "Contact",
            "contact",
            ("联系人", "联系方式", "电话", "邮箱", "contact", "phone", "email"),
            ("联系人", "Contact"),
        ),
        _field("discovered_at", "发现时间", "Discovered at", "time", ("发现", "discovered", "discovery")),
        _field("occurred_at", "发生时间", "Occurred at", "time", ("发生", "occurred")),
        _field("location", "发生地点", "Location", aliases=("地点", "位置", "location", "where")),
        _field("type", "事件类型", "Incident type", aliases=("类型", "type")),
        _field("level", "事件级别", "Level", "level", ("级别", "等级", "分级", "level", "grade")),
        _field("impact", "已造成的影响和危害", "Impact and harm so far", aliases=("影响", "危害", "impact"), short=("影响和危害", "Impact")),
        _field(
            "measures",
            "已采取的措施及效果",
            "Measures taken and their effect",
            aliases=("已采取", "措施", "measures"),
            short=("已采取措施", "Measures taken"),
        ),
        _field("ransom", "勒索情况", "Ransom demanded", "ransom", ("勒索", "赎金", "ransom"), ("勒索情况", "Ransom")),
        _field(
            "trend",
            "事态发展趋势及可能造成的进一步影响和危害",
            "Likely development and further impact or harm",
            aliases=("趋势", "发展", "trend", "development"),
            short=("发展趋势", "Trend"),
        ),
        _field("cause", "事件原因初步分析", "Preliminary analysis of the cause", aliases=("原因", "cause"), short=("原因", "Cause")),
        _field(
            "leads",
            "溯源线索（可能的攻击者信息、攻击路径、利用的漏洞等）",
            "Leads for tracing the source (possible attacker, attack path, vulnerabilities exploited)",
            aliases=("线索", "溯源", "攻击者", "漏洞", "leads", "attacker", "vulnerability"),
            short=("溯源线索", "Leads"),
        ),
        _field(
            "next_steps",
            "拟进一步采取的应对措施",
            "Further response measures planned",
            aliases=("下一步", "拟采取", "后续", "next steps", "plan"),
            short=("后续措施", "Next steps"),
        ),
        _field("support_requested", "请求支援事项", "Support requested", aliases=("支援", "支持", "support", "help"), short=("请求支援", "Support")),
        _field(
            "scene_preservation",
            "现场保护情况",
            "Preservation of the scene (evidence)",
            aliases=("现场", "证据", "scene", "evidence"),
            short=("现场保护", "Scene"),
        ),
        _field("other", "其他应当报告的情况", "Anything else to report", aliases=("其他", "other"), short=("其他", "Other")),
        _field("handling_ended_at", "处置结束时间", "Handling ended at", "time", ("处置结束", "结束", "handling ended", "ended")),
        _field("response", "应急处置措施", "Response measures", aliases=("应急处置", "处置", "response")),
        _field("harm", "造成的危害", "Harm done", aliases=("危害", "损失", "harm", "damage")),
        _field("accountability", "责任认定与处理", "Accountability", aliases=("责任", "追责", "accountability"), short=("责任", "Accountability")),
        _field("remediation", "整改措施", "Remediation", aliases=("整改", "remediation")),
        _field("lessons", "经验教训", "Lessons learned", aliases=("教训", "经验", "lessons")),
        # The addressee as the user names it ("XX省网信办"); without one the report names the path's body.
        _field(
            "addressee",
            "报送单位（主送机关）",
            "Addressee",
            aliases=("报送单位", "主送", "主送机关", "收件单位", "抬头", "addressee", "recipient"),
            short=("报送单位", "Addressee"),
        ),
        _field("late_reason", "迟报原因", "Reason the report is late", aliases=("迟报", "迟报原因", "超时原因", "late", "delay"), short=("迟报原因", "Late reason")),
        _field(
            "initial_report",
            "首报情况",
            "The initial report",
            "initial_report",
            ("首报时间", "首报情况", "initial report"),
            ("首报情况", "Initial report"),
        ),
        _field("timeline", "事件处置经过（时间线）", "Timeline of the handling", "timeline", ("时间线", "处置经过", "经过", "timeline")),
        _field("reported_at", "报告时间", "Report time", "time"),
    )
}

CONTACT_PARTS: dict[str, dict[str, str]] = {
    "name": {"zh": "联系人", "en": "Name"},
    "phone": {"zh": "电话", "en": "Phone"},
    "email": {"zh": "邮箱", "en": "Email"},
}

RANSOM_PARTS: dict[str, dict[str, str]] = {
    "amount": {"zh": "勒索金额", "en": "Ransom amount"},
    "method": {"zh": "勒索方式", "en": "Ransom method"},
    "date": {"zh": "勒索时间", "en": "Ransom date"},
}

# A supplementary report says when and to whom the initial report was made (channel and reference if known).
INITIAL_REPORT_PARTS: dict[str, dict[str, str]] = {
    "at": {"zh": "首报时间", "en": "Initial report made at"},
    "to": {"zh": "首报报送单位", "en": "Initial report made to"},
    "channel": {"zh": "首报渠道", "en": "Initial report channel"},
    "reference": {"zh": "首报受理编号", "en": "Initial report reference"},
}
# Always shown (the marker where unknown); the channel and the reference only when given.
INITIAL_REPORT_SHOWN = ("at", "to")
TIMELINE_KEYS = frozenset({"at", "text"})

_ITEMS_3_TO_8 = (
    SectionSpec(3, FIELDS["trend"].label, {"zh": "发展趋势", "en": "Trend"}, ("trend",)),
    SectionSpec(4, FIELDS["cause"].label, {"zh": "原因", "en": "Cause"}, ("cause",)),
    SectionSpec(5, FIELDS["leads"].label, {"zh": "溯源线索", "en": "Leads"}, ("leads",)),
    SectionSpec(
        6,
        {"zh": "拟进一步采取的应对措施及请求支援事项", "en": "Further measures planned and support requested"},
        {"zh": "后续措施", "en": "Next steps"},
        ("next_steps", "support_requested"),
    ),
    SectionSpec(7, FIELDS["scene_preservation"].label, {"zh": "现场保护", "en": "Scene"}, ("scene_preservation",)),
    SectionSpec(8, FIELDS["other"].label, {"zh": "其他", "en": "Other"}, ("other",)),
)

SECTIONS: dict[Kind, tuple[SectionSpec, ...]] = {
    "initial": (
        SectionSpec(
            1,
            {"zh": "单位名称及受影响设施、系统或平台的基本情况", "en": "Organisation and the affected facility, system or platform"},
            {"zh": "单位与系统", "en": "Organisation"},
            ("organization", "system"),
        ),
        SectionSpec(
            2,
            {
                "zh": "事件发现或发生的时间、地点，事件类型、级别，已造成的影响和危害，已采取的措施及效果",
                "en": "Time and place, type and level, impact and harm so far, measures taken and their effect",
            },
            {"zh": "事件情况", "en": "Incident"},
            ("discovered_at", "occurred_at", "location", "type", "level", "impact", "measures", "ransom"),
        ),
        *_ITEMS_3_TO_8,
    ),
    "supplement": (
        SectionSpec(
            1,
            {"zh": "所补报事件（见首报）", "en": "The incident (as in the initial report)"},
            {"zh": "事件信息", "en": "Incident"},
            ("organization", "system", "discovered_at", "occurred_at", "location", "type", "level", "initial_report"),
        ),
        SectionSpec(
            2,
            {"zh": "最新进展：影响和危害、已采取的措施及效果", "en": "Update: impact and harm, measures taken and their effect"},
            {"zh": "最新进展", "en": "Update"},
            ("impact", "measures", "ransom"),
        ),
        *_ITEMS_3_TO_8,
    ),
    "summary": (
        SectionSpec(
            1,
            {"zh": "事件概况", "en": "The incident"},
            {"zh": "事件概况", "en": "Incident"},
            ("organization", "system", "discovered_at", "occurred_at", "type", "level", "ransom", "handling_ended_at"),
        ),
        SectionSpec(2, {"zh": "事件原因", "en": "Cause"}, {"zh": "原因", "en": "Cause"}, ("cause",)),
        SectionSpec(3, FIELDS["response"].label, {"zh": "处置措施", "en": "Response"}, ("response",)),
        SectionSpec(4, FIELDS["harm"].label, {"zh": "危害", "en": "Harm"}, ("harm",)),
        SectionSpec(5, FIELDS["accountability"].label, {"zh": "责任", "en": "Accountability"}, ("accountability",)),
        SectionSpec(6, FIELDS["remediation"].label, {"zh": "整改", "en": "Remediation"}, ("remediation",)),
        SectionSpec(7, FIELDS["lessons"].label, {"zh": "经验教训", "en": "Lessons"}, ("lessons",)),
        SectionSpec(8, FIELDS["timeline"].label, {"zh": "时间线", "en": "Timeline"}, ("timeline",)),
    ),
}
# The item a report gets when its own deadline has passed at the report time (numbered after the others).
LATE_SECTION = SectionSpec(0, FIELDS["late_reason"].label, {"zh": "迟报原因", "en": "Late reason"}, ("late_reason",))


def sections_of(kind: Kind, late: bool) -> tuple[SectionSpec, ...]:
    """The numbered items of a report of `kind`; a late one ends with the reason it is late."""
    specs = SECTIONS[kind]
    if not late:
        return specs
    return (*specs, SectionSpec(len(specs) + 1, LATE_SECTION.title, LATE_SECTION.short, LATE_SECTION.fields))

KIND_NAMES: dict[Kind, dict[str, str]] = {
    "initial": {"zh": "首报", "en": "initial report"},
    "supplement": {"zh": "续报", "en": "supplementary report"},
    "summary": {"zh": "总结报告", "en": "summary report"},
}

MISSING = {"zh": "待补报", "en": "to be supplemented"}

# The words of the document around the items (addressee, signature) and of the internal matter beside it.
HEADER_LABELS: dict[str, dict[str, str]] = {
    "addressee": {"zh": "主送单位", "en": "To"},
    "organization": {"zh": "报告单位（盖章）", "en": "Reporting organisation (seal)"},
    "contact_name": {"zh": "联系人", "en": "Contact person"},
    "contact_phone": {"zh": "联系电话", "en": "Phone"},
    "contact_email": {"zh": "电子邮箱", "en": "Email"},
    "reported_at": {"zh": "报告时间", "en": "Date"},
    "basis": {"zh": "定级依据", "en": "basis"},
    "internal": {"zh": "供你参考（不写入报告）：", "en": "For you (not part of the report):"},
    "recipients": {"zh": "报送对象及时限", "en": "Recipients and deadlines"},
    "channels": {"zh": "报送渠道", "en": "Channels"},
    "notes": {"zh": "注意", "en": "Note"},
}

# The body a report is addressed to when the user names none: the recipients of the report's duty, as the
# operator writes them (Art. 4's three paths; the sector regulator and the police for the reports beside them).
ADDRESSEES: dict[str, dict[str, str]] = {
    "provincial_cac": {"zh": "属地省级网信部门", "en": "the provincial cyberspace administration"},
    "department_cac_office": {"zh": "本部门网信工作机构", "en": "the cyberspace-affairs office of our department"},
    "protection_department": {"zh": "保护工作部门", "en": "the CII protection department"},
    "public_security": {"zh": "公安机关", "en": "the public security organ"},
    "sector_regulator": {"zh": "行业主管监管部门", "en": "the competent sector regulator"},
}

# Words in an incident type that mark ransomware: the ransom item then appears, marked where still missing.
RANSOM_WORDS = ("勒索", "ransom")

CONTACT_KEYS = frozenset(CONTACT_PARTS)
RANSOM_KEYS = frozenset(RANSOM_PARTS)
INITIAL_REPORT_KEYS = frozenset(INITIAL_REPORT_PARTS)
# Every top-level fact key of the command-line contract; "assessment" carries the input of `assess`.
FACT_KEYS = frozenset(FIELDS) | {"assessment"}
# Facts shown as several items or lines of their own, never as one display text.
COMPOUND = frozenset({"ransom", "initial_report", "timeline"})

