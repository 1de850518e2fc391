"""assess(facts, now) -> the `assess --json` output: must we report, at which level, and every obligation.

Unknown facts are never guessed. An unknown operator type means every path that may apply is met (so the
earliest deadline governs); an unknown level, or an unknown grading criterion that could lift the level,
means "treat as reportable" and lists the upstream steps of the highest level still possible. Each such
choice is named in `assumptions`, and so is every grading criterion left out of a given `grading` (taken as
not met). An incident discovered before the Measures were in force has no obligations under them; a deadline
already passed leads the caveats with "report now, and say why it is late"; duties under other laws that the
facts point to (PIPL, DSL, the Network Data Regulations) come last, in `also_note`, apart from the deadlines.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any, Mapping

from bot.i18n import pick
from bot.rules import wording
from bot.rules.facts import Facts, parse_facts
from bot.rules.grading import grade
from bot.rules.tables import (
    CHANNELS,
    CII_OUTAGE_KEYS,
    CRITERIA,
    GROUP_BY_KEY,
    GROUPS,
    IN_FORCE,
    KINDS,
    LEVELS,
    OFFICIAL_TEXT_URL,
    PATH_BY_KEY,
    RANK,
    REPORTABLE,
    SUMMARY_DAYS,
    UPSTREAM,
    Path,
    Step,
)
from bot.timeutil import clock, parse_iso, to_shanghai

HIGHEST = LEVELS[-1]


def assess(facts: Mapping[str, Any], now: datetime, lang: str | None = None) -> dict[str, Any]:
    """The assessment of one scenario (raises FactsError on bad input).

    `lang` ('zh' or 'en') is the language of the texts (basis, assumptions, caveats, channels); the scenario's
    own "lang" key is used when `lang` is None, and Chinese when neither is given.
    """
    now = to_shanghai(now)
    parsed = parse_facts(facts, now)
    lang = lang or parsed.lang or "zh"
    assumptions: list[str] = []
    caveats: list[str] = []
    if parsed.cii is False and any((parsed.grading or {}).get(key, 0) != 0 for key in CII_OUTAGE_KEYS):
        parsed = replace(parsed, cii=None)  # an outage of CII contradicts "no CII": meet both paths
        assumptions.append(pick(wording.ASSUMPTIONS["cii_outage_given"], lang))

    level, effective, provisional, basis = _level(parsed, lang, assumptions, caveats)
    in_force = parsed.discovered_at >= parse_iso(IN_FORCE)
    if not in_force:
        return {
            "must_report": False,
            "level": level,
            "provisional": provisional,
            "level_basis": basis,
            "obligations": [],
            "assumptions": assumptions,
            "caveats": [pick(wording.CAVEATS["not_in_force"], lang).format(discovered=clock(parsed.discovered_at)), *caveats],
            "in_force": False,
            "also_note": _also_note(parsed, lang),
        }
    must_report = RANK[effective] >= RANK[REPORTABLE]
    paths = _paths(parsed, lang, assumptions) if must_report else []

    obligations: list[dict[str, Any]] = []
    for path in paths:
        obligations += _path_obligations(path, parsed, effective, lang)
    if parsed.sector_rules is not False:
        source = "Measures Art. 4" if must_report else "Sector rules"
        obligations.append(_obligation(Step("sector", "operator", ("sector_regulator",), None, source), None, []))
        if parsed.sector_rules is None:
            assumptions.append(pick(wording.ASSUMPTIONS["sector_unknown"], lang))
    if parsed.suspected_crime is not False:
        source = "Measures Art. 4" if must_report else "Suspected crime"
        obligations.append(_obligation(Step("crime", "operator", ("public_security",), None, source), None, []))
        if parsed.suspected_crime is None:
            assumptions.append(pick(wording.ASSUMPTIONS["crime_unknown"], lang))
    obligations.sort(key=lambda o: (KINDS.index(o["kind"]), o["deadline"] is None, o["deadline"] or ""))

    if not parsed.discovered_given:
        assumptions.insert(0, pick(wording.ASSUMPTIONS["discovered_now"], lang).format(clock=clock(now)))
    caveats[:0] = _caveats(parsed, paths, obligations, must_report, level, now, lang)
    return {
        "must_report": must_report,
        "level": level,
        "provisional": provisional,
        "level_basis": basis,
        "obligations": obligations,
        "assumptions": assumptions,
        "caveats": caveats,
        "in_force": True,
        "also_note": _also_note(parsed, lang),
    }


def overdue(obligations: list[dict[str, Any]], now: datetime) -> bool:
    """Whether one of the operator's own timed reports is past its deadline."""
    return any(o["by"] == "operator" and o["deadline"] is not None and parse_iso(o["deadline"]) < now for o in obligations)


