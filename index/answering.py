"""Answers with citations: the extractive answerer (no LLM) and the shared answer records.

The extractive answerer picks the sentences of the retrieved passages that best match the
question (idf-weighted keyword coverage, the passage's retrieval rank and similarity), composes
a short answer whose every sentence carries a citation marker [n], and refuses when the evidence
is weaker than a threshold calibrated on the eval set (see eval/ and README).
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from index.bm25 import KeywordIndex
from index.retrieval import Hit
from index.tokenize import keywords, tokenize
from ingest.sentences import sentence_spans

REFUSAL = "资料中未找到能够回答这个问题的内容。以下是最接近的段落，供参考。"
_NUMERIC_Q = re.compile(r"多少|几[个名家项次条年月天万亿%]?|哪一?年|何时|什么时候|数量|比例|面积|金额|人数")
_DIGIT = re.compile(r"\d")
_CN_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九十", start=0)}
_ORDINAL = re.compile(r"第([一二三四五六七八九十\d]{1,2})[条点项个]")
_INJECTION = re.compile(
    r"忽略(之前|以上|上述|前面)?的?(所有)?(指令|指示|要求|提示)|无视.{0,6}(指令|规则)|系统提示|你现在是|"
    r"ignore (all )?(previous|prior|above) instructions|system prompt|you are now",
    re.I,
)


@dataclass
class Citation:
    n: int
    chunk_id: str
    doc_id: str
    title: str
    type: str
    section: str
    page: int | None
    start: int
    end: int
    snippet: str
    kind: str = "chunk"
    quote: str = ""  # the sentence of the passage the answer rests on
    quote_start: int = 0  # its offsets in the cleaned document (0, 0 when there is no quote)
    quote_end: int = 0

    @classmethod
    def from_hit(cls, n: int, hit: Hit, quote: str = "") -> "Citation":
        m = hit.meta
        start = int(m.get("start", 0))
        at = hit.text.find(quote) if quote else -1
        return cls(n=n, chunk_id=hit.chunk_id, doc_id=m.get("doc_id", ""), title=m.get("title", ""),
                   type=m.get("type", ""), section=m.get("section", ""), page=m.get("page") or None,
                   start=start, end=int(m.get("end", 0)), snippet=hit.text[:240],
                   kind=m.get("kind", "chunk"), quote=quote,
                   quote_start=start + at if at >= 0 else 0, quote_end=start + at + len(quote) if at >= 0 else 0)


@dataclass
class Answer:
    answer: str
    citations: list[Citation]
    refused: bool
    related: list[Citation] = field(default_factory=list)  # closest passages (shown on refusal too)
    notice: str = ""
    timings: dict = field(default_factory=dict)
    evidence: float = 0.0
    resolved_question: str = ""  # a follow-up made self-contained, when it was rewritten

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class _Candidate:
    hit_rank: int
    text: str
    lexical: float
    score: float
    matched: frozenset[str] = frozenset()  # the question's words this sentence contains


class ExtractiveAnswerer:
    """Quote the answer-bearing sentences of the retrieved passages, each with its [n]."""

    name = "extractive"

    def __init__(self, keyword: KeywordIndex, *, embedder=None, min_evidence: float = 0.55,
                 max_sentences: int = 3, rerank: int = 5) -> None:
        self.keyword = keyword
        self.embedder = embedder
        self.rerank = rerank
        self.min_evidence = min_evidence
        self.max_sentences = max_sentences

    def answer(self, question: str, hits: list[Hit], *, query_vector=None) -> Answer:
        related = [Citation.from_hit(i + 1, h) for i, h in enumerate(hits)]
        candidates = self._semantic_rerank(self._candidates(question, hits), query_vector)
        evidence = self.evidence(question, hits, candidates)
        if not candidates or evidence < self.min_evidence:
            return Answer(REFUSAL, [], True, related=related, evidence=evidence)
        best = candidates[0]
        chosen = [best]
        covered = set(best.matched)
        for cand in candidates[1:]:
            if len(chosen) >= self.max_sentences or cand.score < 0.6 * best.score:
                break
            new = cand.matched - covered
            if new and cand.text not in {c.text for c in chosen}:
                chosen.append(cand)
                covered |= new
        numbers: dict[int, int] = {}
        citations: list[Citation] = []
        parts = []
        for cand in sorted(chosen, key=lambda c: c.hit_rank):
            if cand.hit_rank not in numbers:
                numbers[cand.hit_rank] = len(numbers) + 1
                citations.append(Citation.from_hit(numbers[cand.hit_rank], hits[cand.hit_rank], cand.text))
            parts.append(f"{cand.text}[{numbers[cand.hit_rank]}]")
        return Answer("".join(parts), citations, False, related=related, evidence=evidence)

    def assess(self, question: str, hits: list[Hit], *, query_vector=None) -> float:
        """The evidence score alone (the LLM answerer uses it to refuse before generating)."""
        return self.evidence(question, hits, self._semantic_rerank(self._candidates(question, hits), query_vector))

    def evidence(self, question: str, hits: list[Hit], candidates: list[_Candidate]) -> float:
        """0..1: how well the best sentence covers the question's key words, with the passage similarity."""
        if not candidates:
            return 0.0
        dense = max((h.dense for h in hits[:3] if h.dense is not None), default=None)
        lexical = candidates[0].lexical
        score = lexical if dense is None else 0.6 * lexical + 0.4 * min(1.0, max(0.0, (dense - 0.80) / 0.15))
        # the rarest words of a question (names like 桐江市, 冲锋舟) must appear in the passage the
        # answer comes from; a near-miss passage about a neighbouring subject is weak evidence
        return score * (0.5 + 0.5 * self._rare_coverage(question, hits[candidates[0].hit_rank]))

    def _rare_coverage(self, question: str, hit: Hit) -> float:
        # words the corpus never uses cannot be checked here; the rarest known ones can
        weights = {t: self.keyword.idf(t) for t in set(keywords(question)) if self.keyword.knows(t)}
        if not weights:
            return 1.0
        top = max(weights.values())
        rare = [t for t, w in weights.items() if w >= 0.8 * top]
        context = f"{hit.meta.get('title', '')} {hit.meta.get('section', '')} {hit.text}"
        return sum(1 for t in rare if t in context) / len(rare)

    def _candidates(self, question: str, hits: list[Hit]) -> list[_Candidate]:
        ordinal = question_ordinal(question)
        q_tokens = set(tokenize(question))
        weights = {t: self.keyword.idf(t) for t in q_tokens}
        total = sum(weights.values()) or 1.0
        numeric = bool(_NUMERIC_Q.search(question))
        out = []
        for rank, hit in enumerate(hits):
            for start, end in sentence_spans(hit.text):
                text = hit.text[start:end]
                if len(text) < 6 or _INJECTION.search(text):
                    continue
                matched = frozenset(q_tokens & set(tokenize(text)))
                lexical = sum(weights[t] for t in matched) / total
                score = lexical + 0.25 / (1 + rank)
                if numeric and _DIGIT.search(text):
                    score += 0.15
                if ordinal and (hit.meta.get("idea_no") == ordinal or re.match(rf"{ordinal}[.．、]", text)):
                    score += 0.6  # "第二条金点子": the item with that number
                    lexical = max(lexical, 0.6)
                out.append(_Candidate(rank, text, lexical, score, matched))
        out.sort(key=lambda c: c.score, reverse=True)
        return out

    def _semantic_rerank(self, candidates: list[_Candidate], query_vector) -> list[_Candidate]:
        """Re-score the few best sentences by their own similarity to the question (one small batch)."""
        if self.embedder is None or query_vector is None or len(candidates) < 2:
            return candidates
        head = candidates[: self.rerank]
        sims = self.embedder.embed_passages([c.text for c in head]) @ query_vector
        rescored = [
            _Candidate(c.hit_rank, c.text, c.lexical, c.score + 0.5 * min(1.0, max(0.0, (float(s) - 0.80) / 0.15)),
                       c.matched)
            for c, s in zip(head, sims)
        ]
        return sorted(rescored, key=lambda c: c.score, reverse=True) + candidates[self.rerank:]



def question_ordinal(question: str) -> int | None:
    """N of the last "第N条/点/项/个" in the question (a follow-up's ordinal wins over the earlier one)."""
    found = _ORDINAL.findall(question)
    if not found:
        return None
    raw = found[-1]
    if raw.isdigit():
        return int(raw)
    if raw == "十":
        return 10
    if raw.startswith("十"):
        return 10 + _CN_DIGITS[raw[1]]
    return _CN_DIGITS.get(raw[0])
