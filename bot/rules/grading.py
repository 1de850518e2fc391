"""Grading an incident with the grading guide's table (tables.CRITERIA).

A level applies when any one of its conditions holds ("以上" includes the number itself). Each grading key is
read on its own: absent or below every threshold means "not met"; None means "unknown", and an unknown can
never lower the result — it only widens the range of levels the incident may have. A grade that rests on a
[likely] or [draft] figure, either because it met one or because it fell short of one, is provisional
(a degree is the user's own judgement of a qualitative clause, not a figure, so falling short of it is not).
A group may name the qualifier to take when it is absent (defacement: "other") or unknown (defacement: the
top kind of site, which grades highest); a grade resting on such an assumed qualifier is provisional too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from bot.rules.tables import CRITERIA, GROUP_BY_KEY, GROUPS, LEVELS, RANK, THREAT_DEGREES, Criterion, CriterionGroup


@dataclass(frozen=True)
class Hit:
    """A criterion the incident meets, with the value that met it."""

    criterion: Criterion
    value: Any
    qualifier: Any  # the portal tier / population region given, or None


@dataclass(frozen=True)
class Grade:
    known: str  # the highest level the known values establish ("general" when none reaches 较大)
    possible: str  # the highest level the unknown values still allow (≥ known)
    decided_by: tuple[Hit, ...]  # the criteria that establish `known` (empty for "general")
    unknown: tuple[str, ...]  # grading keys whose unknown value (or qualifier) could lift the level above `known`
    unconfirmed: tuple[Criterion, ...]  # [likely]/[draft] figures the grade rests on
    assumed: tuple[str, ...]  # groups whose unknown qualifier was taken as the one that grades highest
    provisional: bool


@dataclass(frozen=True)
class _GroupResult:
    met: str | None  # the level reached whatever the unknown qualifier is
    possible: str | None  # the highest level reachable
    hits: tuple[Hit, ...]
    compared: tuple[Criterion, ...]  # rows the known value was compared with and fell short of
    assumed: bool = False  # the qualifier was unknown and taken as group.qualifier_unknown


def grade(grading: Mapping[str, Any]) -> Grade:
    """The level a grading object establishes, and how far unknown answers could still raise it."""
    results = {group.key: _evaluate(group, grading) for group in GROUPS}
    known = max((r.met for r in results.values() if r.met), key=RANK.__getitem__, default="general")
    possible = max((r.possible for r in results.values() if r.possible), key=RANK.__getitem__, default="general")
    possible = max(possible, known, key=RANK.__getitem__)
    decided_by = tuple(hit for r in results.values() if r.met == known for hit in r.hits if hit.criterion.level == known)
    unknown = tuple(key for key, r in results.items() if r.possible and RANK[r.possible] > RANK[known] and r.met != r.possible)
    unconfirmed: list[Criterion] = []
    if decided_by and all(hit.criterion.confidence != "confirmed" for hit in decided_by):
        unconfirmed += [hit.criterion for hit in decided_by]
    for r in results.values():  # a figure the value fell short of: a lower official figure would grade higher
        unconfirmed += [c for c in r.compared if RANK[c.level] > RANK[known] and c.confidence != "confirmed" and c.unit != "degree"]
    assumed = tuple(key for key, r in results.items() if r.assumed and r.possible)
    return Grade(
        known=known,
        possible=possible,
        decided_by=decided_by,
        unknown=unknown,
        unconfirmed=tuple(dict.fromkeys(unconfirmed)),
        assumed=assumed,
        provisional=bool(unconfirmed or assumed),
    )


def reachable(key: str, grading: Mapping[str, Any]) -> str | None:
    """The highest level an answer to `key` could still set, given the other answers (its qualifier above
    all); for a qualifier key, the highest any of the figures it qualifies could set, whatever it turns out to be."""
    if key in GROUP_BY_KEY:
        return _evaluate(GROUP_BY_KEY[key], {**grading, key: None}).possible
    levels = [reachable(group.key, {**grading, key: None}) for group in GROUPS if group.qualifier_key == key]
    return max((level for level in levels if level), key=RANK.__getitem__, default=None)


def _evaluate(group: CriterionGroup, grading: Mapping[str, Any]) -> _GroupResult:
    rows = [c for c in CRITERIA if c.key == group.key]
    if group.key not in grading:
        return _GroupResult(None, None, (), ())
    value = grading[group.key]
    qualifier, assumed = _qualifier(group, grading)
    options = (qualifier,) if qualifier is not None or not group.qualifier_key else group.qualifier_values
    if value is None:
        reachable = [c.level for c in rows for option in options if _applies(c, option)]
        return _GroupResult(None, max(reachable, key=RANK.__getitem__, default=None), (), (), assumed)
    number = _number(group, value)
    reached: list[str | None] = []
    hits: list[Hit] = []
    compared: list[Criterion] = []
    for option in options:
        met_rows = [c for c in rows if _applies(c, option) and number >= c.threshold]
        compared += [c for c in rows if _applies(c, option) and number < c.threshold]
        best = max(met_rows, key=lambda c: RANK[c.level], default=None)
        reached.append(best.level if best else None)
        hits += [Hit(c, value, qualifier) for c in met_rows]
    levels = [RANK[level] if level else -1 for level in reached]
    met = LEVELS[min(levels)] if min(levels) >= 0 else None
    possible = LEVELS[max(levels)] if max(levels) >= 0 else None
    return _GroupResult(met, possible, tuple(dict.fromkeys(hits)), tuple(dict.fromkeys(compared)), assumed)


def _qualifier(group: CriterionGroup, grading: Mapping[str, Any]) -> tuple[Any, bool]:
    """The qualifier the group's rows are read with, and whether it was assumed because it is unknown."""
    if not group.qualifier_key:
        return None, False
    if group.qualifier_key not in grading:
        return group.qualifier_absent, False
    qualifier = grading[group.qualifier_key]
    if qualifier is None and group.qualifier_unknown is not None:
        return group.qualifier_unknown, True
    return qualifier, False


def _number(group: CriterionGroup, value: Any) -> float:
    """A degree by its rank, a determination as 1 or 0, a figure as it is."""
    if group.kind == "degree":
        return THREAT_DEGREES[value]
    if group.kind == "determination":
        return 1 if value else 0
    return value


def _applies(criterion: Criterion, option: Any) -> bool:
    return not criterion.qualifiers or option in criterion.qualifiers
