"""Times as people type them in a chat: "现在", "30分钟前", "昨天晚上8点", "03-01 09:00", "25/11 22:00", "2 hours ago",
"Nov 25 at 10pm", ISO 8601.

parse_time(text, now) reads one such time relative to `now` and returns an aware datetime in Asia/Shanghai
(a time without an offset is Beijing time), or None when the text is not a time it understands — it never
raises, so a chat can hand it anything. The whole text must be the time: "什么是12387" is not a time.

Times are for moments already past (when an incident was discovered, when handling ended): a bare clock
time ("9:30") or a date without a year that would lie in the future means its latest past occurrence
(yesterday's 9:30, last year's 03-01). An explicit day ("今天", "today") is kept as said, even if later
than now; the caller decides what a future time means. Results are truncated to the minute.

Only times in the years MIN_YEAR–MAX_YEAR (1992–2100, see bot.timeutil) are read: parse_time returns None
for others, and is_out_of_range(text, now) tells the caller that the text did name a time, so it can say
why it is refused ("99999 days ago", "0001-01-01 00:00") instead of re-asking. Digits are ASCII (full-width
digits are folded to ASCII first); "٣" or "፩" is not read as a number.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timedelta

from bot.numerals import chinese_number
from bot.timeutil import MAX_YEAR, MIN_YEAR, parse_iso, to_shanghai

MAX_LENGTH = 60  # longer text is a sentence, not a time
_CN_NUMBER = r"[零〇一二两三四五六七八九十百]+"
_NUMBER = rf"(?:\d+(?:\.\d+)?|{_CN_NUMBER})"

_NOW_WORDS = {"现在", "刚才", "刚刚", "此刻", "目前", "当前", "这会儿", "now", "just now", "right now"}
_APPROX = re.compile(r"^(?:大约|大概|约|差不多|about|around|approximately|approx\.?|roughly|~)\s*", re.ASCII)

_ZH_DURATION = re.compile(rf"^(?P<n>{_NUMBER})?(?:个)?(?P<half>半)?(?:个)?(?P<unit>分钟|分|小时|钟头|天)(?P<half2>半)?$", re.ASCII)
_EN_DURATION = re.compile(
    r"^(?:(?P<half>half\s+an?)|(?P<n>\d+(?:\.\d+)?|an?|one))\s*(?P<unit>minutes?|mins?|m|hours?|hrs?|h|days?|d)"
    r"(?P<andhalf>\s+and\s+a\s+half)?$",
    re.ASCII,
)
# Read on whitespace-collapsed text, so one optional space is all there is between the duration and "ago"
# (a "\s*" there would backtrack over every run of spaces: quadratic).
_AGO = re.compile(r"^(?P<duration>.+?) ?(?:以前|之前|前| ago)$", re.ASCII)

_DAY_WORDS = {
    "今天": (0, None), "今日": (0, None), "昨天": (-1, None), "昨日": (-1, None), "前天": (-2, None),
    "今早": (0, "am"), "今晨": (0, "am"), "今晚": (0, "pm"), "昨晚": (-1, "pm"), "昨夜": (-1, "pm"),
    "today": (0, None), "yesterday": (-1, None), "this morning": (0, "am"), "this afternoon": (0, "pm"),
    "this evening": (0, "pm"), "tonight": (0, "pm"), "last night": (-1, "pm"),
}
_PERIODS = {
    "凌晨": "small", "半夜": "small", "早上": "am", "早晨": "am", "清晨": "am", "上午": "am", "中午": "noon",
    "下午": "pm", "傍晚": "pm", "晚上": "pm", "夜里": "pm", "夜间": "pm", "晚": "pm",
    "morning": "am", "afternoon": "pm", "evening": "pm", "night": "pm",
}
_DAY = "|".join(sorted(map(re.escape, _DAY_WORDS), key=len, reverse=True))
_PERIOD = "|".join(sorted(map(re.escape, _PERIODS), key=len, reverse=True))
_DATE = r"(?:(?P<year>\d{4})\s*[-/.年]\s*)?(?P<month>\d{1,2})\s*[-/.月]\s*(?P<dom>\d{1,2})\s*[日号]?"
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH_NAME = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?"
    r"|nov(?:ember)?|dec(?:ember)?"
)
_ORDINAL = r"(?:st|nd|rd|th)?"
_EN_DATE = (  # "Nov 25", "November 25th, 2025", "25 Nov"
    rf"(?:(?P<mname>{_MONTH_NAME})\.?\s*(?P<mdom>\d{{1,2}}){_ORDINAL}|(?P<dmdom>\d{{1,2}}){_ORDINAL}\s*(?P<dmname>{_MONTH_NAME})\.?)"
    r",?(?:\s*(?P<enyear>\d{4}))?,?"
)
_CLOCK = (
    rf"(?P<hour>\d{{1,2}}|{_CN_NUMBER})\s*"
    rf"(?:(?:[:：](?P<minute>\d{{2}})(?:[:：](?P<second>\d{{2}}))?)"
    rf"|(?:[点时](?:(?P<half>半)|(?P<quarter>一刻|三刻)|(?P<cnminute>\d{{1,2}}|{_CN_NUMBER})分?)?)"
    rf"|(?=\s*(?:am|pm|a\.m\.?|p\.m\.?)))"
    r"\s*(?P<ampm>am|pm|a\.m\.?|p\.m\.?)?"
)
_ABSOLUTE = re.compile(
    rf"^(?:(?P<day>{_DAY})|{_DATE}|{_EN_DATE})?\s*(?:(?P<period>{_PERIOD})\s*)?(?:at\s+)?{_CLOCK}\s*(?:(?P<period2>{_PERIOD}))?$",
    re.ASCII,
)


class _Far:
    """A time that was read but lies outside MIN_YEAR–MAX_YEAR (or outside what a datetime can hold)."""


_FAR = _Far()


def parse_time(text: object, now: datetime) -> datetime | None:
    """The moment `text` names, relative to `now`, in Asia/Shanghai; None if it names none (or one outside
    MIN_YEAR–MAX_YEAR)."""
    moment = _read(text, now)
    return moment if isinstance(moment, datetime) else None


def is_out_of_range(text: object, now: datetime) -> bool:
    """Whether `text` names a time that parse_time refuses for its year (see the module's docstring)."""
    return _read(text, now) is _FAR


def _read(text: object, now: datetime) -> datetime | _Far | None:
    if not isinstance(text, str):
        return None
    try:
        moment = _parse(text, to_shanghai(now))
    except OverflowError:
        return _FAR
    except ValueError:
        return None
    if moment is None or isinstance(moment, _Far):
        return moment
    return moment if MIN_YEAR <= moment.year <= MAX_YEAR else _FAR


def _parse(text: str, now: datetime) -> datetime | _Far | None:
    folded = " ".join(unicodedata.normalize("NFKC", text).lower().split()).rstrip("。.!！?？")
    folded = _APPROX.sub("", folded).strip()
    if not folded or len(folded) > MAX_LENGTH:
        return None
    if folded in _NOW_WORDS:
        return _minute(now)
    if re.match(r"^\d{4}-\d{2}-\d{2}[t ]\d{2}:\d{2}", folded, re.ASCII):
        if not MIN_YEAR <= int(folded[:4]) <= MAX_YEAR:
            return _FAR  # before converting: year 1 or 9999 with an offset would not fit in a datetime
        try:
            return _minute(parse_iso(folded.upper() if "t" in folded else folded))
        except ValueError:
            pass  # e.g. "2026-03-01 9:00" is read below
    ago = _ago(folded, now)
    if ago is not None:
        return ago
    return _absolute(folded, now)


_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "last week")
_TIME_WORDS = "|".join(sorted(map(re.escape, [*_DAY_WORDS, *_PERIODS, *_WEEKDAYS, "ago", "midnight", "noon"]), key=len, reverse=True))
_TIME_LIKE = re.compile(
    r"\d\s*[:：]\s*\d|\d\s*(?:am|pm|a\.m|p\.m)\b|[\d零〇一二两三四五六七八九十]\s*[点时]|\d\s*[-/.年月]\s*\d"
    r"|(?:分钟|小时|天)(?:以|之)?前|几个?(?:分钟|小时|天)|前几天|一会儿|不久|(?:星期|礼拜|周)[一二三四五六日天]|上周"
    rf"|(?<![a-z])(?:{_TIME_WORDS})(?![a-z])|(?<![a-z])(?:{_MONTH_NAME})\.?\s*\d|\d\s*(?:{_MONTH_NAME})(?![a-z])"
)


