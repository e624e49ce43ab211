"""Lecture slides (.pptx): one section per slide headed by its title, body text, tables and speaker notes.

A slide's number is its block's page, so a citation names the slide. The archive is size-checked
before python-pptx opens it (it inflates every part into memory), like a .docx.
"""
from __future__ import annotations

import io
from itertools import islice

from ingest.archives import check_zip
from ingest.budget import ParseBudget
from ingest.cleaning import clean_line
from ingest.structure import Block, Loaded
from ingest.tables import table_lines
from kb.errors import IngestError, clip

MAX_SLIDES = 2000
MAX_GROUP_DEPTH = 8  # groups inside groups; deeper is a crafted file, its text is skipped
MAX_SHAPES = 1000  # per slide or group: a real slide has tens; python-pptx takes ~0.1 ms a shape
_DEFAULT_TITLES = {"powerpoint presentation", "powerpoint 演示文稿", "演示文稿", "ppt 演示文稿"}


def load_pptx(data: bytes, name: str, budget: ParseBudget) -> Loaded:
    import pptx
    from pptx.exc import PackageNotFoundError

    check_zip(data, name, kind="PPTX", app="PowerPoint")
    try:
        deck = pptx.Presentation(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, OSError) as exc:
        raise IngestError(name, f"PPTX 文件损坏或不是演示文稿 (corrupt PPTX): {clip(exc)}; "
                                "请用 PowerPoint 或 WPS 另存为 .pptx 后重新上传") from exc
    slides = deck.slides
    if len(slides) > MAX_SLIDES:
        raise IngestError(name, f"幻灯片过多 ({len(slides)} > {MAX_SLIDES}) (too many slides): 请拆分后导入")
    blocks: list[Block] = []
    warnings: list[str] = []
    for number, slide in enumerate(slides, start=1):
        budget.check_time()
        title_shape = slide.shapes.title
        title = clean_line(title_shape.text_frame.text.replace("\n", " ")) if title_shape is not None else ""
        # slide 1's title is the lecture's; every other slide is a section
        blocks.append(Block(title or f"第{number}页", level=1 if number == 1 and title else 2, page=number))
        shapes = _ordered(slide.shapes)
        if len(shapes) > MAX_SHAPES:
            shapes = shapes[:MAX_SHAPES]
            warnings.append(f"第{number}页图形过多，只读取前 {MAX_SHAPES} 个 (slide {number}: too many shapes, "
                            f"first {MAX_SHAPES} read)；请把该页的图形组合或转为图片")
        for shape in shapes:
            if title_shape is not None and shape.shape_id == title_shape.shape_id:
                continue
            blocks += [Block(line, page=number) for line in _shape_lines(shape, budget, 0)]
        if slide.has_notes_slide:
            notes = slide.notes_slide.notes_text_frame
            text = notes.text if notes is not None else ""
            budget.step(len(text))
            lines = [clean_line(line) for line in text.split("\n")]
            blocks += [Block(f"【讲者备注】{line}", page=number) for line in lines if line]
    props = deck.core_properties
    meta = {}
    if props.title and props.title.strip().lower() not in _DEFAULT_TITLES:
        meta["title"] = props.title.strip()
    if props.author:
        meta["author"] = props.author.strip()
    return Loaded(blocks, meta, warnings)


def _ordered(shapes) -> list:
    """At most MAX_SHAPES shapes in reading order: top to bottom, then left to right (no position: last)."""
    first = list(islice(iter(shapes), MAX_SHAPES + 1))  # one more: the caller tells a full slide from a crowded one
    return sorted(first, key=lambda s: (s.top if s.top is not None else 1 << 40, s.left or 0))


def _shape_lines(shape, budget: ParseBudget, depth: int) -> list[str]:
    budget.step()
    from pptx.shapes.group import GroupShape

    if isinstance(shape, GroupShape):
        if depth >= MAX_GROUP_DEPTH:
            return []
        return [line for inner in _ordered(shape.shapes) for line in _shape_lines(inner, budget, depth + 1)]
    if getattr(shape, "has_table", False) and shape.has_table:
        rows = [[cell.text for cell in row.cells] for row in shape.table.rows]
        budget.step(sum(len(c) for row in rows for c in row))
        return table_lines(rows)
    if getattr(shape, "has_text_frame", False) and shape.has_text_frame:
        lines = []
        for paragraph in shape.text_frame.paragraphs:
            text = clean_line(paragraph.text.replace("\v", " "))
            budget.step(len(text))
            if text:
                lines.append(text)
        return lines
    return []
