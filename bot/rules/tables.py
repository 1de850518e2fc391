"""The law as data: the levels, the three reporting paths of Art. 4 and the grading guide's table.

Everything the deadline rules rest on is here, with its source and how sure we are of it
(../shared/facts/measures.md §2–§5, §7, §8, the facts file beside the project). The functions in this package only read these tables, so a
corrected figure is a one-line change here and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass

OFFICIAL_TEXT_URL = "https://www.cac.gov.cn/2025-09/15/c_1759583017717009.htm"
IN_FORCE = "2025-11-01T00:00:00+08:00"  # the Measures apply to incidents discovered from this moment on [confirmed]

# ------------------------------------------------------------------------------------------------ levels
LEVELS = ("general", "relatively_major", "major", "especially_major")  # lowest first
RANK = {level: rank for rank, level in enumerate(LEVELS)}
REPORTABLE = "relatively_major"  # Art. 4: "属于较大以上网络安全事件的，按以下程序报告"
UPSTREAM = "major"  # upstream escalation applies to 重大 and 特别重大
LEVEL_NAMES = {
    "especially_major": {"zh": "特别重大", "en": "especially major"},
    "major": {"zh": "重大", "en": "major"},
    "relatively_major": {"zh": "较大", "en": "relatively major"},
    "general": {"zh": "一般", "en": "general"},
}
LEVEL_ALIASES = {name["zh"]: key for key, name in LEVEL_NAMES.items()} | {key: key for key in LEVELS}

# ------------------------------------------------------------------------------------------------ parties
RECIPIENTS = {
    "operator": {"zh": "网络运营者（本单位）", "en": "the network operator (you)"},
    "protection_department": {"zh": "保护工作部门", "en": "the CII protection department"},
    "public_security": {"zh": "公安机关", "en": "the public security organ (police)"},
    "state_council_public_security": {"zh": "国务院公安部门", "en": "the State Council's public security department (Ministry of Public Security)"},
    "national_cac": {"zh": "国家网信部门", "en": "the national cyberspace administration (CAC)"},
    "department_cac_office": {"zh": "本部门网信工作机构", "en": "your department's cyberspace-affairs office"},
    "provincial_cac": {"zh": "属地省级网信部门", "en": "the provincial cyberspace administration where you are located"},
    "relevant_departments": {"zh": "有关部门", "en": "the relevant departments"},
    "sector_regulator": {"zh": "行业主管监管部门", "en": "your sector's competent regulator"},
}

KINDS = ("initial", "escalation", "notification", "sector", "crime", "supplement", "summary")
KIND_NAMES = {
    "initial": {"zh": "首次报告", "en": "initial report"},
    "escalation": {"zh": "向上报告", "en": "upstream report"},
    "notification": {"zh": "通报", "en": "notification"},
    "sector": {"zh": "按行业规定报告", "en": "report under your sector's rules"},
    "crime": {"zh": "报案", "en": "report the suspected crime"},
    "supplement": {"zh": "补报", "en": "supplementary report"},
    "summary": {"zh": "总结报告", "en": "summary report"},
}

# ------------------------------------------------------------------------------------------------ sources
# `source` in the assess output is one of these keys (stable, machine-readable); people see the names.
SOURCES = {
    "Measures Art. 4": {"zh": "《国家网络安全事件报告管理办法》第四条", "en": "Measures, Art. 4"},
    "Measures Art. 7": {"zh": "《国家网络安全事件报告管理办法》第七条", "en": "Measures, Art. 7"},
    "Measures Art. 8": {"zh": "《国家网络安全事件报告管理办法》第八条", "en": "Measures, Art. 8"},
    "Grading guide": {"zh": "《网络安全事件分级指南》（《办法》附件）", "en": "Grading guide (attachment to the Measures)"},
    "Sector rules": {"zh": "本行业领域的专门规定（《办法》不要求报告一般事件）", "en": "your sector's own rules (the Measures do not require reporting a general incident)"},
    "Suspected crime": {"zh": "涉嫌违法犯罪时向公安机关报案（《办法》不要求报告一般事件）", "en": "reporting a suspected crime to the police (the Measures do not require reporting a general incident)"},
}

# ------------------------------------------------------------------------------------------------ channels
# Seed Q6 / CAC statement: the CAC's six channels "统一接收网络安全事件报告". [confirmed]
CHANNELS = {
    "zh": (
        "12387网络安全事件报告热线（按语音提示报告）",
        "网络安全事件报告官网 12387.cert.org.cn",
        "微信小程序“12387” → 事件报告",
        "微信公众号“国家互联网应急中心CNCERT” → 事件报告",
        "邮箱 12387@cert.org.cn",
        "传真 010-82992387",
    ),
    "en": (
        "12387 incident-reporting hotline (follow the voice prompts)",
        "website 12387.cert.org.cn",
        "WeChat mini program \"12387\" → 事件报告 (Report an incident)",
        "WeChat official account 国家互联网应急中心CNCERT → 事件报告 (Report an incident)",
        "email 12387@cert.org.cn",
        "fax 010-82992387",
    ),
}


# ------------------------------------------------------------------------------------------------ Art. 4 paths
@dataclass(frozen=True)
class Step:
    """One report along a path: who tells whom, within how long, counted from what."""

    kind: str
    by: str
    to: tuple[str, ...]
    within_minutes: int | None  # None: "及时" with no fixed figure
    source: str = "Measures Art. 4"


@dataclass(frozen=True)
class Path:
    """One row of Art. 4: the operator's own report and what happens upstream for 重大/特别重大."""

    key: str
    initial: Step
    upstream: tuple[Step, ...]  # each counts from the receipt of the operator's report
    uses_cac_channels: bool  # the report goes to a CAC office, which receives it through the 12387 channels


