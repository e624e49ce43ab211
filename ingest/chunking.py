"""Split a structured document into chunks of whole sentences that fit the embedder's token limit."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ingest.sentences import sentence_spans, soft_spans
from ingest.structure import Structured



@dataclass(frozen=True)
class Span:
    """A piece of the cleaned text: text[start:end], the section it belongs to, its page."""

    start: int
    end: int
    section: str
    page: int | None
    idea_no: int = 0
    idea_title: str = ""


def chunk_spans(
    doc: Structured,
    *,
    count_tokens: Callable[[str], int],
    max_tokens: int,
    overlap: int = 1,
) -> list[Span]:
    """Chunks that never cut a sentence (unless one sentence alone exceeds max_tokens) nor cross a section."""
    chunks: list[Span] = []
    for sec_start, sec_end in _sections(doc):
        units = _fitting_units(doc.text, sentence_spans(doc.text, sec_start, sec_end), count_tokens, max_tokens)
        if not units:
            continue
        costs = [count_tokens(doc.text[s:e]) for s, e in units]
        i = 0
        while i < len(units):
            j, total = i, 0
            while j < len(units) and (j == i or total + costs[j] <= max_tokens):
                total += costs[j]
                j += 1
            # The per-sentence sum is an estimate; confirm on the real text and shrink if needed.
            while j - i > 1 and count_tokens(doc.text[units[i][0]:units[j - 1][1]]) > max_tokens:
                j -= 1
            start, end = units[i][0], units[j - 1][1]
            body = next((s for s, _ in units[i:j] if not _is_heading_at(doc, s)), start)
            chunks.append(Span(start, end, doc.section_path(body), doc.page_at(start)))
            if j >= len(units):
                break
            i = max(j - overlap, i + 1)
    return chunks


def _sections(doc: Structured) -> list[tuple[int, int]]:
    """Ranges between headings; a heading with no body of its own joins the next section."""
    starts = [0] + [h.start for h in doc.headings]
    bounds = sorted(set(starts)) + [len(doc.text)]
    ranges = []
    pending = None
    heading_ends = {h.start: h.end for h in doc.headings}
    for a, b in zip(bounds, bounds[1:]):
        s = pending if pending is not None else a
        body = doc.text[heading_ends.get(a, a):b].strip()
        if not body and b < len(doc.text):
            pending = s
            continue
        pending = None
        if doc.text[s:b].strip():
            ranges.append((s, b))
    if pending is not None and doc.text[pending:].strip():
        ranges.append((pending, len(doc.text)))
    return ranges


def _is_heading_at(doc: Structured, offset: int) -> bool:
    return any(h.start == offset for h in doc.headings)


def _fitting_units(text: str, spans, count_tokens, max_tokens: int) -> list[tuple[int, int]]:
    """Sentences, with any single over-long sentence cut at clauses, then hard by length."""
    units: list[tuple[int, int]] = []
    for s, e in spans:
        if count_tokens(text[s:e]) <= max_tokens:
            units.append((s, e))
            continue
        for cs, ce in soft_spans(text, s, e):
            units.extend(_hard_cut(text, cs, ce, count_tokens, max_tokens))
    return units


def _hard_cut(text, s, e, count_tokens, max_tokens):
    if count_tokens(text[s:e]) <= max_tokens:
        return [(s, e)]
    pieces = []
    step = max(16, max_tokens // 2)  # characters; every character is at most ~2 tokens
    while s < e:
        cut = min(e, s + step)
        while cut - s > 1 and count_tokens(text[s:cut]) > max_tokens:
            cut = s + (cut - s) * 3 // 4
        pieces.append((s, cut))
        s = cut
    return pieces
