"""Loaders per format (.md/.txt, .pdf, .docx) returning blocks, front matter and warnings."""
from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from ingest.cleaning import clean_line, join_wrapped, strip_markdown
from ingest.encoding import decode_text
from ingest.safeyaml import load_mapping
from ingest.structure import Block, heading_level
from kb.errors import IngestError

SUPPORTED = {".md", ".markdown", ".txt", ".pdf", ".docx"}
MAX_PDF_PAGES = 2000
MAX_DOC_CHARS = 2_000_000  # ~4,000 pages of Chinese; beyond this a file is a dump, not a training document
# fences allow trailing spaces only: `\s*` could also eat newlines and rescan them at every attempt
_FRONT_MATTER = re.compile(r"^---[ \t]*\n(.*?)\n---[ \t]*(?:\n|$)", re.S)
# Closing "#"s are stripped in code: the former `(.*?)\s*#*\s*$` was cubic on a heading line
# followed by a run of spaces ("# a" + 2,000 spaces + "x" took 23 s).
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")


@dataclass
class Loaded:
    blocks: list[Block]
    meta: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def load_file(path: Path, *, name: str | None = None) -> Loaded:
    """Read one file into blocks; raise IngestError (file, reason) when it cannot be read."""
    name = name or path.name
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise IngestError(name, f"不支持的文件类型 {suffix} (unsupported type); 支持 {', '.join(sorted(SUPPORTED))}")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError(name, f"无法读取文件 (cannot read): {exc.strerror}") from exc
    if not data.strip():
        raise IngestError(name, "文件为空 (empty file): 请检查文件内容后重新导入")
    if suffix == ".pdf":
        loaded = _load_pdf(data, name)
    elif suffix == ".docx":
        loaded = _load_docx(data, name)
    else:
        loaded = _load_text(data, name, markdown=suffix != ".txt")
    if not any(b.text.strip() for b in loaded.blocks):
        raise IngestError(name, "没有可提取的文字 (no extractable text)")
    size = sum(len(b.text) for b in loaded.blocks)
    if size > MAX_DOC_CHARS:
        raise IngestError(name, f"文本过长 ({size} 字 > {MAX_DOC_CHARS})，请拆分成多个文件后导入 (document too long)")
    return loaded


def parse_front_matter(text: str, name: str) -> tuple[dict, str]:
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    meta = load_mapping(match.group(1), name=name, what="文件头元数据 (front matter) ")
    return meta, text[match.end():]


def _load_text(data: bytes, name: str, *, markdown: bool) -> Loaded:
    text, encoding = decode_text(data, name=name)
    warnings = []
    if encoding == "utf-8+replaced":
        warnings.append(f"混合编码：{text.count(chr(0xFFFD))} 处字节无法按 UTF-8 解码，已替换为 � (mixed encodings)；请统一另存为 UTF-8")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    meta, body = parse_front_matter(text, name)
    blocks: list[Block] = []
    for raw in body.split("\n"):
        md = _MD_HEADING.match(raw.strip())
        if md:
            title = md.group(2).rstrip().rstrip("#").rstrip()
            blocks.append(Block(clean_line(strip_markdown(title)), level=len(md.group(1))))
            continue
        line = clean_line(strip_markdown(raw) if markdown else raw)
        if markdown and line.startswith(("- ", "* ", "> ")):
            line = line[2:].strip()
        if line:
            blocks.append(Block(line, level=heading_level(line)))
    return Loaded(blocks, meta, warnings)


def _load_pdf(data: bytes, name: str) -> Loaded:
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
    empty, garbled = [], []
    lines: list[tuple[str, int]] = []
    for number, page in enumerate(pages, start=1):
        try:
            raw = page.extract_text() or ""
        except Exception as exc:  # noqa: BLE001 - a broken page must not lose the others
            loaded.warnings.append(f"第{number}页无法解析 (page {number} unreadable): {exc}")
            continue
        page_lines = [clean_line(line) for line in raw.split("\n")]
        visible = "".join(page_lines)
        if not visible:
            empty.append(number)
        elif _garbled(visible):
            garbled.append(number)
        else:
            lines += [(line, number) for line in page_lines]
    for paragraph, number in join_wrapped(lines, is_heading=heading_level):
        loaded.blocks.append(Block(paragraph, level=heading_level(paragraph), page=number))
    if empty:
        loaded.warnings.append(f"第{_pages(empty)}页没有文字层 (no text layer, scanned?)：需要 OCR")
    if garbled:
        loaded.warnings.append(f"第{_pages(garbled)}页文字无法解码 (undecodable glyphs, missing ToUnicode)")
    return loaded


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


def _load_docx(data: bytes, name: str) -> Loaded:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, OSError) as exc:
        raise IngestError(name, f"DOCX 文件损坏或不是 Word 文档 (corrupt DOCX): {exc}") from exc
    except Exception as exc:  # noqa: BLE001 - zipfile/lxml raise many types for broken files
        raise IngestError(name, f"DOCX 文件损坏 (corrupt DOCX): {exc}") from exc
    blocks = []
    for paragraph in document.paragraphs:
        text = clean_line(paragraph.text)
        if not text:
            continue
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
        level = 0
        if style == "Title":
            level = 1
        elif style.startswith("Heading"):
            digits = "".join(ch for ch in style if ch.isdigit())
            level = int(digits) if digits else 2
        blocks.append(Block(text, level=level or heading_level(text)))
    props = document.core_properties
    meta = {k: v for k, v in (("title", props.title), ("author", props.author)) if v}
    return Loaded(blocks, meta)
