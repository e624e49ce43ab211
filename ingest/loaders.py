"""Loaders per format (.md/.txt, .pdf, .docx, .pptx, .html) returning blocks, front matter and warnings."""
from __future__ import annotations

import io
import re
from pathlib import Path

from ingest.archives import check_zip
from ingest.budget import ParseBudget
from ingest.cleaning import clean_line, strip_markdown
from ingest.encoding import decode_text
from ingest.pdf import load_pdf
from ingest.safeyaml import load_mapping
from ingest.slides import load_pptx
from ingest.structure import Block, Loaded, heading_level
from ingest.tables import table_lines
from ingest.webpages import load_html
from ingest.webtext import web_text
from kb.errors import IngestError, clip

SUPPORTED = {".md", ".markdown", ".txt", ".pdf", ".docx", ".pptx", ".html", ".htm"}
MAX_FILE_BYTES = 100 << 20  # corpus files are not bounded by KB_MAX_UPLOAD_MB; a text layer is never this big
MAX_DOC_CHARS = 2_000_000  # ~4,000 pages of Chinese; beyond this a file is a dump, not a training document
# fences allow trailing spaces only: `\s*` could also eat newlines and rescan them at every attempt
_FRONT_MATTER = re.compile(r"^---[ \t]*\n(.*?)\n---[ \t]*(?:\n|$)", re.S)
# Closing "#"s are stripped in code: the former `(.*?)\s*#*\s*$` was cubic on a heading line
# followed by a run of spaces ("# a" + 2,000 spaces + "x" took 23 s).
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")


def load_file(path: Path, *, name: str | None = None) -> Loaded:
    """Read one file into blocks within a parse budget; raise IngestError (file, reason) when it cannot be read.

    Every failure is an IngestError: the parsers' own exceptions are mapped here, at the boundary.
    """
    name = name or path.name
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise IngestError(name, f"不支持的文件类型 {clip(suffix, 20)} (unsupported type); 支持 {', '.join(sorted(SUPPORTED))}")
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise IngestError(name, f"文件过大 ({size >> 20} MB > {MAX_FILE_BYTES >> 20} MB) (file too large): 请拆分后导入")
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError(name, f"无法读取文件 (cannot read): {exc.strerror}") from exc
    if not data.strip():
        raise IngestError(name, "文件为空 (empty file): 请检查文件内容后重新导入")
    budget = ParseBudget(name, max_chars=MAX_DOC_CHARS)
    try:
        if suffix == ".pdf":
            loaded = load_pdf(data, name, budget)
        elif suffix == ".docx":
            loaded = _load_docx(data, name, budget)
        elif suffix == ".pptx":
            loaded = load_pptx(data, name, budget)
        elif suffix in (".html", ".htm"):
            loaded = load_html(data, name, budget)
        else:
            loaded = _load_text(data, name, markdown=suffix != ".txt", budget=budget)
    except IngestError:
        raise
    except (RecursionError, MemoryError) as exc:
        raise IngestError(name, f"文件结构过深或过大 (too deeply nested or too large: {type(exc).__name__}): "
                                "请另存为新文件后重新上传") from exc
    except Exception as exc:  # noqa: BLE001 - a parser's own exception type must not escape the loader
        raise IngestError(name, f"无法解析 (cannot parse: {type(exc).__name__}: {clip(exc)}): "
                                "请另存为新文件后重新上传") from exc
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


def _load_text(data: bytes, name: str, *, markdown: bool, budget: ParseBudget | None = None) -> Loaded:
    budget = budget or ParseBudget(name, max_chars=MAX_DOC_CHARS)
    text, encoding = decode_text(data, name=name)
    warnings = []
    if encoding == "utf-8+replaced":
        warnings.append(f"混合编码：{text.count(chr(0xFFFD))} 处字节无法按 UTF-8 解码，已替换为 � (mixed encodings)；请统一另存为 UTF-8")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    meta, body = parse_front_matter(text, name)
    blocks: list[Block] = []
    for raw in io.StringIO(body, newline="\n"):  # lazily: 20 MB of newlines is 20 million lines
        raw = raw.rstrip("\n")
        budget.step(len(raw))
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
    loaded = Loaded(blocks, meta, warnings)
    # no front matter: likely copied from a web page; with it, the author's file is read as written
    return loaded if _FRONT_MATTER.match(text) else web_text(loaded)


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# what python-docx's Paragraph.text reads (w:r and w:hyperlink/w:r children), at lxml speed:
# python-docx's own per-paragraph XPath took 60 µs a paragraph, 18 s for 300,000
_RUN_TEXT = {f"{_W}t": None, f"{_W}tab": "\t", f"{_W}ptab": "\t", f"{_W}cr": "\n", f"{_W}noBreakHyphen": "-"}