PATHS = (
    Path(
        key="cii",
        initial=Step("initial", "operator", ("protection_department", "public_security"), 60),
        upstream=(Step("escalation", "protection_department", ("national_cac", "state_council_public_security"), 30),),
        uses_cac_channels=False,
    ),
    Path(
        key="central_state_organ",
        initial=Step("initial", "operator", ("department_cac_office",), 120),
        upstream=(
            Step("escalation", "department_cac_office", ("national_cac",), 60),
            # "国家网信部门收到报告后及时向有关部门通报": no fixed figure.
            Step("notification", "national_cac", ("relevant_departments",), None),
        ),
        uses_cac_channels=False,
    ),
    Path(
        key="other",
        initial=Step("initial", "operator", ("provincial_cac",), 240),
        upstream=(
            Step("escalation", "provincial_cac", ("national_cac",), 60),
            # "并同时向同级有关部门通报": at the same time as the report to the national CAC, so the same limit.
            Step("notification", "provincial_cac", ("relevant_departments",), 60),
        ),
        uses_cac_channels=True,
    ),
)
PATH_BY_KEY = {path.key: path for path in PATHS}
SUMMARY_DAYS = 30  # Art. 8 [confirmed]; the 2023 draft's 5 working days is superseded


# ------------------------------------------------------------------------------------------------ grading guide
@dataclass(frozen=True)
class Criterion:
    """One cell of the grading guide: at `level`, `key` ≥ `threshold` (以上 includes the number itself).

    `qualifiers` limits the row to some values of the group's qualifier (portal tier, population region).
    Where the table holds two candidate figures the lower one is used (it grades higher), and the cell's
    confidence is that of the figure used.
    """

    key: str
    level: str
    threshold: float
    unit: str
    source: str
    confidence: str  # confirmed | likely | draft
    qualifiers: tuple[str, ...] = ()


