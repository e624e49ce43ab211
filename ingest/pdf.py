"""PDF text by pypdf within tightened limits: wraps and run breaks re-joined, tables by row, scans by OCR."""
from __future__ import annotations

import io
import time

from ingest import ocr
from ingest.budget import ParseBudget
from ingest.cleaning import clean_line, join_runs, join_wrapped
from ingest.pdftables import MIN_ROWS, SENTENCE_MARKS, page_tables
from ingest.structure import Block, Loaded, heading_level
from ingest.tables import table_lines
from kb.errors import IngestError, clip

MAX_PDF_PAGES = 2000


# pypdf's own per-stream limits, tightened: a 22 KB page of two million "(a) Tj" took 10 s to reach
# pypdf's default parsing budget (2,000,000); a real page has at most tens of thousands of operations
PDF_LIMITS = {
    "stream_parsing_work_maximum_count": 500_000,
    "zlib_maximum_output_length": 32 << 20,
    "lzw_maximum_output_length": 32 << 20,
    "run_length_maximum_output_length": 32 << 20,
}


def load_pdf(data: bytes, name: str, budget: ParseBudget) -> Loaded:
    from pypdf import apply_configuration

    with apply_configuration(**PDF_LIMITS):  # this context only: other pypdf users keep their settings
        return _read_pdf(data, name, budget)


def _read_pdf(data: bytes, name: str, budget: ParseBudget) -> Loaded:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                ok = reader.decrypt("")
            except Exception:  # noqa: BLE001 - pypdf raises several types for unsupported crypto
                ok = 0
            if not ok:
                raise IngestError(name, "PDF 已加密，无法读取 (encrypted PDF): 请提供未加密的版本")
        pages = reader.pages
        count = len(pages)
    except IngestError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
        raise IngestError(name, f"PDF 文件损坏或不完整 (corrupt PDF): {exc}") from exc
    if count > MAX_PDF_PAGES:
        raise IngestError(name, f"PDF 页数过多 ({count} > {MAX_PDF_PAGES}), 请拆分后导入 (too many pages)")
    loaded = Loaded([], _pdf_meta(reader))
    empty, garbled, ruled, aligned, blank = [], [], [], [], []
    texts: dict[int, list[str]] = {}
    for number, page in enumerate(pages, start=1):
        budget.check_time()
        drawn = {"rules": 0, "images": 0, "xobjects": 0}  # a ruled table strokes lines; a scan draws an image

        def count(op, args, cm, tm, drawn=drawn):
            if op in (b"re", b"l"):
                drawn["rules"] += 1
            elif op in (b"BI", b"INLINE IMAGE"):
                drawn["images"] += 1
            elif op == b"Do":
                drawn["xobjects"] += 1
        try:
            raw = page.extract_text(visitor_operand_before=count) or ""
        except Exception as exc:  # noqa: BLE001 - a broken page must not lose the others
            loaded.warnings.append(f"第{number}页无法解析 (page {number} unreadable): {clip(exc)}")
            budget.step()
            continue
        budget.step(len(raw))
        page_lines = [_pdf_line(line) for line in raw.split("\n")]
        visible = "".join(page_lines)
        if len(visible) < SCAN_TEXT_CHARS:
            # only a page that draws an image can be a scan: a blank page costs no OCR (nor does a crafted one);
            # a scan may carry a stamped page number or header as text, so a few characters still count as none
            scan = drawn["images"] or (drawn["xobjects"] and _has_image(page))
            if scan:
                empty.append(number)
                if visible:
                    texts[number] = page_lines  # kept unless OCR reads the page
            elif visible:
                texts[number] = page_lines
            else:
                blank.append(number)
        elif _garbled(visible):
            garbled.append(number)
        else:
            texts[number] = page_lines
            if MIN_RULES <= drawn["rules"] <= MAX_RULES:
                ruled.append(number)
            elif _may_align(raw):
                aligned.append(number)
    if ruled or aligned:
        _read_tables(data, ruled, aligned, texts, loaded, budget)
    if empty or garbled:
        _read_scans(data, name, empty, garbled, texts, loaded)
    if blank:
        loaded.warnings.append(f"第{_pages(blank)}页没有文字层，也没有图像 (no text layer, no image: blank page)")
    lines: list[tuple[str, int]] = [(line, number) for number in sorted(texts) for line in texts[number]]
    for paragraph, number in join_wrapped(lines, is_heading=heading_level):
        loaded.blocks.append(Block(paragraph, level=heading_level(paragraph), page=number))
    return loaded


SCAN_TEXT_CHARS = 20  # a page with an image and fewer characters than this is read by OCR
MIN_RULES, MAX_RULES = 4, 5000  # a 2×2 ruled table draws 4 cells; thousands of strokes is a drawing


