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


# An unruled table: the same figures laid out by spacing only, a row more (a table needs three rows).
UNRULED = ROWS + [("治理面积（亩）", "5600", "7200")]
UNRULED_LINES = [
    "表1 岚溪县生态补偿资金情况如下。",
    "指标：补偿资金（万元）；2022年：1200；2023年：1850",
    "指标：受益农户（户）；2022年：3400；2023年：4100",
    "指标：治理面积（亩）；2022年：5600；2023年：7200",
    "资金使用总体规范，群众满意度较高。",
]
PROSE = ["岚溪县地处山区，森林覆盖率较高，是全省重要的水源涵养区。近年来，县里坚持生态优先、绿色发展，把生态补偿作为推动乡村振兴的重要抓手。",
         "调研组先后走访了六个乡镇、二十多个行政村，召开座谈会八场，听取了基层干部和群众的意见建议。大家普遍反映，补偿资金到位及时，但标准偏低。",
         "下一步，县里将探索建立多元化补偿机制，引导社会资本参与生态保护修复，让保护生态的地方和群众得到实实在在的收益。"]


def _pdf():
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_font("zh", "", _font())
    pdf.add_page()
    pdf.set_font("zh", size=11)
    return pdf


def _unruled_pdf(path: Path, *, rules: bool = False) -> Path:
    """Cells placed by width, no border; with rules=True the three rules of a 三线表 (top, under the heading
    row, bottom), which no lines-based search makes a grid of."""
    pdf = _pdf()
    pdf.multi_cell(0, 8, UNRULED_LINES[0], new_x="LMARGIN", new_y="NEXT")
    for n, values in enumerate(UNRULED):
        if rules and n < 2:
            pdf.line(10, pdf.get_y(), 150, pdf.get_y())
        for width, value in zip((60, 40, 40), values):
            pdf.cell(width, 8, value)
        pdf.ln(8)
    if rules:
        pdf.line(10, pdf.get_y(), 150, pdf.get_y())
    pdf.multi_cell(0, 8, UNRULED_LINES[-1], new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path


def _prose_pdf(path: Path, layout: str) -> Path:
    """Prose in one column, in two columns side by side (each line of the page a wide gap: it aligns), or
    headings spaced like fields ("一、 基本情况") one under another."""
    pdf = _pdf()
    if layout == "columns":
        text = "".join(PROSE)
        top = pdf.get_y()
        pdf.set_xy(10, top)
        pdf.multi_cell(90, 8, text[:len(text) // 2])
        pdf.set_xy(110, top)
        pdf.multi_cell(90, 8, text[len(text) // 2:])
    elif layout == "headings":
        for heading in ("一、 基本情况", "二、 主要做法", "三、 存在问题", "四、 对策建议"):
            pdf.multi_cell(0, 8, heading, new_x="LMARGIN", new_y="NEXT")
    else:
        for paragraph in PROSE * 2:
            pdf.multi_cell(0, 8, paragraph, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path


@pytest.mark.parametrize("rules", [False, True], ids=["spacing-only", "three-rules"])
def test_pdf_unruled_table_rows_keep_column_names(tmp_path, rules):
    from pypdf import PdfReader

    path = _unruled_pdf(tmp_path / "t.pdf", rules=rules)
    assert "受益农户（户） 3400 4100" in PdfReader(path).pages[0].extract_text()  # no lines to find: text only
    loaded = load_file(path)
    assert not loaded.warnings
    assert assemble(loaded.blocks).text.split("\n") == UNRULED_LINES
    assert all(b.page == 1 for b in loaded.blocks)


def test_pdf_unruled_table_row_answers_a_cell_question(tmp_path, fake_embedder):
    from index.kbindex import KnowledgeBase
    from qa.service import KnowledgeService
    from tests.api.conftest import fake_settings
    from tests.conftest import LECTURE

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    _unruled_pdf(corpus / "lanxi.pdf")
    (corpus / "jiceng.md").write_text(LECTURE, encoding="utf-8")
    kbase = KnowledgeBase.open(fake_settings(tmp_path), embedder=fake_embedder)
    kbase.ingest(corpus)
    hit = KnowledgeService(kbase).search("2023年受益农户有多少户？", k=1).hits[0]
    assert "指标：受益农户（户）；2022年：3400；2023年：4100" in hit.text  # the figure beside its year and indicator


@pytest.mark.parametrize("layout", ["paragraphs", "columns", "headings"])
def test_pdf_prose_keeps_its_text(tmp_path, monkeypatch, layout):
    from ingest import pdf, pdftables

    path = _prose_pdf(tmp_path / "p.pdf", layout)
    found = load_file(path)
    monkeypatch.setattr(pdf, "_read_tables", lambda *args: None)  # as before unruled tables: pypdf's text
    plain = load_file(path)
    assert assemble(found.blocks).text == assemble(plain.blocks).text
    assert not found.warnings and "；" not in assemble(found.blocks).text
    # the alignment search itself, even when asked, makes no table of it (the two columns do form a band)
    assert pdftables._extract(path.read_bytes(), [], [1]) == {}


@pytest.mark.parametrize("rows, expected", [
    ([list(r) for r in UNRULED], True),
    ([["", "计划", "完成"], ["青山镇", "320", "336"], ["湖滨镇", "280", ""]], True),  # a blank corner, a missing figure
    ([list(r) for r in UNRULED[:2]], False),  # two rows
    ([["指标"], ["补偿资金"], ["受益农户"]], False),  # one column
    ([["指标", "", ""], ["补偿资金", "1200", ""], ["受益农户", "", "4100"]], False),  # two blanks in a row
    ([["岚溪县地处山区，森林覆盖率较高，是全省重", "调研组先后走访了六个乡镇、二十多个行政"]] * 3, False),  # prose columns
    ([["说明", "备注"], ["资金已拨付。", "按时"], ["群众满意，", "较高"]], False),  # sentences
])
def test_tabular_rows(rows, expected):
    from ingest.pdftables import tabular

    assert tabular(rows) is expected
