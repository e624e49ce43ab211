from pathlib import Path

import pytest

from ingest.loaders import load_file
from ingest.structure import assemble
from ingest.tables import table_lines
from scripts.render import _font

ROWS = [("指标", "2022年", "2023年"), ("补偿资金（万元）", "1200", "1850"), ("受益农户（户）", "3400", "4100")]


def test_table_lines_keep_column_names():
    assert table_lines([list(r) for r in ROWS]) == [
        "指标：补偿资金（万元）；2022年：1200；2023年：1850", "指标：受益农户（户）；2022年：3400；2023年：4100"]


@pytest.mark.parametrize("rows, expected", [
    ([["只有一列"], ["第二行"]], ["只有一列", "第二行"]),  # a layout box, not a table
    ([["项目", "", "说明"], ["甲", "乙", "丙"]], ["项目：甲；第2列：乙；说明：丙"]),
    ([["类别", "数量"], ["合计", "合计"]], ["类别：合计；数量：合计"]),
    ([["类别", "类别"], ["茶叶", "茶叶"]], ["类别：茶叶"]),  # a merged cell repeated across its columns
])
def test_table_lines_edge_cases(rows, expected):
    assert table_lines(rows) == expected


def test_docx_table_rows_keep_column_names(tmp_path):
    import docx

    document = docx.Document()
    document.add_heading("岚溪县生态补偿调研报告", 0)
    document.add_paragraph("表1 补偿资金情况。")
    table = document.add_table(rows=4, cols=3)
    for r, row in enumerate(ROWS + [("备注", "", "")]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    merged = table.cell(3, 1).merge(table.cell(3, 2))
    merged.text = "2023年起按水质考核结果拨付"
    document.add_paragraph("资金使用总体规范。")
    document.save(str(tmp_path / "t.docx"))
    text = assemble(load_file(tmp_path / "t.docx").blocks).text
    assert text.split("\n") == [
        "岚溪县生态补偿调研报告", "表1 补偿资金情况。",
        "指标：补偿资金（万元）；2022年：1200；2023年：1850",
        "指标：受益农户（户）；2022年：3400；2023年：4100",
        "指标：备注；2022年：2023年起按水质考核结果拨付",
        "资金使用总体规范。",
    ]


def _table_pdf(path: Path) -> Path:
    from fpdf import FPDF, FontFace

    pdf = FPDF()
    pdf.add_font("zh", "", _font())
    pdf.add_page()
    pdf.set_font("zh", size=11)
    pdf.multi_cell(0, 8, "表1 岚溪县生态补偿资金情况如下。", new_x="LMARGIN", new_y="NEXT")
    with pdf.table(headings_style=FontFace()) as table:
        for values in ROWS:
            row = table.row()
            for value in values:
                row.cell(value)
    pdf.multi_cell(0, 8, "资金使用总体规范，群众满意度较高。", new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path


def test_pdf_table_rows_keep_column_names(tmp_path):
    from pypdf import PdfReader

    path = _table_pdf(tmp_path / "t.pdf")
    assert "补偿资金（万元） 1200 1850" in PdfReader(path).pages[0].extract_text()  # the text layer alone loses columns
    loaded = load_file(path)
    assert not loaded.warnings
    assert assemble(loaded.blocks).text.split("\n") == [
        "表1 岚溪县生态补偿资金情况如下。",
        "指标：补偿资金（万元）；2022年：1200；2023年：1850",
        "指标：受益农户（户）；2022年：3400；2023年：4100",
        "资金使用总体规范，群众满意度较高。",
    ]
    assert all(b.page == 1 for b in loaded.blocks)


def test_pdf_table_child_failure_keeps_text(tmp_path, monkeypatch):
    from ingest import pdftables

    monkeypatch.setattr(pdftables, "MEMORY_MB", 16)  # the bounded child cannot even start Python
    loaded = load_file(_table_pdf(tmp_path / "t.pdf"))
    assert any("table detection failed" in w for w in loaded.warnings)
    assert "补偿资金（万元） 1200 1850" in assemble(loaded.blocks).text
