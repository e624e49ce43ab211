"""The one question path used by the API, the CLI and the eval harness: resolve, retrieve, answer."""
from __future__ import annotations

import re
import time
from dataclasses import dataclass

from index.answering import Answer, ExtractiveAnswerer
from index.filters import Filters
from index.kbindex import KnowledgeBase
from index.retrieval import SearchResult

_FOLLOWUP = re.compile(r"^(那|那么|还有|另外|再|它|其|这个|这些|该|上述|第[一二三四五六七八九十\d]+[条点项个])")


@dataclass(frozen=True)
class Turn:
    question: str
    answer: str = ""


def is_followup(question: str) -> bool:
    q = question.strip()
    return bool(_FOLLOWUP.match(q)) or (len(q) <= 8 and q.endswith(("呢", "呢？", "呢?")))


def resolve_question(question: str, conversation: list[Turn] | None) -> str:
    """Without an LLM, a follow-up borrows the previous question's context for retrieval."""
    if conversation and is_followup(question):
        return f"{conversation[-1].question} {question}"
    return question


class KnowledgeService:
    def __init__(self, kbase: KnowledgeBase) -> None:
        self.kbase = kbase
        self.settings = kbase.settings

    def search(self, query: str, *, filters: Filters | None = None, mode: str | None = None,
               k: int = 10, per_doc: int | None = 2) -> SearchResult:
        return self.kbase.retriever().search(query, mode=mode or self.settings.retrieval_mode, k=k,
                                             filters=filters, per_doc=per_doc)

    def ask(self, question: str, *, filters: Filters | None = None, top_k: int | None = None,
            conversation: list[Turn] | None = None, mode: str | None = None) -> Answer:
        started = time.perf_counter()
        query = resolve_question(question, conversation)
        result = self.search(query, filters=filters, mode=mode, k=top_k or self.settings.top_k, per_doc=3)
        t0 = time.perf_counter()
        answerer = ExtractiveAnswerer(self.kbase.keyword_index(), embedder=self.kbase.embedder,
                                      min_evidence=self.settings.min_evidence)
        answer = answerer.answer(query, result.hits, query_vector=result.query_vector)
        answer.timings = {**{k: round(v * 1000, 1) for k, v in result.timings.items()},
                          "answer": round((time.perf_counter() - t0) * 1000, 1),
                          "total": round((time.perf_counter() - started) * 1000, 1)}
        return answer