def _also_note(parsed: Facts, lang: str) -> list[str]:
    """PIPL Art. 57 when personal information is or may be involved (a leak or ransomware, a count of people
    other than 0, a threat from it); DSL Art. 29 and the Network Data
    Regulations Art. 11 when core or important data is (an unknown answer counts as "may be")."""
    grading = parsed.grading or {}
    personal = (
        parsed.incident_type in ("data_leak", "ransomware")  # ransomware often takes data before it encrypts
        or ("personal_info_people" in grading and grading["personal_info_people"] != 0)
        or grading.get("personal_info_threat", "none") != "none"
    )
    important = grading.get("data_threat", "none") != "none"
    keys = ["pipl_57"] * personal + ["dsl_29", "ndsmr_11"] * important
    return [pick(wording.ALSO_NOTE[key], lang) for key in keys]


def _level(parsed: Facts, lang: str, assumptions: list[str], caveats: list[str]) -> tuple[str | None, str, bool, list[str]]:
    """(level shown, level the obligations follow, provisional, basis)."""
    if parsed.level is not None:
        if parsed.grading:
            caveats.append(pick(wording.CAVEATS["grading_ignored"], lang))
        return parsed.level, parsed.level, False, [pick(wording.BASIS["given"], lang).format(level=wording.level_name(parsed.level, lang))]
    if parsed.grading is None:
        assumptions.append(pick(wording.ASSUMPTIONS["level_unknown"], lang))
        return None, HIGHEST, False, []
    result = grade(parsed.grading)
    absent = [key for key in _absent_criteria(parsed) if RANK[_highest(key)] > RANK[result.known]]
    if absent:
        names = ("；" if lang == "zh" else "; ").join(wording.criterion_label(key, lang) for key in absent)
        assumptions.append(pick(wording.ASSUMPTIONS["criteria_absent"], lang).format(names=names))
    if result.assumed:
        assumptions.append(pick(wording.ASSUMPTIONS["site_unknown"], lang))
    reportable = RANK[result.known] >= RANK[REPORTABLE]
    level = result.known if reportable else (None if RANK[result.possible] >= RANK[REPORTABLE] else "general")
    basis = [wording.hit_text(h.criterion, h.value, h.qualifier, lang) for h in result.decided_by]
    if not basis and level == "general":
        basis = [pick(wording.BASIS["none_met"], lang)]
    elif not basis and any(value is not None for value in parsed.grading.values()):
        basis = [pick(wording.BASIS["none_known_met"], lang)]
    if result.unknown:
        names = ("；" if lang == "zh" else "; ").join(pick(GROUP_BY_KEY[key].name, lang) for key in result.unknown)
        possible = wording.level_name(result.possible, lang)
        key = "criteria_unknown_higher" if reportable else "criteria_unknown_reportable"
        assumptions.append(pick(wording.ASSUMPTIONS[key], lang).format(names=names, possible=possible))
        if RANK[result.possible] >= RANK[UPSTREAM] > RANK[result.known]:
            assumptions.append(pick(wording.ASSUMPTIONS["upstream_may_apply"], lang))
    if result.provisional:
        figures = ("；" if lang == "zh" else "; ").join(wording.figure(c, lang) for c in result.unconfirmed)
        caveats.append(pick(wording.CAVEATS["provisional"], lang).format(figures=figures, url=OFFICIAL_TEXT_URL))
    if level == "general" and absent:
        caveats.append(pick(wording.CAVEATS["absent_general"], lang))
    return level, result.possible, result.provisional, basis


