"""Build templates/report-base.docx, the document every .docx report starts from.

It holds what an organisation would put on its letterhead paper: page size and margins, fonts (Chinese
fonts set for East Asian text), the styles the renderer uses (Title, Heading 1, Normal, Table Grid), and a
footer with the page number. The renderer appends the report after whatever the base's body already holds,
so an organisation can open the file in Word, add its letterhead (logo and name in the page header, or a
red-head title in the body), keep those four styles, and save it back under the same name.

Run from the repository root:  python templates/make_base_docx.py
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.styles.style import BaseStyle

OUT = Path(__file__).resolve().parent / "report-base.docx"
LATIN_FONT = "Times New Roman"
BODY_FONT = "SimSun"  # 宋体
HEADING_FONT = "SimHei"  # 黑体


def set_fonts(style: BaseStyle, east_asian: str, size: float, bold: bool = False) -> None:
    """Latin and East Asian fonts of a style (python-docx sets only the Latin one by itself)."""
    style.font.name = LATIN_FONT
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.color.rgb = RGBColor(0, 0, 0)
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), east_asian)


def add_page_number(paragraph) -> None:
    """A PAGE field, so every page shows its number."""
    run = paragraph.add_run()
    for tag, attrs, text in (("w:fldChar", {"w:fldCharType": "begin"}, None), ("w:instrText", {"xml:space": "preserve"}, " PAGE "), ("w:fldChar", {"w:fldCharType": "end"}, None)):
        element = OxmlElement(tag)
        for key, value in attrs.items():
            element.set(qn(key), value)
        if text:
            element.text = text
        run._r.append(element)


def build(path: Path = OUT) -> Path:
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)  # A4
    section.top_margin, section.bottom_margin = Mm(30), Mm(28)
    section.left_margin, section.right_margin = Mm(28), Mm(26)

    styles = document.styles
    set_fonts(styles["Normal"], BODY_FONT, 12)
    styles["Normal"].paragraph_format.space_after = Pt(6)
    set_fonts(styles["Title"], HEADING_FONT, 20, bold=True)
    styles["Title"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    styles["Title"].paragraph_format.space_after = Pt(18)
    set_fonts(styles["Heading 1"], HEADING_FONT, 14, bold=True)
    styles["Heading 1"].paragraph_format.space_before = Pt(12)
    styles["Heading 1"].paragraph_format.space_after = Pt(6)

    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    add_page_number(footer)
    document.core_properties.author = ""
    document.core_properties.comments = "Base of the incident reports: add your letterhead, keep the styles Title, Heading 1, Normal and Table Grid."
    document.save(str(path))
    return path


if __name__ == "__main__":
    print(build())
