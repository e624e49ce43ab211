"""A filtered list of 金点子 as files for a briefing: CSV (UTF-8 with BOM, so Excel reads the Chinese) and .docx.

With `closest` (chunk id → the most similar earlier idea of another cohort, index.novelty.Similar, or None) each
row also says whether it is 已有相近建议 and which earlier idea is nearest."""
from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence

from index.ideas import Idea

COLUMNS = ("序号", "金点子", "内容", "报告", "班次", "日期", "专题", "批示", "批示情况", "权限")
NOVELTY_COLUMNS = ("已有相近建议", "最相近的往期建议", "相似度")


def _near(near) -> str:
    i = near.idea
    return f"{i.title or '金点子' + str(i.idea_no)}（{' · '.join(filter(None, (i.report, i.cohort, str(i.year or ''))))}）"


def _novelty(near) -> list[str]:
    if near is None:
        return ["否", "", ""]
    return ["是" if near.close else "否", _near(near), f"{near.similarity:.3f}"]


def _row(n: int, idea: Idea) -> list[str]:
    return [str(n), idea.title or f"金点子{idea.idea_no}", idea.text, idea.report, idea.cohort, idea.date,
            "、".join(idea.topics), "有" if idea.pishi else "无", idea.pishi_note,
            "内部" if idea.access == "internal" else "公开"]


def _cell(value: str) -> str:
    # a cell Excel would run as a formula (=, +, -, @) is kept as text
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def to_csv(ideas: Sequence[Idea], *, closest: Mapping | None = None) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS + (NOVELTY_COLUMNS if closest is not None else ()))
    for n, idea in enumerate(ideas, 1):
        extra = _novelty(closest.get(idea.chunk_id)) if closest is not None else []
        writer.writerow([_cell(v) for v in _row(n, idea) + extra])
    return out.getvalue().encode("utf-8-sig")


def to_docx(ideas: Sequence[Idea], *, subtitle: str, closest: Mapping | None = None) -> bytes:
    """A Word document: a heading, what was chosen and the 批示 rate, then one table row per idea."""
    from docx import Document
    from docx.shared import Pt

    doc = Document()
    doc.add_heading("金点子汇编", level=1)
    with_pishi = sum(i.pishi for i in ideas)
    rate = f"{with_pishi / len(ideas):.0%}" if ideas else "—"
    doc.add_paragraph(f"{subtitle}。共 {len(ideas)} 条金点子，来自 {len({i.doc_id for i in ideas})} 篇调研报告；"
                      f"所在报告获批示的 {with_pishi} 条（批示率 {rate}）。")
    heads = ("序号", "金点子", "报告 · 班次 · 日期", "批示") + (("往期相近建议",) if closest is not None else ())
    table = doc.add_table(rows=1, cols=len(heads))
    table.style = "Table Grid"
    for cell, head in zip(table.rows[0].cells, heads):
        cell.text = head
        cell.paragraphs[0].runs[0].bold = True
    for n, idea in enumerate(ideas, 1):
        cells = table.add_row().cells
        cells[0].text = str(n)
        para = cells[1].paragraphs[0]
        if idea.title:
            para.add_run(idea.title).bold = True
            body = idea.text[len(idea.title):].lstrip("：:").strip() if idea.text.startswith(idea.title) else idea.text
            para.add_run("：" + body)
        else:
            para.add_run(idea.text)
        cells[2].text = " · ".join(filter(None, (idea.report, idea.cohort, idea.date)))
        cells[3].text = (idea.pishi_note or "有") if idea.pishi else "无"
        if closest is not None:
            near = closest.get(idea.chunk_id)
            cells[4].text = f"已有相近建议：{_near(near)}" if near is not None and near.close else "—"
        for cell in cells:
            for p in cell.paragraphs:
                for run in p.runs:
                    run.font.size = Pt(10)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
