"""Document structure for composing answers: numbered lists, sections, and the chunk that holds an offset.

Lists are found in the whole cleaned document (not only in the retrieved chunk), so a list question gets
every item even when the list runs past the chunk's end. Items keep their document offsets so each can be
cited by the chunk that contains it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ingest.documents import Chunk, Document
from ingest.sentences import sentence_spans
from qa.question import char_grams
from qa.units import inline_items, marker_of

# nesting of Chinese list markers, outermost first: 一、 → （一） → 1. → （1） → ① → "- "
NESTING = {"cn": 0, "cn_paren": 1, "di": 2, "arabic": 2, "arabic_paren": 3, "circled": 4, "md": 5, "shi": 6}
_TRAILING = "；;，,、："
_BOLD = re.compile(r"\*\*(.+?)\*\*")
SHORT_CLAUSE = 24  # characters: the longest clause that still reads as one item of a "：A，B，C" enumeration
MAX_ITEMS = 20  # a list longer than this is cut (with a note): no answer should list a whole document


@dataclass(frozen=True)
class Line:
    start: int
    end: int
    text: str
    marker: tuple[str, int] | None
    heading: int  # heading level, 0 for a paragraph


@dataclass(frozen=True)
class Item:
    start: int
    end: int
    text: str  # what the answer shows for the item
    number: int


@lru_cache(maxsize=256)
def _lines_cached(doc_id: str, text: str, headings: tuple) -> tuple[Line, ...]:
    levels = {start: level for start, level in headings}
    out, pos = [], 0
    for raw in text.split("\n"):
        end = pos + len(raw)
        if raw.strip():
            mark = marker_of(raw.lstrip())
            out.append(Line(pos, end, raw, mark[:2] if mark else None, levels.get(pos, 0)))
        pos = end + 1
    return tuple(out)


def lines(doc: Document) -> tuple[Line, ...]:
    return _lines_cached(doc.doc_id, doc.text, tuple((h.start, h.level) for h in doc.headings))


def lists(doc: Document) -> list[list[int]]:
    """Runs of consecutive same-family numbered lines (1, 2, 3 …) as indexes into lines(doc)."""
    ls = lines(doc)
    runs: list[list[int]] = []
    open_runs: dict[str, list[int]] = {}
    for i, line in enumerate(ls):
        if line.marker is None:
            if line.heading:  # an unnumbered heading closes every list
                runs.extend(open_runs.values())
                open_runs.clear()
            continue
        family, n = line.marker
        for f in [f for f in open_runs if NESTING[f] > NESTING[family]]:
            runs.append(open_runs.pop(f))
        run = open_runs.get(family)
        if run is not None and (family == "md" or n == ls[run[-1]].marker[1] + 1):
            run.append(i)
        else:
            if run is not None:
                runs.append(run)
            open_runs[family] = [i]
    runs.extend(open_runs.values())
    return sorted((r for r in runs if len(r) >= 2), key=lambda r: r[0])


def _run_end(doc: Document, run: list[int]) -> int:
    """Where the last item of a run ends: before the next line of the same or a shallower level."""
    ls = lines(doc)
    last = ls[run[-1]]
    family = last.marker[0]
    for line in ls[run[-1] + 1:]:
        if (line.marker and NESTING[line.marker[0]] <= NESTING[family]) or (line.heading and not line.marker) \
                or (line.heading and last.heading and line.heading <= last.heading):
            return line.start
    return len(doc.text)


def line_at(doc: Document, offset: int) -> Line | None:
    """The paragraph (line of the document) that holds offset."""
    return next((line for line in lines(doc) if line.start <= offset < line.end), None)


def list_containing(doc: Document, offset: int) -> list[int] | None:
    """The innermost list one of whose items (the item line and what stands under it) holds offset."""
    ls = lines(doc)
    best = None
    for run in lists(doc):
        end = _run_end(doc, run)
        if ls[run[0]].start <= offset < end:
            if best is None or NESTING[ls[run[0]].marker[0]] > NESTING[ls[best[0]].marker[0]]:
                best = run
    return best


def list_after(doc: Document, offset: int, within: int) -> list[int] | None:
    """The first list that starts after offset and before `within` (a heading's or an announcing sentence's list)."""
    ls = lines(doc)
    for run in lists(doc):
        if offset < ls[run[0]].start < within:
            return run
    return None


def section_start(doc: Document, offset: int) -> int:
    """Start of the section that holds offset: its nearest heading at or before it (0 when there is none)."""
    return max((h.start for h in doc.headings if h.start <= offset), default=0)


def section_end(doc: Document, offset: int) -> int:
    """End of the section that holds offset: the next heading of the same or a shallower level."""
    enclosing = [h for h in doc.headings if h.start <= offset]
    if not enclosing:
        nxt = [h.start for h in doc.headings if h.start > offset]
        return nxt[0] if nxt else len(doc.text)
    level = enclosing[-1].level
    for h in doc.headings:
        if h.start > offset and h.level <= level:
            return h.start
    return len(doc.text)


_CLAUSE_END = re.compile(r"[。！？!?，,；;\n]")
LEAD_CHARS = 80  # how far back the clause leading into a list is looked for (longer clauses are cut)


def lead_clause(doc: Document, offset: int) -> str:
    """The clause just before offset that leads into what starts there: "…本质要求是：", "三、存在的主要问题"."""
    before = doc.text[max(0, offset - LEAD_CHARS):offset].rstrip()
    parts = [p for p in _CLAUSE_END.split(before) if p.strip()]
    return parts[-1].strip() if parts else ""


def heading_path(doc: Document, offset: int) -> list[str]:
    """The headings offset stands under (outermost first), not counting a heading that starts at offset."""
    return [doc.text[h.start:h.end] for h in doc.headings
            if h.start < offset < heading_body_end(doc, h.start)]


def heading_body_end(doc: Document, heading_start: int) -> int:
    level = next((h.level for h in doc.headings if h.start == heading_start), 9)
    for h in doc.headings:
        if h.start > heading_start and h.level <= level:
            return h.start
    return len(doc.text)


def clean(text: str) -> str:
    """Display text of a quoted piece: no markdown bold, no dangling ；, balanced quote marks."""
    text = _BOLD.sub(r"\1", text).strip()
    text = text.rstrip(_TRAILING).rstrip()
    for open_, close in (("“", "”"), ("「", "」"), ("《", "》"), ("（", "）")):
        if text.count(open_) > text.count(close):
            text = text.replace(open_, "", text.count(open_) - text.count(close)) if not text.endswith(open_) else text[:-1]
        elif text.count(close) > text.count(open_) and text.startswith(close):
            text = text[1:]
    if text.count('"') % 2:
        text = text.replace('"', "", 1) if text.startswith('"') else text.rstrip('"')
    if text and text[-1] not in "。！？!?…”」》）)":
        text += "。"
    return text


_LEAD_SPLIT = re.compile(r"(?<=[，,：:])")


def trim_lead(text: str, grams: frozenset[str], *, min_chars: float, keep=None) -> str:
    """A long answer sentence without its lead-in clauses: leading clauses that share no character bigram with the
    question and do not hold the value asked for (`keep(clause)`) are dropped ("事后统计，仅白石镇就有1,100余名群众…"
    → "仅白石镇就有1,100余名群众…"). Sentences up to `min_chars` characters (fitted, qa/weights) stay whole, and so
    does every clause from the first one that matters."""
    if len(text) <= min_chars:
        return text
    clauses = _LEAD_SPLIT.split(text)
    drop = 0
    for clause in clauses[:-1]:
        matters = bool(grams & char_grams(clause)) or (keep is not None and keep(clause))
        if matters:
            break
        drop += 1
    return "".join(clauses[drop:]) if drop else text


def strip_marker(text: str) -> str:
    mark = marker_of(text.lstrip())
    return text.lstrip()[mark[2]:].lstrip() if mark else text


def parent_text(doc: Document, run: list[int]) -> str:
    """What introduces a list: the nearest shallower heading above its first item and the line just before it."""
    ls = lines(doc)
    first = ls[run[0]]
    before = ls[run[0] - 1].text if run[0] > 0 else ""
    heading = ""
    for line in reversed(ls[: run[0]]):
        if line.heading and (not first.heading or line.heading < first.heading):
            heading = line.text
            break
    return f"{heading} {before}"


def items_of(doc: Document, run: list[int]) -> list[Item]:
    """The items of a list: a numbered heading with the first sentence under it; a list line's first sentence."""
    ls = lines(doc)
    out = []
    for idx in run:
        line = ls[idx]
        text = line.text.strip()
        if line.heading:
            body = next((x for x in ls[idx + 1: idx + 3] if not x.heading and x.marker is None), None)
            if body is not None:
                first = sentence_spans(doc.text, body.start, body.end)
                if first:
                    s, e = first[0]
                    out.append(Item(line.start, e, f"{strip_marker(text).rstrip('：:')}：{doc.text[s:e]}", line.marker[1]))
                    continue
            out.append(Item(line.start, line.end, strip_marker(text), line.marker[1]))
            continue
        spans = sentence_spans(doc.text, line.start, line.end)
        s, e = spans[0] if spans else (line.start, line.end)
        # a list line whose first "sentence" is only a label ("1. 设立茶链长：") keeps its next sentence too
        if len(spans) > 1 and e - s < 16:
            e = spans[1][1]
        out.append(Item(line.start, e, strip_marker(doc.text[s:e]), line.marker[1]))
    return out