CII_OUTAGE_KEYS = ("cii_whole_outage_minutes", "cii_main_function_outage_minutes")  # apply only where CII is involved
THREAT_DEGREES = {"none": 0, "relatively_serious": 1, "serious": 2, "especially_serious": 3}
PORTAL_TIERS = ("provincial", "central_news", "city", "provincial_news", "county", "enterprise")
POPULATION_REGIONS = ("province", "city")
# What happened, as the grading walk asks it first: each kind is asked only the criteria that can apply to it.
INCIDENT_TYPES = ("data_leak", "ransomware", "outage", "defacement", "other")
# "top": a provincial-or-above party/government portal, a central key news site or a very large platform.
DEFACEMENT_SITES = ("top", "other")


@dataclass(frozen=True)
class CriterionGroup:
    """The rows that read the same grading key, and the key that qualifies them (if any).

    `kind` says what the value is: a figure, a degree (a THREAT_DEGREES name: the user's own judgement of a
    qualitative clause) or a yes/no determination. When the qualifier is absent, `qualifier_absent` is taken
    (None: any qualifier may hold); when it is unknown (null), `qualifier_unknown` is taken and the grade is
    provisional (None: every qualifier is tried, and the level is "at least" the lowest).
    """

    key: str
    name: dict[str, str]
    unit: dict[str, str]
    qualifier_key: str | None = None
    qualifier_values: tuple[str, ...] = ()
    kind: str = "figure"  # figure | degree | determination
    qualifier_absent: str | None = None
    qualifier_unknown: str | None = None


def _defacement(key: str, zh: str, en: str, unit_zh: str, unit_en: str) -> CriterionGroup:
    return CriterionGroup(key, {"zh": zh, "en": en}, {"zh": unit_zh, "en": unit_en}, "defacement_site", DEFACEMENT_SITES,
                          qualifier_absent="other", qualifier_unknown="top")


def _degree(key: str, zh: str, en: str) -> CriterionGroup:
    return CriterionGroup(key, {"zh": zh, "en": en}, {"zh": "", "en": ""}, kind="degree")


GROUPS = (
    CriterionGroup("personal_info_people", {"zh": "公民个人信息泄露人数", "en": "people whose personal information leaked"}, {"zh": "人", "en": "people"}),
    CriterionGroup("direct_loss_yuan", {"zh": "直接经济损失", "en": "direct economic loss"}, {"zh": "元", "en": "yuan"}),
    _degree("data_threat", "核心数据或重要数据泄露、窃取、篡改、假冒造成的威胁", "threat from core or important data leaked, stolen, tampered with or forged"),
    _degree("personal_info_threat", "大量公民个人信息丢失、被窃取、篡改、假冒对国家安全和社会稳定的威胁",
            "threat to national security and social stability from large amounts of citizens' personal information lost, stolen, tampered with or forged"),
    _degree("system_loss", "信息系统遭受的系统损失", "loss suffered by the information system"),
    _degree("other_threat", "对国家安全、社会秩序、经济建设和公众利益的其他威胁", "other threat to national security, public order, the economy or the public interest"),
    CriterionGroup("cii_whole_outage_minutes", {"zh": "关键信息基础设施整体中断运行", "en": "whole CII outage"}, {"zh": "分钟", "en": "minutes"}),
    CriterionGroup("cii_main_function_outage_minutes", {"zh": "关键信息基础设施主要功能中断运行", "en": "outage of the CII's main functions"}, {"zh": "分钟", "en": "minutes"}),
    CriterionGroup("people_services_affected", {"zh": "水电气油、供暖、交通等生活服务受影响人数", "en": "people whose water, power, gas, oil, heating, transport or similar services were affected"}, {"zh": "人", "en": "people"}),
    CriterionGroup("portal_outage_hours", {"zh": "党政机关门户网站或重点新闻网站无法访问", "en": "party/government portal or key news site unreachable"}, {"zh": "小时", "en": "hours"}, "portal_tier", PORTAL_TIERS),
    CriterionGroup("population_share_pct", {"zh": "受影响人口占比", "en": "share of the population affected"}, {"zh": "%", "en": "%"}, "population_region", POPULATION_REGIONS),
    _defacement("defacement_homepage_hours", "网页被篡改传播违法有害信息：在首页传播时长", "defacement spreading illegal or harmful content: time on the homepage", "小时", "hours"),
    _defacement("defacement_other_page_hours", "网页被篡改传播违法有害信息：在其他页面传播时长", "defacement spreading illegal or harmful content: time on other pages", "小时", "hours"),
    _defacement("defacement_shares", "网页被篡改传播违法有害信息：转发量", "defacement spreading illegal or harmful content: times shared", "次", "shares"),
    _defacement("defacement_views", "网页被篡改传播违法有害信息：浏览量", "defacement spreading illegal or harmful content: times viewed", "次", "views"),
    CriterionGroup("defacement_determined", {"zh": "省级以上网信部门或公安机关认定为特别重大", "en": "determined especially major by a provincial-or-above cyberspace administration or public security organ"},
                   {"zh": "", "en": ""}, kind="determination"),
)
GROUP_BY_KEY = {group.key: group for group in GROUPS}

