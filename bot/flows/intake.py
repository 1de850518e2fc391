"""The facts an incident description already states, read into the assessment's answers.

A first message ("我们是一家连锁药店，今早7点发现会员库被拖，四十多万会员的手机号和地址泄露"), a pasted paragraph, or an
answer that says more than was asked fills every answer it states, so that the assessment asks only what is still
missing. Each fact is read from the clause that states it (a clause that is a question states nothing), with the
same readers the questions use; the user sees what was read, in one message, before the next question.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from bot.flows import typed
from bot.rules.grading import grade
from bot.rules.tables import RANK
from bot.flows.readers import QUESTION, UNKNOWN, duration_in, implied_yes_no, incident_type_in, level_in, portal_tier_in, read_amount, time_in

_CLAUSES = re.compile(r"(?:[，,。；;！!？?\n]|\.\s|:\s|(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff\d]))+")  # "3.2 million" keeps its point; "…body). At 2:10" splits
_MAX_CLAUSES = 40  # a pasted page is read for its first facts, not parsed whole

_CII_TERMS = re.compile(r"关基|关键信息基础设施|\bcii\b|critical information infrastructure")
_DISCOVERY = re.compile(r"发现|获知|发觉|察觉|注意到|收到告警|告警|discovered|noticed|found|detected|spotted|alerted")
_DATA = re.compile(
    r"信息|数据|资料|会员|用户|客户|手机号|电话|姓名|身份证|记录|患者|病人|学生|员工|邮箱|地址|泄露|外泄|"
    r"data|database|records?|customers?|users?|members?|patients?|personal|employees?|guests?|names|e-?mails?|phone|accounts?|leak"
)
_VIEWS = re.compile(r"浏览|阅读|访问量|点击|views?|viewed|hits")
_SHARES = re.compile(r"转发|分享|转载|shares?|shared|reposted")
_HOMEPAGE = re.compile(r"首页|主页|homepage|home page|front page")
_OTHER_PAGE = re.compile(r"其他页面|子页面|内页|other pages?|subpages?")
_UNSURE_OF_IT = re.compile(r"不确定|不知道|不清楚|说不准|是不是|算不算|not sure|unsure|don't know|no idea")
_RANSOM = re.compile(r"赎金|勒索|要价|ransom|demand")
_MAIN_FUNCTIONS = re.compile(r"主要功能|核心功能|main functions?|core functions?")
_WHOLE = re.compile(r"整体|全部|全面|整个系统|全系统|whole|entire|completely down|fully down")
_SITE = re.compile(r"门户|网站|官网|portal|website|site")
_DEFACED = re.compile(r"篡改|黑页|被改|挂马|deface")
def facts_in(text: str, now: datetime) -> dict[str, Any]:
    """The assessment answers `text` states, in the shape of the `assess` input (grading keys under "grading").

    What happened and any grading figure are kept ("incident_type", "grading") for the grading walk, which then
    asks only the criteria still open; the level question itself is still asked, as the user may know the level.
    """
    answers: dict[str, Any] = {}
    grading: dict[str, Any] = {}
    text = typed(text)  # 繁體, full width and case folded once: every pattern below is in simplified lower case
    clauses = [c.strip() for c in _CLAUSES.split(text)[:_MAX_CLAUSES] if c.strip()]
    for clause in clauses:
        if QUESTION.search(clause):
            continue
        _yes_no(answers, clause)
        _time(answers, clause, now)
        _figures(grading, clause, text)
    level = next((v for v in map(level_in, clauses) if v is not UNKNOWN and v != "grade"), None)
    kind = incident_type_in(text)
    if level is not None:
        answers["level"] = level
    elif kind is not None or grading:  # the level is still asked (the user may know it); "grade it" then starts here
        answers.update(grading=grading, incident_type=kind or "other")
        if RANK[grade(grading).known] >= RANK["relatively_major"]:
            answers["level"] = None  # a figure said already settles 较大 or more: the walk asks only what could raise it
    return answers


_OWN = re.compile(r"我们|我司|我单位|我院|我校|我行|我局|本单位|本公司|\b(?:we|our|us|we're|we've|i'm)\b")
# Something that happened, now: "打瘫了", "现在还打不开", "昨晚10点20发现的", "it's been down for five hours".
_HAPPENED = re.compile(
    r"了|刚刚|刚才|现在|正在|目前|已经|昨晚|昨天|今天|今早|凌晨|早高峰|发现|还没恢复|出问题|有人|被人|"
    r"\b(?:now|just|currently|this morning|yesterday|last night|has been|have been|it's been|was|were|got|someone|somebody)\b"
)
# A question about incidents in general ("网站被篡改多久算重大", "how many views make it major").
_GENERAL = re.compile(r"多久算|算不算|算几级|算什么|什么是|是否属于|哪些|怎么算|怎样算|\b(?:how long|what counts|how many|what is|what are)\b")


_INCIDENT = re.compile(r"事件|攻击|入侵|被黑|中毒|病毒|异常|\b(?:incident|attack|attacked|hacked|breach|breached|intrusion|compromised|tampered|malware|virus)\b")


def describes_own_incident(text: str) -> bool:
    """Whether `text` tells of the user's own incident ("我们官网首页被篡改了…", "市政府门户网站被DDoS打瘫了，现在还
    打不开"), not a question about incidents in general ("网站被篡改多久算重大"): it says what happened, in the
    first person or as something that happened just now."""
    folded = typed(text)
    kind = incident_type_in(folded)
    own = _OWN.search(folded)
    if (_GENERAL.search(folded) and not own) or (kind is None and not _INCIDENT.search(folded)):
        return False  # a question about incidents in general, or no incident told at all
    if kind in (None, "other"):  # something happened to us, of no kind named ("someone tampered with our routing")
        return bool(own and _HAPPENED.search(folded))
    return bool(own or _HAPPENED.search(folded))


def _yes_no(answers: dict[str, Any], clause: str) -> None:
    """CII only when the clause names it; the operator type and a suspected crime from what the clause implies.
    Only a definite yes or no is kept: a doubt in a description may be about something else."""
    if "cii" not in answers and _CII_TERMS.search(clause):
        if _UNSURE_OF_IT.search(clause):  # "我们是不是关基我也不确定": unsure is an answer (the CII path is met too)
            answers["cii"] = None
        else:
            _keep(answers, "cii", implied_yes_no("cii", clause, described=True))
    for topic in ("central_state_organ", "suspected_crime"):
        if topic not in answers:
            _keep(answers, topic, implied_yes_no(topic, clause, described=True))


def _keep(answers: dict[str, Any], key: str, value: Any) -> None:
    if isinstance(value, bool):
        answers[key] = value


def _time(answers: dict[str, Any], clause: str, now: datetime) -> None:
    """The discovery time: from a clause that says "发现/discovered", or the first past time anywhere."""
    if "discovered_at" in answers and not _DISCOVERY.search(clause):
        return
    moment = time_in(clause, now)
    if moment is not None and moment <= now:
        answers["discovered_at"] = moment.isoformat(timespec="seconds")


def _figures(grading: dict[str, Any], clause: str, text: str) -> None:
    """Grading figures: people whose data leaked, the loss in yuan, a defaced page's time online, views, shares."""
    defaced = _DEFACED.search(text) or (_HOMEPAGE.search(text) and incident_type_in(text) == "defacement")
    minutes = duration_in(clause)
    if minutes is not None:  # "挂了3个小时" is a time, not three of anything
        if defaced and _OTHER_PAGE.search(clause):
            grading.setdefault("defacement_other_page_hours", minutes / 60)
        elif defaced and _HOMEPAGE.search(text):
            grading.setdefault("defacement_homepage_hours", minutes / 60)
        elif _MAIN_FUNCTIONS.search(clause):
            grading.setdefault("cii_main_function_outage_minutes", minutes)  # "主要功能中断约45分钟"
        elif _WHOLE.search(clause):
            grading.setdefault("cii_whole_outage_minutes", minutes)
        elif not defaced and _SITE.search(text) and incident_type_in(text) == "outage":
            grading.setdefault("portal_outage_hours", minutes / 60)  # "门户网站…打不开五个小时了"
            tier = portal_tier_in(text)
            if isinstance(tier, str):
                grading.setdefault("portal_tier", tier)
        return
    amount = read_amount(clause)
    if amount is None:
        return
    if amount.unit == "money" and not _RANSOM.search(clause):  # a ransom demanded is no loss suffered
        grading.setdefault("direct_loss_yuan", amount.value)
    elif _VIEWS.search(clause) and amount.unit in (None, "count", "people"):
        grading.setdefault("defacement_views", amount.value)
    elif _SHARES.search(clause) and amount.unit in (None, "count", "people"):
        grading.setdefault("defacement_shares", amount.value)
    elif (amount.unit == "people" and _DATA.search(text)) or (amount.unit is None and _DATA.search(clause)):
        grading.setdefault("personal_info_people", amount.value)  # "大概一百二十多万条" after "学生信息被人挂到网上卖了"