def _highest(key: str) -> str:
    return max((c.level for c in CRITERIA if c.key == key), key=RANK.__getitem__)


def _absent_criteria(parsed: Facts) -> list[str]:
    """The grading keys a given `grading` leaves out, which therefore count as not met. A CII outage cannot
    apply without CII; a criterion settled through its qualifier ("no such site") is not absent."""
    grading = parsed.grading or {}
    absent = []
    for group in GROUPS:
        if group.key in grading or (parsed.cii is False and group.key in CII_OUTAGE_KEYS):
            continue
        if group.qualifier_key and group.qualifier_absent is None and group.qualifier_key in grading:
            continue
        absent.append(group.key)
    return absent


def _paths(parsed: Facts, lang: str, assumptions: list[str]) -> list[Path]:
    """Every Art. 4 path that may apply: both when CII and central organ, all when the type is unknown."""
    paths = []
    if parsed.cii is not False:
        paths.append(PATH_BY_KEY["cii"])
        if parsed.cii is None:
            assumptions.append(pick(wording.ASSUMPTIONS["cii_unknown"], lang))
    if parsed.central_state_organ is not False:
        paths.append(PATH_BY_KEY["central_state_organ"])
        if parsed.central_state_organ is None:
            assumptions.append(pick(wording.ASSUMPTIONS["organ_unknown"], lang))
    if parsed.cii is not True and parsed.central_state_organ is not True:
        paths.append(PATH_BY_KEY["other"])
        if parsed.cii is None or parsed.central_state_organ is None:
            assumptions.append(pick(wording.ASSUMPTIONS["other_possible"], lang))
    return paths


def _path_obligations(path: Path, parsed: Facts, effective: str, lang: str) -> list[dict[str, Any]]:
    channels = list(CHANNELS[lang]) if path.uses_cac_channels else []
    own = parsed.discovered_at + timedelta(minutes=path.initial.within_minutes or 0)
    result = [_obligation(path.initial, own, channels)]
    if RANK[effective] >= RANK[UPSTREAM]:
        for step in path.upstream:
            deadline = own + timedelta(minutes=step.within_minutes) if step.within_minutes is not None else None
            result.append(_obligation(step, deadline, []))
    to = path.initial.to
    result.append(_obligation(Step("supplement", "operator", to, None, "Measures Art. 7"), None, channels))
    summary = _obligation(Step("summary", "operator", to, None, "Measures Art. 8"), None, channels)
    summary["within_days"] = SUMMARY_DAYS
    if parsed.handling_ended_at is not None:
        summary["deadline"] = _iso(parsed.handling_ended_at + timedelta(days=SUMMARY_DAYS))
    result.append(summary)
    return result


def _obligation(step: Step, deadline: datetime | None, channels: list[str]) -> dict[str, Any]:
    return {
        "kind": step.kind,
        "by": step.by,
        "to": list(step.to),
        "within_minutes": step.within_minutes,
        "within_days": None,
        "deadline": _iso(deadline) if deadline is not None else None,
        "channels": channels,
        "source": step.source,
    }


def _caveats(
    parsed: Facts, paths: list[Path], obligations: list[dict[str, Any]], must_report: bool, level: str | None, now: datetime, lang: str
) -> list[str]:
    keys: list[str] = []
    if must_report:
        keys.append("clock_from_discovery")
        if any(o["kind"] == "escalation" for o in obligations):
            keys.append("upstream_from_receipt")
        if any(not path.uses_cac_channels for path in paths):
            keys.append("own_channels")
        keys.append("supplement_no_limit")
        if parsed.handling_ended_at is None:
            keys.append("summary_pending")
    elif level == "general":
        keys.append("general_not_reportable")
    if parsed.discovered_at > now:
        keys.append("future_discovery")
    if overdue(obligations, now):
        keys.insert(0, "overdue")
    return [pick(wording.CAVEATS[key], lang) for key in keys]


def _iso(moment: datetime) -> str:
    """ISO 8601 with the +08:00 offset, to the second."""
    return to_shanghai(moment).isoformat(timespec="seconds")
