"""The extractive answerer: analyse the question, score evidence units with the fitted model, refuse when
the materials do not answer, else compose by kind — each quoted piece followed by its citation [n].

- quantity / name / yes-no / other: the best unit, plus units whose probability is at least `include_ratio`
  (fitted) of the best one's, at most MAX_FACTUAL, in document order;
- list: every item of the list the best units point at (a numbered list in the document, a heading's
  sub-items, "一是…二是…", a ；-separated enumeration), in document order;
- how / why / definition: the key sentences of the best unit's section, in document order; a why answer that
  gives no cause is followed by the causes the document states for it (its 原因分析 subsection);
- ordinal: item N of the named report's 金点子 or of the list the best units point at;
- collection: a list built from document metadata (qa/collection.py).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from index.bm25 import KeywordIndex
from index.filters import Filters
from index.retrieval import Hit
from index.tokenize import tokenize
from ingest.documents import Document
from ingest.sentences import sentence_spans
from qa import collection
from qa.bridge import EnglishBridge, with_senses
from qa import compose as cp
from qa.features import question_features, unit_features
from qa.question import Question, analyse, char_grams, parts, question_ordinal  # noqa: F401 - question_ordinal re-exported
from qa.records import REFUSAL, Answer, Citation
from qa.scoring import AnswerModel, load_model
from qa.slots import fills
from qa.units import DocCache, Unit, asks, doc_section, is_prompt

FACTUAL_KINDS = ("quantity", "name", "yesno", "other")  # composed from the best sentence(s), part by part
MAX_FACTUAL = 3  # sentences of a factual answer at most (the include ratio decides how many, ≤ this)
KEY_SENTENCES = 4  # how/why/definition: key sentences of one section at most (measured: eval key-point recall)
# how/why/definition: the rest of the best sentence's paragraph follows it (measured on eval/sets/train, 32 why
# questions: key-point recall 0.48 → 0.58, all key points 0.34 → 0.47; how and definition unchanged)
PARAGRAPH_FOLLOWS = True
LIST_ANCHORS = 5  # the best units tried, in order, as the anchor of a list or an ordinal item
# why questions: a report states a problem in one section and its causes in another (三、存在的问题 … 四、原因分析);
# a why answer whose sentences give no cause is answered from the document's section whose heading names causes
CAUSE_HEADING = re.compile(r"原因|根源|成因|症结|缘由|为什么|为何")
CAUSAL = re.compile(r"由于|因为|导致|造成|原因|在于|根源|致使|使得|源于|归因|根子")
NO_MATCH = "资料中没有找到符合条件的文档。"
_PROPOSAL = re.compile(r"金点子|建议|对策|举措|点子|golden idea|proposal|recommendation|suggestion", re.I)
_HAN = re.compile(r"[\u4e00-\u9fff]")
_ORDINAL_WORD = re.compile(r"^第[零〇一二两三四五六七八九十百\d]+")
# a word jieba cut across a boundary still counts when this share of its character pairs occurs (measured on the
# 20 ordinal 金点子 questions of eval/sets/train: 19 → 20 answered right, the 4 about missing items still refused)
WORD_PAIRS_PRESENT = 0.5
_NUMERAL_WORD = re.compile(r"[零〇一二两三四五六七八九十百\d][条项个点篇份]")
# words of an ordinal question that name what is asked for, not which report
_PROPOSAL_GENERIC = set("调研 调研报告 报告 那篇 那份 这篇 这份 提出 提的 讲的 说的 讲什么 内容 关于 排在 列出 最后 一条 "
                        "什么 第一 头一 机制 叫什么 建议 对策建议 金点子 意见建议 政策建议 里面 其中 主要".split())


@dataclass
class Evidence:
    question: Question
    hits: list[Hit]
    units: list[Unit]
    rows: np.ndarray
    probs: np.ndarray
    answerability: float
    sims: np.ndarray | None = None  # each unit's similarity to the question
    asks: list[tuple[Question, np.ndarray]] = field(default_factory=list)  # a multi-part question's parts, each
    #                                                                        with its units' probabilities
    query_vector: np.ndarray | None = None  # the question's vector (compared with sentence vectors stored at ingest)

    def ranked(self) -> list[int]:
        return [int(i) for i in np.argsort(-self.probs, kind="stable")]


@dataclass(frozen=True)
class Piece:
    """One quoted piece of an answer: its display text, the record it is cited by, the raw quote to mark."""

    text: str
    hit: Hit
    quote: str
    order: tuple  # (hit rank, offset) for document order


@dataclass
class Explained:
    """An answer and why: the evidence (None for a list built from metadata) and the quoted pieces."""

    answer: Answer
    evidence: Evidence | None
    pieces: list[Piece]


class ExtractiveAnswerer:
    name = "extractive"

    def __init__(self, keyword: KeywordIndex, docs: DocCache, *, model: AnswerModel | None = None,
                 fingerprint: str = "", threshold: float | None = None, embedder=None,
                 bridge: EnglishBridge | None = None) -> None:
        self.embedder = embedder  # embeds the question when retrieval did not (bm25 mode)
        self.bridge = bridge  # the Chinese words an English question's phrases may stand for (qa.bridge)
        self.keyword = keyword
        self.docs = docs
        self.model = model or load_model(fingerprint)
        self.threshold = self.model.threshold if threshold is None else threshold  # KB_MIN_EVIDENCE overrides

    @property
    def min_evidence(self) -> float:
        return self.threshold

    # evidence ------------------------------------------------------------------------------------------
    def evidence(self, question: str, hits: list[Hit], query_vector=None) -> Evidence:
        q = with_senses(analyse(question), self.bridge)
        units = [u for rank, h in enumerate(hits) for u in self.docs.units(rank, h)]
        if query_vector is None and self.embedder is not None and units:
            query_vector = self.embedder.embed_query(question)
        sims = self.docs.similarities(units, hits, query_vector)
        if not units:
            return Evidence(q, hits, units, unit_features(q, units, hits, self.keyword, sims), np.zeros(0), 0.0, sims,
                            query_vector=query_vector)
        rows, probs, answerability = self._score(q, units, hits, sims)
        asks = parts(q.text) if q.kind in FACTUAL_KINDS else []
        scored = []
        if len(asks) > 1:
            # the models know single asks: a multi-part question is as answerable as its parts are on average
            scored = [(aq, *self._score(aq, units, hits, sims))
                      for aq in (with_senses(analyse(a), self.bridge) for a in asks)]
            answerability = float(np.mean([a for *_, a in scored]))
        return Evidence(q, hits, units, rows, probs, answerability, sims, [(aq, p) for aq, _, p, _ in scored],
                        query_vector=query_vector)

    def _score(self, q: Question, units: list[Unit], hits: list[Hit], sims) -> tuple[np.ndarray, np.ndarray, float]:
        """Each unit's features and probability of answering q, and q's answerability."""
        rows = unit_features(q, units, hits, self.keyword, sims)
        probs, logits = self.model.unit_probs(rows)
        return rows, probs, self.model.answerability(question_features(q, units, rows, probs, logits, hits, self.keyword))

    def assess(self, question: str, hits: list[Hit], *, query_vector=None, **_) -> float:
        return self.evidence(question, hits, query_vector).answerability

    # answers -------------------------------------------------------------------------------------------
    def answer(self, question: str, hits: list[Hit], *, filters: Filters | None = None, query_vector=None,
               **_) -> Answer:
        return self.explain(question, hits, filters=filters, query_vector=query_vector).answer

    def explain(self, question: str, hits: list[Hit], *, filters: Filters | None = None,
                query_vector=None) -> "Explained":
        """The answer with what decided it: the evidence scored and the pieces quoted (the 命中测试 shows them)."""
        q = analyse(question)
        related = [Citation.from_hit(i + 1, h) for i, h in enumerate(hits)]
        if q.kind == "collection":
            listed = self._collection(q, filters, related)
            if listed is not None:
                return Explained(listed, None, [])
        named = self._named_ordinal(q, hits, related)
        if named is not None:
            return named
        ev = self.evidence(question, hits, query_vector)
        if not ev.units or ev.answerability < self.threshold:
            return Explained(Answer(REFUSAL, [], True, related=related, evidence=ev.answerability, kind=q.kind), ev, [])
        pieces, notice = self.compose(ev)
        if not pieces:
            return Explained(Answer(REFUSAL, [], True, related=related, evidence=ev.answerability, kind=q.kind), ev, [])
        text, citations = render(pieces, numbered=q.kind in ("list",) and len(pieces) > 1)
        answer = Answer(text, citations, False, related=related, evidence=ev.answerability, kind=q.kind, notice=notice)
        return Explained(answer, ev, pieces)

    def compose(self, ev: Evidence) -> tuple[list[Piece], str]:
        kind = ev.question.kind
        if kind == "ordinal":
            got = self._ordinal(ev)
            if got:
                return got, ""
        if kind in ("list", "collection"):
            got, notice = self._list(ev)
            if got:
                return got, notice
        if kind in ("how", "why", "definition", "list", "collection"):
            got = self._section(ev)
            if kind == "why" and got and not any(CAUSAL.search(p.text) for p in got):
                causes = [p for p in self._causes(ev) if p.text not in {g.text for g in got}]
                got = got + causes
            if got:
                return got, ""
        if ev.asks:
            return self._parts(ev), ""
        return self._factual(ev), ""

    def _parts(self, ev: Evidence) -> list[Piece]:
        """A multi-part question ("…汇聚了多少类证照？…有多少个事项？"): the best unit for each part, scored with
        that part's own analysis, in the order asked (a part the best unit of another already answers adds nothing)."""
        chosen: dict[int, Piece] = {}
        for q, probs in ev.asks:
            i = int(np.argmax(probs))
            got = [] if i in chosen else self._unit_pieces(ev, ev.units[i], q)
            if got:
                chosen[i] = got[0]
        unique = {p.text: p for p in chosen.values()}
        return list(unique.values())  # in the order asked

    def _unit_pieces(self, ev: Evidence, unit: Unit, q: Question) -> list[Piece]:
        """What a chosen unit quotes: a heading or a question is answered by the sentence after it; a sentence
        loses its lead-in clauses when long (the fitted lead_trim_chars)."""
        if unit.kind == "heading" or unit.asks:
            return self._body_of_heading(ev, unit, 1)
        text = cp.trim_lead(unit.text, q.grams, min_chars=self.model.lead_trim_chars,
                            keep=lambda clause: fills(q.slot, clause, q.text))
        return [self._piece(ev, unit, text)]

    def _doc(self, unit: Unit, ev: Evidence) -> Document | None:
        return self.docs.doc(ev.hits[unit.hit_rank].doc_id)

    def _piece(self, ev: Evidence, unit: Unit, text: str | None = None) -> Piece:
        hit = ev.hits[unit.hit_rank]
        raw = text if text is not None else unit.text
        return Piece(cp.clean(raw), hit, raw, (unit.hit_rank, unit.start))

    def _doc_piece(self, ev: Evidence, doc: Document, rank: int, start: int, end: int, text: str | None = None) -> Piece:
        """A piece of the document, cited by the retrieved record if it holds it, else by its own chunk."""
        hit = ev.hits[rank]
        raw = text if text is not None else doc.text[start:end]
        hs = int(hit.meta.get("start", 0))
        if hit.meta.get("kind") == "idea" or not (hs <= start and end <= hs + len(hit.text)):
            chunk = cp.chunk_holding(doc, start, end)
            if chunk is not None and doc.text[start:end] in chunk.text:
                hit = Hit(chunk.chunk_id, chunk.text, doc.chunk_metadata(chunk), 0.0)
        return Piece(cp.clean(raw), hit, doc.text[start:end] if text is None or text in doc.text else raw,
                     (rank, start))

    def _body_of_heading(self, ev: Evidence, unit: Unit, limit: int) -> list[Piece]:
        doc = self._doc(unit, ev)
        if doc is None:
            return []
        return self._sentences(ev, doc, unit.hit_rank, unit.end, cp.heading_body_end(doc, unit.start), unit.section,
                               limit)

    def _sentences(self, ev: Evidence, doc: Document, rank: int, lo: int, hi: int, section: str,
                   limit: int) -> list[Piece]:
        """Up to `limit` sentences of doc.text[lo:hi] that can answer: no heading, fragment, question of the
        document or prompt to discuss."""
        out = []
        for s, e in sentence_spans(doc.text, lo, hi):
            if len(out) >= limit:
                break
            if any(h.start == s for h in doc.headings) or e - s < 4 or asks(doc.text[s:e], section):
                continue
            out.append(self._doc_piece(ev, doc, rank, s, e))
        return out

    def _factual(self, ev: Evidence) -> list[Piece]:
        order = ev.ranked()
        best_p = float(ev.probs[order[0]])
        chosen: list[Piece] = []
        seen: set[str] = set()
        for i in order:
            if len(chosen) >= MAX_FACTUAL or (chosen and ev.probs[i] < self.model.include_ratio * best_p):
                break
            for piece in self._unit_pieces(ev, ev.units[i], ev.question):
                if piece.text not in seen:
                    seen.add(piece.text)
                    chosen.append(piece)
        return sorted(chosen, key=lambda p: p.order)

    def _section(self, ev: Evidence) -> list[Piece]:
        """The key sentences of the best unit's section in document order; the whole enumeration when they stand
        in one ("采取了三个办法：一是…二是…三是…", a numbered list). A heading or a question of the document is
        answered by the sentences after it; a case's discussion questions, which echo a question's words, answer
        nothing: the next best unit is tried."""
        order = ev.ranked()
        best_i = None
        for i in order[:LIST_ANCHORS]:
            unit = ev.units[i]
            if unit.kind != "heading" and not unit.asks:
                best_i = i
                break
            body = self._body_of_heading(ev, unit, KEY_SENTENCES)
            if body:
                doc = self._doc(unit, ev)
                return self._with_enumeration(ev, body, doc, unit.start, cp.heading_body_end(doc, unit.start))
        if best_i is None:
            return []
        best = ev.units[best_i]
        doc = self._doc(best, ev)
        if doc is None:
            return self._factual(ev)
        start = cp.section_start(doc, best.start)
        end = cp.section_end(doc, best.start)
        best_p = float(ev.probs[best_i])
        chosen, seen = [], set()
        for i in order:
            unit = ev.units[i]
            if len(chosen) >= KEY_SENTENCES or ev.probs[i] < self.model.section_ratio * best_p:
                break
            same = ev.hits[unit.hit_rank].doc_id == ev.hits[best.hit_rank].doc_id and start <= unit.start < end
            if same and unit.kind != "heading" and not unit.asks and unit.text not in seen:
                seen.add(unit.text)
                chosen.append(self._piece(ev, unit))
        # a paragraph states its matter, then explains it: the best sentence is followed by the rest of its
        # paragraph (the causes after "有15家处于亏损状态", the steps after "采取了以下做法"), up to KEY_SENTENCES
        quoted = {p.order[1] for p in chosen}
        line = cp.line_at(doc, best.start)  # the whole paragraph, not the retrieved chunk's part of it
        paragraph_end = line.end if line is not None else best.line_end
        for s, e in sentence_spans(doc.text, best.end, paragraph_end) if PARAGRAPH_FOLLOWS else ():
            if len(chosen) >= KEY_SENTENCES:
                break
            text = doc.text[s:e].strip()
            if s in quoted or len(text) < 4 or asks(text, best.section) or text in seen:
                continue
            seen.add(text)
            chosen.append(self._doc_piece(ev, doc, best.hit_rank, s, e))
        return self._with_enumeration(ev, chosen, doc, start, end)

    def _causes(self, ev: Evidence) -> list[Piece]:
        """A why question whose best section states the problem without its causes: the key sentences of the
        subsection of the same document, under a heading that names causes ("四、原因分析" > "（三）护理人才培养和
        激励机制缺失"), that holds most of the question's words (idf-weighted); [] when the document has none or
        the best unit already stands under one."""
        best = ev.units[ev.ranked()[0]]
        doc = self._doc(best, ev)
        if doc is None or any(CAUSE_HEADING.search(h) for h in [*cp.heading_path(doc, best.start), best.section]):
            return []
        candidates = []
        for h in doc.headings:
            if not CAUSE_HEADING.search(h.title):
                continue
            end = cp.heading_body_end(doc, h.start)
            subs = [c for c in doc.headings if h.start < c.start < end and c.level > h.level]
            level = min((c.level for c in subs), default=0)
            candidates += [c for c in subs if c.level == level] or [h]
        stored = self.docs.sentence_vectors(ev.hits[best.hit_rank].doc_id)
        if not candidates or stored is None or ev.query_vector is None:
            return []
        rows, matrix = stored
        q = np.asarray(ev.query_vector, dtype=np.float32)
        if matrix.shape[1] != q.shape[0]:
            return []
        sims = matrix @ (q / (np.linalg.norm(q) + 1e-9))

        def closeness(h) -> float:  # the subsection's sentence most similar to the question
            end = cp.heading_body_end(doc, h.start)
            return max((float(sims[r]) for s, r in rows.items() if h.start <= s < end), default=-1.0)

        score, heading = max(((closeness(h), h) for h in candidates), key=lambda x: x[0])
        if score < 0:
            return []
        end = cp.heading_body_end(doc, heading.start)
        got = self._sentences(ev, doc, best.hit_rank, heading.end, end, heading.title, KEY_SENTENCES)
        return self._with_enumeration(ev, got, doc, heading.start, end)

    def _with_enumeration(self, ev: Evidence, chosen: list[Piece], doc: Document | None, lo: int,
                          hi: int) -> list[Piece]:
        """The pieces chosen (best first) in document order; when one of them stands in an enumeration of the
        section [lo, hi) — "一是…二是…", ；-parts, a numbered list — every item of it, at most cp.MAX_ITEMS
        (how/why answers of these materials are enumerations: a few top sentences leave items out)."""
        if doc is None:
            return sorted(chosen, key=lambda p: p.order[1])
        for piece in chosen:
            items = [it for it in _enumeration_at(doc, piece.order[1], piece.order[1] + len(piece.quote), hi)
                     if lo <= it.start < hi and not is_prompt(it.text, doc_section(doc, it.start))]
            if len(items) < 2:
                continue
            items = items[: cp.MAX_ITEMS]
            rank = piece.order[0]
            named = named_item(ev.question, items)
            if named is not None:  # "“扫码入企”登记具体怎么操作": that item, whole, not the list around it
                return self._item_pieces(ev, doc, rank, named)
            listed = [self._doc_piece(ev, doc, rank, it.start, it.end, it.text) for it in items]
            keep = [p for p in chosen if not any(it.start <= p.order[1] < it.end for it in items)
                    and p.text not in {x.text for x in listed}]
            return sorted(keep + listed, key=lambda p: p.order[1])
        return sorted(chosen, key=lambda p: p.order[1])

    def _item_pieces(self, ev: Evidence, doc: Document, rank: int, item: cp.Item) -> list[Piece]:
        """An enumeration's item in full: its line's sentences from the item on, or a numbered heading's body,
        ≤ KEY_SENTENCES."""
        whole = [self._doc_piece(ev, doc, rank, item.start, item.end, item.text)]
        line = cp.line_at(doc, item.start)
        if line is None:
            return whole
        if line.heading:
            lo, hi = line.end, cp.heading_body_end(doc, line.start)
        else:
            # from the item's start (an inline "一是…" part starts mid-line), past the line's marker when it has one
            opening = line.end - len(cp.strip_marker(doc.text[line.start:line.end]))
            lo, hi = max(item.start, opening), max(line.end, item.end)
        return self._sentences(ev, doc, rank, lo, hi, doc_section(doc, item.start), KEY_SENTENCES) or whole

    def _lists_for(self, ev: Evidence, unit: Unit) -> list[tuple[Document, list[cp.Item], str]]:
        """Candidate lists a unit points at, each with the text that introduces it: the list under its heading
        or announcing sentence, the "一是…二是…" / ；- / colon-enumeration of its paragraph, its own list."""
        doc = self._doc(unit, ev)
        if doc is None:
            return []
        out = []
        if unit.kind == "idea":
            ideas = [c for c in doc.chunks if c.kind == "idea"]
            if len(ideas) >= 2:
                out.append((doc, [cp.Item(c.start, c.end, cp.strip_marker(c.text), c.idea_no) for c in ideas],
                            f"{unit.section} 金点子"))
        if unit.kind == "heading":
            run = cp.list_after(doc, unit.start, cp.heading_body_end(doc, unit.start))
            if run:
                out.append((doc, cp.items_of(doc, run), unit.text))
        else:
            inline = [] if unit.marker else cp.inline_list(doc, unit.line_start, unit.line_end)
            if inline:
                out.append((doc, inline, doc.text[unit.line_start:unit.line_end][:80]))
            if unit.text.rstrip().endswith(("：", ":")) or "以下" in unit.text or "如下" in unit.text:
                run = cp.list_after(doc, unit.start, cp.section_end(doc, unit.start))
                if run:
                    out.append((doc, cp.items_of(doc, run), f"{unit.section} {unit.text}"))
        run = cp.list_containing(doc, unit.start)
        if run:
            out.append((doc, cp.items_of(doc, run), cp.parent_text(doc, run)))
        # the list under each heading the unit stands under, introduced by that heading: "存在哪些主要问题" is
        # answered by the items under "三、存在的主要问题", not by the report's top-level headings around it
        for h in doc.headings:
            body_end = cp.heading_body_end(doc, h.start)
            if h.start <= unit.start < body_end:
                run = cp.list_after(doc, h.start, body_end)
                if run:
                    out.append((doc, cp.items_of(doc, run), ""))
        return out

    def _list(self, ev: Evidence) -> tuple[list[Piece], str]:
        candidates = []
        for a, i in enumerate(ev.ranked()[:LIST_ANCHORS]):
            for doc, items, parent in self._lists_for(ev, ev.units[i]):
                if len(items) >= 2:
                    # what introduces a list, read with the document's title and every heading above the list:
                    # "存在哪些主要问题" names the report and "三、存在的主要问题", whose items answer it — not
                    # the report's top-level headings around it. With the same cover, the list nearer the
                    # evidence (under more headings) is the more specific one.
                    path = cp.heading_path(doc, items[0].start)
                    grams = ev.question.grams
                    intro = char_grams(" ".join([doc.meta.title, *path, parent]))
                    cover = len(grams & intro) / max(1, len(grams))
                    # then the clause that leads into the list ("中国式现代化的本质要求是：" beats "要先把握
                    # 中国式现代化的五个中国特色：" though the sentence around both names 本质要求)
                    lead = len(grams & char_grams(cp.lead_clause(doc, items[0].start))) / max(1, len(grams))
                    count = bool(ev.question.count) and len(items) == ev.question.count
                    candidates.append(((cover, lead, count, len(path), -a), ev.units[i], doc, items))
        if not candidates:
            return [], ""
        # the list whose introduction matches the question best; the expected item count breaks ties
        _, unit, doc, items = max(candidates, key=lambda c: c[0])
        notice = ""
        if len(items) > cp.MAX_ITEMS:
            notice = f"共 {len(items)} 项，只列出前 {cp.MAX_ITEMS} 项 (list cut to {cp.MAX_ITEMS} items)"
            items = items[: cp.MAX_ITEMS]
        return [self._doc_piece(ev, doc, unit.hit_rank, it.start, it.end, it.text) for it in items], notice

    def _ordinal(self, ev: Evidence) -> list[Piece]:
        n = ev.question.ordinal
        for i in ev.ranked()[:LIST_ANCHORS]:
            unit = ev.units[i]
            if unit.kind in ("idea", "item") and n and unit.marker and unit.marker[1] == n:
                doc = self._doc(unit, ev)
                if unit.kind == "item" and doc is not None:  # the whole list line, not its first sentence
                    item = cp.items_of(doc, [i for i, line in enumerate(cp.lines(doc)) if line.start == unit.line_start])
                    if item:
                        return [self._doc_piece(ev, doc, unit.hit_rank, item[0].start, item[0].end, item[0].text)]
                return [self._piece(ev, unit, cp.strip_marker(unit.text))]
            for doc, items, _ in self._lists_for(ev, unit):
                pick = items[-1] if n == -1 else next((it for it in items if it.number == n), None)
                if pick is not None:
                    return [self._doc_piece(ev, doc, unit.hit_rank, pick.start, pick.end, pick.text)]
        return []

    def _named_ordinal(self, q: Question, hits: list[Hit], related: list[Citation]) -> "Explained | None":
        """"…调研报告的第三条金点子是什么？": item N of the 金点子 of the report the question names, read from the
        document's structure, not left to the evidence scores. The report is the best-ranked retrieved document
        with 金点子 that holds every content word of the question (in its text or metadata). When reports with
        金点子 were retrieved but none is the one named (a report the collection does not have), the question is
        refused: item N of another report is no answer. A number beyond the report's count is refused with the
        count. Without any report with 金点子 among the passages the ordinary path answers (a list's item N)."""
        if q.kind != "ordinal" or not q.ordinal or not _PROPOSAL.search(q.text):
            return None
        words = [w for w in q.words if _HAN.search(w) and w not in _PROPOSAL_GENERIC and not _PROPOSAL.fullmatch(w)
                 and not _ORDINAL_WORD.match(w)]
        seen, seen_ideas = set(), False
        for rank, hit in enumerate(hits):
            if hit.doc_id in seen:
                continue
            seen.add(hit.doc_id)
            doc = self.docs.doc(hit.doc_id)
            ideas = sorted((c for c in doc.chunks if c.kind == "idea"), key=lambda c: c.idea_no) if doc else []
            if len(ideas) < 2:
                continue
            seen_ideas = True
            where = f"{doc.text} {' '.join(str(v) for v in doc.meta.flat().values())}"
            if not all(_occurs(w, where) for w in words):
                continue
            pick = ideas[-1] if q.ordinal == -1 else next((c for c in ideas if c.idea_no == q.ordinal), None)
            if pick is None:
                text = f"《{doc.meta.title}》共有 {len(ideas)} 条金点子，没有第 {q.ordinal} 条。"
                return Explained(Answer(text, [], True, related=related, evidence=1.0, kind=q.kind), None, [])
            record = Hit(pick.chunk_id, pick.text, doc.chunk_metadata(pick), 0.0)
            piece = Piece(cp.clean(cp.strip_marker(pick.text)), record, pick.text, (rank, pick.start))
            text, citations = render([piece])
            return Explained(Answer(text, citations, False, related=related, evidence=1.0, kind=q.kind), None, [piece])
        if seen_ideas:
            # reports with 金点子 were found, none of them the one named: item N of another report is no answer
            return Explained(Answer(REFUSAL, [], True, related=related, evidence=0.0, kind=q.kind), None, [])
        return None

    def _collection(self, q: Question, filters: Filters | None, related: list[Citation]) -> Answer | None:
        query, found = collection.find(q.text, self.keyword, filters)
        if not query.constrained:
            return None  # nothing in the question names metadata: answer it from the passages
        if not found:
            return Answer(NO_MATCH, [], True, related=related, evidence=1.0, kind=q.kind)
        notice = ""
        if len(found) > cp.MAX_ITEMS:
            notice = f"共 {len(found)} 篇，只列出前 {cp.MAX_ITEMS} 篇 (list cut to {cp.MAX_ITEMS})"
        citations, lines = [], []
        for n, entry in enumerate(found[: cp.MAX_ITEMS], 1):
            r = entry.record
            citations.append(Citation.from_hit(n, Hit(r.chunk_id, r.text, r.meta, 0.0)))
            lines.append(f"{n}. {collection.describe(entry.meta)}[{n}]")
        text = f"共 {len(found)} 篇：\n" + "\n".join(lines)
        return Answer(text, citations, False, related=related, evidence=1.0, kind=q.kind, notice=notice)


