"""Readers of answers as people type them, shared by the conversations: yes/no/unsure (with an explanation
after it, or only implied), levels, counts and amounts inside sentences, durations, what happened.

Each reader is a pure function of the text; UNKNOWN means "this is not an answer" (perhaps a question, which
the knowledge base then takes). Every pattern here is linear in the length of the text: no nested repetition.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Iterable, Protocol

from bot.flows import typed
from bot.numerals import chinese_number
from bot.rules.tables import LEVEL_NAMES, LEVELS
from bot.timetext import parse_duration, parse_time
from bot.timeutil import to_shanghai

UNKNOWN = object()  # a typed text that is not an answer to the question

YES = ("是", "是的", "对", "有", "涉及", "属于", "yes", "y", "yeah", "yep")
NO = ("否", "不是", "不", "没有", "无", "不涉及", "不属于", "no", "n", "nope", "none")
UNSURE = (
    "不确定", "不确订", "不太确定", "不知道", "不清楚", "不太清楚", "不晓得", "说不准", "说不好", "不好说",
    "unsure", "not sure", "not certain", "uncertain", "dont know", "don't know", "i don't know", "i dont know",
    "idk", "dunno", "no idea", "unknown", "?", "maybe", "possibly", "perhaps", "可能", "也许", "或许",
)
GRADE_WORDS = ("帮我定级", "帮我判断级别", "帮我判断", "grade it for me", "help me grade it")  # at the level question, as 帮我分级
NONE_WORDS = ("没有", "没", "无", "none", "no", "nope", "zero")  # at a number question: the "none, or below …" button
_MULTIPLIERS = {"万亿": 1e12, "千万": 1e7, "百万": 1e6, "十万": 1e5, "万": 1e4, "亿": 1e8, "千": 1e3, "k": 1e3, "w": 1e4,
                "thousand": 1e3, "m": 1e6, "million": 1e6, "mn": 1e6, "billion": 1e9, "bn": 1e9, "b": 1e9}
FOREIGN = "foreign"  # a sum in a currency other than yuan: never converted, there is no exchange rate here
_PEOPLE = (
    "人", "个人", "个", "位", "名", "条", "户", "用户", "客户", "people", "persons", "person", "users", "user", "customers", "customer",
    "records", "record", "accounts", "account", "individuals", "individual", "guests", "employees", "patients", "members", "students",
    "residents", "households", "笔", "筆", "位用户", "名用户",
)
_MONEY = ("元", "块", "块钱", "人民币", "元人民币", "yuan", "rmb", "cny")
_FOREIGN_MONEY = (
    "美元", "美金", "欧元", "港币", "港元", "日元", "英镑", "usd", "dollars", "dollar", "eur", "euros", "euro", "hkd", "gbp", "jpy",
)
_COUNTS = ("次", "人次", "次浏览", "次转发", "次阅读", "浏览", "转发", "阅读", "times", "views", "shares", "reads", "hits")
_UNITS = {
    **dict.fromkeys(_PEOPLE, "people"), **dict.fromkeys(_MONEY, "money"), **dict.fromkeys(_FOREIGN_MONEY, FOREIGN),
    **dict.fromkeys(_COUNTS, "count"), "%": "percent", "percent": "percent",
}
_CURRENCIES = {"¥": "money", "rmb": "money", "cny": "money", "$": FOREIGN, "us$": FOREIGN, "usd": FOREIGN, "hk$": FOREIGN,
               "hkd": FOREIGN, "€": FOREIGN, "eur": FOREIGN, "£": FOREIGN, "gbp": FOREIGN, "jpy": FOREIGN}


def _either(words: Iterable[str]) -> str:
    return "|".join(sorted(map(re.escape, words), key=len, reverse=True))


_PARTS = (
    rf"(?P<currency>{_either(_CURRENCIES)})?\s*"
    r"(?P<n>\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千]+)\s*(?:来|余|多)?"
    rf"(?P<mult>{_either(_MULTIPLIERS)})?(?:(?P<rest>[零〇一二两三四五六七八九十百千]+)(?P<rest_mult>万)?)?\s*"
    rf"(?:多)?(?P<unit>{_either(_UNITS)})?"
)
_AMOUNT = re.compile(
    r"^(?:约|大约|大概|超过|至少|近|about|around|roughly|over|at least|more than|approximately|~)?\s*" + _PARTS + "$", re.ASCII
)
# Inside a sentence ("约300万条用户数据", "3 million customers' data", "大概300万吧"), an amount counts only with its
# unit, currency or a magnitude word: a bare number there may be anything (a phone number, a year).
_IN_SENTENCE = re.compile(r"(?<![\d.a-z第])" + _PARTS + r"(?![a-z民])", re.ASCII)  # "第一人民医院" counts no one  # "٣٠٠" is no number here
# A question, not an answer: "没什么损失" and "也不是什么机关" are statements, "什么时候要报" is not.
QUESTION = re.compile(r"[?？]|吗|什么时候|为什么|什么是|(?<![不没])是什么|什么意思|怎么|是否|要不要|多久|几点|\b(?:what|how|why|should|must|do i|does|when)\b")
_FOREIGN_WORD = re.compile(rf"{_either(w for w in _FOREIGN_MONEY if not w.isascii())}|\b(?:{_either(w for w in _FOREIGN_MONEY if w.isascii())})\b|[$€£]")


@dataclass(frozen=True)
class Amount:
    value: float
    unit: str | None  # "people", "money", "percent", FOREIGN, or None for a bare number


def read_amount(text: str) -> Amount | None:
    """'120万人' → 1200000 people, '¥1.2亿' → 120000000 money, '50k' → 50000 (no unit), '35%' → 35 percent,
    '约300万条用户数据' → 3000000 people, '$2 million' → 2000000 FOREIGN.

    The unit is kept so that a question counted in people can refuse a sum of money, and the other way round.
    An answer in a sentence is read from its first amount with a unit; a question ("…要报告吗") is no answer.
    """
    folded = _digits_for_words(_upper_of_range(typed(text).replace(",", "")))
    match = _AMOUNT.match(folded)
    if match:
        return _amount(match)
    percent = re.fullmatch(r"百分之([零〇一二两三四五六七八九十百]+)", folded)
    if percent:
        value = chinese_number(percent[1])
        return Amount(int(value), "percent") if value is not None else None
    if QUESTION.search(folded):
        return None
    in_sentence = (m for m in _IN_SENTENCE.finditer(folded) if m["currency"] or m["unit"] or _magnitude_word(m["mult"]))
    return next((amount for amount in map(_amount, in_sentence) if amount is not None), None)


def _magnitude_word(mult: str | None) -> bool:
    """万, 亿, million …: a magnitude in words marks an amount; a single letter (k, m, w) could be anything."""
    return bool(mult) and not (len(mult) == 1 and mult.isascii())


def _amount(match: re.Match[str]) -> Amount | None:
    number = float(match["n"]) if match["n"][0].isdigit() else chinese_number(match["n"])
    unit = _UNITS.get(match["unit"] or "")
    currency = _CURRENCIES.get(match["currency"] or "")
    if number is None or (currency and unit not in (None, currency)):
        return None
    value = number * _MULTIPLIERS.get(match["mult"] or "", 1)
    if match["rest"]:  # "一万两千", "一亿两千万": what follows the magnitude is added
        rest = chinese_number(match["rest"])
        scale = {("万", None): 1, ("亿", "万"): 10_000}.get((match["mult"], match["rest_mult"]))
        if rest is None or scale is None or rest >= 10_000:
            return None
        value += rest * scale
    return Amount(int(value) if value.is_integer() else value, currency or unit)


_NONE_SAID = re.compile(
    r"^一(?:条|个|人|份|点)?.{0,10}都?没|都没(?:有)?(?:丢|泄露|被盗|泄漏|损失|影响|受)|没受影响|没有?影响|没(?:有)?停|没(?:有)?中断|没动|没有了?$|不至于|"
    r"\bnever (?:went|was|got) (?:fully |completely )?down\b|\bno outage\b|\bnot affected\b|\bno impact\b|"
    r"^(?:目前|暂时|暂|还|应该)?(?:没有|没什么|无|未|不涉及|沒有)|"
    r"\bno (?:\w+ ){0,3}(?:data|information|records?|loss|one|shares?|views?)\b|\bnothing\b|\bnone\b|\bzero\b"
)
_UNKNOWN_SAID = re.compile(
    r"不知道|不清楚|不确定|没法估|不好估|无法估|还在统计|正在统计|算不出|还没查|还在查|未知|说不准|"
    r"\b(?:unknown|not sure|no idea|don't know|dont know|still counting|can't tell|cannot tell|not yet known|tbd)\b"
)
_ANY_NUMBER = re.compile(r"\d|[一二两三四五六七八九十百千万亿]")


def says_none(text: str) -> bool:
    """"一条个人信息都没丢", "没有直接损失", "no customer data touched", "nothing so far": zero, said in words (a
    sentence with a figure in it is read for the figure instead)."""
    folded = typed(text)
    if QUESTION.search(folded) or _UNKNOWN_SAID.search(folded):
        return False
    figure = _ANY_NUMBER.search(re.sub(r"一(?:条|个|人|份|点)", "", folded))
    return bool(_NONE_SAID.search(folded)) and not figure


def says_unknown(text: str) -> bool:
    """"损失还没法估", "还在统计", "转发量不清楚", "still counting": not known yet, said in words."""
    folded = typed(text)
    return not QUESTION.search(folded) and bool(_UNKNOWN_SAID.search(folded)) and not _ANY_NUMBER.search(folded)


_DEGREES = (  # most specific first: "较严重" and "比较严重" before "严重"
    ("especially_serious", r"特别严重|特严重|非常严重|极其严重|especially serious|extremely serious|very serious"),
    ("relatively_serious", r"较严重|比较严重|relatively serious|fairly serious|somewhat serious|moderate"),
    ("serious", r"严重|serious"),
)


def degree_in(text: str) -> Any:
    """The degree of a qualitative clause in words: "产线停了，算比较严重吧" → relatively serious, "應該算嚴重" →
    serious, "应该没有吧"/"probably not"/"没有核心数据" → none, "还不好说" → None (not known)."""
    folded = typed(text)
    if QUESTION.search(folded):
        return UNKNOWN
    for degree, words in _DEGREES:
        match = re.search(words, folded)
        if match and not _NEGATION.search(folded[max(0, match.start() - 3) : match.start()]):
            return degree
    if _DOUBT.search(folded) or _UNKNOWN_SAID.search(folded):
        return None
    if says_none(folded) or _GENERIC_NO.search(folded) or re.search(r"不严重|不算严重|不太严重|不至于|not serious", folded):
        return "none"
    return UNKNOWN


_PORTAL_TIERS = (  # most specific first
    ("central_news", r"中央重点新闻|中央.{0,4}新闻|人民网|新华网|央视网|central (?:key )?news"),
    ("provincial_news", r"省级重点新闻|省.{0,4}新闻网|provincial (?:key )?news"),
    ("provincial", r"省级|省政府|省委|国务院|部委|中央|provincial|ministry|national"),
    ("none", r"正常|没事|没问题|没影响|\b(?:fine|normal|unaffected|working)\b"),
    ("county", r"县|区政府|区级|county|district"),
    ("city", r"地市|市政府|市委|市级|city|municipal|prefecture"),
    ("enterprise", r"企业|公司|单位|事业|学校|高校|医院|company|corporate|business|school|hospital|university"),
)


def portal_tier_in(text: str) -> Any:
    """The kind of unreachable site in words ("市政府门户，地市级的" → city); "没有" → none of these."""
    folded = typed(text)
    if QUESTION.search(folded):
        return UNKNOWN
    if _DOUBT.search(folded):
        return None
    for tier, words in _PORTAL_TIERS:
        if re.search(words, folded):
            return tier
    return UNKNOWN


def region_in(text: str) -> Any:
    """"按地市算" → city, "全省" → province."""
    folded = typed(text)
    if QUESTION.search(folded):
        return UNKNOWN
    if re.search(r"地市|市|city|prefecture", folded):
        return "city"
    if re.search(r"省|province", folded):
        return "province"
    return None if _DOUBT.search(folded) else UNKNOWN


_UNIT_WORDS = {w: n for n, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split()
)}
_TEN_WORDS = {w: 10 * n for n, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split(), 2)}
_NUMBER_WORD = "|".join(sorted([*_UNIT_WORDS, *_TEN_WORDS], key=len, reverse=True))
_WORDS_NUMBER = re.compile(
    rf"\b(?P<whole>(?:{_NUMBER_WORD})(?:[\s-]+(?:{_NUMBER_WORD}|hundred|and))*)(?:\s+point\s+(?P<point>(?:{_NUMBER_WORD})(?:\s+(?:{_NUMBER_WORD}))*))?\b"
)


def _digits_for_words(text: str) -> str:
    """"four point six million players" → "4.6 million players", "twenty-three million" → "23 million"."""

    def value(match: re.Match[str]) -> str:
        total = current = 0
        for word in re.split(r"[\s-]+", match["whole"]):
            if word in _UNIT_WORDS:
                current += _UNIT_WORDS[word]
            elif word in _TEN_WORDS:
                current += _TEN_WORDS[word]
            elif word == "hundred":
                current = (current or 1) * 100
        total += current
        decimals = "".join(str(_UNIT_WORDS.get(w, "")) for w in (match["point"] or "").split())
        return f"{total}.{decimals}" if decimals else str(total)

    return _WORDS_NUMBER.sub(value, text)


_SOME = re.compile(r"几(?=[十百千万])|(?<=十)几")
_RANGE = re.compile(r"([一二两三四五六七八九])([一二两三四五六七八九])(十|百|千)(万|亿)?")


def _upper_of_range(text: str) -> str:
    """"三四百万" → "四百万", "几千块" → "九千块": of a range said the Chinese way, the upper figure (it grades
    higher)."""
    return _SOME.sub("九", _RANGE.sub(lambda m: m[2] + m[3] + (m[4] or ""), text))


def mentions_foreign_money(text: str) -> bool:
    """'200万美元', '港币', '$2 million': a currency other than yuan is named."""
    return bool(_FOREIGN_WORD.search(typed(text)))


def parse_amount(text: str) -> float | None:
    """The number in a typed amount, whatever its unit: '120万' → 1200000, '1.2亿元' → 120000000, '35%' → 35."""
    amount = read_amount(text)
    return None if amount is None else amount.value


_EXPLANATION = re.compile(r"[，,。.;；、:：!！—–\-~～(（\s]")


class HasWords(Protocol):
    words: tuple[str, ...]


def leading_option(options: Iterable[HasWords], folded: str) -> HasWords | None:
    """The option an answer opens with when an explanation follows it ("不是，省属高校", "yes — designated CII
    last year", "no idea, sorry", "probably yes, we're a bank so I guess we count as CII?"): the longest option
    word that the text starts with (after a hedge such as "probably"), followed by punctuation or a space. A
    question that only starts like an answer ("是否…", "不是关基的话要多久报？") has no such separator."""
    options = list(options)
    for text in (folded, _HEDGE.sub("", folded, count=1)):
        best: tuple[int, HasWords] | None = None
        for option in options:
            for word in option.words:
                if len(text) > len(word) and text.startswith(word) and _EXPLANATION.match(text, len(word)):
                    if best is None or len(word) > best[0]:
                        best = (len(word), option)
        if best:
            return best[1]
    return None


_HEDGE = re.compile(r"^(?:probably|maybe|i think|i guess|i believe|likely|应该|大概|可能|好像|估计)\s*,?\s*")


# A duration inside a sentence ("40分钟了 还没恢复", "down for roughly 25 minutes", "一个半小时左右"): each
# candidate is handed to parse_duration, which knows the units.
_DURATION_IN = re.compile(
    r"(?<![\d.])(?:\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百]+)?个?多?半?个?(?:分钟|小时|钟头|天)半?"
    r"|(?:half an?|(?<![\d.])\d+(?:\.\d+)?|an?|one)\s*+(?:minutes?|mins?|hours?|hrs?|days?)(?:\s+and\s+a\s+half)?",
    re.ASCII,
)


_EN_NUMBERS = {w: str(n) for n, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty".split()
)}
_EN_NUMBER = re.compile(rf"\b(?:{'|'.join(_EN_NUMBERS)})\b")


def duration_in(text: str) -> float | None:
    """Minutes of the first duration said in `text`, alone or in a sentence ("for about five hours now"); a
    question is no answer."""
    minutes = parse_duration(text)
    if minutes is not None:
        return minutes
    folded = _EN_NUMBER.sub(lambda m: _EN_NUMBERS[m[0]], typed(text))
    if QUESTION.search(folded):
        return None
    # "7个多小时" is at least 7 hours: the figure said is the one known
    candidates = (found.group().replace("多", "") for found in _DURATION_IN.finditer(folded))
    return next((m for m in map(parse_duration, candidates) if m is not None), None)


_TYPE_WORDS = {
    "data_leak": (
        "泄露", "泄漏", "拖库", "脱库", "被拖", "拖走", "拿走", "撞库", "外泄", "被盗", "被窃", "窃取", "导出", "爬走", "数据被", "信息被", "leak", "breach", "exfiltrat",
        "stolen", "dumped", "dump", "exported", "sold", "for sale", "出售", "被卖", "倒卖",
    ),
    "ransomware": ("勒索", "勒锁", "加密了", "被加密", "赎金", "ransom", "encrypted"),
    "outage": (
        "中断", "瘫痪", "宕机", "打不开", "无法访问", "访问不了", "停摆", "停运", "断网", "故障", "出问题", "停电", "停气", "停水", "停了",
        "延误", "ddos",
        "outage", "down", "unreachable", "offline", "failure",
    ),
    "defacement": ("黑页", "挂马", "首页被", "违法有害", "反动标语", "deface", "vandalis"),
    "other": (
        "其他", "其它", "不知道", "不清楚", "不确定", "说不清", "都有", "篡改", "被改", "other", "unknown", "not sure", "dont know",
        "don't know", "no idea", "tamper",
    ),
}
_PAGE_CHANGED = re.compile(r"(?:网页|网站|首页|页面|主页|官网|门户|site|page).{0,8}(?:篡改|窜改|被改|改了)|(?:篡改|窜改)了?.{0,4}(?:网页|网站|首页|页面|主页|官网)")
_TYPE_PATTERNS = {
    kind: re.compile("|".join(re.escape(w) if not w.isascii() else rf"\b{re.escape(w)}" for w in words)) for kind, words in _TYPE_WORDS.items()
}


def incident_type_in(text: str) -> str | None:
    """What happened, from the user's words: one kind named → that kind (ransomware, with the outage or leak it
    causes, is ransomware); several, or "don't know" → "other"
    (every criterion is then asked); none → None."""
    folded = typed(text)
    named = [kind for kind, pattern in _TYPE_PATTERNS.items() if kind != "other" and pattern.search(folded)]
    if _PAGE_CHANGED.search(folded) and "defacement" not in named:  # "首页被篡改" is defacement, "数据被篡改" is not
        named.append("defacement")
    if "ransomware" in named and "defacement" not in named:
        return "ransomware"  # its questions cover the outage and the data it causes
    if len(named) == 1:
        return named[0]
    return "other" if named or _TYPE_PATTERNS["other"].search(folded) else None


_LEVEL_PATTERN = re.compile(
    "|".join(
        sorted((re.escape(w) for level in LEVELS for w in (LEVEL_NAMES[level]["zh"], LEVEL_NAMES[level]["en"], level.replace("_", " "))), key=len, reverse=True)
    )
)
_LEVEL_BY_WORD = {w: level for level in LEVELS for w in (LEVEL_NAMES[level]["zh"], LEVEL_NAMES[level]["en"], level.replace("_", " "))}
_UNGRADED = re.compile(
    r"没定|未定|没有定|还没|不知道|不清楚|不确定|不懂|说不准|帮我|帮着|帮忙|你看|判断不了|"
    r"\b(?:not (?:yet )?graded|haven't graded|have not graded|not sure|don't know|dont know|no idea|unknown|help|unsure|not yet)\b"
)


def level_in(text: str) -> Any:
    """A level said in a sentence ("应该是较大", "it's major", "级别没定，你帮着看看" = grade it). Any doubt
    ("还不知道是不是重大") starts the grading walk: the guide's criteria decide, not a guess."""
    folded = typed(text)
    if QUESTION.search(folded):
        return UNKNOWN
    if _UNGRADED.search(folded):
        return "grade"
    levels = {_LEVEL_BY_WORD[match] for match in _LEVEL_PATTERN.findall(folded)}
    return levels.pop() if len(levels) == 1 else UNKNOWN


