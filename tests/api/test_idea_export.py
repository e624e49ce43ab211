"""The export files themselves: the CSV parses (and Excel finds its BOM), the .docx opens and holds every row."""
import csv
import io

from docx import Document as Docx

from api.idea_export import COLUMNS, NOVELTY_COLUMNS, to_csv, to_docx
from index.ideas import Idea
from index.novelty import Similar


def idea(n: int, **changes) -> Idea:
    values = dict(chunk_id=f"d:idea{n}", doc_id="d", idea_no=n, title=f"建议{n}", text=f"建议{n}：内容，含“引号”,逗号",
                  report="关于某县的调研报告", cohort="第1期进修班", date="2024-05-01", year=2024,
                  topics=("乡村振兴", "产业发展"), pishi=n % 2 == 1, pishi_note="获批示" if n % 2 else "",
                  access="internal", start=0, end=10)
    return Idea(**{**values, **changes})


def test_csv_parses_with_bom_and_keeps_formula_text_inert():
    ideas = [idea(1), idea(2), idea(3, title="=HYPERLINK(\"x\")", text="=1+1")]
    data = to_csv(ideas)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == list(COLUMNS) and len(rows) == 4
    assert rows[1][:3] == ["1", "建议1", "建议1：内容，含“引号”,逗号"] and rows[1][6] == "乡村振兴、产业发展"
    assert rows[1][7] == "有" and rows[2][7] == "无" and rows[1][9] == "内部"
    assert rows[3][1].startswith("'=") and rows[3][2] == "'=1+1"


def test_docx_opens_and_holds_one_row_per_idea():
    ideas = [idea(1), idea(2)]
    doc = Docx(io.BytesIO(to_docx(ideas, subtitle="筛选：全部")))
    assert doc.paragraphs[0].text == "金点子汇编"
    assert "共 2 条金点子" in doc.paragraphs[1].text and "批示率 50%" in doc.paragraphs[1].text
    table = doc.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["序号", "金点子", "报告 · 班次 · 日期", "批示"]
    assert len(table.rows) == 3
    first = table.rows[1].cells
    assert first[1].text == "建议1：内容，含“引号”,逗号" and first[1].paragraphs[0].runs[0].bold
    assert first[2].text == "关于某县的调研报告 · 第1期进修班 · 2024-05-01" and first[3].text == "获批示"
    assert table.rows[2].cells[3].text == "无"


def test_docx_of_no_ideas_still_opens():
    doc = Docx(io.BytesIO(to_docx([], subtitle="筛选：班次 无")))
    assert "共 0 条金点子" in doc.paragraphs[1].text and len(doc.tables[0].rows) == 1


def test_novelty_columns_name_the_closest_earlier_idea():
    earlier = idea(7, report="早期报告", cohort="第0期", year=2020)
    closest = {"d:idea1": Similar(earlier, 0.9512, True), "d:idea2": Similar(earlier, 0.8, False), "d:idea3": None}
    rows = list(csv.reader(io.StringIO(to_csv([idea(1), idea(2), idea(3)], closest=closest).decode("utf-8-sig"))))
    assert tuple(rows[0]) == COLUMNS + NOVELTY_COLUMNS
    assert rows[1][-3:] == ["是", "建议7（早期报告 · 第0期 · 2020）", "0.951"]
    assert rows[2][-3] == "否" and rows[3][-3:] == ["否", "", ""]
    table = Docx(io.BytesIO(to_docx([idea(1), idea(2)], subtitle="x", closest=closest))).tables[0]
    assert [r.cells[4].text for r in table.rows] == ["往期相近建议", "已有相近建议：建议7（早期报告 · 第0期 · 2020）", "—"]