_ALL_PORTALS = PORTAL_TIERS
_CITY_OR_ABOVE = ("provincial", "central_news", "city", "provincial_news")
# A share of a province's population is a population-weighted mean of its cities' shares, so "≥ X% of a
# province" implies "≥ X% of at least one city": the city thresholds apply to province figures too.
_PROVINCE_OR_CITY = ("province", "city")
# The 重大/较大 defacement figures (2023 draft) name no kind of site: they apply to every site (conservative).
_ANY_SITE = DEFACEMENT_SITES
_SERIOUS, _VERY, _ESPECIALLY = (THREAT_DEGREES[d] for d in ("relatively_serious", "serious", "especially_serious"))


def _degrees(key: str, name: str, confidences: tuple[str, str, str]) -> tuple[Criterion, ...]:
    """The three rows of a qualitative clause: 特别严重 → 特别重大, 严重 → 重大, 较严重 → 较大."""
    return tuple(
        Criterion(key, level, degree, "degree", f"Grading guide, {zh}: {name}", confidence)
        for level, zh, degree, confidence in zip(
            ("especially_major", "major", "relatively_major"), ("特别重大", "重大", "较大"), (_ESPECIALLY, _VERY, _SERIOUS), confidences
        )
    )


def _defacement_rows(key: str, name: str, thresholds: tuple[float, float, float]) -> tuple[Criterion, ...]:
    top, major, relatively_major = thresholds
    source = f"Grading guide, {{}}: defacement spreading illegal or harmful content ({name})"
    return (
        Criterion(key, "especially_major", top, _UNIT[key], source.format("特别重大"), "confirmed", ("top",)),
        Criterion(key, "major", major, _UNIT[key], source.format("重大") + " (2023 draft figure, any site)", "draft", _ANY_SITE),
        Criterion(key, "relatively_major", relatively_major, _UNIT[key], source.format("较大") + " (2023 draft figure, any site)", "draft", _ANY_SITE),
    )


_UNIT = {"defacement_homepage_hours": "hours", "defacement_other_page_hours": "hours", "defacement_shares": "times", "defacement_views": "times"}