def _words(*words: str) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(w) if not w.isascii() else rf"\b{re.escape(w)}\b" for w in words))


_DOUBT = _words(
    "不知道", "不确定", "不清楚", "算不算", "是不是", "说不准", "不好说", "还没确认", "没确认", "未确认", "可能", "也许",
    "not sure", "unsure", "no idea", "don't know", "dont know", "maybe", "not confirmed", "possibly", "might",
)
_NEGATION = _words("不", "没", "无", "非", "未", "no", "not", "nope", "never", "n't", "isn't", "aren't", "weren't")
_GENERIC_NO = _words("没有", "不是", "不涉及", "不属于", "没", "no", "nope", "not", "none")
_NEAR = 6  # characters before a hint (2 after) in which a negation takes it back ("不像是攻击", "跟关基没关系", "not CII")
# What a sentence says without "yes" or "no" in it, per question: (hints of yes, hints of no).
_IMPLIED = {
    "cii": (
        _words("关基", "关键信息基础设施", "认定", "designated", "cii", "critical information infrastructure"),
        _words("小公司", "小企业", "小工厂", "贸易公司", "小店", "网店", "门店", "只是一家", "只是个", "small business", "just a", "only a"),
    ),
    "central_state_organ": (
        _words("国务院", "部委", "国家机关", "中央机关", "部直属", "委直属", "局直属", "国家某局", "部里", "ministry", "central government", "state council"),
        _words("民营", "私营", "私企", "企业", "公司", "省属", "市属", "区属", "县", "地方", "药店", "酒店", "工厂", "网店",
               "private", "company", "firm", "business", "provincial", "municipal", "local", "hotel", "shop"),
    ),
    "suspected_crime": (
        _words("犯罪", "违法", "涉嫌", "攻击", "入侵", "黑客", "被黑", "勒索", "窃取", "偷", "拖库", "被拖", "撞库", "内鬼", "倒卖", "被卖", "卖了",
               "故意", "破坏", "已报警", "报了警", "报案", "ddos", "sabotage",
               "crime", "criminal", "attack", "attacker", "hacked", "hacker", "intrusion", "ransom", "ransomware", "police", "stolen",
               "exfiltrated", "broke in", "broken into", "got into", "breached", "sold", "for sale", "selling"),
        _words("故障", "误操作", "停电", "配置错误", "bug", "misconfiguration", "accident", "power cut", "human error", "hardware failure"),
    ),
    "sector_rules": (
        _words("有规定", "有要求", "要报", "要求报", "有通知", "监管要求", "人民银行", "金融监管", "卫健委", "工信部", "教育部", "教育厅",
               "regulator requires", "regulator wants", "rules require", "wants reports"),
        _words("没听说", "没有规定", "没要求", "没有专门", "no rules", "none that i know"),
    ),
    "defacement_determined": (_words("认定", "determined"), _words("没有认定", "还没有认定", "未认定", "not determined")),
}


