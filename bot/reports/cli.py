"""`python -m bot report --kind K --format F [--lang L] [--out FILE]`: facts as one JSON object on stdin.

md and txt go to stdout (or --out); docx needs --out. Bad input (invalid JSON, unknown keys, bad values, an
unwritable --out) is one clear line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.reports import FactsError, build_report, parse_facts_json, render_docx, render_text
from bot.timeutil import now_shanghai

USAGE_ERROR = 2


def run_report(args: argparse.Namespace) -> int:
    if args.format == "docx" and not args.out:
        return _fail("--format docx writes a binary file: give --out FILE")
    try:
        facts = parse_facts_json(sys.stdin.read())
        report = build_report(args.kind, args.lang, facts, now_shanghai())
    except FactsError as error:
        return _fail(str(error))
    except UnicodeDecodeError:
        return _fail("stdin is not UTF-8 text")
    if args.format == "docx":
        content = render_docx(report)
    else:
        text = render_text(report, args.format)
        if not args.out:
            sys.stdout.write(text)
            sys.stdout.flush()
            return 0
        content = text.encode("utf-8")
    try:
        Path(args.out).write_bytes(content)
    except OSError as error:
        return _fail(f"cannot write {args.out}: {error.strerror or error}")
    return 0


def _fail(message: str) -> int:
    sys.stderr.write(f"report: {message}\n")
    return USAGE_ERROR
