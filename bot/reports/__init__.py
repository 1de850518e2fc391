"""Incident reports: the fields of each kind as data, fact validation, and rendering to md, txt and docx.

    facts = parse_facts_json(text)            # or validate_facts(decoded JSON); raises FactsError
    report = build_report("initial", "zh", facts, now)
    render_text(report, "md"); render_docx(report)   # the document
    internal_text(report)                          # what the sender needs and the document never shows
"""

from bot.reports.document import Report, build_report, internal_text, is_late, is_ransomware
from bot.reports.facts import Facts, FactsError, parse_facts_json, validate_facts
from bot.reports.render import DOCX_MIME, render_docx, render_text

__all__ = [
    "DOCX_MIME",
    "Facts",
    "FactsError",
    "Report",
    "build_report",
    "internal_text",
    "is_late",
    "is_ransomware",
    "parse_facts_json",
    "render_docx",
    "render_text",
    "validate_facts",
]
