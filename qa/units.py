"""Evidence units that follow the document's structure: sentences, list items, headings, 金点子 records.

A retrieved passage (a chunk, `index.retrieval.Hit`) is a slice of its document; the units are found in the
document's cleaned text, so that a heading is known as a heading and a list can be followed past the
chunk's end. Units of one chunk do not depend on the question and are cached.
"""
from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from index.docstore import DocStore
from index.retrieval import Hit
from index.tokenize import tokenize
from ingest.documents import Document
from ingest.sentences import sentence_spans
from ingest.structure import Structured, heading_level
from qa.injection import looks_like_injection
from qa.question import char_grams, chinese_number

_CN = "一二三四五六七八九十"
# list markers of Chinese documents, by family: 一、 （一） 1. （1） ① 一是
MARKERS = (
    ("cn", re.compile(rf"^([{_CN}]{{1,3}})、")),
    ("cn_paren", re.compile(rf"^[（(]([{_CN}]{{1,3}})[）)]")),
    ("arabic", re.compile(r"^(\d{1,2})[.．、](?!\d)")),
    ("arabic_paren", re.compile(r"^[（(](\d{1,2})[）)]")),
    ("circled", re.compile(r"^([①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮])")),
    ("shi", re.compile(rf"^(?:[，,；;。]?\s*)(?:其)?([{_CN}]{{1,2}})是")),
    ("di", re.compile(rf"^第([{_CN}]{{1,3}})[，,、：:]")),  # "第一，找准产业方向。" (speeches, 公文)
    ("md", re.compile(r"^[-*•]\s+()")),
)
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮"
_INLINE_SHI = re.compile(rf"(?:^|(?<=[，,；;。：:]))\s*(?:其)?([{_CN}]{{1,2}})是|(?:^|(?<=[；;。：:]))\s*第([{_CN}]{{1,2}})[，,、]")


def marker_of(line: str) -> tuple[str, int, int] | None:
    """(family, number, length of the marker) of a list line, e.g. "（三）…" → ("cn_paren", 3, 3)."""
    for family, pattern in MARKERS:
        m = pattern.match(line)
        if m:
            raw = m.group(1)
            if family == "md":
                return family, 0, m.end()
            n = _CIRCLED.index(raw) + 1 if family == "circled" else chinese_number(raw)
            if n:
                return family, n, m.end()
    return None


# a case's or a lecture's questions for discussion: what stands there asks, it answers nothing
_DISCUSSION = re.compile(r"思考题|讨论题|思考与讨论|讨论与思考|研讨题|课后思考|问题讨论|案例讨论|思考练习")
_PROMPT = re.compile(r"谈谈|谈一谈|说一说|请结合|请联系|试分析|请分析|请思考|你怎么看|你如何看")


def is_prompt(text: str, section: str = "") -> bool:
    return bool(_PROMPT.search(text) or _DISCUSSION.search(section))


def asks(text: str, section: str = "") -> bool:
    """The text is itself a question (a lecture's "为什么…？", a case's discussion question) or a prompt to discuss
    ("结合本地实际，谈谈…", anything under 思考题): what answers it, if anything, stands after it."""
    return text.rstrip("”\"」 \t\r\n").endswith(("？", "?")) or is_prompt(text, section)


@dataclass(frozen=True)
class Unit:
    """One piece of evidence: doc.text[start:end], where it stands, and what it is."""

    hit_rank: int
    start: int  # offsets in the document's cleaned text
    end: int
    text: str
    kind: str  # "sentence" | "heading" | "item" (first sentence of a list line) | "idea" (a 金点子 record)
    line_start: int  # the paragraph (line) the unit belongs to
    line_end: int
    section: str
    marker: tuple[str, int] | None  # (family, number) when the unit opens a list line or is a numbered heading
    first: bool  # the first sentence of its line
    tokens: frozenset[str]
    grams: frozenset[str]

    @property
    def asks(self) -> bool:
        return asks(self.text, self.section)

    @property
    def dangling(self) -> bool:
        return self.text.endswith(("；", ";", "，", ",", "：", ":"))


