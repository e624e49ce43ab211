"""POST /api/ask and its server-sent-events twin /api/ask/stream."""
from __future__ import annotations

import json

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from api.deps import RoleDep, ServiceDep, scope
from api.errors import ApiError
from api.schemas import AskIn, AskOut
from qa.records import Final, Reset, Stage, Token
from qa.service import Turn

router = APIRouter(prefix="/api", tags=["ask 问答"])


def _citation(c) -> dict:
    data = dict(c.__dict__)
    data["url"] = f"/documents/{c.doc_id}#c={c.start}-{c.end}"
    return data


def _answer_dict(answer) -> dict:
    data = answer.to_dict()
    data["citations"] = [_citation(c) for c in answer.citations]
    data["related"] = [_citation(c) for c in answer.related]
    return data


def _options(body: AskIn, request: Request, role) -> dict:
    limit = request.app.state.settings.max_question_chars
    if len(body.question) > limit:
        raise ApiError(422, "question_too_long", f"问题过长，最多 {limit} 字 (question longer than {limit} characters)")
    return {
        "filters": scope(role, body.filters.to_filters() if body.filters else None),
        "top_k": body.top_k, "mode": body.mode, "answerer": body.answerer,
        "conversation": [Turn(t.question, t.answer) for t in body.conversation],
    }


@router.post("/ask", response_model=AskOut, summary="提问 (ask a question, get a cited answer)")
async def ask(body: AskIn, request: Request, role: RoleDep, service: ServiceDep):
    options = _options(body, request, role)
    answer = await run_in_threadpool(lambda: service.ask(body.question, **options))
    return _answer_dict(answer)


@router.post("/ask/stream", summary="流式提问 (server-sent events: stage…, token…, [reset], citations, done)")
async def ask_stream(body: AskIn, request: Request, role: RoleDep, service: ServiceDep):
    options = _options(body, request, role)

    def events():
        # runs in a worker thread (Starlette iterates sync generators in the threadpool)
        try:
            for event in service.ask_stream(body.question, **options):
                if isinstance(event, Token):
                    yield _sse("token", {"text": event.text})
                elif isinstance(event, Stage):
                    yield _sse("stage", {"name": event.name, "message": event.message, "count": event.count})
                elif isinstance(event, Reset):
                    yield _sse("reset", {"text": event.text})
                elif isinstance(event, Final):
                    data = _answer_dict(event.answer)
                    yield _sse("citations", {k: data[k] for k in ("answer", "citations", "related", "refused", "notice", "kind", "unsupported")})
                    yield _sse("done", {"timings": data["timings"], "evidence": data["evidence"],
                                        "resolved_question": data["resolved_question"]})
        except Exception:  # noqa: BLE001 - headers are sent; report in-band, never a stack trace
            yield _sse("error", {"code": "internal_error", "message": "服务器内部错误，请稍后重试 (internal error)"})

    return StreamingResponse(events(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


def _sse(event: str, payload: dict) -> str:
    return f"event: {event}\ndata: {json.dumps(payload, ensure_ascii=False)}\n\n"