def _load_docx(data: bytes, name: str, budget: ParseBudget | None = None) -> Loaded:
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.text.paragraph import Paragraph

    budget = budget or ParseBudget(name, max_chars=MAX_DOC_CHARS)
    check_zip(data, name, kind="DOCX")  # before python-docx inflates every part into memory
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, OSError) as exc:
        raise IngestError(name, f"DOCX 文件损坏或不是 Word 文档 (corrupt DOCX): {clip(exc)}") from exc
    except Exception as exc:  # noqa: BLE001 - zipfile/lxml raise many types for broken files
        raise IngestError(name, f"DOCX 文件损坏 (corrupt DOCX): {clip(exc)}") from exc
    blocks = []
    styles: dict[str | None, str] = {}  # style id → name, resolved by python-docx once per style
    for element in document.element.body.iterchildren(f"{_W}p", f"{_W}tbl"):  # paragraphs and tables, in order
        if element.tag == f"{_W}tbl":
            blocks += [Block(line) for line in table_lines(_docx_rows(element, budget))]
            continue
        text = clean_line(_paragraph_text(element))
        budget.step(len(text))
        if not text:
            continue
        found = element.find(f"{_W}pPr/{_W}pStyle")
        style_id = found.get(f"{_W}val") if found is not None else None
        if style_id not in styles:
            style = Paragraph(element, document._body).style
            styles[style_id] = (style.name if style is not None else "") or ""
        style = styles[style_id]
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


def _paragraph_text(element) -> str:
    parts: list[str] = []
    for child in element:
        if child.tag == f"{_W}r":
            runs = (child,)
        elif child.tag == f"{_W}hyperlink":
            runs = child.iterchildren(f"{_W}r")
        else:
            continue
        for run in runs:
            for item in run:
                tag = item.tag
                if tag == f"{_W}t":
                    parts.append(item.text or "")
                elif tag == f"{_W}br":
                    parts.append("\n" if item.get(f"{_W}type", "textWrapping") == "textWrapping" else "")
                elif tag in _RUN_TEXT:
                    parts.append(_RUN_TEXT[tag])
    return "".join(parts)


def _docx_rows(table, budget: ParseBudget) -> list[list[str]]:
    """Cell texts of a Word table row by row, one per grid column; a vertically merged cell repeats the
    value above (Word leaves the continuation empty)."""
    rows: list[list[str]] = []
    for tr in table.iterchildren(f"{_W}tr"):
        row: list[str] = []
        for tc in tr.iterchildren(f"{_W}tc"):
            text = "\n".join(_paragraph_text(p) for p in tc.iter(f"{_W}p"))  # nested tables read as lines
            props = tc.find(f"{_W}tcPr")
            merge = props.find(f"{_W}vMerge") if props is not None else None
            if merge is not None and merge.get(f"{_W}val") != "restart" and rows and not text.strip():
                above = rows[-1]
                text = above[len(row)] if len(row) < len(above) else ""
            span = _grid_span(props)
            budget.step(len(text) * span)  # counted as often as it is repeated
            # a heading spanning columns names each; a value spanning columns is said once
            row += [text] * span if not rows else [text] + [""] * (span - 1)
        rows.append(row)
    return rows


def _grid_span(props) -> int:
    grid = props.find(f"{_W}gridSpan") if props is not None else None
    value = (grid.get(f"{_W}val") or "") if grid is not None else ""
    return min(int(value), 64) if value.isdigit() and len(value) <= 2 and int(value) > 0 else 1
