"""金点子: a report's policy proposals, one record each, in the formats reports really use.

A proposal section is a heading with 金点子, or one such as 对策建议 / 意见建议 / 政策建议 / 几点建议. Inside it,
the proposals are its sub-headings ("（一）…", "1．…"), else its numbered lines ("建议一：", "（一）", "1．",
"①", "第一，"), else the "一是…二是…" parts of its paragraphs. A count the report states ("提出了31条对策
建议") picks the level that matches it, and is kept so that a mismatch can be reported.
"""
from __future__ import annotations

import re

from ingest.chunking import Span
from ingest.structure import Structured

_CN = "一二三四五六七八九十两百零〇"
_NUMBERING = re.compile(rf"^\s*(?:[{_CN}]+、|[（(][{_CN}\d]+[）)]|\d{{1,2}}[.．、]|第[{_CN}\d]+[章节部分]|建议[{_CN}\d]+[：:、]?)\s*")
# "…的建议", "问题与对策" end a proposal heading; "主要做法与举措" describes what was done, not proposals
_SECTION = re.compile(r"金点子|(?:对策|意见|政策|工作|几点|主要|对策性)建议|对策(?:与|和|及)建议|建议(?:与|和|及)对策|"
                      r"(?:对策|建议)$")
_ITEM = re.compile(
    rf"^\s*(?:建议\s*([{_CN}\d]{{1,4}})\s*[：:、.．，,]?"  # 建议一： 建议1、
    rf"|[（(]\s*([{_CN}\d]{{1,4}})\s*[）)]"  # （一） (1)
    r"|(\d{1,2})\s*[.．、](?!\d)"  # 1. 1． 1、 (not 1.5)
    r"|([①-⑳])"
    rf"|第([{_CN}]{{1,3}})[，,、：:])\s*"  # 第一，
)
_PART = re.compile(rf"(?:^|(?<=[。；;，,：:\s]))([{_CN}]{{1,3}})是")  # 一是… 二是… inside a paragraph
_TITLE = re.compile(r"^(.{2,30}?)[：:]")
_CLAUSE = re.compile(r"^(.{2,30}?)[。；;，,]")
_EMPHASIS = re.compile(r"\*\*|__|(?<!\w)\*|\*(?!\w)")  # Markdown bold/italic markers a .txt keeps verbatim
_STATED = re.compile(rf"(?:提出|形成|梳理|归纳|凝练|提炼|汇总|整理)(?:了|出)?(?:共)?\s*(\d{{1,3}}|[{_CN}]{{1,4}})\s*"
                     r"(?:条|项|个|点)\s*(?:具体|可操作的?|针对性|务实)?(?:的)?(?:对策建议|意见建议|政策建议|建议|金点子|对策)")
MIN_ITEM_CHARS = 8  # "1. 见上" is no proposal
SHORT_ITEM = 30  # an item line this short without a full stop is a title: its next paragraph is its text


def is_idea_section(title: str) -> bool:
    """A heading under which a report lists its proposals."""
    bare = _NUMBERING.sub("", title).strip()
    return len(bare) <= 30 and bool(_SECTION.search(bare))


def stated_count(text: str) -> int:
    """The number of proposals a report says it makes ("提出了31条对策建议"), or 0."""
    match = _STATED.search(text)
    return cn_number(match.group(1)) if match else 0


def idea_spans(doc: Structured, *, stated: int = 0) -> list[Span]:
    """Each proposal of the document's proposal sections (see the module docstring)."""
    levels: list[list[Span]] = [[], [], []]  # sub-headings, numbered lines, 一是 parts
    covered = -1
    for index, heading in enumerate(doc.headings):
        if heading.start < covered or not is_idea_section(heading.title):
            continue
        stop = next((h.start for h in doc.headings[index + 1:] if h.level <= heading.level), len(doc.text))
        covered = stop
        inner = [h for h in doc.headings[index + 1:] if h.start < stop]
        for level, spans in zip(levels, (_by_headings(doc, inner, stop), _by_lines(doc, heading.end + 1, stop),
                                         _by_parts(doc, heading.end + 1, stop))):
            level.extend(spans)
    found = [spans for spans in levels if spans]
    if stated:
        matching = [spans for spans in found if len(spans) == stated]
        if matching:
            return matching[0]
    return found[0] if found else []


