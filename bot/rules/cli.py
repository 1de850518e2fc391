"""`python -m bot assess [--json] [--now ISO]`: one JSON scenario per stdin line → one assessment per line.

With --json every input line gets exactly one output line, flushed, in order: the assessment, or
{"error": "…"} for a line that cannot be read — a blank line included ({"error": "empty line"}), so output
line N always answers input line N. Without --json each assessment is printed for a person (in the
scenario's "lang", Chinese by default), blank lines are skipped and errors go to stderr as "错误：…". Either
way the run goes on to the next line, and exits 2 at the end if any line was refused.
--now fixes the current time (for tests and examples); otherwise each line is assessed at the moment it
is read.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from typing import Any

from bot.rules.assess import assess
from bot.rules.describe import describe
from bot.rules.facts import MAX_YEAR, MIN_YEAR, FactsError
from bot.timeutil import now_shanghai, parse_iso


def run_assess(args: argparse.Namespace) -> int:
    try:
        fixed_now = parse_iso(args.now) if args.now else None
    except (ValueError, OverflowError):
        print(f"--now is not an ISO 8601 time: {args.now!r}", file=sys.stderr)
        return 2
    if fixed_now and not MIN_YEAR <= fixed_now.year <= MAX_YEAR:
        print(f"--now must fall between the years {MIN_YEAR} and {MAX_YEAR}: {args.now!r}", file=sys.stderr)
        return 2
    sys.stdin.reconfigure(errors="replace")  # a stray byte spoils its own line, not the run
    refused = False
    for line in sys.stdin:
        now = fixed_now or now_shanghai()
        if args.json:
            result = assess_line(line, now)
            refused |= "error" in result
            sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
        elif line.strip():
            text, error = person_text(line, now)
            refused |= error
            (sys.stderr if error else sys.stdout).write(text + "\n\n")
        sys.stdout.flush()
    return 2 if refused else 0


def assess_line(line: str, now: datetime) -> dict[str, Any]:
    """The assessment of one input line, or {"error": …}; never raises."""
    scenario, error = _read(line)
    if error:
        return {"error": error}
    try:
        return assess(scenario, now)
    except FactsError as exc:
        return {"error": str(exc)}


def person_text(line: str, now: datetime) -> tuple[str, bool]:
    """The assessment for a person, or "错误：…"; and whether it is an error."""
    scenario, error = _read(line)
    if error:
        return f"错误：{error}", True
    try:
        result = assess(scenario, now)
    except FactsError as exc:
        return f"错误：{exc}", True
    return describe(result, now, scenario.get("lang") or "zh"), False


def _read(line: str) -> tuple[Any, str | None]:
    text = line.strip()
    if not text:
        return None, "empty line"
    try:
        scenario = json.loads(text)
    except (ValueError, RecursionError) as exc:
        detail = f": {exc.msg} (column {exc.colno})" if isinstance(exc, json.JSONDecodeError) else ""
        return None, f"not valid JSON{detail}"
    if not isinstance(scenario, dict):
        return None, "a scenario must be a JSON object"
    return scenario, None