def _pdf_line(line: str) -> str:
    return join_runs(clean_line(line))


def _may_align(raw: str) -> bool:
    """Whether pypdf's text of a page may hold a table laid out by spacing: MIN_ROWS lines in a row of two or
    more space-separated fields without sentence punctuation. Cheap and loose (pypdf writes a gap between
    columns as a single space, as it writes a space): pdfplumber decides on the glyphs' positions, so a page
    of prose, whose lines are one field or carry punctuation, costs no second reading."""
    run = 0
    for line in raw.split("\n"):
        run = run + 1 if len(line.split()) >= 2 and not SENTENCE_MARKS.search(line) else 0
        if run >= MIN_ROWS:
            return True
    return False


def _read_tables(data: bytes, ruled: list[int], aligned: list[int], texts: dict[int, list[str]], loaded: Loaded,
                 budget: ParseBudget) -> None:
    """Pages with tables read again by pdfplumber (ruled ones by their lines, `aligned` ones by the text's
    alignment): each row beside its column names. A page where none is found keeps pypdf's text."""
    found, warning = page_tables(data, ruled, aligned=aligned, seconds=budget.deadline - time.monotonic())
    if warning:
        loaded.warnings.append(warning)
    for number, items in found.items():
        lines: list[str] = []
        for item in items:
            if "rows" in item:
                # an empty line on each side: join_wrapped keeps every row a paragraph of its own
                lines += [part for row in table_lines(item["rows"]) for part in ("", row, "")]
            else:
                lines += [_pdf_line(line) for line in str(item.get("text", "")).split("\n")]
        budget.step(sum(map(len, lines)))
        texts[number] = lines


def _read_scans(data: bytes, name: str, empty: list[int], garbled: list[int], texts: dict[int, list[str]],
                loaded: Loaded) -> None:
    """OCR for pages without a text layer or with undecodable glyphs; without tesseract, say what to install."""
    lacking = ocr.missing()
    if lacking:
        if not set(texts) - set(empty):  # nothing but scans (a stamped page number is no text)
            raise IngestError(name, f"扫描版 PDF，没有可读的文字层 (scanned PDF, no text layer): 需要 OCR，缺少 {lacking}；"
                                    f"请安装: {ocr.INSTALL}，然后重新导入")
        if empty:
            loaded.warnings.append(f"第{_pages(empty)}页没有文字层 (no text layer, scanned?)：需要 OCR，"
                                   f"请安装 {ocr.INSTALL}")
        if garbled:
            loaded.warnings.append(f"第{_pages(garbled)}页文字无法解码 (undecodable glyphs, missing ToUnicode)：需要 OCR，"
                                   f"请安装 {ocr.INSTALL}")
        return
    result = ocr.ocr_pages(data, sorted(empty + garbled))
    loaded.warnings += result.warnings
    for number, lines in result.lines.items():
        if any(lines):
            texts[number] = [_pdf_line(line) for line in lines]
    read = sorted(n for n, lines in result.lines.items() if any(lines))
    blank = [n for n in sorted(empty + garbled) if n not in read]
    if blank:
        loaded.warnings.append(f"第{_pages(blank)}页没有文字层 (no text layer)，OCR 也未识别出文字 (OCR found no text)")
    if read:
        loaded.extraction.update({"ocr_pages": read, "ocr_confidence": result.confidence})
        loaded.warnings.append(f"第{_pages(read)}页为扫描页，已 OCR 识别，平均置信度 {result.confidence:.0f}% "
                               "(pages read by OCR; check names and figures against the original)")


def _has_image(page) -> bool:
    """Whether the page's resources hold an image XObject (looked up one level, without decoding it)."""
    try:
        resources = page.get("/Resources")
        xobjects = resources.get_object().get("/XObject") if resources is not None else None
        if xobjects is None:
            return False
        values = list(xobjects.get_object().values())[:100]
        return any(v.get_object().get("/Subtype") == "/Image" for v in values)
    except Exception:  # noqa: BLE001 - a broken resource dictionary is no scan
        return False


def _pdf_meta(reader) -> dict:
    info = reader.metadata or {}
    meta = {}
    if info.get("/Title"):
        meta["title"] = str(info["/Title"])
    if info.get("/Author"):
        meta["author"] = str(info["/Author"])
    return meta


def _garbled(text: str) -> bool:
    bad = sum(1 for ch in text if ch == "\ufffd" or 0xE000 <= ord(ch) <= 0xF8FF or ord(ch) < 32)
    return bad > max(3, len(text) // 20)


def _pages(numbers: list[int]) -> str:
    return "、".join(str(n) for n in numbers[:20]) + ("…" if len(numbers) > 20 else "")