def _enumeration_at(doc: Document, offset: int, end: int, within: int) -> list[cp.Item]:
    """The enumeration that doc.text[offset:end] stands in — the "一是…二是…" / ；-parts of its paragraph, else the
    numbered list one of whose items holds it — or, when it announces one ("…按照“四问”的方法来解读："), the
    numbered list after it (before `within`), as does a paragraph the list follows at once."""
    line = cp.line_at(doc, offset)
    if line is not None and line.marker is None:
        inline = cp.inline_list(doc, line.start, line.end)
        if len(inline) >= 2:
            return inline
    run = cp.list_after(doc, offset, within) if doc.text[offset:end].rstrip().endswith(("：", ":")) else None
    if run is None and line is not None and line.marker is None and not line.heading:
        # a paragraph that a numbered list follows at once introduces it, colon or not ("…提出了“五面镜子”自我
        # 检视法，就是经常用五面镜子照一照自己。" before "#### 1. 以党章为镜" …)
        ls = cp.lines(doc)
        after = next((i for i, x in enumerate(ls) if x.start > line.start), None)
        run = next((r for r in cp.lists(doc) if r[0] == after and ls[after].start < within), None)
    run = run or cp.list_containing(doc, offset)
    return cp.items_of(doc, run) if run else []


_NAME_NOISE = re.compile(r"[\s“”\"'‘’「」《》*（）()]")
MIN_LABEL = 2  # characters: a one-character label ("一：") names nothing


