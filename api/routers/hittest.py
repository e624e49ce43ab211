"""GET /api/hit-test: 命中测试 — the passages a question retrieves with their scores and the answer layer's verdict.

Teachers only: the passages include internal ones and the scores carry the full index's term statistics.
"""
from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool

from api.deps import Role, ServiceDep, TeacherDep
from api.errors import ApiError
from api.routers.search import check_known
from index.filters import Filters
from qa.hittest import HitTest, hit_test

router = APIRouter(prefix="/api", tags=["hit-test 命中测试"])


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(float(value), digits)


def _body(test: HitTest) -> dict:
    cited = {c.chunk_id: c.n for c in test.answer.citations}
    return {
        "question": test.question, "mode": test.mode, "model": test.model, "fusion": test.fusion,
        "verdict": {"answered": not test.answer.refused, "reason": test.reason, "kind": test.answer.kind,
                    "answerability": _round(test.answerability), "threshold": _round(test.threshold),
                    "llm_threshold": _round(test.llm_threshold)},
        "answer": test.answer.answer,
        "citations": [{"n": c.n, "chunk_id": c.chunk_id, "title": c.title, "section": c.section, "quote": c.quote}
                      for c in test.answer.citations],
        "hits": [{"rank": i + 1, "chunk_id": h.chunk_id, "doc_id": h.doc_id, "title": h.meta.get("title"),
                  "section": h.meta.get("section"), "page": h.meta.get("page") or None, "kind": h.meta.get("kind"),
                  "access": h.meta.get("access"), "text": h.text, "score": _round(h.score, 5),
                  "dense": _round(h.dense), "bm25": _round(h.bm25), "dense_rank": h.dense_rank,
                  "bm25_rank": h.bm25_rank, "cited": cited.get(h.chunk_id),
                  "url": f"/documents/{h.doc_id}#c={h.meta.get('start')}-{h.meta.get('end')}"}
                 for i, h in enumerate(test.hits)],
        "units": [{"hit": u.hit_rank + 1, "kind": u.kind, "section": u.section, "text": u.text,
                   "probability": u.probability, "chosen": u.chosen} for u in test.units],
    }


@router.get("/hit-test", summary="命中测试：检索结果、各路得分与是否作答 (teachers only)")
async def hit_test_route(
    request: Request, _: TeacherDep, service: ServiceDep,
    q: str = Query(..., min_length=1, max_length=2000, description="问题"),
    mode: Literal["dense", "bm25", "hybrid"] | None = None, top_k: int | None = Query(None, ge=1, le=20),
    type: list[Literal["lecture", "case", "report"]] | None = Query(None),  # noqa: A002 - API name
    cohort: str | None = Query(None, max_length=50), topic: str | None = Query(None, max_length=50),
    pishi: bool | None = None,
):
    question, limit = q.strip(), request.app.state.settings.max_question_chars
    if not question:
        raise ApiError(422, "empty_query", "问题不能为空 (question is blank)")
    if len(question) > limit:
        raise ApiError(422, "question_too_long", f"问题过长，最多 {limit} 字 (question longer than {limit} characters)")
    filters = Filters(types=tuple(type or ()), cohort=cohort, topic=topic, pishi=pishi)

    def run():
        check_known(service, Role.TEACHER, "cohort", cohort)
        check_known(service, Role.TEACHER, "topic", topic)
        test = hit_test(service, question, role=Role.TEACHER, filters=filters, mode=mode, top_k=top_k)
        found = service.curated.find(question, keyword=service.kbase.keyword_index(Role.TEACHER), role=Role.TEACHER,
                                     filters=filters) if service.curated is not None else None
        return test, found

    test, found = await run_in_threadpool(run)
    # a question that matches a curated answer gets it in the chat before any of the passages below
    curated = {"id": found[0].id, "question": found[0].question, "similarity": round(found[1], 4),
               "threshold": service.curated.threshold.value} if found else None
    return {**_body(test), "curated": curated}