def _hint(pattern: re.Pattern[str], text: str) -> str | None:
    """"yes" when a hint stands in `text`, "negated" when a negation stands right beside the last one, else None."""
    found = [m for m in pattern.finditer(text)]
    if not found:
        return None
    last = found[-1]  # "播出系统是关基，但出事的官网不是关基": what is said last is the answer
    negated = _NEGATION.search(text[max(0, last.start() - _NEAR) : last.start()] + " " + text[last.end() : last.end() + 2])
    return "negated" if negated else "yes"


# Hints of "no" that only a direct answer may carry (it is then asked back): a hospital or a university may be a
# unit directly under a state organ, so a description that names one decides nothing.
_WEAK_NO = {"central_state_organ": _words("医院", "学校", "高校", "大学", "hospital", "university", "school")}


def implied_yes_no(topic: str, text: str, described: bool = False) -> Any:
    """A yes/no/unsure answer said in other words, about `topic` (a key of _IMPLIED): doubt anywhere is "not
    sure" (None); a hint of yes ("我们是国务院组成部门", "有人攻击，算犯罪吧") is yes, or no when a negation stands
    beside it ("不像是攻击", "跟关基没关系"); a hint of no ("我们只是一家小贸易公司", "民营企业") is no. A bare "no"
    counts only as the answer to the question asked: in a description (`described`), which may say "no" about
    anything, only the hints count."""
    yes_hints, no_hints = _IMPLIED[topic]
    folded = typed(text)
    if QUESTION.search(folded):
        return UNKNOWN
    if _DOUBT.search(folded):
        return UNKNOWN if described else None  # a doubt in a description may be about anything: nothing is taken
    yes, no = _hint(yes_hints, folded), _hint(no_hints, folded)
    if not described and not no and yes != "yes" and topic in _WEAK_NO:  # "教育部直属高校": the yes decides
        no = _hint(_WEAK_NO[topic], folded)
    if yes == "yes" and not no:
        return True
    if yes == "negated" or (no == "yes" and not yes):
        return False
    if not described and not yes and _GENERIC_NO.search(folded):
        return False
    return UNKNOWN


