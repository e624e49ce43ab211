"""Render Markdown sources to PDF (fpdf2 + WenQuanYi Zen Hei) and DOCX (python-docx).

Used by scripts/build_corpus.py to rebuild the bundled PDFs/DOCX and by tests to write real files.
"""
from __future__ import annotations

import re
from pathlib import Path

CJK_FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",  # pypdf reads it back exactly (not Noto CJK)
)
_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")


def _font() -> str:
    for path in CJK_FONTS:
        if Path(path).exists():
            return path
    raise RuntimeError("缺少中文字体: apt-get install fonts-wqy-zenhei (needed to write Chinese PDFs)")


def _lines(markdown: str) -> list[tuple[int, str]]:
    """(heading level or 0, text) per non-empty line, Markdown marks removed."""
    out = []
    for raw in markdown.splitlines():
        line = raw.strip()
        if not line:
            continue
        match = _HEADING.match(line)
        level = len(match.group(1)) if match else 0
        text = (match.group(2) if match else line).replace("**", "")
        out.append((level, text))
    return out


def write_pdf(markdown: str, path: Path, *, title: str = "", author: str = "") -> Path:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_font("zh", "", _font())
    pdf.set_title(title)
    pdf.set_author(author)
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin
    for level, text in _lines(markdown):
        size = {1: 16, 2: 14, 3: 12.5}.get(level, 11)
        pdf.set_font("zh", size=size)
        pdf.multi_cell(width, size * 0.62, text, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1.5)
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(path))
    return path


def write_docx(markdown: str, path: Path, *, title: str = "", author: str = "") -> Path:
    import docx

    document = docx.Document()
    document.core_properties.title = title
    document.core_properties.author = author
    for level, text in _lines(markdown):
        if level == 1:
            document.add_heading(text, level=0)  # the Title style
        elif level:
            document.add_heading(text, level=min(level, 9))
        else:
            document.add_paragraph(text)
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return path
