"""Scanned PDFs: pages rendered from Chinese text with the CJK font, saved without a text layer, read by OCR."""
from pathlib import Path

import pytest

from ingest import ocr
from ingest.documents import build_document
from ingest.loaders import load_file
from kb.errors import IngestError
from scripts.render import _font

PAGES = [
    ["关于岚溪县生态保护补偿机制的调研报告", "生态保护补偿是生态产品价值实现的重要制度安排。",
     "2024年5月，第33期中青班第六调研组赴岚溪县开展调研。", "岚溪县是下游鹤洲市约300万人口的主要饮用水水源。"],
    ["二、存在的问题", "补偿标准偏低，每亩公益林每年补偿仅为12元。", "资金拨付滞后，影响了农户参与保护的积极性。",
     "部门之间协调不够，考核结果运用不充分。"],
]
needs_ocr = pytest.mark.skipif(bool(ocr.missing()), reason=f"OCR not installed: {ocr.INSTALL}")


def scanned_pdf(path: Path, pages=PAGES) -> Path:
    """An image-only PDF: each page's lines drawn at 12 pt on an A4 bitmap (300 dpi), no text layer."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(_font(), 50)  # 12 pt at 300 dpi
    images = []
    for lines in pages:
        image = Image.new("L", (2480, 3508), 255)
        draw = ImageDraw.Draw(image)
        for i, line in enumerate(lines):
            draw.text((250, 300 + i * 110), line, font=font, fill=0)
        images.append(image)
    images[0].save(path, "PDF", resolution=300, save_all=True, append_images=images[1:])
    return path


def char_accuracy(expected: str, got: str) -> float:
    """1 − edit distance / length of the expected text (whitespace ignored)."""
    a, b = "".join(expected.split()), "".join(got.split())
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return 1 - previous[-1] / max(len(a), 1)


def test_char_accuracy_can_fail():
    assert char_accuracy("岚溪县", "岚溪县") == 1.0
    assert char_accuracy("岚溪县", "摧溪县") == pytest.approx(2 / 3)


@needs_ocr
def test_scanned_pdf_is_read_by_ocr_with_pages_and_confidence(tmp_path):
    from pypdf import PdfReader

    (tmp_path / "reports").mkdir()
    path = scanned_pdf(tmp_path / "reports" / "scan.pdf")
    assert not "".join(p.extract_text() for p in PdfReader(path).pages).strip()  # really no text layer
    doc = build_document(path, doc_id="0" * 16, source="reports/scan.pdf", count_tokens=len, max_tokens=200,
                         overlap=0)
    for number, lines in enumerate(PAGES, start=1):
        start, end = _page_range(doc, number)
        accuracy = char_accuracy("".join(lines), doc.text[start:end])
        print(f"page {number}: character accuracy {accuracy:.3f}")
        assert accuracy >= 0.95, doc.text[start:end]
    assert doc.meta.ocr_pages == (1, 2)
    assert 50 < doc.meta.ocr_confidence <= 100
    assert any("OCR" in w and "第1、2页" in w for w in doc.warnings)
    chunk = next(c for c in doc.chunks if "考核结果" in c.text)
    assert chunk.page == 2  # a citation names the scanned page


def _page_range(doc, number: int) -> tuple[int, int]:
    starts = dict((page, offset) for offset, page in doc.pages)
    following = [offset for offset, page in doc.pages if page > number]
    return starts[number], following[0] if following else len(doc.text)


@needs_ocr
def test_only_pages_without_text_layer_are_ocrd(tmp_path):
    from pypdf import PdfReader, PdfWriter

    from scripts.render import write_pdf

    text = write_pdf("# 第一页有文字层\n这一页的文字可以直接提取。", tmp_path / "text.pdf")
    scan = scanned_pdf(tmp_path / "scan.pdf", pages=PAGES[1:])
    writer = PdfWriter()
    writer.append(PdfReader(text))
    writer.append(PdfReader(scan))
    mixed = tmp_path / "mixed.pdf"
    with mixed.open("wb") as fh:
        writer.write(fh)
    loaded = load_file(mixed)
    assert loaded.extraction["ocr_pages"] == [2]
    assert loaded.blocks[0].text.startswith("第一页有文字层") and loaded.blocks[0].page == 1
    assert {b.page for b in loaded.blocks} == {1, 2}


def test_scanned_pdf_without_tesseract_names_the_packages(tmp_path, monkeypatch):
    monkeypatch.setattr(ocr, "missing", lambda: "tesseract-ocr")
    with pytest.raises(IngestError) as info:
        load_file(scanned_pdf(tmp_path / "scan.pdf", pages=PAGES[:1]))
    assert info.value.file == "scan.pdf"
    assert "scanned PDF" in info.value.reason and "tesseract-ocr-chi-sim" in info.value.reason


def test_page_drawing_no_image_is_not_ocrd(tmp_path, monkeypatch):
    from tests.reliability.hostile_files import pdf_with_content

    def refuse(*args, **kwargs):
        raise AssertionError("OCR ran on a page without an image")
    monkeypatch.setattr(ocr, "ocr_pages", refuse)
    path = tmp_path / "fake.pdf"
    path.write_bytes(pdf_with_content(b"q 100 0 0 100 0 0 cm /Im1 Do Q\n" * 50))  # names an image it does not have
    with pytest.raises(IngestError) as info:
        load_file(path)
    assert info.value.file == "fake.pdf" and "no extractable text" in info.value.reason