_TOPIC_NAMES = {
    "cii": _words("关基", "关键信息基础设施", "cii", "critical information infrastructure"),
    "central_state_organ": _words("机关", "国务院", "部委", "central", "state organ", "ministry", "government body"),
    "suspected_crime": _words("犯罪", "违法", "crime", "criminal", "illegal"),
    "sector_rules": _words("规定", "要求", "rules", "regulator", "regulations"),
    "defacement_determined": _words("认定", "determined"),
}


def names_topic(topic: str, text: str) -> bool:
    """Whether the answer names what was asked ("不涉及关基", "no crime"): then its yes or no is explicit."""
    return bool(_TOPIC_NAMES[topic].search(typed(text)))




# A time of day or date inside a clause ("今早7点发现", "昨晚23:30发现的", "2026-03-01 09:00", "at 7:30 am"), handed
# to parse_time, which knows what each form means.
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*"
_TIME_IN = re.compile(
    r"(?:(?:今天|昨天|前天|明天|后天|今早|今晨|昨晚|昨夜|今晚|明早|\d{1,2}月\d{1,2}[日号])\s*)?(?:凌晨|早上|早晨|上午|中午|下午|傍晚|晚上|夜里)?\s*"
    r"(?:\d{1,2}|[零一二两三四五六七八九十]{1,3})(?:[:：]\d{2}|点(?:半|\d{1,2}分?|[零一二三四五六七八九十]{1,3}分?)?)"
    r"|\d{4}-\d{1,2}-\d{1,2}(?:[ t]\d{1,2}:\d{2})?"
    r"|(?:(?:today|yesterday|tomorrow)\s+(?:at\s+)?)?\d{1,2}(?::\d{2})?\s*(?:am|pm)"
    r"|(?:today|yesterday|tomorrow)\s+(?:at\s+)?\d{1,2}:\d{2}"
    r"|(?:\d+|[零一二两三四五六七八九十半]+)个?半?(?:分钟|小时|天)前|(?<!\d)\d+\s*(?:minutes?|mins?|hours?|hrs?|days?)\s+ago"
    r"|(?:\d{4}年)?\d{1,2}月\d{1,2}[日号]"
    rf"|\d{{1,2}}\s+{_MONTH}\.?(?:\s+\d{{4}})?(?:,?\s*(?:at|around|about)?\s*\d{{1,2}}(?::\d{{2}})?\s*(?:am|pm)?)?"
    rf"|{_MONTH}\.?\s+\d{{1,2}}(?:,?\s+\d{{4}})?(?:,?\s*(?:at|around|about)?\s*\d{{1,2}}(?::\d{{2}})?\s*(?:am|pm)?)?"
)


