"""Tables of PDF pages (pdfplumber), read in a child process bounded in time and memory.

Ruled tables are found by their lines; tables laid out by spacing alone (no lines, or only the three rules of a
三线表) by the alignment of their text, within bands of lines that have wide gaps, and kept only when the cells
look like a table's (`tabular`), so prose — in one column or two — keeps pypdf's text.

pdfminer, under pdfplumber, inflates every stream it touches (fonts included) without a limit, so a
crafted PDF that pypdf read within its limits could still take gigabytes there. The child gets an
address-space limit and a deadline; if it dies or overruns, the page keeps pypdf's text and a warning.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

MEMORY_MB = 1536  # the child's address space: Python, pdfplumber and one page's objects fit in a few hundred MB
_ROOT = Path(__file__).resolve().parent.parent

# What an unruled table must look like. Measured on PDFs written with fpdf2 and wqy-zenhei at 11 pt
# (tests/ingest/test_tables.py): a space is a 3.3 pt gap, a gap between columns 40–190 pt; a line of a page of
# prose in two columns is 22 characters, 9 in 10 of them with a comma or a full stop. An indicator's name in a
# table cell is rarely longer than 15 (农村居民人均可支配收入（元）: 14).
COLUMN_GAP_EM = 1.0  # a gap of one character width or more between two glyphs of a line separates two cells
MIN_ROWS = 3  # a heading row and two rows: two aligned lines are as often a date line or a signature block
MIN_COLUMNS = 2  # one column is a list (table_lines makes lines of it anyway)
MAX_BLANKS_PER_ROW = 1  # a blank corner or a missing figure; more and the "columns" are scattered words
SHORT_CELL_CHARS = 20
SHORT_SHARE = 0.8  # of the filled cells at least, SHORT_CELL_CHARS long at most: a line of a prose column is longer
SENTENCE_MARKS = re.compile(r"[，。；！？]")
SENTENCE_SHARE = 0.2  # of the filled cells with sentence punctuation, at most: prose has it in nearly every line
# the text strategy: column edges where words line up, rows at each line (within a band, so prose around the
# table does not shift its columns)
TEXT_SETTINGS = {"vertical_strategy": "text", "horizontal_strategy": "text"}


def page_tables(data: bytes, pages: Sequence[int], *, aligned: Sequence[int] = (),
                seconds: float) -> tuple[dict[int, list[dict]], str]:
    """{page: [{"text": …} | {"rows": [[cell, …], …]}, …] in reading order} for pages with tables, and a
    warning ("" when all went well). `pages` draw rules (their tables are found by the lines), `aligned` pages
    may hold a table laid out by spacing (found by the text's alignment). Pages without a table are left out."""
    if not (pages or aligned) or seconds <= 1:
        return {}, "表格识别超时，已按普通文字读取 (table detection skipped: time budget)" if pages or aligned else ""
    args = [sys.executable, "-m", "ingest.pdftables", json.dumps({"ruled": pages, "aligned": aligned})]
    try:
        done = subprocess.run(args, input=data, capture_output=True, timeout=seconds, cwd=_ROOT,
                              env={**os.environ, "KB_TABLES_MEMORY_MB": str(MEMORY_MB)})
    except subprocess.TimeoutExpired:
        return {}, f"表格识别超过 {seconds:.0f} 秒，已按普通文字读取 (table detection timed out)"
    if done.returncode != 0:
        return {}, "表格识别失败，已按普通文字读取 (table detection failed: file too complex)"
    try:
        return {int(k): v for k, v in json.loads(done.stdout).items()}, ""
    except ValueError:
        return {}, "表格识别失败，已按普通文字读取 (table detection failed)"


def _limit_memory(megabytes: int) -> None:
    """Set in the child itself, before pdfplumber is imported (preexec_fn is unsafe in a threaded server)."""
    import resource

    limit = megabytes << 20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def tabular(rows: list[list[str]]) -> bool:
    """Whether rows found by text alignment are a table: enough rows and columns, nearly every cell filled,
    cells short and without sentence punctuation (a page of prose in two columns aligns too)."""
    if len(rows) < MIN_ROWS or len(rows[0]) < MIN_COLUMNS:
        return False
    need = max(MIN_COLUMNS, len(rows[0]) - MAX_BLANKS_PER_ROW)
    if any(sum(1 for cell in row if cell) < need for row in rows):
        return False
    cells = [cell for row in rows for cell in row if cell]
    short = sum(1 for cell in cells if len(cell) <= SHORT_CELL_CHARS)
    sentences = sum(1 for cell in cells if SENTENCE_MARKS.search(cell))
    return short >= SHORT_SHARE * len(cells) and sentences <= SENTENCE_SHARE * len(cells)


def _compact(rows: list[list[str | None]]) -> list[list[str]]:
    """Rows without the empty rows and columns the text strategy leaves between lines and words."""
    rows = [[(cell or "").strip() for cell in row] for row in rows]
    rows = [row for row in rows if any(row)]
    keep = [i for i in range(max(map(len, rows), default=0)) if any(i < len(row) and row[i] for row in rows)]
    return [[row[i] if i < len(row) else "" for i in keep] for row in rows]


def _ruled_tables(page) -> list[tuple[tuple, list[list[str]]]]:
    return [(t.bbox, [[cell or "" for cell in row] for row in t.extract()]) for t in page.find_tables()]


def _aligned_tables(page) -> list[tuple[tuple, list[list[str]]]]:
    """Tables in the bands of MIN_ROWS or more lines that each have a wide gap, found by text alignment.

    A band is one table or none: split in two, or with a glyph of its height left out of the cells (a word
    outside the aligned edges, text beside the table), it keeps pypdf's text, since the page's text around a
    table is read above and below it only.
    """
    found = []
    left, _, right, _ = page.bbox
    for band in _gapped_bands(page.extract_text_lines(return_chars=True)):
        top, bottom = max(page.bbox[1], band[0]["top"] - 1), min(page.bbox[3], band[-1]["bottom"] + 1)
        x0, x1 = max(left, min(ln["x0"] for ln in band) - 1), min(right, max(ln["x1"] for ln in band) + 1)
        tables = page.crop((x0, top, x1, bottom)).find_tables(TEXT_SETTINGS)
        if len(tables) != 1:
            continue
        rows = _compact(tables[0].extract())
        glyphs = sum(1 for ch in page.crop((left, top, right, bottom)).chars if not ch["text"].isspace())
        if tabular(rows) and sum(len("".join(cell.split())) for row in rows for cell in row) == glyphs:
            found.append(((left, top, right, bottom), rows))  # the band's lines whole: the strategy's box cuts them
    return found


def _gapped_bands(lines: list[dict]) -> list[list[dict]]:
    """Runs of consecutive text lines in which two glyphs stand COLUMN_GAP_EM apart or more."""
    bands, run = [], []
    for line in lines + [None]:
        chars = line["chars"] if line else []
        if any(b["x0"] - a["x1"] >= COLUMN_GAP_EM * a["size"] for a, b in zip(chars, chars[1:])):
            run.append(line)
            continue
        if len(run) >= MIN_ROWS:
            bands.append(run)
        run = []
    return bands


def _extract(data: bytes, ruled: list[int], aligned: list[int]) -> dict[int, list[dict]]:
    """Child side: each page's text around its tables, and the tables' rows, top to bottom."""
    import io

    import pdfplumber

    out: dict[int, list[dict]] = {}
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for number, find in [(n, _ruled_tables) for n in ruled] + [(n, _aligned_tables) for n in aligned]:
            if not 1 <= number <= len(pdf.pages):
                continue
            page = pdf.pages[number - 1]
            tables = sorted(find(page), key=lambda t: t[0][1])
            if not tables:
                continue
            x0, top, x1, bottom = page.bbox
            items, y = [], top
            for bbox, rows in tables:
                if bbox[1] > y:
                    items.append({"text": page.crop((x0, y, x1, bbox[1])).extract_text() or ""})
                items.append({"rows": rows})
                y = max(y, bbox[3])
            if y < bottom:
                items.append({"text": page.crop((x0, y, x1, bottom)).extract_text() or ""})
            out[number] = items
    return out


if __name__ == "__main__":
    _limit_memory(int(os.environ.get("KB_TABLES_MEMORY_MB", MEMORY_MB)))
    asked = json.loads(sys.argv[1])
    result = _extract(sys.stdin.buffer.read(), asked["ruled"], asked["aligned"])
    sys.stdout.write(json.dumps(result, ensure_ascii=False))
