"""Ruled tables of PDF pages (pdfplumber), read in a child process bounded in time and memory.

pdfminer, under pdfplumber, inflates every stream it touches (fonts included) without a limit, so a
crafted PDF that pypdf read within its limits could still take gigabytes there. The child gets an
address-space limit and a deadline; if it dies or overruns, the page keeps pypdf's text and a warning.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

MEMORY_MB = 1536  # the child's address space: Python, pdfplumber and one page's objects fit in a few hundred MB
_ROOT = Path(__file__).resolve().parent.parent


def page_tables(data: bytes, pages: list[int], *, seconds: float) -> tuple[dict[int, list[dict]], str]:
    """{page: [{"text": …} | {"rows": [[cell, …], …]}, …] in reading order} for pages with tables, and a
    warning ("" when all went well). Pages without a ruled table are left out."""
    if not pages or seconds <= 1:
        return {}, "表格识别超时，已按普通文字读取 (table detection skipped: time budget)" if pages else ""
    args = [sys.executable, "-m", "ingest.pdftables", *map(str, pages)]
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


def _extract(data: bytes, pages: list[int]) -> dict[int, list[dict]]:
    """Child side: each page's text around its tables, and the tables' rows, top to bottom."""
    import io

    import pdfplumber

    out: dict[int, list[dict]] = {}
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for number in pages:
            if not 1 <= number <= len(pdf.pages):
                continue
            page = pdf.pages[number - 1]
            tables = sorted(page.find_tables(), key=lambda t: t.bbox[1])
            if not tables:
                continue
            x0, top, x1, bottom = page.bbox
            items, y = [], top
            for table in tables:
                if table.bbox[1] > y:
                    items.append({"text": page.crop((x0, y, x1, table.bbox[1])).extract_text() or ""})
                items.append({"rows": [[cell or "" for cell in row] for row in table.extract()]})
                y = max(y, table.bbox[3])
            if y < bottom:
                items.append({"text": page.crop((x0, y, x1, bottom)).extract_text() or ""})
            out[number] = items
    return out


if __name__ == "__main__":
    _limit_memory(int(os.environ.get("KB_TABLES_MEMORY_MB", MEMORY_MB)))
    result = _extract(sys.stdin.buffer.read(), [int(a) for a in sys.argv[1:]])
    sys.stdout.write(json.dumps(result, ensure_ascii=False))