_ONLY_DATE_CHARS = re.compile(r"[\d\s/:：\-.年月日号点分t]+")


_EN_HOURS = {w: n for n, w in enumerate("one two three four five six seven eight nine ten eleven twelve".split(), 1)}
_EN_CLOCK = re.compile(rf"\b(?:(?P<half>half past)|(?P<qpast>quarter past)|(?P<qto>quarter to))\s+(?P<h>\d{{1,2}}|{'|'.join(_EN_HOURS)})\b")
_EN_OCLOCK = re.compile(rf"\b(?P<h>\d{{1,2}}|{'|'.join(_EN_HOURS)})\s*o'?clock\b")
_PART_AFTER = re.compile(r"\b(?:around |about |at )?(?P<t>\d{1,2}(?::\d{2})?)\s*(?P<ampm>[ap]m)?\s+this (?P<part>morning|afternoon|evening)\b")
_DAY_PART = re.compile(
    r"\b(?P<day>today|yesterday)\s+(?P<part>morning|afternoon|evening|night)\s+(?:at |around |about )?(?P<t>\d{1,2}(?::\d{2})?)\b"
)
_IN_THE_PART = re.compile(r"\b(?P<t>\d{1,2}(?::\d{2})?)\s+in the (?P<part>morning|afternoon|evening)\b")
_THIS_PART = re.compile(r"\b(?:this morning|this afternoon|this evening|tonight)\s+(?:at\s+|around\s+|about\s+)?(?P<t>\d{1,2}(?::\d{2})?(?:\s*[ap]m)?)")
_DATE_ONLY = re.compile(r"(?:\d{4}年)?\d{1,2}月\d{1,2}[日号]|\d{4}-\d{1,2}-\d{1,2}", re.ASCII)
_EN_DATE_ONLY = re.compile(rf"\d{{1,2}}\s+{_MONTH}\.?(?:,?\s+\d{{4}})?|{_MONTH}\.?\s+\d{{1,2}}(?:,?\s+\d{{4}})?")
_LAST_YEAR = re.compile(r"去年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]", re.ASCII)
_DAYS_AHEAD = (("后天", "今天", 2), ("明天", "今天", 1), ("明早", "今早", 1), ("day after tomorrow", "today", 2), ("tomorrow", "today", 1))


