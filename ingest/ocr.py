"""OCR of scanned PDF pages: pdftoppm renders a page, tesseract (chi_sim) reads it, each a bounded child process.

Only pages without a text layer (or with undecodable glyphs) are read this way. Both tools are Debian
packages (tesseract-ocr, tesseract-ocr-chi-sim, poppler-utils); without them a scanned page is
reported with the command that installs them.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

INSTALL = "apt-get install tesseract-ocr tesseract-ocr-chi-sim poppler-utils"
PIXELS = 3508  # a page's long side: A4 at 300 dpi (200 dpi misread 岚 as 摧); bounds a crafted huge page too
MAX_OCR_PAGES = 60  # a longer scan is a book: split it
OCR_SECONDS = 240.0  # per file, beside the parse budget: a page takes ~1–3 s on one core
PAGE_SECONDS = 60.0  # one page, render or read
MEMORY_MB = 1024  # each child's address space


@dataclass
class OcrResult:
    """Lines per OCR'd page, the mean word confidence (0–100, weighted by characters) and warnings."""

    lines: dict[int, list[str]] = field(default_factory=dict)
    confidence: float = 0.0
    warnings: list[str] = field(default_factory=list)


@lru_cache(maxsize=1)
def missing() -> str:
    """What is missing for OCR ("" when pdftoppm, tesseract and its chi_sim data are all there)."""
    if not shutil.which("pdftoppm"):
        return "poppler-utils"
    if not shutil.which("tesseract"):
        return "tesseract-ocr"
    try:
        langs = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.SubprocessError):
        return "tesseract-ocr"
    return "" if "chi_sim" in langs.split() else "tesseract-ocr-chi-sim"


def ocr_pages(data: bytes, pages: list[int], *, seconds: float = OCR_SECONDS) -> OcrResult:
    """Read the given pages (1-based) of a PDF; a page that fails or runs out of time is named in a warning."""
    result = OcrResult()
    if len(pages) > MAX_OCR_PAGES:
        result.warnings.append(f"扫描页过多，只识别前 {MAX_OCR_PAGES} 页 (OCR limited to {MAX_OCR_PAGES} pages)："
                               "请拆分后导入其余页")
        pages = pages[:MAX_OCR_PAGES]
    deadline = time.monotonic() + seconds
    weighted, chars = 0.0, 0
    with tempfile.TemporaryDirectory(prefix="kb-ocr-") as folder:
        pdf = Path(folder) / "in.pdf"
        pdf.write_bytes(data)
        for number in pages:
            left = deadline - time.monotonic()
            if left < 2:
                result.warnings.append(f"OCR 超时，第{number}页起未识别 (OCR time budget exceeded from page {number})："
                                       "请拆分后导入")
                break
            try:
                words = _read_page(pdf, number, Path(folder), min(left, PAGE_SECONDS))
            except (OSError, subprocess.SubprocessError, ValueError) as exc:
                result.warnings.append(f"第{number}页 OCR 失败 (OCR failed on page {number}: {type(exc).__name__})")
                continue
            result.lines[number] = _lines(words)
            for conf, text in ((c, t) for c, t, _ in words):
                weighted += conf * len(text)
                chars += len(text)
    result.confidence = round(weighted / chars, 1) if chars else 0.0
    return result


def _read_page(pdf: Path, number: int, folder: Path, seconds: float) -> list[tuple[float, str, tuple]]:
    """(confidence, text, line key) of each word tesseract reads on one rendered page."""
    started = time.monotonic()
    stem = folder / f"p{number}"
    _run(["pdftoppm", "-scale-to", str(PIXELS), "-gray", "-png", "-singlefile", "-f", str(number), "-l", str(number),
          str(pdf), str(stem)], seconds)
    image = stem.with_suffix(".png")
    tsv = _run(["tesseract", str(image), "stdout", "-l", "chi_sim", "--psm", "3", "tsv"],
               max(1.0, seconds - (time.monotonic() - started)))
    image.unlink(missing_ok=True)
    words = []
    for row in tsv.splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) == 12 and cols[0] == "5" and cols[11].strip():
            words.append((max(float(cols[10]), 0.0), cols[11].strip(), tuple(cols[1:5])))
    return words


def _lines(words: list[tuple[float, str, tuple]]) -> list[str]:
    """Words joined into tesseract's lines; spaces between Chinese are dropped later by clean_line."""
    lines: list[str] = []
    key = None
    for _, text, line_key in words:
        if line_key != key:
            lines.append(text)
            key = line_key
        else:
            lines[-1] += " " + text
    return lines


def _run(args: list[str], seconds: float) -> str:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}  # tesseract would take every core of a shared machine
    # the address-space limit is set by the shell that execs the tool: preexec_fn is unsafe in a threaded
    # server (uploads are ingested by a worker thread)
    bounded = ["sh", "-c", f'ulimit -v {MEMORY_MB << 10} && exec "$@"', "sh", *args]
    done = subprocess.run(bounded, capture_output=True, timeout=seconds, env=env)
    if done.returncode != 0:
        raise ValueError(done.stderr[-200:].decode("utf-8", "replace"))
    return done.stdout.decode("utf-8", "replace")
