"""A report as one plain structure (addressee, numbered sections of labelled items, signature) that every
format lays out, and beside it the internal matter that is never part of the document.

The md and txt templates and the .docx builder all read the same Report, so the three formats cannot disagree
about what the report says. Values are already formatted for display; an item not provided carries None and
each format shows the "to be supplemented" marker in its place, so nothing is silently dropped.

What the person drafting needs but the recipient must not read (our deadlines and the time left, the channel
list, the assessment's assumptions and caveats) is kept in `recipients`, `channels` and `notes`, which no
template shows: internal_text() gives it for the chat message that delivers the files and for stderr.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from bot.i18n import pick
from bot.reports.facts import Facts, FactsError
from bot.reports.fields import (
    ADDRESSEES,
    COMPOUND,
    CONTACT_PARTS,
    FIELDS,
    HEADER_LABELS,
    INITIAL_REPORT_PARTS,
    INITIAL_REPORT_SHOWN,
    MISSING,
    RANSOM_PARTS,
    RANSOM_WORDS,
    Kind,
    sections_of,
)
from bot.rules import FactsError as AssessError
from bot.rules import assess, wording
from bot.rules.assess import overdue
from bot.rules.describe import time_left
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
    "left": {"zh": "，{left}", "en": " — {left}"},
}


@dataclass(frozen=True)
class Item:
    label: str
    value: str | None  # None: not provided yet, shown as the missing marker
    entries: tuple[str, ...] = ()  # a list (the timeline): one line each; `value` holds them joined

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
    """Everything a template needs. `shown` maps each field key (but the compound ones, which have items of
    their own) to its display text, None when missing. `addressee` opens the document and `signature` (the
    reporting unit with room for its seal, contact person, phone, date) closes it.

    `recipients`, `channels` and `notes` are the internal matter, never rendered into the document: who must
    receive the report by when (with the time left at the report time), the channels, and what the
    assessment assumed and warns about. internal_text() lays them out for the chat and stderr."""

    kind: Kind
    lang: str
    missing: str
    sep: str  # "：" or ": "
    labels: dict[str, str]
    shown: dict[str, str | None]
    level: str | None
    level_basis: tuple[str, ...]
    addressee: str | None
    recipients: tuple[str, ...]
    channels: tuple[str, ...]
    notes: tuple[str, ...]
    late: bool  # its own deadline had passed at the report time (or a late reason is given): it has that item
    reported_at: str
    sections: tuple[Section, ...]
    signature: tuple[Item, ...] = field(default=())

    @property
    def addressee_line(self) -> str:
        """The document's first line after the title: '属地省级网信部门：' / 'To: the provincial …'."""
        if self.lang != "zh":
            return f"{self.labels['addressee']}: {self.addressee if self.addressee is not None else self.missing}"
        return f"{self.addressee}：" if self.addressee is not None else f"{self.labels['addressee']}：{self.missing}"

    @property
    def incomplete(self) -> bool:
        """Whether anything is shown as the missing marker: the addressee, an item or the signature."""
        items = (item.value for section in self.sections for item in section.items)
        return any(value is None for value in (self.addressee, *items, *(item.value for item in self.signature)))