def _english_clock(text: str) -> str:
    """"half past six" → "6:30", "quarter to nine" → "8:45", "seven o'clock" → "7:00", "this morning at 6:30" → "6:30 am"."""
    def hour(word: str) -> int:
        return int(word) if word.isdigit() else _EN_HOURS[word]

    def clock(match: re.Match[str]) -> str:
        h = hour(match["h"])
        if match["qto"]:
            return f"{(h - 2) % 12 + 1}:45"
        return f"{h}:{'30' if match['half'] else '15'}"

    text = _EN_CLOCK.sub(clock, text)
    text = _EN_OCLOCK.sub(lambda m: f"{hour(m['h'])}:00", text)
    pm = {"morning": "am", "afternoon": "pm", "evening": "pm", "night": "pm"}
    text = _DAY_PART.sub(lambda m: f"{m['day']} {m['t']} {pm[m['part']]}", text)
    text = _IN_THE_PART.sub(lambda m: f"{m['t']} {pm[m['part']]}", text)
    text = _PART_AFTER.sub(lambda m: f"today {m['t']} {m['ampm'] or ('am' if m['part'] == 'morning' else 'pm')}", text)
    return _THIS_PART.sub(lambda m: f"today {m['t']}" + ("" if re.search("[ap]m", m["t"]) else (" am" if "morning" in m[0] else " pm")), text)


