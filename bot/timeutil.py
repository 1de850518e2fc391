"""Beijing time: every timestamp without an offset is Asia/Shanghai."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
# The years a typed or reported time may fall in: Beijing time has been UTC+8 all year only since 1992 (older
# times carry local-mean-time offsets), and a later year than 2100 is a typing error, not an incident.
MIN_YEAR, MAX_YEAR = 1992, 2100


def parse_iso(value: str) -> datetime:
    """Parse ISO 8601; no offset means Asia/Shanghai; the result is always in Asia/Shanghai."""
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=SHANGHAI)
    return moment.astimezone(SHANGHAI)


def to_shanghai(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=SHANGHAI)
    return moment.astimezone(SHANGHAI)


def now_shanghai() -> datetime:
    return datetime.now(SHANGHAI)


def clock(moment: datetime) -> str:
    """'YYYY-MM-DD HH:MM' in Beijing time, the form every deadline is shown in."""
    return to_shanghai(moment).strftime("%Y-%m-%d %H:%M")
