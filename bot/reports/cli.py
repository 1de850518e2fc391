"""`python -m bot report --kind K --format F [--lang L] [--out FILE]`: facts as one JSON object on stdin.

md and txt go to stdout (or --out); docx needs --out. The internal matter that never goes into the document
(recipients with deadlines and the time left, channels, the assessment's assumptions and caveats) is printed on
stderr once the document is written, for the person sending it; with no assessment there is none. Bad input (invalid JSON, unknown keys, bad values, facts
over MAX_INPUT_CHARS, an unwritable --out or stdout) is one clear line on stderr and exit code 2, never a
traceback; a template broken by an edit is one line naming the file and line, exit code 1.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from pathlib import Path

from jinja2 import TemplateError, TemplateSyntaxError

from bot.reports import FactsError, build_report, internal_text, parse_facts_json, render_docx, render_text
from bot.timeutil import now_shanghai

USAGE_ERROR = 2
MAX_INPUT_CHARS = 1_000_000  # facts for one report; more is not a report but a mistake (and memory)
TEMPLATE_ERROR = 1  # an edited template that does not render: not the input's fault


def run_report(args: argparse.Namespace) -> int:
    if args.format == "docx" and not args.out:
        return _fail("--format docx writes a binary file: give --out FILE")
    try:
        text = sys.stdin.read(MAX_INPUT_CHARS + 1)
        if len(text) > MAX_INPUT_CHARS:
            return _fail(f"the facts are longer than {MAX_INPUT_CHARS:,} characters")
        facts = parse_facts_json(text)
        report = build_report(args.kind, args.lang, facts, now_shanghai())
    except FactsError as error:
        return _fail(str(error))
    except UnicodeDecodeError:
        return _fail("stdin is not UTF-8 text")
    try:
        if args.format == "docx":
            content = render_docx(report)
        else:
            text = render_text(report, args.format)
            if not args.out:
                sys.stdout.write(text)
                sys.stdout.flush()
                return _internal(report)
            content = text.encode("utf-8")
    except TemplateError as error:
        sys.stderr.write(f"report: the template is broken{_where(error)}: {error.message}\n")
        return TEMPLATE_ERROR
    try:
        Path(args.out).write_bytes(content)
    except OSError as error:
        return _fail(f"cannot write {args.out}: {error.strerror or error}")
    return _internal(report)


def _internal(report) -> int:
    """The internal matter on stderr (after the document, so a reader of stdout never waits for it)."""
    text = internal_text(report)
    if text:
        sys.stderr.write(text + "\n")
        sys.stderr.flush()
    return 0


def _where(error: TemplateError) -> str:
    """' (initial.zh.txt.j2, line 7)': Jinja names the template line in syntax errors and in the traceback of
    errors while rendering."""
    if isinstance(error, TemplateSyntaxError):
        return f" ({error.name}, line {error.lineno})"
    frames = [frame for frame, line in traceback.walk_tb(error.__traceback__) if frame.f_code.co_filename.endswith(".j2")]
    if not frames:
        return ""
    return f" ({Path(frames[-1].f_code.co_filename).name}, line {frames[-1].f_lineno})"


def _fail(message: str) -> int:
    sys.stderr.write(f"report: {message}\n")
    return USAGE_ERROR