CRITERIA = (
    Criterion("personal_info_people", "especially_major", 100_000_000, "people", "Grading guide, 特别重大: citizens' personal information", "confirmed"),
    Criterion("personal_info_people", "major", 10_000_000, "people", "Grading guide, 重大: citizens' personal information", "confirmed"),
    Criterion("personal_info_people", "relatively_major", 1_000_000, "people", "Grading guide, 较大: citizens' personal information", "confirmed"),
    Criterion("direct_loss_yuan", "especially_major", 100_000_000, "yuan", "Grading guide, 特别重大: direct economic loss", "confirmed"),
    Criterion("direct_loss_yuan", "major", 20_000_000, "yuan", "Grading guide, 重大: direct economic loss", "likely"),
    Criterion("direct_loss_yuan", "relatively_major", 5_000_000, "yuan", "Grading guide, 较大: direct economic loss", "likely"),
    *_degrees("data_threat", "core or important data", ("confirmed", "likely", "confirmed")),
    # "重要数据、较大量公民个人信息丢失或被窃取、篡改、假冒，对国家安全和社会稳定构成较严重威胁" (较大, verbatim); the
    # 重大 tier is worded like the data clause's, whose serious-threat figure is [likely].
    *_degrees("personal_info_threat", "large amounts of citizens' personal information", ("confirmed", "likely", "confirmed")),
    *_degrees("system_loss", "system loss", ("confirmed", "confirmed", "confirmed")),
    *_degrees("other_threat", "other threats", ("confirmed", "confirmed", "confirmed")),
    Criterion("cii_whole_outage_minutes", "especially_major", 360, "minutes", "Grading guide, 特别重大: CII outage", "confirmed"),
    Criterion("cii_whole_outage_minutes", "major", 120, "minutes", "Grading guide, 重大: CII outage (2023 draft figure)", "draft"),
    Criterion("cii_whole_outage_minutes", "relatively_major", 10, "minutes", "Grading guide, 较大: CII outage", "likely"),
    Criterion("cii_main_function_outage_minutes", "especially_major", 1440, "minutes", "Grading guide, 特别重大: CII outage", "confirmed"),
    Criterion("cii_main_function_outage_minutes", "major", 360, "minutes", "Grading guide, 重大: CII outage (2023 draft figure)", "draft"),
    Criterion("cii_main_function_outage_minutes", "relatively_major", 30, "minutes", "Grading guide, 较大: CII outage", "likely"),
    Criterion("people_services_affected", "especially_major", 10_000_000, "people", "Grading guide, 特别重大: essential services", "confirmed"),
    Criterion("people_services_affected", "major", 1_000_000, "people", "Grading guide, 重大: essential services (2023 draft figure)", "draft"),
    Criterion("people_services_affected", "relatively_major", 100_000, "people", "Grading guide, 较大: essential services (2023 draft figure)", "draft"),
    Criterion("portal_outage_hours", "especially_major", 24, "hours", "Grading guide, 特别重大: portal or news site unreachable", "confirmed", ("provincial", "central_news")),
    Criterion("portal_outage_hours", "major", 6, "hours", "Grading guide, 重大: portal or news site unreachable", "likely", _CITY_OR_ABOVE),
    # "city-or-above portal (and enterprise/institution portals?)": the conservative reading takes every tier.
    Criterion("portal_outage_hours", "relatively_major", 2, "hours", "Grading guide, 较大: portal or news site unreachable", "likely", _ALL_PORTALS),
    Criterion("population_share_pct", "especially_major", 50, "percent", "Grading guide, 特别重大: population affected", "confirmed", ("province",)),
    Criterion("population_share_pct", "major", 30, "percent", "Grading guide, 重大: population affected (2023 draft figure, the lower candidate)", "draft", _PROVINCE_OR_CITY),
    Criterion("population_share_pct", "relatively_major", 10, "percent", "Grading guide, 较大: population affected (2023 draft figure, the lower candidate)", "draft", _PROVINCE_OR_CITY),
    *_defacement_rows("defacement_homepage_hours", "homepage", (6, 2, 0.5)),
    *_defacement_rows("defacement_other_page_hours", "other pages", (24, 12, 2)),
    *_defacement_rows("defacement_shares", "shares", (100_000, 10_000, 1_000)),
    *_defacement_rows("defacement_views", "views", (1_000_000, 100_000, 10_000)),
    Criterion("defacement_determined", "especially_major", 1, "determination", "Grading guide, 特别重大: so determined by a provincial-or-above cyberspace administration or public security organ", "confirmed"),
)

GRADING_KEYS = tuple(dict.fromkeys([group.key for group in GROUPS] + [g.qualifier_key for g in GROUPS if g.qualifier_key]))
