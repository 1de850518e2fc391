"""Checking a report's facts (the JSON object of the `report` command-line contract) before anything renders.

Every problem is collected into one FactsError so that a person fixing a JSON file sees them all at once.
Values come out normalised: text as given (a blank string counts as not provided), times as aware datetimes
in Asia/Shanghai, the level as its English key, contact and ransom as small dicts.

What JSON can hold but a report cannot is refused here too, so the command line exits 2 with its reason
rather than failing later: nesting deeper than JSON_DEPTH, integers too long to read, a lone surrogate
("\\ud800", which no encoder writes), an amount over MAX_AMOUNT, a time outside the years 1992–2100.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Iterable

from bot.reports.fields import CONTACT_KEYS, FACT_KEYS, FIELDS, INITIAL_REPORT_KEYS, RANSOM_KEYS, TIMELINE_KEYS
from bot.rules.facts import KNOWN_KEYS as ASSESS_KEYS
from bot.rules.tables import GRADING_KEYS, LEVEL_ALIASES
from bot.timeutil import MAX_YEAR, MIN_YEAR, parse_iso

JSON_DEPTH = 20  # the facts are three levels deep (assessment.grading.key); anything deeper is not facts
MAX_AMOUNT = 1e15  # a ransom amount beyond this is a typing error (and would not print as a number)


class FactsError(ValueError):
    """Facts that cannot be rendered; the message says what to fix."""


@dataclass(frozen=True)
class Facts:
    """Validated facts. `values` holds only the keys provided; `assessment` is the raw input of `assess`."""

    values: dict[str, Any] = field(default_factory=dict)
    assessment: dict[str, Any] | None = None

    def get(self, key: str) -> Any:
        return self.values.get(key)


def parse_facts_json(text: str) -> Facts:
    """Facts from the text of one JSON object (what the command line reads on stdin)."""
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as error:
        raise FactsError(f"invalid JSON: {error.msg} (line {error.lineno}, column {error.colno})") from None
    except RecursionError:
        raise FactsError(f"invalid facts: JSON nested deeper than {JSON_DEPTH} levels") from None
    except ValueError as error:  # an integer of more than 4,300 digits
        raise FactsError(f"invalid JSON: {error}") from None
    problem = _shape_problem(raw)
    if problem:
        raise FactsError(problem)
    return validate_facts(raw)


def _shape_problem(raw: Any) -> str | None:
    """Nesting deeper than JSON_DEPTH, or a lone surrogate in a key or a string (named by its path)."""
    stack: list[tuple[str, Any, int]] = [("", raw, 1)]
    while stack:
        path, value, depth = stack.pop()
        if depth > JSON_DEPTH:
            return f"invalid facts: JSON nested deeper than {JSON_DEPTH} levels"
        if isinstance(value, str) and _has_surrogate(value):
            return f"{path or 'the facts'}: holds a lone surrogate (such as \\ud800), which is not text"
        items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
        for key, item in items:
            if isinstance(key, str) and _has_surrogate(key):
                return f"{path or 'the facts'}: a key holds a lone surrogate (such as \\ud800), which is not text"
            stack.append((f"{path}.{key}" if path else str(key), item, depth + 1))
    return None


def _has_surrogate(text: str) -> bool:
    return any("\ud800" <= char <= "\udfff" for char in text)


def validate_facts(raw: Any) -> Facts:
    """Check a decoded JSON value against the contract and normalise it; raise FactsError listing every problem."""
    if not isinstance(raw, dict):
        raise FactsError(f"the facts must be one JSON object, not {_json_type(raw)}")
    problems = _unknown_keys(None, raw, FACT_KEYS)
    values: dict[str, Any] = {}
    for key in sorted(set(raw) & set(FIELDS)):
        if raw[key] is None:
            continue
        try:
            value = _normalise(key, raw[key])
        except FactsError as error:
            problems.append(str(error))
            continue
        if value not in (None, {}, []):
            values[key] = value
    assessment = raw.get("assessment")
    if assessment is not None and not isinstance(assessment, dict):
        problems.append(f"assessment: expected an object with the input of `assess`, got {_json_type(assessment)}")
    elif assessment is not None:
        # The rules only warn about unknown keys in their input; a report refuses them like its own.
        problems += _unknown_keys("assessment", assessment, ASSESS_KEYS)
        if isinstance(assessment.get("grading"), dict):
            problems += _unknown_keys("assessment.grading", assessment["grading"], GRADING_KEYS)
    if problems:
        raise FactsError("; ".join(problems))
    return Facts(values, assessment)


def _normalise(key: str, value: Any) -> Any:
    value_type = FIELDS[key].value_type
    if value_type == "text":
        return _text(key, value)
    if value_type == "time":
        return _time(key, value)
    if value_type == "level":
        level = LEVEL_ALIASES.get(value.strip()) if isinstance(value, str) else None
        if level is None:
            raise FactsError(f"level: {json.dumps(value, ensure_ascii=False)} is not a level (use one of {', '.join(LEVEL_ALIASES)})")
        return level
    if value_type == "contact":
        parts = _object(key, value, CONTACT_KEYS)
        return {name: text for name, part in parts.items() if (text := _text(f"contact.{name}", part)) is not None}
    if value_type == "initial_report":
        parts = _object(key, value, INITIAL_REPORT_KEYS)
        made: dict[str, Any] = {}
        for name, part in parts.items():
            checked = _time(f"{key}.at", part) if name == "at" else _text(f"{key}.{name}", part)
            if checked is not None:
                made[name] = checked
        return made
    if value_type == "timeline":
        return _timeline(key, value)
    parts = _object(key, value, RANSOM_KEYS)
    ransom: dict[str, Any] = {}
    for name, part in parts.items():
        if name == "date":
            checked = _date_or_time("ransom.date", part)
        elif name == "amount" and isinstance(part, (int, float)) and not isinstance(part, bool):
            if not abs(part) <= MAX_AMOUNT:  # also false for NaN and infinity
                raise FactsError(f"ransom.amount: expected a number up to {MAX_AMOUNT:.0e}")
            checked = _number_text(part)
        else:
            checked = _text(f"ransom.{name}", part)
        if checked is not None:
            ransom[name] = checked
    return ransom


def _timeline(key: str, value: Any) -> list[dict[str, Any]]:
    """[{"at": time, "text": text}, …] in time order (a stable sort: entries at one time keep their order)."""
    if not isinstance(value, list):
        raise FactsError(f"{key}: expected an array of {{\"at\", \"text\"}} objects, got {_json_type(value)}")
    entries = []
    for number, entry in enumerate(value):
        where = f"{key}[{number}]"
        parts = _object(where, entry, TIMELINE_KEYS)
        if "at" not in parts or "text" not in parts:
            raise FactsError(f"{where}: needs both \"at\" (an ISO 8601 time) and \"text\"")
        text = _text(f"{where}.text", parts["text"])
        if text is not None:
            entries.append({"at": _time(f"{where}.at", parts["at"]), "text": text})
    return sorted(entries, key=lambda entry: entry["at"])


def _unknown_keys(where: str | None, value: dict[str, Any], allowed: Iterable[str]) -> list[str]:
    """The problem of keys outside the contract, naming them and the keys allowed ([] when there are none)."""
    unknown = sorted(set(value) - set(allowed))
    if not unknown:
        return []
    place = f" in {where}" if where else ""
    return [f"unknown keys{place}: {', '.join(unknown)} (allowed: {', '.join(sorted(allowed))})"]


def _object(key: str, value: Any, allowed: frozenset[str]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise FactsError(f"{key}: expected an object with keys {', '.join(sorted(allowed))}, got {_json_type(value)}")
    problems = _unknown_keys(key, value, allowed)
    if problems:
        raise FactsError(problems[0])
    return {name: part for name, part in value.items() if part is not None}


def _text(key: str, value: Any) -> str | None:
    if not isinstance(value, str):
        raise FactsError(f"{key}: expected a string, got {_json_type(value)}")
    return value if value.strip() else None


def _time(key: str, value: Any) -> datetime:
    if not isinstance(value, str):
        raise FactsError(f"{key}: expected an ISO 8601 time string, got {_json_type(value)}")
    try:
        moment = parse_iso(value)
    except ValueError:
        raise FactsError(f"{key}: {_short(value)} is not an ISO 8601 time (e.g. 2026-03-01T09:30, Beijing time if no offset)") from None
    except OverflowError:  # e.g. 9999-12-31T23:59-12:00, past the last datetime in Beijing time
        moment = None
    return _in_years(key, value, moment)


def _in_years(key: str, value: str, moment: Any) -> Any:
    """The time or date if it falls in MIN_YEAR–MAX_YEAR, else the FactsError saying so."""
    if moment is None or not MIN_YEAR <= moment.year <= MAX_YEAR:
        raise FactsError(f"{key}: {_short(value)} is not between the years {MIN_YEAR} and {MAX_YEAR}")
    return moment


def _date_or_time(key: str, value: Any) -> date | datetime:
    """A date alone stays a date (a ransom note often carries no clock time); otherwise as _time."""
    if isinstance(value, str) and len(value.strip()) == 10:
        try:
            day = date.fromisoformat(value.strip())
        except ValueError:
            day = None
        if day is not None:
            return _in_years(key, value, day)
    return _time(key, value)


def _number_text(number: int | float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


def _short(value: Any) -> str:
    """A value as an error message quotes it: at most 60 characters."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _json_type(value: Any) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "true/false", int: "a number", float: "a number"}
    return "null" if value is None else names.get(type(value), type(value).__name__)
