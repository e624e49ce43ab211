"""POST /api/ask and its server-sent-events twin /api/ask/stream."""
from __future__ import annotations

import json
import re

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from api.deps import RoleDep, ServiceDep, scope
from api.errors import ApiError
from api.schemas import AskIn, AskOut
from index.service import Turn

router = APIRouter(prefix="/api", tags=["ask 问答"])


def _citation(c) -> dict:
    data = dict(c.__dict__)
    data["url"] = f"/documents/{c.doc_id}#c={c.start}-{c.end}"
    return data


async def _answer(body: AskIn, request: Request, role, service):
    limit = request.app.state.settings.max_question_chars
    if len(body.question) > limit:
        raise ApiError(422, "question_too_long", f"问题过长，最多 {limit} 字 (question longer than {limit} characters)")
    filters = scope(role, body.filters.to_filters() if body.filters else None)
    turns = [Turn(t.question, t.answer) for t in body.conversation]
    answer = await run_in_threadpool(service.ask, body.question, filters=filters, top_k=body.top_k,
                                     conversation=turns, mode=body.mode)
    data = answer.to_dict()
    data["citations"] = [_citation(c) for c in answer.citations]
    data["related"] = [_citation(c) for c in answer.related]
    return data


@router.post("/ask", response_model=AskOut, summary="提问 (ask a question, get a cited answer)")
async def ask(body: AskIn, request: Request, role: RoleDep, service: ServiceDep):
    return await _answer(body, request, role, service)


@router.post("/ask/stream", summary="流式提问 (server-sent events: token…, citations, done)")
async def ask_stream(body: AskIn, request: Request, role: RoleDep, service: ServiceDep):
    data = await _answer(body, request, role, service)

    def events():
        # tokens: the answer in small pieces (sentences, markers kept whole), then sources, then done
        for piece in re.findall(r"\[\d+\]|[^\[]{1,12}|\[", data["answer"]):
            yield _sse("token", {"text": piece})
        yield _sse("citations", {"citations": data["citations"], "related": data["related"],
                                 "refused": data["refused"], "notice": data["notice"]})
        yield _sse("done", {"timings": data["timings"], "evidence": data["evidence"]})

    return StreamingResponse(events(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


def _sse(event: str, payload: dict) -> str:
    return f"event: {event}\ndata: {json.dumps(payload, ensure_ascii=False)}\n\n"