def _label(text: str) -> str:
    """An item's label, the words before its colon ("“扫码入企”登记：为开发区…" → 扫码入企登记), without quote marks."""
    colon = next((i for i, c in enumerate(text) if c in "：:"), -1)
    return _NAME_NOISE.sub("", text[:colon]) if colon > 0 else ""


def named_item(q: Question, items: list[cp.Item]) -> cp.Item | None:
    """The one item of an enumeration the question names: by its whole label ("…建议的“扫码入企”登记怎么操作"),
    else by a quoted term of the question only that item holds. None when no item or several are named."""
    asked = _NAME_NOISE.sub("", q.text)
    named = [it for it in items if len(label := _label(it.text)) >= MIN_LABEL and label in asked]
    if len(named) != 1 and q.quoted:
        named = [it for it in items if any(t in it.text for t in q.quoted)]
    return named[0] if len(named) == 1 else None


def _occurs(word: str, text: str) -> bool:
    """A question's word occurs in a document: literally, as all its search-mode parts, or with at least
    WORD_PAIRS_PRESENT of its character pairs ("化托育", jieba's cut of "少子化托育", has 托育); a count ("六条")
    names no report."""
    if word in text or _NUMERAL_WORD.search(word):
        return True
    parts = [p for p in tokenize(word) if p != word and len(p) >= 2]
    if parts and all(p in text for p in parts):
        return True
    pairs = [word[i:i + 2] for i in range(len(word) - 1)]
    return bool(pairs) and sum(p in text for p in pairs) >= WORD_PAIRS_PRESENT * len(pairs)


def render(pieces: list[Piece], *, numbered: bool = False) -> tuple[str, list[Citation]]:
    """Answer text with a [n] after every piece, and one citation per cited record (numbered in order)."""
    numbers: dict[str, int] = {}
    citations: list[Citation] = []
    parts = []
    for k, piece in enumerate(pieces, 1):
        key = piece.hit.chunk_id
        if key not in numbers:
            numbers[key] = len(numbers) + 1
            citations.append(Citation.from_hit(numbers[key], piece.hit, piece.quote))
        text = piece.text.replace("[", "［").replace("]", "］")  # a literal "[3]" of the document is no citation
        body = text[:-1] if text.endswith("。") else text
        tail = "。" if text.endswith("。") else ""
        parts.append(f"{k}. {body}[{numbers[key]}]{tail}" if numbered else f"{body}[{numbers[key]}]{tail}")
    return ("\n" if numbered else "").join(parts), citations
