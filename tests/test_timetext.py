"""Typed times and durations: what staff write in a chat, relative to the message's time, in Beijing time."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.numerals import arabic_numbers, chinese_number
from bot.timetext import is_out_of_range, looks_like_time, parse_duration, parse_time
from bot.timeutil import SHANGHAI

NOW = datetime(2026, 3, 1, 10, 15, 42, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("现在", "2026-03-01 10:15"),
        ("刚才", "2026-03-01 10:15"),
        ("30分钟前", "2026-03-01 09:45"),
        ("约30分钟前", "2026-03-01 09:45"),
        ("10分钟以前", "2026-03-01 10:05"),
        ("半小时前", "2026-03-01 09:45"),
        ("半个小时前", "2026-03-01 09:45"),
        ("2小时前", "2026-03-01 08:15"),
        ("两个小时前", "2026-03-01 08:15"),
        ("一个半小时前", "2026-03-01 08:45"),
        ("1.5小时前", "2026-03-01 08:45"),
        ("3天前", "2026-02-26 10:15"),
        ("今天9点", "2026-03-01 09:00"),
        ("今天上午9:30", "2026-03-01 09:30"),
        ("今天 09：30", "2026-03-01 09:30"),
        ("今早8点", "2026-03-01 08:00"),
        ("昨天晚上8点", "2026-02-28 20:00"),
        ("昨晚8点半", "2026-02-28 20:30"),
        ("昨天下午三点一刻", "2026-02-28 15:15"),
        ("前天中午1点", "2026-02-27 13:00"),
        ("凌晨2点", "2026-03-01 02:00"),
        ("九点半", "2026-03-01 09:30"),
        ("十二点十五分", "2026-02-28 12:15"),
        ("9点15", "2026-03-01 09:15"),
        ("9:30", "2026-03-01 09:30"),
        ("11:00", "2026-02-28 11:00"),  # a bare clock time later than now is yesterday's
        ("2026-03-01 09:00", "2026-03-01 09:00"),
        ("2026-03-01 9:00", "2026-03-01 09:00"),
        ("2026/03/01 09:00", "2026-03-01 09:00"),
        ("2026年3月1日上午9点", "2026-03-01 09:00"),
        ("03-01 09:00", "2026-03-01 09:00"),
        ("3月1日9点", "2026-03-01 09:00"),
        ("12-31 23:00", "2025-12-31 23:00"),  # a date without a year later than now is last year's
        ("2026-03-01T09:00", "2026-03-01 09:00"),
        ("2026-03-01T01:00:00Z", "2026-03-01 09:00"),
        ("2026-03-01T09:00:00+08:00", "2026-03-01 09:00"),
        ("２０２６－０３－０１ ０９：００", "2026-03-01 09:00"),
        ("now", "2026-03-01 10:15"),
        ("just now", "2026-03-01 10:15"),
        ("30 minutes ago", "2026-03-01 09:45"),
        ("30 min ago", "2026-03-01 09:45"),
        ("2 hours ago", "2026-03-01 08:15"),
        ("an hour ago", "2026-03-01 09:15"),
        ("half an hour ago", "2026-03-01 09:45"),
        ("an hour and a half ago", "2026-03-01 08:45"),
        ("about 2 hours ago", "2026-03-01 08:15"),
        ("today 9:00", "2026-03-01 09:00"),
        ("today at 9:30 am", "2026-03-01 09:30"),
        ("yesterday 21:00", "2026-02-28 21:00"),
        ("yesterday at 9 pm", "2026-02-28 21:00"),
        ("last night 11pm", "2026-02-28 23:00"),
        ("9pm", "2026-02-28 21:00"),
        ("12am", "2026-03-01 00:00"),
        ("yesterday 9 p.m.", "2026-02-28 21:00"),
        ("Now.", "2026-03-01 10:15"),
        ("28/2 22:00", "2026-02-28 22:00"),  # day/month: no month is 28
        ("25/11 22:00", "2025-11-25 22:00"),
        ("Feb 28 at 10pm", "2026-02-28 22:00"),
        ("Feb 28 22:00", "2026-02-28 22:00"),
        ("February 28th, 2026 9:30 am", "2026-02-28 09:30"),
        ("28 Feb 22:00", "2026-02-28 22:00"),
        ("Dec 31 23:00", "2025-12-31 23:00"),  # without a year, later than now: last year's
    ],
)
def test_typed_times(text, expected):
    moment = parse_time(text, NOW)
    assert moment is not None, text
    assert moment.strftime("%Y-%m-%d %H:%M") == expected and moment.utcoffset() == timedelta(hours=8)


@pytest.mark.parametrize(
    "text",
    ["1900-01-01 00:00", "0001-01-01 00:00", "9999-12-31 23:59", "0000-01-01 00:00", "99999 days ago", "10000000000000天前",
     "1991年12月31日 23:00", "2101-01-01 00:00", "2101/1/1 9:00", "Jan 1 1900 10:00", "Jan 1 0000 10:00", "0000年1月1日 9点"],
)
def test_times_outside_1992_to_2100_are_refused_not_read(text):
    assert parse_time(text, NOW) is None
    assert is_out_of_range(text, NOW)


def test_the_years_1992_and_2100_are_read():
    assert parse_time("1992-01-01 00:00", NOW) == datetime(1992, 1, 1, tzinfo=SHANGHAI)
    assert parse_time("2100-12-31 23:59", NOW) == datetime(2100, 12, 31, 23, 59, tzinfo=SHANGHAI)
    assert not is_out_of_range("现在", NOW) and not is_out_of_range("什么是12387", NOW)


@pytest.mark.parametrize("text", ["٣٠分钟前", "፩ hour ago", "٢٠٢٦-٠٣-٠١ ٠٩:٠٠", "9:٣٠"])
def test_only_ascii_and_chinese_digits_are_read(text):
    assert parse_time(text, NOW) is None and parse_duration(text.removesuffix("前")) is None


def test_full_width_digits_are_ascii_digits():
    assert parse_time("３０分钟前", NOW) == parse_time("30分钟前", NOW)


@pytest.mark.parametrize(
    "text",
    ["", "   ", "昨天", "9", "12387", "什么是12387", "2小时", "晚上12点", "25:00", "9:75", "2026-02-30 09:00", "13pm",
     "我们被勒索了，要多久报？", "what is the deadline", "前", "ago", "2026-03-01", "this morning", "Feb 30 9:00", "13/13 10:00"],
)
def test_not_a_time(text):
    assert parse_time(text, NOW) is None


@pytest.mark.parametrize(
    ("text", "tries"),
    [("this morning", True), ("昨天上午", True), ("3点左右", True), ("25/13 22:00", True), ("Nov 25 at dinner", True),
     ("三小时前左右", True), ("上周五", True), ("monday", True), ("刚发现不久", True), ("12387是什么", False),
     ("报告邮箱是什么", False), ("啊啊啊", False), ("120万", False), ("may I ask", False), ("", False)],
)
def test_looks_like_time(text, tries):
    assert looks_like_time(text) is tries


def test_today_is_kept_even_if_later_than_now():
    assert parse_time("今天11点", NOW) == datetime(2026, 3, 1, 11, 0, tzinfo=SHANGHAI)


MIDNIGHT = datetime(2026, 11, 25, 0, 8, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("8:30", "2026-11-24 08:30"), ("今天早上8点", "2026-11-25 08:00"), ("昨天8点", "2026-11-24 08:00"), ("昨天8:30", "2026-11-24 08:30"),
     ("yesterday 8:30", "2026-11-24 08:30")],
)
def test_just_after_midnight_a_bare_clock_time_is_yesterdays_and_an_explicit_today_is_kept(text, expected):
    """The assessment refuses "今天早上8点" at 00:08 as future and suggests "昨天8点"; both must read as shown."""
    assert parse_time(text, MIDNIGHT).strftime("%Y-%m-%d %H:%M") == expected


def test_now_in_another_zone_is_read_in_beijing_time():
    utc_now = datetime(2026, 2, 28, 17, 0, tzinfo=timezone.utc)  # 01:00 on 1 March in Beijing
    assert parse_time("今天0点", utc_now) == datetime(2026, 3, 1, 0, 0, tzinfo=SHANGHAI)
    assert parse_time("30分钟前", utc_now) == datetime(2026, 3, 1, 0, 30, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("45分钟", 45), ("3小时", 180), ("两个半小时", 150), ("半小时", 30), ("1天", 1440), ("90 minutes", 90), ("2 h", 120),
     ("an hour", 60), ("2", None), ("多久", None)],
)
def test_durations(text, minutes):
    assert parse_duration(text) == minutes


@pytest.mark.parametrize(
    ("text", "value"),
    [("十", 10), ("十五", 15), ("二十", 20), ("三十五", 35), ("两", 2), ("一百零五", 105), ("一百二十", 120), ("二三", None), ("十十", None), ("", None), ("两千五百", 2500)],
)
def test_chinese_numbers(text, value):
    assert chinese_number(text) == value


@pytest.mark.parametrize(
    ("text", "written"),
    [("损失五百万元", "损失500万元"), ("两千五百万", "2500万"), ("一亿人", "1亿人"), ("一般事件", "一般事件"),
     ("第一时间", "第一时间"), ("三天后", "三天后"), ("十四条", "14条"), ("12 million people", "1200万 people"),
     ("100 million", "1亿"), ("2.5 Million yuan", "250万 yuan"), ("a million", "a million")],
)
def test_numerals_in_a_text(text, written):
    assert arabic_numbers(text) == written


moments = st.datetimes(min_value=datetime(1992, 1, 3), max_value=datetime(2100, 12, 30), timezones=st.just(SHANGHAI))


@given(st.text(max_size=80), moments)
def test_never_raises_on_arbitrary_text(text, now):
    moment = parse_time(text, now)
    assert moment is None or moment.utcoffset() == timedelta(hours=8)


@given(st.from_regex(r"\A[0-9零一二两三十半个小时分钟天前点:\-/ 今昨晚上下午ago]{0,20}\Z"), moments)
def test_never_raises_on_time_like_text(text, now):
    parse_time(text, now)
    parse_duration(text)


@given(st.integers(0, 10_000), moments)
def test_minutes_ago_is_exact(minutes, now):
    assert parse_time(f"{minutes}分钟前", now) == (now - timedelta(minutes=minutes)).replace(second=0, microsecond=0)
    assert parse_time(f"{minutes} minutes ago", now) == (now - timedelta(minutes=minutes)).replace(second=0, microsecond=0)


@given(moments)
def test_a_bare_clock_time_is_never_in_the_future(now):
    for text in ("9:30", "23:59", "0:00", "晚上8点"):
        moment = parse_time(text, now)
        assert moment is not None and moment <= now and now - moment < timedelta(days=1)