class DocCache:
    """Documents by id, read from the document store once per keyword-index version (LRU)."""

    def __init__(self, docstore: DocStore | None, size: int = 512) -> None:
        self.docstore = docstore
        self.size = size
        self._docs: OrderedDict[str, Document | None] = OrderedDict()
        self._units: OrderedDict[str, tuple[Unit, ...]] = OrderedDict()
        self._vectors: OrderedDict[str, tuple[dict[int, int], np.ndarray] | None] = OrderedDict()
        self._version: str | None = None
        self._lock = threading.Lock()

    def sync(self, version: str | None) -> None:
        with self._lock:
            if version != self._version:
                self._docs.clear()
                self._units.clear()
                self._vectors.clear()
                self._version = version

    def doc(self, doc_id: str) -> Document | None:
        with self._lock:
            if doc_id in self._docs:
                self._docs.move_to_end(doc_id)
                return self._docs[doc_id]
        doc = self.docstore.load(doc_id)
        with self._lock:
            self._docs[doc_id] = doc
            while len(self._docs) > self.size:
                self._docs.popitem(last=False)
        return doc

    def sentence_vectors(self, doc_id: str) -> tuple[dict[int, int], np.ndarray] | None:
        """{sentence start offset: row} and the normalised sentence vectors stored at ingest (None if absent)."""
        with self._lock:
            if doc_id in self._vectors:
                return self._vectors[doc_id]
        loaded = self.docstore.load_sentences(doc_id) if self.docstore is not None else None
        value = None
        if loaded is not None and len(loaded[0]):
            spans, vectors = loaded
            matrix = vectors.astype(np.float32)
            matrix /= np.linalg.norm(matrix, axis=1, keepdims=True) + 1e-9
            value = ({int(s): i for i, s in enumerate(spans[:, 0])}, matrix)
        with self._lock:
            self._vectors[doc_id] = value
            while len(self._vectors) > self.size:
                self._vectors.popitem(last=False)
        return value

    def similarities(self, units: list[Unit], hits: list[Hit], query_vector) -> np.ndarray:
        """Cosine of the question with each unit's stored sentence vector (NaN where there is none)."""
        sims = np.full(len(units), np.nan)
        if query_vector is None:
            return sims
        q = np.asarray(query_vector, dtype=np.float32)
        q = q / (np.linalg.norm(q) + 1e-9)
        for i, u in enumerate(units):
            stored = self.sentence_vectors(hits[u.hit_rank].doc_id)
            if stored is None:
                continue
            row = stored[0].get(u.start)
            if row is not None and stored[1].shape[1] == q.shape[0]:
                sims[i] = float(stored[1][row] @ q)
        return sims

    def units(self, rank: int, hit: Hit) -> list[Unit]:
        key = hit.chunk_id
        with self._lock:
            cached = self._units.get(key)
        if cached is None:
            cached = tuple(chunk_units(hit, self.doc(hit.doc_id)))
            with self._lock:
                self._units[key] = cached
                while len(self._units) > self.size * 8:
                    self._units.popitem(last=False)
        return [u if u.hit_rank == rank else _with_rank(u, rank) for u in cached]


def _with_rank(unit: Unit, rank: int) -> Unit:
    return Unit(rank, unit.start, unit.end, unit.text, unit.kind, unit.line_start, unit.line_end, unit.section,
                unit.marker, unit.first, unit.tokens, unit.grams)


def _unit(start, end, text, kind, line_start, line_end, section, marker, first) -> Unit:
    return Unit(0, start, end, text, kind, line_start, line_end, section, marker, first,
                frozenset(tokenize(text)), char_grams(text))


def chunk_units(hit: Hit, doc: Document | None) -> list[Unit]:
    """The units of one retrieved record (rank 0; DocCache.units sets the rank)."""
    meta = hit.meta
    start = int(meta.get("start", 0))
    section = meta.get("section", "")
    if meta.get("kind") == "idea":
        n = int(meta.get("idea_no") or 0)
        return [_unit(start, start + len(hit.text), hit.text.strip(), "idea", start, start + len(hit.text), section,
                      ("idea", n) if n else None, True)]
    if doc is not None and doc.text[start:start + len(hit.text)] == hit.text:
        text, base, headings = doc.text, start, {h.start: h for h in doc.headings}
    else:  # the document changed or is missing: the chunk's own text, offsets relative to it
        text, base, headings, doc = hit.text, 0, {}, None
    units: list[Unit] = []
    pos = base
    stop = base + len(hit.text)
    while pos < stop:
        nl = text.find("\n", pos, stop)
        line_end = stop if nl < 0 else nl
        line = text[pos:line_end]
        if line.strip():
            units.extend(_line_units(text, pos, line_end, headings, doc, section))
        pos = line_end + 1
    return units


def _line_units(text, line_start, line_end, headings, doc, section) -> list[Unit]:
    line = text[line_start:line_end]
    mark = marker_of(line.lstrip())
    sec = doc_section(doc, line_start) if doc is not None else section
    if line_start in headings or (heading_level(line) and len(line) <= 40):
        return [_unit(line_start, line_end, line.strip(), "heading", line_start, line_end, sec,
                      mark[:2] if mark else None, True)]
    out = []
    for i, (s, e) in enumerate(sentence_spans(text, line_start, line_end)):
        piece = text[s:e]
        if len(piece.strip("“”\"'（）() ")) < 4 or looks_like_injection(piece):
            continue  # too short to say anything; or passage text that tries to instruct (passages are data)
        kind = "item" if i == 0 and mark else "sentence"
        out.append(_unit(s, e, piece, kind, line_start, line_end, sec, mark[:2] if (mark and i == 0) else None, i == 0))
    return out


def doc_section(doc: Document, offset: int) -> str:
    """'一、… > （二）…' for the headings enclosing offset (the document's own structure)."""
    return Structured(doc.text, doc.headings).section_path(offset)


def inline_items(sentence: str) -> list[str]:
    """"一是…；二是…；三是…" or a ；-separated enumeration split into its items (else [])."""
    marks = list(_INLINE_SHI.finditer(sentence))
    numbers = [chinese_number(m.group(1) or m.group(2)) for m in marks]
    if len(marks) >= 2 and numbers[:2] == [1, 2]:
        cut = [m.start() for m in marks] + [len(sentence)]
        return [sentence[a:b].strip("，,；; ") for a, b in zip(cut, cut[1:]) if sentence[a:b].strip("，,；; ")]
    return []
