"""Scanned PDFs: pages rendered from Chinese text with the CJK font, saved without a text layer, read by OCR."""
import pytest

from eval.metrics import char_accuracy
from eval.ocrbench import PAGES, bench_ocr, page_texts, scanned_pdf
from ingest import ocr
from ingest.documents import build_document
from ingest.loaders import load_file
from kb.errors import IngestError

needs_ocr = pytest.mark.skipif(bool(ocr.missing()), reason=f"OCR not installed: {ocr.INSTALL}")


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
    texts = page_texts(doc)
    for number, lines in enumerate(PAGES, start=1):
        accuracy = char_accuracy("".join(lines), texts[number])
        print(f"page {number}: character accuracy {accuracy:.3f}")
        assert accuracy >= 0.95, texts[number]
    assert doc.meta.ocr_pages == (1, 2)
    assert 50 < doc.meta.ocr_confidence <= 100
    assert any("OCR" in w and "第1、2页" in w for w in doc.warnings)
    chunk = next(c for c in doc.chunks if "考核结果" in c.text)
    assert chunk.page == 2  # a citation names the scanned page


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
    from eval.hostile import pdf_with_content

    def refuse(*args, **kwargs):
        raise AssertionError("OCR ran on a page without an image")
    monkeypatch.setattr(ocr, "ocr_pages", refuse)
    path = tmp_path / "fake.pdf"
    path.write_bytes(pdf_with_content(b"q 100 0 0 100 0 0 cm /Im1 Do Q\n" * 50))  # names an image it does not have
    with pytest.raises(IngestError) as info:
        load_file(path)
    assert info.value.file == "fake.pdf" and "no extractable text" in info.value.reason


@needs_ocr
def test_bench_ocr_reports_accuracy_and_speed():
    result = bench_ocr(PAGES[:1])
    assert result["pages"] == 1 and result["pages_per_s"] > 0
    assert result["mean_char_accuracy"] >= 0.95 and result["ocr_confidence"] > 50


@needs_ocr
def test_scan_with_a_stamped_page_number_is_still_ocrd(tmp_path):
    from fpdf import FPDF
    from PIL import Image, ImageDraw, ImageFont

    from eval.ocrbench import FONT

    image = Image.new("L", (2480, 3508), 255)
    ImageDraw.Draw(image).text((250, 300), PAGES[1][1], font=ImageFont.truetype(FONT, 50), fill=0)
    image.save(tmp_path / "page.png")
    pdf = FPDF()
    pdf.add_page()
    pdf.image(str(tmp_path / "page.png"), x=0, y=0, w=210, h=297)
    pdf.set_font("helvetica", size=9)
    pdf.text(100, 290, "- 1 -")  # the scanner's stamp: a text layer of five characters
    pdf.output(str(tmp_path / "stamped.pdf"))
    loaded = load_file(tmp_path / "stamped.pdf")
    assert loaded.extraction["ocr_pages"] == [1]
    text = "".join(b.text for b in loaded.blocks)
    assert char_accuracy(PAGES[1][1], text) >= 0.9, text