def build_report(kind: Kind, lang: str, facts: Facts, now: datetime) -> Report:
    """The report of `kind` in `lang`, made at the facts' `reported_at` or else `now` (the report time: its
    date, the time left and whether it is late are all counted at that moment); raises FactsError when the
    assessment input is invalid."""
    at = facts.get("reported_at") or now
    shown = {key: _display(key, facts.get(key), lang) for key in FIELDS if key not in COMPOUND}
    result, level_given = _assess(facts, at, lang) if facts.assessment is not None else (None, False)
    own = [o for o in result["obligations"] if o["by"] == "operator"] if result else []
    duties = [o for o in own if o["kind"] in DUTIES[kind]]
    primary = [o for o in duties if o["kind"] == DUTIES[kind][0]]
    late = overdue(primary, at)
    # The assumptions explain the initial report's routing (and name its sector and crime lines) to the user;
    # later reports go the same way, so they repeat none of it (but a missed deadline and own channels).
    notes = [*result["assumptions"], *result["caveats"]] if result and kind == "initial" else []
    if late and kind != "initial":
        notes.insert(0, pick(wording.CAVEATS["overdue"], lang))
    if any(not o["channels"] for o in primary):
        notes.append(pick(wording.CAVEATS["own_channels"], lang))
    level = shown["level"]
    basis: tuple[str, ...] = ()
    if result is not None:
        level = wording.level_name(result["level"], lang)
        if result["level"] is not None and wording.level_may_be_higher(result["assumptions"]):
            level = pick(WORDS["at_least"], lang).format(level=level)
        if result["provisional"]:
            level += pick(WORDS["provisional"], lang)
        basis = () if level_given else tuple(_basis_text(text, lang) for text in result["level_basis"])
        # What the assessment already knows fills the report's own items too, unless the user gave another
        # level: the same level is shown with the assessment's qualifiers (and its basis).
        if facts.get("level") in (None, result["level"]):
            shown["level"] = level
        discovered = facts.assessment.get("discovered_at")
        if shown["discovered_at"] is None and discovered:
            shown["discovered_at"] = clock(parse_iso(discovered))
    if shown["level"] is not None and shown["level"] == level and basis:
        sep = "；" if lang == "zh" else "; "
        shown["level"] += f"{sep}{pick(HEADER_LABELS['basis'], lang)}{'：' if lang == 'zh' else ': '}{sep.join(basis)}"
    return Report(
        kind=kind,
        lang=lang,
        missing=pick(MISSING, lang),
        sep="：" if lang == "zh" else ": ",
        labels={key: pick(label, lang) for key, label in HEADER_LABELS.items()},
        shown=shown,
        level=level,
        level_basis=basis,
        addressee=shown["addressee"] or _addressee(primary or duties, lang),
        recipients=tuple(_duty_line(o, kind, lang, at) for o in duties),
        channels=tuple(dict.fromkeys(channel for o in duties for channel in o["channels"])),
        notes=tuple(dict.fromkeys(notes)),
        late=late or facts.get("late_reason") is not None,
        reported_at=clock(at),
        sections=tuple(_sections(kind, lang, facts, shown, late or facts.get("late_reason") is not None)),
        signature=_signature(facts, lang, clock(at)),
    )


def internal_text(report: Report) -> str:
    """The internal matter of a report as the chat and stderr show it ("" when there is none): recipients with
    deadlines and time left, channels, notes. Never part of the document."""
    blocks = []
    if report.recipients:
        blocks.append("\n".join([report.labels["recipients"] + report.sep.rstrip(), *(f"- {line}" for line in report.recipients)]))
    if report.channels:
        blocks.append("\n".join([report.labels["channels"] + report.sep.rstrip(), *(f"- {line}" for line in report.channels)]))
    if report.notes:
        blocks.append("\n".join([report.labels["notes"] + report.sep.rstrip(), *(f"- {line}" for line in report.notes)]))
    return "\n\n".join([report.labels["internal"], *blocks]) if blocks else ""


def is_late(kind: Kind, facts: Facts, now: datetime) -> bool:
    """Whether a report of `kind` made now (or at the facts' `reported_at`) is past its own deadline."""
    return build_report(kind, "zh", facts, now).late


def is_ransomware(incident_type: str | None) -> bool:
    """Whether an incident type names ransomware (勒索, ransom), whatever else it says."""
    folded = (incident_type or "").lower()
    return any(word in folded for word in RANSOM_WORDS)


def _assess(facts: Facts, now: datetime, lang: str) -> tuple[dict[str, Any], bool]:
    """The assessment behind the report: the given `assess` input, with the report's own level and times
    winning; and whether the level was given rather than graded (then there is no grading basis to state).

    The report's level replaces the assessment's only where they differ, so a level graded from the guide
    keeps its provisional mark (and its basis) when the report states the same level.
    """
    scenario = dict(facts.assessment or {})
    for key in ("discovered_at", "handling_ended_at"):
        if facts.get(key) is not None:
            scenario[key] = facts.get(key).isoformat()
    level_given = scenario.get("level") is not None
    try:
        result = assess(scenario, now, lang)
        if facts.get("level") is not None and facts.get("level") != result["level"]:
            result = assess({**scenario, "level": facts.get("level")}, now, lang)
            level_given = True
    except AssessError as error:
        raise FactsError(f"assessment: {error}") from None
    return result, level_given


