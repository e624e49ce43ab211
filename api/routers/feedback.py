"""反馈与审核: trainees mark answers 有用 / 没用; teachers review them, export them as an eval set, and pin
curated answers (教师审定答案)."""
from __future__ import annotations

import re
import time
from typing import Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field, field_validator

from api.deps import Role, RoleDep, ServiceDep, TeacherDep
from api.errors import ApiError
from feedback import export
from feedback.curated import citation_records, stale_reason
from feedback.store import MAX_COMMENT, Review

router = APIRouter(prefix="/api", tags=["feedback 反馈与审核"])
_MARK = re.compile(r"\[(\d+)\]")


class PassageRef(BaseModel):
    """A passage the answer cited or found closest, as the chat page shows it."""

    n: int | None = Field(None, ge=0, le=100)
    chunk_id: str = Field(..., min_length=1, max_length=100)
    doc_id: str = Field("", max_length=40)
    title: str = Field("", max_length=200)
    section: str = Field("", max_length=300)
    page: int | None = Field(None, ge=0, le=100000)
    start: int = Field(0, ge=0)
    end: int = Field(0, ge=0)
    quote: str = Field("", max_length=1000)
    snippet: str = Field("", max_length=1000)


class FeedbackIn(BaseModel):
    model_config = {"extra": "ignore"}  # the chat page sends the citation records as the ask routes gave them

    question: str = Field(..., min_length=1, max_length=2000)
    answer: str = Field(..., max_length=8000)
    refused: bool = False
    citations: list[PassageRef] = Field(default_factory=list, max_length=20)
    related: list[PassageRef] = Field(default_factory=list, max_length=20)
    verdict: Literal["up", "down"] = Field(..., description="up = 有用, down = 没用")
    comment: str = Field("", max_length=MAX_COMMENT, description=f"补充说明，最多 {MAX_COMMENT} 字")

    @field_validator("question")
    @classmethod
    def _question(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("问题不能为空 (question is blank)")
        return value.strip()


class ReviewIn(BaseModel):
    model_config = {"extra": "forbid"}

    gold_chunk_ids: list[str] = Field(default_factory=list, max_length=10, description="应答段落 (chunk ids)")
    expected_answer: str = Field("", max_length=4000, description="参考答案")
    key_points: list[str] = Field(default_factory=list, max_length=20, description="回答应含的要点（原文词句）")
    unanswerable: bool = Field(False, description="资料中没有答案")
    note: str = Field("", max_length=1000)

    @field_validator("key_points")
    @classmethod
    def _points(cls, value: list[str]) -> list[str]:
        if any(len(p) > 200 for p in value):
            raise ValueError("每条要点最多 200 字 (a key point is at most 200 characters)")
        return [p.strip() for p in value if p.strip()]


class CitedIn(BaseModel):
    chunk_id: str = Field(..., min_length=1, max_length=100)
    quote: str = Field("", max_length=1000)


class CuratedIn(BaseModel):
    model_config = {"extra": "forbid"}

    question: str = Field(..., min_length=1, max_length=500)
    answer: str = Field(..., min_length=1, max_length=4000, description="审定答案，[n] 指第 n 个引用段落")
    citations: list[CitedIn] = Field(..., min_length=1, max_length=10)
    feedback_id: int | None = None

    @field_validator("question", "answer")
    @classmethod
    def _text(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("不能为空 (blank)")
        return value.strip()


def _store(request: Request):
    return request.app.state.feedback


def _teacher_index(service):
    return service.kbase.keyword_index(Role.TEACHER)


@router.post("/feedback", status_code=201, summary="学员反馈：有用 / 没用，可附说明 (mark an answer)")
def add_feedback(body: FeedbackIn, request: Request, role: RoleDep):
    item = _store(request).add(role=role.value, question=body.question, answer=body.answer, refused=body.refused,
                               citations=[c.model_dump() for c in body.citations],
                               related=[c.model_dump() for c in body.related], verdict=body.verdict,
                               comment=body.comment.strip())
    return {"id": item.id, "verdict": item.verdict, "message": "感谢反馈，教师会审阅 (thanks: a teacher will review it)"}


@router.get("/feedback", summary="反馈审核队列 (teachers only)")
def feedback_queue(request: Request, _: TeacherDep, status: Literal["new", "reviewed"] | None = None,
                   verdict: Literal["up", "down"] | None = None, limit: int = Query(50, ge=1, le=200),
                   offset: int = Query(0, ge=0)):
    items, total = _store(request).items(status=status, verdict=verdict, limit=limit, offset=offset)
    return {"items": [i.to_dict() for i in items], "total": total, "counts": _store(request).counts()}


@router.get("/feedback/export", summary="已审核反馈导出为评测集 zip：kb eval --dataset 直接可用 (teachers only)",
            response_class=Response, responses={200: {"content": {"application/zip": {}}}})
def export_feedback(request: Request, _: TeacherDep, service: ServiceDep):
    files = export.dataset_files(_store(request).reviewed(), _teacher_index(service))
    name = f"feedback-eval-{time.strftime('%Y%m%d-%H%M%S')}"
    return Response(export.zipped(files, name=name), media_type="application/zip",
                    headers={"Content-Disposition": f'attachment; filename="{name}.zip"'})


def _item_or_404(request: Request, item_id: int):
    item = _store(request).get(item_id)
    if item is None:
        raise ApiError(404, "feedback_not_found", f"反馈不存在 (no feedback {item_id})")
    return item


@router.get("/feedback/{item_id}", summary="一条反馈及问题当前最接近的段落 (teachers only)")
def feedback_item(item_id: int, request: Request, _: TeacherDep, service: ServiceDep):
    item = _item_or_404(request, item_id)
    hits = service.search(item.question, k=8, per_doc=2, role=Role.TEACHER).hits
    closest = [{"chunk_id": h.chunk_id, "doc_id": h.doc_id, "title": h.meta.get("title", ""),
                "section": h.meta.get("section", ""), "access": h.meta.get("access"), "text": h.text}
               for h in hits]
    return {**item.to_dict(), "closest": closest}


@router.post("/feedback/{item_id}/review", summary="审核：标注应答段落或参考答案，标记已审 (teachers only)")
def review_feedback(item_id: int, body: ReviewIn, request: Request, _: TeacherDep, service: ServiceDep):
    _item_or_404(request, item_id)
    if body.unanswerable and body.gold_chunk_ids:
        raise ApiError(422, "review_conflict", "“资料中没有答案”与应答段落不能同时选择 (unanswerable with gold passages)")
    keyword = _teacher_index(service)
    chunk_ids = list(body.gold_chunk_ids)
    if not body.unanswerable and not chunk_ids:
        chunk_ids = _passages_with(service, body)  # only an expected answer: the passages that say it
    if not body.unanswerable and not chunk_ids:
        raise ApiError(422, "review_incomplete", "请选择应答段落，或勾选“资料中没有答案”；只写参考答案时，它（或要点）须是资料原文 "
                                                 "(mark the passage that should have answered, or unanswerable; an "
                                                 "expected answer alone must occur verbatim in a passage)")
    gold = []
    for chunk_id in dict.fromkeys(chunk_ids):
        at = keyword.by_id.get(chunk_id)
        if at is None:
            raise ApiError(422, "unknown_chunk", f"段落不存在 (no passage {chunk_id[:100]})")
        record = keyword.records[at]
        gold.append({"chunk_id": chunk_id, "doc_id": record.meta.get("doc_id", ""), "title": record.meta.get("title", ""),
                     "section": record.meta.get("section", ""), "type": record.meta.get("type", ""), "text": record.text})
    review = Review(gold=gold, expected_answer=body.expected_answer.strip(), key_points=body.key_points,
                    unanswerable=body.unanswerable, note=body.note.strip())
    return _store(request).review(item_id, review).to_dict()


def _passages_with(service, body: ReviewIn, *, limit: int = 3) -> list[str]:
    """Passages (teacher's view) holding every key point, or else the expected answer, verbatim."""
    needles = [" ".join(n.split()) for n in (body.key_points or [body.expected_answer]) if n.strip()]
    if not needles:
        return []
    hits = service.search(" ".join(needles)[:500], k=30, per_doc=None, role=Role.TEACHER).hits
    return [h.chunk_id for h in hits if all(n in " ".join(h.text.split()) for n in needles)][:limit]


def _curated_answers(service):
    if service.curated is None:  # pragma: no cover - the app always sets it
        raise ApiError(503, "curated_disabled", "教师审定答案不可用 (curated answers unavailable)")
    return service.curated


@router.get("/curated", summary="教师审定答案及其状态（引用文档变化则待复核）与相似度阈值 (teachers only)")
def list_curated(_: TeacherDep, service: ServiceDep):
    curated = _curated_answers(service)
    items = curated.check_all(_teacher_index(service))
    return {"items": [c.to_dict() for c in items], "threshold": curated.threshold.to_dict()}


@router.post("/curated", status_code=201, summary="设为教师审定答案：问题、答案与引用段落 (teachers only)")
def pin_curated(body: CuratedIn, request: Request, _: TeacherDep, service: ServiceDep):
    marks = {int(m) for m in _MARK.findall(body.answer)}
    if any(m < 1 or m > len(body.citations) for m in marks):
        raise ApiError(422, "bad_citation_mark", f"答案中的 [n] 应在 1–{len(body.citations)} 之间 "
                                                 "(a [n] marker names no citation)")
    if body.feedback_id is not None:
        _item_or_404(request, body.feedback_id)
    try:
        citations = citation_records(_teacher_index(service), [c.model_dump() for c in body.citations])
    except KeyError as exc:
        raise ApiError(422, "unknown_chunk", f"段落不存在 (no passage {str(exc.args[0])[:100]})") from None
    item = _curated_answers(service).store.pin(question=body.question, answer=body.answer, citations=citations,
                                               feedback_id=body.feedback_id)
    return item.to_dict()


def _curated_or_404(service, curated_id: int):
    item = _curated_answers(service).store.curated(curated_id)
    if item is None:
        raise ApiError(404, "curated_not_found", f"审定答案不存在 (no curated answer {curated_id})")
    return item


@router.post("/curated/{curated_id}/confirm", summary="复核后重新启用审定答案 (teachers only)")
def confirm_curated(curated_id: int, _: TeacherDep, service: ServiceDep):
    item = _curated_or_404(service, curated_id)
    keyword = _teacher_index(service)
    try:
        citations = citation_records(keyword, item.citations)
    except KeyError:
        raise ApiError(409, "passage_gone", f"{stale_reason(item, keyword)}：请删除后重新设定 "
                                            "(a cited passage is gone: delete it and pin a new one)") from None
    return _curated_answers(service).store.confirm(curated_id, citations).to_dict()


@router.delete("/curated/{curated_id}", summary="删除审定答案 (teachers only)")
def delete_curated(curated_id: int, _: TeacherDep, service: ServiceDep):
    _curated_or_404(service, curated_id)
    _curated_answers(service).store.unpin(curated_id)
    return {"deleted": curated_id}
