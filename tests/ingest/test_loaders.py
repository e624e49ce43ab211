from pathlib import Path

import pytest

from ingest.loaders import load_file
from ingest.structure import assemble
from kb.errors import IngestError
from scripts.render import write_docx, write_pdf
from tests.conftest import LECTURE

BODY = LECTURE.split("---", 2)[2]
LONG = "为了把调研工作做深做实，调研组坚持问题导向，深入乡镇、村组、企业和农户，广泛听取基层干部群众的意见建议。" * 3


def _text(path: Path) -> str:
    return assemble(load_file(path).blocks).text


def test_pdf_keeps_pages_and_rejoins_wrapped_lines(tmp_path):
    pdf = write_pdf(f"# 标题\n## 一、第一部分\n{LONG}\n" + "\n".join(["填充段落。"] * 80) + "\n## 二、第二部分\n最后一页的句子。",
                    tmp_path / "a.pdf", title="测试讲稿")
    loaded = load_file(pdf)
    doc = assemble(loaded.blocks)
    assert LONG in doc.text  # the wrapped paragraph comes back as one line
    assert loaded.meta["title"] == "测试讲稿"
    assert doc.pages[0] == (0, 1) and doc.pages[-1][1] >= 2
    assert doc.page_at(doc.text.index("最后一页的句子")) == doc.pages[-1][1]
    assert [h.title for h in doc.headings if h.level == 2] == ["一、第一部分", "二、第二部分"]


def test_docx_keeps_headings(tmp_path):
    path = write_docx(BODY, tmp_path / "a.docx", title="基层治理现代化专题")
    doc = assemble(load_file(path).blocks)
    titles = [(h.level, h.title) for h in doc.headings]
    assert (1, "基层治理现代化专题") in titles
    assert (3, "（一）网格化管理") in titles
    assert "有事找网格员，小事不出网格" in doc.text


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig", "utf-8", "utf-16"])
def test_text_encodings_are_detected(tmp_path, encoding):
    path = tmp_path / "a.txt"
    path.write_bytes(LECTURE.replace("\n", "\r\n").encode(encoding))
    loaded = load_file(path)
    assert loaded.meta["title"] == "基层治理现代化专题"
    assert "石门县把全县划分为1236个网格" in assemble(loaded.blocks).text


def test_markdown_marks_are_removed(tmp_path):
    path = tmp_path / "a.md"
    path.write_text("## 一、总体\n1. **设立茶链长**：由县领导担任[链长](http://x)。", encoding="utf-8")
    assert _text(path) == "一、总体\n1. 设立茶链长：由县领导担任链长。"


def _encrypted_pdf(tmp_path) -> Path:
    from pypdf import PdfReader, PdfWriter

    plain = write_pdf("保密内容。", tmp_path / "plain.pdf")
    writer = PdfWriter()
    writer.append(PdfReader(plain))
    writer.encrypt(user_password="secret", algorithm="RC4-128")
    out = tmp_path / "locked.pdf"
    with out.open("wb") as fh:
        writer.write(fh)
    return out


def _file(name: str, data: bytes):
    def make(folder: Path) -> Path:
        (folder / name).write_bytes(data)
        return folder / name
    return make


@pytest.mark.parametrize("make, reason", [
    (_file("empty.md", b""), "文件为空"),
    (_file("blank.txt", b" \n\n "), "文件为空"),
    (_file("bin.txt", bytes(range(256)) * 40), "二进制"),
    (_file("bad.pdf", b"%PDF-1.4\n garbage \x00\x01"), "PDF"),
    (_file("bad.docx", b"PK\x03\x04 not a zip"), "DOCX"),
    (_encrypted_pdf, "加密"),
])
def test_bad_files_raise_clear_error(tmp_path, make, reason):
    path = make(tmp_path)
    with pytest.raises(IngestError) as info:
        load_file(path)
    assert info.value.file == path.name
    assert reason in info.value.reason


def test_truncated_pdf_is_reported(tmp_path):
    pdf = write_pdf("一段内容。" * 50, tmp_path / "full.pdf")
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(pdf.read_bytes()[: len(pdf.read_bytes()) // 3])
    with pytest.raises(IngestError) as info:
        load_file(cut)
    assert info.value.file == "cut.pdf"


def test_pdf_page_without_text_layer_is_warned(tmp_path):
    from fpdf import FPDF
    from scripts.render import _font

    pdf = FPDF()
    pdf.add_font("zh", "", _font())
    pdf.add_page()
    pdf.set_font("zh", size=12)
    pdf.cell(0, 10, "第一页有文字。")
    pdf.add_page()  # a scanned page has no text layer
    pdf.rect(10, 10, 50, 50)
    path = tmp_path / "scan.pdf"
    pdf.output(str(path))
    loaded = load_file(path)
    assert any("第2页" in w and "no text layer" in w for w in loaded.warnings)
    assert "第一页有文字" in assemble(loaded.blocks).text