def _basis_text(text: str, lang: str) -> str:
    """A grading basis as the document states it: which criterion, which figure, which level — without our
    confidence in the guide's figure ('（较大；已确认）' → '（较大）'), which belongs to the caveats."""
    for confidence in wording.CONFIDENCE.values():
        mark = pick(confidence, lang)
        text = text.replace(f"；{mark}）", "）") if lang == "zh" else text.replace(f"; {mark})", ")")
    return text


def _addressee(duties: list[dict[str, Any]], lang: str) -> str | None:
    """The generic body of the report's path(s): '属地省级网信部门', '保护工作部门和公安机关'; several paths
    (an operator of unknown type meets them all) are named one after the other."""
    joiner, between = ("和", "、") if lang == "zh" else (" and ", "; ")
    names = []
    for obligation in duties:
        bodies = [pick(ADDRESSEES[key], lang) for key in obligation["to"] if key in ADDRESSEES]
        if bodies:
            names.append(joiner.join(bodies))
    return between.join(dict.fromkeys(names)) or None


def _signature(facts: Facts, lang: str, reported_at: str) -> tuple[Item, ...]:
    """The closing block: reporting unit (with room for its seal), contact person, phone, email if given, date."""
    contact = facts.get("contact") or {}
    items = [
        Item(pick(HEADER_LABELS["organization"], lang), facts.get("organization")),
        Item(pick(HEADER_LABELS["contact_name"], lang), contact.get("name")),
        Item(pick(HEADER_LABELS["contact_phone"], lang), contact.get("phone")),
    ]
    if contact.get("email"):
        items.append(Item(pick(HEADER_LABELS["contact_email"], lang), contact["email"]))
    items.append(Item(pick(HEADER_LABELS["reported_at"], lang), reported_at))
    return tuple(items)


def _duty_line(obligation: dict[str, Any], kind: Kind, lang: str, now: datetime) -> str:
    """'属地省级网信部门：最迟 2026-03-01 13:00（4小时内），还剩 3小时' — who receives the report, by when, and
    the time left at the report time (or how long overdue)."""
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
    deadline = parse_iso(obligation["deadline"])
    when = pick(WORDS["latest"], lang).format(deadline=clock(deadline))
    left = pick(WORDS["left"], lang).format(left=time_left(deadline, now, lang))
    if obligation["within_days"] is not None:
        return (f"{who}{sep}{when}（{limit}）" if lang == "zh" else f"{who}{sep}{when} ({limit})") + left
    return who + sep + when + pick(WORDS["within"], lang).format(limit=limit) + left


def _sections(kind: Kind, lang: str, facts: Facts, shown: dict[str, str | None], late: bool) -> list[Section]:
    ransom_shown = facts.get("ransom") is not None or is_ransomware(facts.get("type"))
    sections = []
    for spec in sections_of(kind, late):
        items: list[Item] = []
        for key in spec.fields:
            if key == "ransom":
                if ransom_shown:
                    ransom = facts.get("ransom") or {}
                    items += [Item(pick(label, lang), _part(ransom.get(part))) for part, label in RANSOM_PARTS.items()]
            elif key == "initial_report":
                made = facts.get("initial_report") or {}
                parts = [part for part in INITIAL_REPORT_PARTS if part in INITIAL_REPORT_SHOWN or part in made]
                items += [Item(pick(INITIAL_REPORT_PARTS[part], lang), _part(made.get(part))) for part in parts]
            elif key == "timeline":
                entries = tuple(f"{clock(entry['at'])} {entry['text']}" for entry in facts.get("timeline") or ())
                items.append(Item(pick(FIELDS[key].label, lang), "\n".join(entries) or None, entries))
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