def looks_like_time(text: object) -> bool:
    """Whether `text` tries to name a time (a clock, a date, a day or part of it, "… ago"), read or not.

    A chat that cannot read such a text can show how to write a time, instead of taking it for a question.
    """
    return isinstance(text, str) and bool(_TIME_LIKE.search(" ".join(unicodedata.normalize("NFKC", text).lower().split())))


def parse_duration(text: object) -> float | None:
    """Minutes in a typed duration: '45分钟', '3小时', '两个半小时', '半小时', '90 minutes', '2 h'; else None.

    A bare number has no unit and is not a duration here; the caller knows which unit it asked for.
    """
    if not isinstance(text, str):
        return None
    folded = _APPROX.sub("", " ".join(unicodedata.normalize("NFKC", text).lower().split())).strip()
    if len(folded) > MAX_LENGTH:
        return None
    match = _ZH_DURATION.match(folded)
    if match:
        if match["n"] is None and not match["half"]:
            return None
        amount = _number(match["n"]) if match["n"] else 0.0
        if amount is None:
            return None
        amount += 0.5 if (match["half"] or match["half2"]) else 0.0
        return amount * {"分钟": 1, "分": 1, "小时": 60, "钟头": 60, "天": 1440}[match["unit"]]
    match = _EN_DURATION.match(folded)
    if match:
        amount = 0.5 if match["half"] else (1.0 if match["n"] in ("a", "an", "one") else float(match["n"]))
        amount += 0.5 if match["andhalf"] else 0.0
        return amount * (1 if match["unit"].startswith("m") else 60 if match["unit"].startswith("h") else 1440)
    return None