def inline_list(doc: Document, start: int, end: int) -> list[Item]:
    """"一是…二是…" items of the paragraph doc.text[start:end], or its ；-separated parts (≥2)."""
    text = doc.text[start:end]
    parts = inline_items(text)
    out: list[Item] = []
    if parts:
        pos = 0
        for n, part in enumerate(parts, 1):
            at = text.find(part, pos)
            pos = at + len(part)
            out.append(Item(start + at, start + at + len(part), part, n))
        return out
    spans = sentence_spans(doc.text, start, end)
    semis = [(s, e) for s, e in spans if doc.text[e - 1] in "；;"]
    if len(semis) >= 2:
        # the enumeration runs from the first ；-part through the sentence that closes it
        first = spans.index(semis[0])
        last = spans.index(semis[-1]) + 1
        chosen = spans[first: min(len(spans), last + 1)]
        return [Item(s, e, doc.text[s:e], n) for n, (s, e) in enumerate(chosen, 1)]
    for s, e in spans:  # "本质要求是：坚持…，坚持…，实现…": a colon followed by short parallel clauses
        sentence = doc.text[s:e]
        colon = max(sentence.find("："), sentence.find(":"))
        if colon < 0:
            continue
        parts = [x for x in re.split(r"[，,、；;]", sentence[colon + 1:].rstrip("。；;")) if x.strip()]
        if len(parts) >= 3 and max(len(x) for x in parts) <= SHORT_CLAUSE:
            out, pos = [], s + colon + 1
            for n, part in enumerate(parts, 1):
                at = doc.text.find(part, pos, e)
                out.append(Item(at, at + len(part), part.strip(), n))
                pos = at + len(part)
            return out
    return []


def chunk_holding(doc: Document, start: int, end: int) -> Chunk | None:
    """The passage that holds all of [start, end) (chunks overlap by whole sentences, so an item usually lies
    wholly in one), else the one holding its start."""
    whole = [c for c in doc.chunks if c.kind == "chunk" and c.start <= start and end <= c.end]
    if whole:
        return min(whole, key=lambda c: c.end - c.start)
    return chunk_at(doc, start)


def chunk_at(doc: Document, offset: int) -> Chunk | None:
    """The passage (kind "chunk") of the document that holds offset: the record an item is cited by."""
    best = None
    for chunk in doc.chunks:
        if chunk.kind == "chunk" and chunk.start <= offset < chunk.end:
            if best is None or chunk.start > best.start:  # with overlap, the later chunk starts nearer
                best = chunk
    return best
