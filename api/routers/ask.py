"""POST /api/ask and its server-sent-events twin /api/ask/stream."""
from __future__ import annotations

import json

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from api.deps import RoleDep, ServiceDep
from api.errors import ApiError
from api.routers.search import check_known
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
    """The answering options, after the limits: the question and every earlier turn's question are at most
    KB_MAX_QUESTION_CHARS, at most KB_MAX_TURNS turns of at most KB_MAX_CONVERSATION_CHARS together (422 else:
    the client is told, nothing is silently cut)."""
    settings = request.app.state.settings
    limit = settings.max_question_chars
    if len(body.question) > limit:
        raise ApiError(422, "question_too_long", f"问题过长，最多 {limit} 字 (question longer than {limit} characters)")
    turns = body.conversation
    if len(turns) > settings.max_turns:
        raise ApiError(422, "conversation_too_long",
                       f"对话轮数过多，最多 {settings.max_turns} 轮 (at most {settings.max_turns} earlier turns)")
    if any(len(t.question) > limit for t in turns):
        raise ApiError(422, "conversation_too_long",
                       f"对话中的问题过长，每轮最多 {limit} 字 (an earlier question is longer than {limit} characters)")
    total = sum(len(t.question) + len(t.answer) for t in turns)
    if total > settings.max_conversation_chars:
        raise ApiError(422, "conversation_too_long",
                       f"对话内容过长，最多共 {settings.max_conversation_chars} 字 "
                       f"(earlier turns longer than {settings.max_conversation_chars} characters together)")
    filters = body.filters.to_filters() if body.filters else None
    return {
        "filters": filters, "role": role,
        "top_k": body.top_k, "mode": body.mode, "answerer": body.answerer,
        "conversation": [Turn(t.question, t.answer) for t in turns],
    }


def _check_filters(service, options: dict) -> None:
    filters = options["filters"]
    if filters is not None:
        check_known(service, options["role"], "cohort", filters.cohort)
        check_known(service, options["role"], "topic", filters.topic)


@router.post("/ask", response_model=AskOut, summary="提问 (ask a question, get a cited answer)")
async def ask(body: AskIn, request: Request, role: RoleDep, service: ServiceDep):
    options = _options(body, request, role)

    def run():
        _check_filters(service, options)
        return service.ask(body.question, **options)

    answer = await run_in_threadpool(run)
    return _answer_dict(answer)


@router.post("/ask/stream", summary="流式提问 (server-sent events: stage…, token…, [reset], citations, done)")
async def ask_stream(body: AskIn, request: Request, role: RoleDep, service: ServiceDep):
    options = _options(body, request, role)
    await run_in_threadpool(_check_filters, service, options)

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
                    yield _sse("citations", {k: data[k] for k in ("answer", "citations", "related", "refused", "notice", "kind", "unsupported", "curated")})
                    yield _sse("done", {"timings": data["timings"], "evidence": data["evidence"],
                                        "resolved_question": data["resolved_question"]})
        except Exception:  # noqa: BLE001 - headers are sent; report in-band, never a stack trace
            yield _sse("error", {"code": "internal_error", "message": "服务器内部错误，请稍后重试 (internal error)"})

    return StreamingResponse(events(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


def _sse(event: str, payload: dict) -> str:
    return f"event: {event}\ndata: {json.dumps(payload, ensure_ascii=False)}\n\n"