def _ago(text: str, now: datetime) -> datetime | None:
    """'30分钟前', '2 hours ago'; a duration too long for a datetime raises OverflowError (read as _FAR)."""
    match = _AGO.match(text)
    minutes = parse_duration(match["duration"]) if match else None
    return _minute(now - timedelta(minutes=minutes)) if minutes is not None else None


def _absolute(text: str, now: datetime) -> datetime | _Far | None:
    match = _ABSOLUTE.match(text)
    if not match:
        return None
    hour = _number(match["hour"])
    if hour is None or hour != int(hour):
        return None
    hour = int(hour)
    minute = _minutes(match)
    if minute is None:
        return None
    second = int(match["second"] or 0)
    period = _period(match)
    hour = _adjust_hour(hour, period, match["ampm"])
    if hour is None or not (0 <= minute <= 59 and 0 <= second <= 59):
        return None
    day_offset = _DAY_WORDS[match["day"]][0] if match["day"] else 0
    date = _date(match)
    if date:
        year, month, dom = date
        if year is not None and not MIN_YEAR <= year <= MAX_YEAR:
            return _FAR
        moment = now.replace(year=year or now.year, month=month, day=dom, hour=hour, minute=minute, second=second, microsecond=0)
        if not year and moment > now:
            moment = moment.replace(year=now.year - 1)
        return moment
    moment = now.replace(hour=hour, minute=minute, second=second, microsecond=0) + timedelta(days=day_offset)
    if not match["day"] and moment > now:
        moment -= timedelta(days=1)  # a bare clock time is its latest past occurrence
    return moment


def _date(match: re.Match[str]) -> tuple[int | None, int, int] | None:
    """(year or None, month, day) of a dated time: '03-01', '3月1日', 'Nov 25', '25 Nov'; '25/11' is day/month,
    as no month is 25. None without a date."""
    if match["month"]:
        month, dom = int(match["month"]), int(match["dom"])
        if month > 12 >= dom:
            month, dom = dom, month
        return (int(match["year"]) if match["year"] else None), month, dom
    name = match["mname"] or match["dmname"]
    if name:
        return (int(match["enyear"]) if match["enyear"] else None), _MONTHS.index(name[:3]) + 1, int(match["mdom"] or match["dmdom"])
    return None


def _minutes(match: re.Match[str]) -> int | None:
    if match["minute"]:
        return int(match["minute"])
    if match["half"]:
        return 30
    if match["quarter"]:
        return 15 if match["quarter"] == "一刻" else 45
    if match["cnminute"]:
        value = _number(match["cnminute"])
        return int(value) if value is not None and value == int(value) else None
    return 0


def _period(match: re.Match[str]) -> str | None:
    for name in ("period", "period2"):
        if match[name]:
            return _PERIODS[match[name]]
    if match["day"]:
        return _DAY_WORDS[match["day"]][1]
    return None


def _adjust_hour(hour: int, period: str | None, ampm: str | None) -> int | None:
    """24-hour clock from a 12-hour one: 下午3点 → 15, 中午1点 → 13, 凌晨12点 → 0, 9pm → 21, 12am → 0.

    "晚上12点" is left unread (None): it may mean either end of the day, and a guess would move the clock by
    a whole day.
    """
    if ampm:
        if not 1 <= hour <= 12:
            return None
        return hour % 12 + (12 if ampm.startswith("p") else 0)
    if period == "pm":
        if hour == 12:
            return None
        return hour + 12 if hour < 12 else hour if hour <= 23 else None
    if period == "noon":
        return hour + 12 if 1 <= hour <= 5 else hour
    if period == "small":
        return 0 if hour == 12 else hour
    if period == "am" and hour == 12:
        return 0
    return hour if 0 <= hour <= 23 else None


def _number(text: str) -> float | None:
    """'30' → 30, '1.5' → 1.5, '三十五' → 35, '两' → 2, '一百二十' → 120; None when it is not a number."""
    if re.fullmatch(r"\d+(?:\.\d+)?", text, re.ASCII):
        return float(text)
    return chinese_number(text)


def _minute(moment: datetime) -> datetime:
    return to_shanghai(moment).replace(second=0, microsecond=0)