def time_in(text: str, now: datetime) -> datetime | None:
    """A time said alone or inside a sentence ("昨晚23:30发现的", "凌晨3点左右吧", "we noticed it at 7:30 am",
    "this morning at half past six"). A time in the days ahead ("明天9点") is read too, so that the question can say
    it is in the future rather than that it was not understood."""
    folded = _LAST_YEAR.sub(lambda m: f"{to_shanghai(now).year - 1}年{m[1]}月{m[2]}日", typed(text))  # "去年10月28号"
    for word, today, days in _DAYS_AHEAD:
        if word in folded:
            moment = time_in(folded.replace(word, today), now)
            return moment + timedelta(days=days) if moment else None
    text = _english_clock(folded)
    moment = _parse_time_or_day(text, now)
    if moment is not None or _ONLY_DATE_CHARS.fullmatch(typed(text)):
        return moment  # "25/13 22:00" is a date that is wrong as a whole: none of its parts is read alone
    found = (re.sub(r"\s*\b(?:at|around|about)\b\s*", " ", m.group()).strip() for m in _TIME_IN.finditer(text))
    return next((moment for moment in (_parse_time_or_day(candidate, now) for candidate in found) if moment is not None), None)


def _parse_time_or_day(text: str, now: datetime) -> datetime | None:
    """parse_time, and a day without a clock time from its first minute (the strict reading: the earliest)."""
    moment = parse_time(text, now)
    if moment is None and _DATE_ONLY.fullmatch(text.strip()):
        moment = parse_time(text.strip() + (" 00:00" if "-" in text else "0点"), now)
    elif moment is None and _EN_DATE_ONLY.fullmatch(text.strip()):
        moment = parse_time(text.strip() + " 00:00", now)
    return moment


