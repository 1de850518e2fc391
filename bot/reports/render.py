"""Rendering a Report: md and txt through the Jinja2 templates in templates/, docx with python-docx.

User text is data, never template code: the environment is sandboxed, loads templates from templates/ only,
fails on any undefined name (StrictUndefined) and does not escape — md and txt carry user text verbatim, and
escaping belongs to the transport that displays them. python-docx escapes XML itself; characters XML cannot
hold at all (control characters) are the one thing dropped from a .docx.
"""

from __future__ import annotations

import io
import re
from functools import lru_cache
from pathlib import Path
from typing import Literal

from docx import Document
from docx.document import Document as DocxDocument
from docx.shared import Mm
from jinja2 import FileSystemLoader, StrictUndefined, Template
from jinja2.sandbox import SandboxedEnvironment

from bot import TEMPLATES_DIR
from bot.reports.document import Report

TextFormat = Literal["md", "txt"]
BASE_DOCX = "report-base.docx"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
SEAL_ROOM = 3  # empty lines above the signature block, room for the seal
SIGNATURE_INDENT = Mm(80)  # the signature block stands on the right half of the page
# XML 1.0 has no place for these (tab, newline and carriage return are allowed and handled).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@lru_cache(maxsize=4)
def environment(folder: Path) -> SandboxedEnvironment:
    """The one kind of template environment: sandboxed, one folder only, strict, no autoescaping."""
    return SandboxedEnvironment(
        loader=FileSystemLoader(folder),
        undefined=StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )


def template_name(report: Report, fmt: TextFormat) -> str:
    return f"{report.kind}.{report.lang}.{fmt}.j2"


def render_text(report: Report, fmt: TextFormat, folder: Path | None = None) -> str:
    """The report as Markdown or plain text, ending with one newline. `folder` defaults to templates/."""
    text = environment(folder or TEMPLATES_DIR).get_template(template_name(report, fmt)).render(report=report)
    return text.rstrip("\n") + "\n"


def render_docx(report: Report, folder: Path | None = None) -> bytes:
    """The report as a .docx built on templates/report-base.docx (its letterhead, page setup and styles).

    Paragraph for line, it says what the .txt says: title, addressee, opening, the numbered items, closing,
    then (after room for the seal) the signature block."""
    folder = folder or TEMPLATES_DIR
    words = _words(environment(folder).get_template(template_name(report, "txt")), report)
    document = Document(str(folder / BASE_DOCX))
    document.core_properties.title = words["title"]
    document.add_paragraph(_xml_safe(words["title"]), style="Title")
    document.add_paragraph(_xml_safe(report.addressee_line))
    _paragraphs(document, words["intro"])
    for section in report.sections:
        document.add_heading(_xml_safe(section.heading), level=1)
        single = len(section.items) == 1
        for item in section.items:
            if single and item.entries:  # a list (the timeline): one paragraph per line
                for entry in item.entries:
                    document.add_paragraph(_xml_safe(entry))
                continue
            paragraph = document.add_paragraph()
            if not single:
                label = item.label + (report.sep.rstrip() if item.multiline else report.sep)
                paragraph.add_run(_xml_safe(label)).bold = True
                if item.multiline:
                    paragraph.add_run().add_break()
            value = paragraph.add_run(_xml_safe(item.value if item.value is not None else report.missing))
            value.italic = item.value is None
    _paragraphs(document, words["closing"])
    for _ in range(SEAL_ROOM):  # where the seal goes, above and over the reporting unit's name
        document.add_paragraph()
    for item in report.signature:
        paragraph = document.add_paragraph(_xml_safe(item.label + report.sep + (item.value if item.value is not None else report.missing)))
        paragraph.paragraph_format.left_indent = SIGNATURE_INDENT
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _words(template: Template, report: Report) -> dict[str, str]:
    """The title, opening and closing blocks of a txt template: the .docx says what the text says."""
    context = template.new_context({"report": report})
    return {name: "".join(template.blocks[name](context)).strip() for name in ("title", "intro", "closing")}


def _paragraphs(document: DocxDocument, text: str) -> None:
    """One paragraph per blank-line-separated block; single newlines stay line breaks."""
    for block in re.split(r"\n\s*\n", text):
        if block.strip():
            document.add_paragraph(_xml_safe(block))


def _xml_safe(text: str) -> str:
    return _NOT_XML.sub("", text)
