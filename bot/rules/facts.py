"""Reading an assess scenario: the JSON contract's facts, checked, with every unknown kept as None.

Bad input raises FactsError with a message a person can act on; nothing here guesses a missing fact
except the discovery time, which the contract defines as "now" when absent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Mapping

from bot.i18n import LANGS
from bot.rules.tables import DEFACEMENT_SITES, GRADING_KEYS, GROUP_BY_KEY, INCIDENT_TYPES, LEVEL_ALIASES, POPULATION_REGIONS, PORTAL_TIERS, THREAT_DEGREES
from bot.timeutil import parse_iso

BOOL_KEYS = ("cii", "central_state_organ", "suspected_crime", "sector_rules")
KNOWN_KEYS = (*BOOL_KEYS, "level", "discovered_at", "handling_ended_at", "incident_type", "grading", "lang")
MAX_FIGURE = 1e15  # far above every threshold; larger numbers are typing errors (and would not format)
MIN_YEAR, MAX_YEAR = 1992, 9000  # Beijing time has been UTC+8 all year since 1992; room for deadlines to stay valid
CHOICE_KEYS = {
    **{group.key: tuple(THREAT_DEGREES) for group in GROUP_BY_KEY.values() if group.kind == "degree"},
    "portal_tier": PORTAL_TIERS,
    "population_region": POPULATION_REGIONS,
    "defacement_site": DEFACEMENT_SITES,
}
BOOL_GRADING_KEYS = tuple(group.key for group in GROUP_BY_KEY.values() if group.kind == "determination")


class FactsError(ValueError):
    """The scenario cannot be read; the message says which key and why."""


@dataclass(frozen=True)
class Facts:
    cii: bool | None
    central_state_organ: bool | None
    level: str | None  # an English level key, or None when unknown
    discovered_at: datetime
    discovered_given: bool
    suspected_crime: bool | None
    sector_rules: bool | None
    handling_ended_at: datetime | None
    grading: dict[str, Any] | None  # checked grading keys; a None value means "unknown"
    lang: str | None = None  # the language of the texts in the result, if the scenario asks for one
    incident_type: str | None = None  # what happened, if said: only the related duties ("also note") read it


def parse_facts(raw: Any, now: datetime) -> Facts:
    """Check one scenario against the assess input contract."""
    if not isinstance(raw, Mapping):
        raise FactsError("a scenario must be a JSON object")
    bools = {key: _bool(raw, key) for key in BOOL_KEYS}
    discovered = _time(raw, "discovered_at")
    ended = _time(raw, "handling_ended_at")
    discovered_at = discovered or now
    if ended is not None and ended < discovered_at:
        raise FactsError("handling_ended_at is before discovered_at" + ("" if discovered else " (not given, so now)"))
    grading = raw.get("grading")
    if grading is not None and not isinstance(grading, Mapping):
        raise FactsError("grading must be a JSON object")
    _refuse_unknown(raw, KNOWN_KEYS, "")
    checked_grading = None
    if grading is not None:
        _refuse_unknown(grading, GRADING_KEYS, "grading.")
        checked_grading = {key: _grading_value(key, value) for key, value in grading.items()}
    return Facts(
        cii=bools["cii"],
        central_state_organ=bools["central_state_organ"],
        level=_level(raw.get("level")),
        discovered_at=discovered_at,
        discovered_given=discovered is not None,
        suspected_crime=bools["suspected_crime"],
        sector_rules=bools["sector_rules"],
        handling_ended_at=ended,
        grading=checked_grading,
        lang=_lang(raw.get("lang")),
        incident_type=_choice(raw, "incident_type", INCIDENT_TYPES),
    )


def _refuse_unknown(raw: Mapping[str, Any], known: tuple[str, ...], prefix: str) -> None:
    """A misspelt key would silently count as "not met" (and could turn a reportable incident into 一般)."""
    for key in raw:
        if key not in known:
            raise FactsError(f"unknown key {prefix}{key} (known keys: {', '.join(prefix + k for k in known)})")


def _choice(raw: Mapping[str, Any], key: str, choices: tuple[str, ...]) -> str | None:
    value = raw.get(key)
    if value is None or value in choices:
        return value
    raise FactsError(f"{key} must be one of {', '.join(f'{c!r}' for c in choices)} or null, not {json_repr(value)}".replace("'", '"'))


def _bool(raw: Mapping[str, Any], key: str) -> bool | None:
    value = raw.get(key)
    if value is None or isinstance(value, bool):
        return value
    raise FactsError(f"{key} must be true, false or null, not {json_repr(value)}")


def _lang(value: Any) -> str | None:
    if value is None or value in LANGS:
        return value
    raise FactsError(f'lang must be "zh" or "en", not {json_repr(value)}')


def _level(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str) and value.strip() in LEVEL_ALIASES:
        return LEVEL_ALIASES[value.strip()]
    choices = ", ".join(f'"{name}"' for name in LEVEL_ALIASES)
    raise FactsError(f"level must be one of {choices} or null, not {json_repr(value)}")


def _time(raw: Mapping[str, Any], key: str) -> datetime | None:
    value = raw.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise FactsError(f"{key} must be an ISO 8601 string such as \"2026-03-01T09:00\", not {json_repr(value)}")
    try:
        moment = parse_iso(value)
    except (ValueError, OverflowError):
        raise FactsError(f"{key} is not an ISO 8601 time: {json_repr(value)}") from None
    if not MIN_YEAR <= moment.year <= MAX_YEAR:
        raise FactsError(f"{key} must fall between the years {MIN_YEAR} and {MAX_YEAR}, not {json_repr(value)}")
    return moment


def _grading_value(key: str, value: Any) -> Any:
    if value is None:
        return None
    if key in CHOICE_KEYS:
        if value in CHOICE_KEYS[key]:
            return value
        choices = ", ".join(f'"{c}"' for c in CHOICE_KEYS[key])
        raise FactsError(f"grading.{key} must be one of {choices} or null, not {json_repr(value)}")
    if key in BOOL_GRADING_KEYS:
        if isinstance(value, bool):
            return value
        raise FactsError(f"grading.{key} must be true, false or null, not {json_repr(value)}")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= MAX_FIGURE:
        raise FactsError(f"grading.{key} must be a number from 0 to {MAX_FIGURE:.0e} or null, not {json_repr(value)}")
    if key == "population_share_pct" and value > 100:
        raise FactsError(f"grading.{key} is a percentage (0–100), not {json_repr(value)}")
    return value


def json_repr(value: Any) -> str:
    """A short rendering of a bad value for an error message."""
    text = repr(value) if not isinstance(value, str) else f'"{value}"'
    return text if len(text) <= 60 else text[:57] + "..."