_TOP_SITE = re.compile(r"省级|省政府|省委|中央|国务院|部委|国家|新闻网|人民网|新华网|央视|超大型|大型平台|\b(?:national|central|ministry|provincial|news site|very large|platform)\b")
_OTHER_SITE = re.compile(r"企业|公司|单位|学校|高校|大学|医院|商城|店|市政府|区政府|县|\b(?:company|corporate|business|school|hospital|shop|city|county)\b")


def site_kind_in(text: str) -> Any:
    """The kind of defaced site in words: "top" (provincial-or-above party/government portal, central key news
    site, very large platform), "other" ("企业官网", "公司网站", "市政府网站"), None when unsure."""
    folded = typed(text)
    if QUESTION.search(folded):
        return UNKNOWN
    if _DOUBT.search(folded):
        return None
    if _TOP_SITE.search(folded):
        return "top"
    return "other" if _OTHER_SITE.search(folded) else UNKNOWN


_KIND_WORDS = {
    "supplement": r"续报|补报|补充报告|supplementary report|supplementary|supplement|follow-up report|follow up report",
    "summary": r"总结报告|总结|summary report|summary|final report",
    "initial": r"首报|首次报告|初次报告|初报|initial report|initial|first report",
}
_ASKING = r"(?:我要|我想|想|要|帮我|请|麻烦|起草|写|出|做|准备|开始|draft|write|prepare|start|make|do|i need|i want|i'd like|let's)"
_REPORT_KIND = re.compile(
    rf"^(?:{_ASKING}\s*){{0,2}}(?:一份|一个|个|份|a|an|the)?\s*"
    rf"(?P<kind>{'|'.join(f'(?P<{k}>{w})' for k, w in _KIND_WORDS.items())})"
    r"(?:\s*(?:一下|吧|了|please|now|报告|report))*(?=$|[\s，,。.!！;；])"
)


def report_kind_in(text: str) -> str | None:
    """A report kind asked for in a few words: "续报", "起草续报", "我要补报一下 原因查清楚了", "summary please" — the
    kind must open the message (after words of asking), so an item that merely mentions one is not taken."""
    match = _REPORT_KIND.match(typed(text))
    if not match:
        return None
    return next(kind for kind in _KIND_WORDS if match[kind])


_PREVIEW = re.compile(
    r"直接出报告|出报告吧|先出报告|生成报告|直接生成|来不及了|就这样吧|先这样吧|先到这|看看报告|预览|"
    r"\b(?:preview|show me the report|generate the report|just give me the report|that's all|finish it now|no time)\b"
)
_NEXT = re.compile(r"^(?:下一项|下一个|下一题|跳过这项|跳过这个|先跳过|next|next one|skip this|skip it|move on)$")
_CANCEL = re.compile(r"^(?:取消|不写了|算了|cancel|stop|never mind)$")
_EDIT_ITEM = re.compile(
    r"(?:写错了|改一下|改改|修改|更正|重填|edit|change|fix|correct)\D{0,6}?"
    r"(?:第\s*(?P<zh>\d{1,2}|[一二三四五六七八九十]{1,3})\s*[项条部分]|(?:item|section|no\.?|#)\s*(?P<en>\d{1,2}))"
)


def report_instruction(text: str) -> tuple[str, int | None] | None:
    """An instruction to the bot typed where a report item is asked: ("preview", None) for "来不及了 直接出报告吧",
    ("skip", None) for "下一项", ("cancel", None), or ("edit", n) for "写错了 改一下第二项"; None for an answer."""
    folded = typed(text)
    edit = _EDIT_ITEM.search(folded)
    if edit:
        number = edit["zh"] or edit["en"]
        value = int(number) if number.isdigit() else chinese_number(number)
        return ("edit", int(value)) if value else None
    if _PREVIEW.search(folded):
        return ("preview", None)
    if _NEXT.match(folded):
        return ("skip", None)
    if _CANCEL.match(folded):
        return ("cancel", None)
    return None
