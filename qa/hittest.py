"""命中测试 (retrieval test): what a question retrieves and why it is or isn't answered, without answering it.

The passages are the ones `KnowledgeService.ask_stream` would hand to the answerer (same role, filters, mode,
top_k and per-document cap), each with its dense, BM25 and fused scores and its rank in each list before
fusion; ranking is untouched. The verdict is the extractive answerer's (no LLM is asked: a test must not
spend model calls): answered or refused, the answerability against the refusal threshold, the best-scored
evidence units and which of them the answer quotes. With an LLM configured, `llm_threshold` is the looser
floor above which ask would let the LLM answer instead.
"""
from __future__ import annotations

from dataclasses import dataclass

from index.access import Role
from index.filters import Filters
from index.retrieval import Hit
from qa.extractive import Explained
from qa.records import Answer

MAX_UNITS = 10  # evidence units shown, best first

# why the verdict is what it is (the page says it in words)
NO_PASSAGES, COLLECTION, BELOW_THRESHOLD, NOTHING_TO_QUOTE, ANSWERED = (
    "no_passages", "collection", "below_threshold", "nothing_to_quote", "answered")


@dataclass(frozen=True)
class UnitScore:
    hit_rank: int  # 0-based index into the hits
    kind: str  # sentence | heading | item | idea
    section: str
    text: str
    probability: float  # the unit model's P(this unit answers the question)
    chosen: bool  # quoted in the answer


@dataclass(frozen=True)
class HitTest:
    question: str
    mode: str
    hits: list[Hit]
    answer: Answer
    reason: str  # one of NO_PASSAGES … ANSWERED
    answerability: float
    threshold: float
    llm_threshold: float | None  # set when ask would use an LLM
    units: list[UnitScore]
    model: str  # the answer-model weights used
    fusion: dict  # rrf_k and the two lists' weights: fused = Σ weight / (rrf_k + rank)


def hit_test(service, question: str, *, role: Role, filters: Filters | None = None, mode: str | None = None,
             top_k: int | None = None) -> HitTest:
    """Retrieve as `ask` would for this role and explain the answer layer's decision."""
    settings = service.settings
    filters = role.scope(filters)
    mode = mode or settings.retrieval_mode
    result = service.search(question, filters=filters, mode=mode, k=top_k or settings.top_k, per_doc=3, role=role)
    answerer = service.extractive(role)
    retriever = service.kbase.retriever(role)  # the fusion constants search used (a cheap object)
    explained = answerer.explain(question, result.hits, filters=filters, query_vector=result.query_vector)
    uses_llm = settings.answerer != "extractive" and service.llm is not None
    return HitTest(
        question=question, mode=mode, hits=result.hits, answer=explained.answer, reason=_reason(explained, answerer.threshold),
        answerability=explained.answer.evidence, threshold=answerer.threshold,
        llm_threshold=answerer.model.llm_threshold if uses_llm else None,
        units=_units(explained), model=answerer.model.name,
        fusion={"rrf_k": retriever.rrf_k, "dense_weight": retriever.weights[0], "bm25_weight": retriever.weights[1]},
    )


def _reason(explained: Explained, threshold: float) -> str:
    ev = explained.evidence
    if ev is None:
        return COLLECTION
    if not ev.units:
        return NO_PASSAGES
    if ev.answerability < threshold:
        return BELOW_THRESHOLD
    return NOTHING_TO_QUOTE if explained.answer.refused else ANSWERED


def _units(explained: Explained) -> list[UnitScore]:
    ev = explained.evidence
    if ev is None:
        return []
    quoted = [(p.order[0], p.quote) for p in explained.pieces]
    out = []
    for i in ev.ranked()[:MAX_UNITS]:
        unit = ev.units[i]
        chosen = any(rank == unit.hit_rank and (unit.text in quote or quote in unit.text) for rank, quote in quoted)
        out.append(UnitScore(unit.hit_rank, unit.kind, unit.section, unit.text, round(float(ev.probs[i]), 4), chosen))
    return out
