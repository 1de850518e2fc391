"""A report as one plain structure (header, numbered sections of labelled items) that every format lays out.

The md and txt templates and the .docx builder all read the same Report, so the three formats cannot disagree
about what the report says. Values are already formatted for display; an item not provided carries None and
each format shows the "to be supplemented" marker in its place, so nothing is silently dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot.i18n import pick
from bot.reports.facts import Facts, FactsError
from bot.reports.fields import (
    CONTACT_PARTS,
    FIELDS,
    HEADER_LABELS,
    MISSING,
    RANSOM_PARTS,
    RANSOM_WORDS,
    SECTIONS,
    Kind,
)
from bot.rules import FactsError as AssessError
from bot.rules import assess, wording
from bot.rules.tables import KIND_NAMES as DUTY_NAMES
from bot.rules.tables import LEVEL_NAMES
from bot.timeutil import clock, parse_iso

ZH_NUMERALS = "一二三四五六七八九十"
# The duties of the assessment a report of each kind fulfils (first) or travels with, in the header's order.
DUTIES: dict[Kind, tuple[str, ...]] = {
    "initial": ("initial", "sector", "crime"),
    "supplement": ("supplement",),
    "summary": ("summary",),
}
WORDS = {
    "latest": {"zh": "最迟 {deadline}", "en": "by {deadline}"},
    "within": {"zh": "（{limit}内）", "en": " (within {limit})"},
    "promptly": {"zh": "及时", "en": "promptly"},
    "days": {"zh": "处置结束后{days}日内", "en": "within {days} days after handling ends"},
    "provisional": {"zh": "（暂定）", "en": " (provisional)"},
    "at_least": {"zh": "至少{level}（可能更高）", "en": "at least {level} (possibly higher)"},
}


@dataclass(frozen=True)
class Item:
    label: str
    value: str | None  # None: not provided yet, shown as the missing marker

    @property
    def multiline(self) -> bool:
        return self.value is not None and "\n" in self.value


@dataclass(frozen=True)
class Section:
    number: int
    heading: str  # "一、单位名称……" or "1. Organisation …"
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Report:
    """Everything a template needs. `shown` maps each field key (but ransom, which has its own items) to its
    display text, None when missing. `notes` are for the person drafting, never rendered: what the assessment
    assumed and how to send where no channel is listed — the recipient needs only the level, the recipients
    with their deadlines, and the channels."""

    kind: Kind
    lang: str
    missing: str
    sep: str  # "：" or ": "
    labels: dict[str, str]
    shown: dict[str, str | None]
    level: str | None
    recipients: tuple[str, ...]
    channels: tuple[str, ...]
    notes: tuple[str, ...]
    reported_at: str
    sections: tuple[Section, ...]

    @property
    def incomplete(self) -> bool:
        """Whether anything is shown as the missing marker: an item, or the header's organisation, contact,
        level or recipients."""
        header = (self.shown["organization"], self.shown["contact"], self.level)
        items = (item.value for section in self.sections for item in section.items)
        return not self.recipients or any(value is None for value in (*header, *items))


def build_report(kind: Kind, lang: str, facts: Facts, now: datetime) -> Report:
    """The report of `kind` in `lang`; raises FactsError when the assessment input is invalid."""
    shown = {key: _display(key, facts.get(key), lang) for key in FIELDS if key != "ransom"}
    result = _assess(facts, now, lang) if facts.assessment is not None else None
    duties = [o for o in result["obligations"] if o["by"] == "operator" and o["kind"] in DUTIES[kind]] if result else []
    # The assumptions explain the initial report's routing (and name its sector and crime lines) to the user;
    # later reports go the same way, so they repeat none of it.
    notes = list(result["assumptions"]) if result and kind == "initial" else []
    if any(not o["channels"] for o in duties if o["kind"] == DUTIES[kind][0]):
        notes.append(pick(wording.CAVEATS["own_channels"], lang))
    level = shown["level"]
    if result is not None:
        level = wording.level_name(result["level"], lang)
        if result["level"] is not None and wording.level_may_be_higher(result["assumptions"]):
            level = pick(WORDS["at_least"], lang).format(level=level)
        if result["provisional"]:
            level += pick(WORDS["provisional"], lang)
        # What the assessment already knows fills the report's own items too, unless the user gave another
        # level: the same level is shown with the assessment's qualifiers, so header and item agree.
        if facts.get("level") in (None, result["level"]):
            shown["level"] = level
        discovered = facts.assessment.get("discovered_at")
        if shown["discovered_at"] is None and discovered:
            shown["discovered_at"] = clock(parse_iso(discovered))
    return Report(
        kind=kind,
        lang=lang,
        missing=pick(MISSING, lang),
        sep="：" if lang == "zh" else ": ",
        labels={key: pick(label, lang) for key, label in HEADER_LABELS.items()},
        shown=shown,
        level=level,
        recipients=tuple(_duty_line(o, kind, lang) for o in duties),
        channels=tuple(dict.fromkeys(channel for o in duties for channel in o["channels"])),
        notes=tuple(notes),
        reported_at=clock(now),
        sections=tuple(_sections(kind, lang, facts, shown)),
    )


def is_ransomware(incident_type: str | None) -> bool:
    """Whether an incident type names ransomware (勒索, ransom), whatever else it says."""
    folded = (incident_type or "").lower()
    return any(word in folded for word in RANSOM_WORDS)


def _assess(facts: Facts, now: datetime, lang: str) -> dict[str, Any]:
    """The assessment of the header: the given `assess` input, with the report's own level and times winning.

    The report's level replaces the assessment's only where they differ, so a level graded from the guide
    keeps its provisional mark when the report states the same level.
    """
    scenario = dict(facts.assessment or {})
    for key in ("discovered_at", "handling_ended_at"):
        if facts.get(key) is not None:
            scenario[key] = facts.get(key).isoformat()
    try:
        result = assess(scenario, now, lang)
        if facts.get("level") is not None and facts.get("level") != result["level"]:
            result = assess({**scenario, "level": facts.get("level")}, now, lang)
    except AssessError as error:
        raise FactsError(f"assessment: {error}") from None
    return result


def _duty_line(obligation: dict[str, Any], kind: Kind, lang: str) -> str:
    """'属地省级网信部门：最迟 2026-03-01 13:00（4小时内）' — who receives the report and by when."""
    sep = "：" if lang == "zh" else ": "
    who = wording.recipients(obligation["to"], lang)
    if obligation["kind"] != DUTIES[kind][0]:
        duty = pick(DUTY_NAMES[obligation["kind"]], lang)
        who += f"（{duty}）" if lang == "zh" else f" — {duty}"
    if obligation["within_days"] is not None:
        limit = pick(WORDS["days"], lang).format(days=obligation["within_days"])
    elif obligation["within_minutes"] is not None:
        limit = wording.duration_minutes(obligation["within_minutes"], lang)
    else:
        return who + sep + pick(WORDS["promptly"], lang)
    if obligation["deadline"] is None:
        return who + sep + limit
    when = pick(WORDS["latest"], lang).format(deadline=clock(parse_iso(obligation["deadline"])))
    if obligation["within_days"] is not None:
        return f"{who}{sep}{when}（{limit}）" if lang == "zh" else f"{who}{sep}{when} ({limit})"
    return who + sep + when + pick(WORDS["within"], lang).format(limit=limit)


def _sections(kind: Kind, lang: str, facts: Facts, shown: dict[str, str | None]) -> list[Section]:
    ransom_shown = facts.get("ransom") is not None or is_ransomware(facts.get("type"))
    sections = []
    for spec in SECTIONS[kind]:
        items: list[Item] = []
        for key in spec.fields:
            if key == "ransom":
                if ransom_shown:
                    ransom = facts.get("ransom") or {}
                    items += [Item(pick(label, lang), _part(ransom.get(part))) for part, label in RANSOM_PARTS.items()]
            else:
                items.append(Item(pick(FIELDS[key].label, lang), shown[key]))
        title = pick(spec.title, lang)
        heading = f"{ZH_NUMERALS[spec.number - 1]}、{title}" if lang == "zh" else f"{spec.number}. {title}"
        sections.append(Section(spec.number, heading, tuple(items)))
    return sections


def _display(key: str, value: Any, lang: str) -> str | None:
    if value is None:
        return None
    value_type = FIELDS[key].value_type
    if value_type == "time":
        return clock(value)
    if value_type == "level":
        return pick(LEVEL_NAMES[value], lang)
    if value_type == "contact":
        parts = [value["name"]] if "name" in value else []
        parts += [f"{pick(CONTACT_PARTS[part], lang)} {value[part]}" for part in ("phone", "email") if part in value]
        return ("，" if lang == "zh" else ", ").join(parts)
    return value


def _part(value: Any) -> str | None:
    """A ransom part for display: dates stay dates, times become 'YYYY-MM-DD HH:MM'."""
    if isinstance(value, datetime):
        return clock(value)
    if isinstance(value, date):
        return value.isoformat()
    return value
