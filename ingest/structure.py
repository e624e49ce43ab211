"""Document structure: blocks (headings and paragraphs) assembled into one cleaned text with offsets."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

_CN_NUM = "一二三四五六七八九十百零〇"
# Chinese official-document numbering: 一、 → （一） → 1. ; a heading is short and ends no sentence.
_HEADING_PATTERNS = (
    (2, re.compile(rf"^[{_CN_NUM}]+、\S")),
    (3, re.compile(rf"^[（(][{_CN_NUM}]+[）)]\S")),
    (4, re.compile(r"^\d{1,2}[.．]\s*[^\d\s]")),
    (2, re.compile(rf"^第[{_CN_NUM}\d]+[章节部分讲]\s*\S")),
)
_SENTENCE_TAIL = "。！？!?；;，,：:"


def heading_level(line: str) -> int:
    """Level (2–4) of a line that looks like a numbered Chinese heading, else 0."""
    line = line.strip()
    if not line or len(line) > 40 or line[-1] in _SENTENCE_TAIL:
        return 0
    for level, pattern in _HEADING_PATTERNS:
        if pattern.match(line):
            return level
    return 0


@dataclass(frozen=True)
class Block:
    """A heading (level ≥ 1) or a paragraph (level 0) of a loaded file, with its PDF page."""

    text: str
    level: int = 0
    page: int | None = None


@dataclass(frozen=True)
class Heading:
    start: int
    end: int
    level: int
    title: str


@dataclass
class Structured:
    """Cleaned text plus where its headings and pages start (character offsets)."""

    text: str
    headings: list[Heading] = field(default_factory=list)
    pages: list[tuple[int, int]] = field(default_factory=list)  # (start offset, page number)

    def section_path(self, offset: int) -> str:
        """'一、… > （二）…' for the headings that enclose `offset`."""
        stack: list[Heading] = []
        for heading in self.headings:
            if heading.start > offset:
                break
            while stack and stack[-1].level >= heading.level:
                stack.pop()
            stack.append(heading)
        return " > ".join(h.title for h in stack if h.level > 1)

    def page_at(self, offset: int) -> int | None:
        page = None
        for start, number in self.pages:
            if start > offset:
                break
            page = number
        return page


def assemble(blocks: list[Block]) -> Structured:
    """Join blocks with newlines, recording heading spans and page starts."""
    parts: list[str] = []
    doc = Structured(text="")
    offset = 0
    last_page = None
    for block in blocks:
        text = block.text.strip()
        if not text:
            continue
        if block.page is not None and block.page != last_page:
            doc.pages.append((offset, block.page))
            last_page = block.page
        if block.level:
            doc.headings.append(Heading(offset, offset + len(text), block.level, text))
        parts.append(text)
        offset += len(text) + 1
    doc.text = "\n".join(parts)
    return doc


@dataclass
class Loaded:
    """What a loader read from one file: blocks, the file's own metadata, warnings, guesses and how it was read."""

    blocks: list[Block]
    meta: dict = field(default_factory=dict)  # the file's own metadata (front matter, document properties)
    warnings: list[str] = field(default_factory=list)
    inferred: dict = field(default_factory=dict)  # metadata guessed from the text (title, date, author, origin)
    extraction: dict = field(default_factory=dict)  # how the text was read: ocr_pages, ocr_confidence