def _by_headings(doc: Structured, inner, stop: int) -> list[Span]:
    if not inner:
        return []
    top = min(h.level for h in inner)
    subs = [h for h in inner if h.level == top]
    spans = []
    for number, (heading, after) in enumerate(zip(subs, subs[1:] + [None]), start=1):
        end = after.start - 1 if after else stop
        end = len(doc.text[:end].rstrip("\n"))
        item = _ITEM.match(heading.title)
        title = _NUMBERING.sub("", heading.title).strip().rstrip("：:。")
        spans.append(_span(doc, heading.start, end, _number(item, number), _EMPHASIS.sub("", title)))
    return spans


def _by_lines(doc: Structured, start: int, stop: int) -> list[Span]:
    spans: list[Span] = []
    offset = start
    lines = doc.text[start:stop].split("\n")
    headings = {h.start for h in doc.headings}
    for i, line in enumerate(lines):
        match = _ITEM.match(line) if offset not in headings else None  # sub-headings are the level above
        if match and len(line) > MIN_ITEM_CHARS:
            end = offset + len(line)
            body = line[match.end():]
            if len(line) <= SHORT_ITEM and line[-1] not in "。！？；" and i + 1 < len(lines) \
                    and not _ITEM.match(lines[i + 1]):
                end += 1 + len(lines[i + 1])  # "建议一：设立茶链长" over its paragraph
                title = _NUMBERING.sub("", line).strip().rstrip("：:")
            else:
                found = _TITLE.match(body) or _CLAUSE.match(body)  # "设立茶链长：…" or "设立茶链长。…"
                title = found.group(1) if found else ""
            spans.append(_span(doc, offset, end, _number(match, len(spans) + 1), _EMPHASIS.sub("", title).strip()))
        offset += len(line) + 1
    return spans


def _by_parts(doc: Structured, start: int, stop: int) -> list[Span]:
    """一是…二是…三是…, in one paragraph or opening successive lines; a part ends at the next or at its line's end.

    A real list counts 一是, 二是, 三是 in order; a lone "一是" is prose, and "一是" again starts a new list.
    """
    marks: list[tuple[int, int, int]] = []  # (start, end of the line, start of the text after the mark)
    lists: list[list[tuple[int, int, int]]] = []
    offset = start
    for line in doc.text[start:stop].split("\n"):
        for mark in _PART.finditer(line):
            number = cn_number(mark.group(1))
            if number == 1:
                lists.append(marks)
                marks = []
            if number == len(marks) + 1:
                if marks and marks[-1][1] == offset + len(line):  # the previous part ends where this one starts
                    marks[-1] = (marks[-1][0], offset + mark.start(), marks[-1][2])
                marks.append((offset + mark.start(), offset + len(line), offset + mark.end()))
        offset += len(line) + 1
    lists.append(marks)
    spans: list[Span] = []
    for parts in (p for p in lists if len(p) >= 2):
        for begin, end, body in parts:
            text = doc.text[body:end]
            clause = _TITLE.match(text) or _CLAUSE.match(text)
            spans.append(_span(doc, begin, len(doc.text[:end].rstrip("；;，, ")), len(spans) + 1,
                               clause.group(1) if clause else ""))
    return spans


def _span(doc: Structured, start: int, end: int, number: int, title: str) -> Span:
    return Span(start, end, doc.section_path(start), doc.page_at(start), idea_no=number, idea_title=title)


def _number(match, fallback: int) -> int:
    token = next((g for g in match.groups() if g), "") if match else ""
    if token and "①" <= token <= "⑳":
        return ord(token) - ord("①") + 1
    return cn_number(token) or fallback


def cn_number(token: str) -> int:
    """12, "十二" or "二十一" as an int (0 when it is neither)."""
    if token.isdigit():
        return int(token)
    digits = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"两": 2, "〇": 0}
    if not token or any(c not in digits and c not in "十百" for c in token):
        return 0
    total, current = 0, 0
    for char in token:
        if char == "百":
            total += (current or 1) * 100
            current = 0
        elif char == "十":
            total += (current or 1) * 10
            current = 0
        else:
            current = digits[char]
    return total + current
