"""OCR benchmark: Chinese pages rendered with the CJK font, saved as an image-only PDF, read back by ingest."""
from __future__ import annotations

import tempfile
import time
from pathlib import Path

from eval.metrics import char_accuracy

PAGES = [
    ["关于岚溪县生态保护补偿机制的调研报告", "生态保护补偿是生态产品价值实现的重要制度安排。",
     "2024年5月，第33期中青班第六调研组赴岚溪县开展调研。", "岚溪县是下游鹤洲市约300万人口的主要饮用水水源。"],
    ["二、存在的问题", "补偿标准偏低，每亩公益林每年补偿仅为12元。", "资金拨付滞后，影响了农户参与保护的积极性。",
     "部门之间协调不够，考核结果运用不充分。"],
]
FONT = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"


def scanned_pdf(path: Path, pages: list[list[str]] = PAGES) -> Path:
    """An image-only PDF: each page's lines drawn at 12 pt on an A4 bitmap (300 dpi), no text layer."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(FONT, 50)  # 12 pt at 300 dpi
    images = []
    for lines in pages:
        image = Image.new("L", (2480, 3508), 255)
        draw = ImageDraw.Draw(image)
        for i, line in enumerate(lines):
            draw.text((250, 300 + i * 110), line, font=font, fill=0)
        images.append(image)
    images[0].save(path, "PDF", resolution=300, save_all=True, append_images=images[1:])
    return path


def page_texts(doc) -> dict[int, str]:
    """The cleaned text of each page of an ingested document."""
    bounds = [(offset, page) for offset, page in doc.pages] + [(len(doc.text), 0)]
    return {page: doc.text[start:end] for (start, page), (end, _) in zip(bounds, bounds[1:])}


def bench_ocr(pages: list[list[str]] = PAGES) -> dict:
    """Character accuracy per page, pages per second and tesseract's confidence for one generated scan."""
    from ingest import ocr
    from ingest.documents import build_document

    if ocr.missing():
        return {"skipped": f"OCR not installed: {ocr.INSTALL}"}
    with tempfile.TemporaryDirectory(prefix="kb-ocrbench-") as folder:
        path = scanned_pdf(Path(folder) / "scan.pdf", pages)
        started = time.perf_counter()
        doc = build_document(path, doc_id="0" * 16, source="scan.pdf", count_tokens=len, max_tokens=400, overlap=0)
        seconds = time.perf_counter() - started
    texts = page_texts(doc)
    accuracy = [round(char_accuracy("".join(lines), texts.get(n, "")), 3) for n, lines in enumerate(pages, start=1)]
    return {"pages": len(pages), "seconds": round(seconds, 1), "pages_per_s": round(len(pages) / seconds, 2),
            "char_accuracy": accuracy, "mean_char_accuracy": round(sum(accuracy) / len(accuracy), 3),
            "ocr_confidence": doc.meta.ocr_confidence}
