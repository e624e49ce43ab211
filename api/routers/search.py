"""GET /api/search (passages, with facets) and GET /api/ideas (金点子 records with their report)."""
from __future__ import annotations

import html
import re
from collections import Counter
from typing import Literal

from fastapi import APIRouter, Query
from starlette.concurrency import run_in_threadpool

from api.deps import Role, RoleDep, ServiceDep
from api.errors import ApiError
from index.filters import Filters
from index.tokenize import tokenize

router = APIRouter(prefix="/api", tags=["search 检索"])
PAGE_SIZE = 10
POOL = 100


def _snippet(text: str, query: str, width: int = 160) -> tuple[str, list[list[int]]]:
    """A window of the text around the first query word, and [start, end] of every query word in it."""
    words = sorted({query.strip(), *(t for t in tokenize(query) if len(t) > 1 or not t.isascii())},
                   key=len, reverse=True)
    first = min((text.find(w) for w in words if w in text), default=0)
    start = max(0, first - width // 4)
    snippet = text[start:start + width]
    marks: list[list[int]] = []
    for word in words:
        pos = snippet.find(word)
        while pos >= 0:
            if not any(a <= pos < b or a < pos + len(word) <= b for a, b in marks):
                marks.append([pos, pos + len(word)])
            pos = snippet.find(word, pos + len(word))
    merged: list[list[int]] = []
    for a, b in sorted(marks):  # adjacent tokens of one word (茶 + 链长) become one mark
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return snippet, merged


def _hit(hit, query: str) -> dict:
    m = hit.meta
    snippet, marks = _snippet(hit.text, query)
    return {
        "chunk_id": hit.chunk_id, "doc_id": m.get("doc_id"), "title": m.get("title"), "type": m.get("type"),
        "cohort": m.get("cohort"), "author": m.get("author"), "date": m.get("date"), "year": m.get("year"),
        "topics": [t for t in (m.get("topics") or "").split("|") if t], "pishi": m.get("pishi"),
        "access": m.get("access"), "section": m.get("section"), "page": m.get("page") or None,
        "start": m.get("start"), "end": m.get("end"), "kind": m.get("kind"),
        "idea_no": m.get("idea_no") or None, "idea_title": m.get("idea_title") or None,
        "snippet": snippet, "marks": marks, "score": round(hit.score, 5),
        "url": f"/documents/{m.get('doc_id')}#c={m.get('start')}-{m.get('end')}",
    }


def _facets(hits) -> dict:
    docs = {h.meta.get("doc_id"): h.meta for h in hits}.values()
    topics = Counter(t for m in docs for t in (m.get("topics") or "").split("|") if t)
    return {
        "type": dict(Counter(m.get("type") for m in docs)),
        "cohort": dict(Counter(m.get("cohort") for m in docs if m.get("cohort"))),
        "year": {str(k): v for k, v in sorted(Counter(m.get("year") for m in docs if m.get("year")).items())},
        "topic": dict(topics.most_common(20)),
        "pishi": {"true": sum(1 for m in docs if m.get("pishi")), "false": sum(1 for m in docs if not m.get("pishi"))},
    }


_TAG = re.compile(r"<[^>]*>?")
_FIELD = {"cohort": "班次", "topic": "专题"}


def _shown(value: str, limit: int = 50) -> str:
    """A value for an error message: tags dropped, the rest HTML-escaped, length bounded."""
    return html.escape(_TAG.sub("", value)[:limit])


def check_known(service, role: Role, field: str, value: str | None) -> None:
    """422 for a cohort or topic the caller cannot filter on; known values are the ones the role may see, so an
    internal-only value answers exactly like one that does not exist."""
    if not value:
        return
    known = service.kbase.keyword_index(role).values(field)
    if value not in known:
        sample = "、".join(_shown(v) for v in sorted(known)[:8])
        raise ApiError(422, "unknown_filter",
                       f"未知的{_FIELD[field]}: {_shown(value)} (unknown {field}); 可选: {sample}")


async def _search(service, role, q, kind, type_, cohort, year, year_from, year_to, topic, pishi, page, size, mode):
    if not q.strip():
        raise ApiError(422, "empty_query", "检索词不能为空 (query is blank)")
    filters = Filters(
        types=tuple(type_ or ()), cohort=cohort, year_from=year or year_from, year_to=year or year_to,
        topic=topic, pishi=pishi, kind=kind,
    )

    def run():  # in the threadpool: a trainee's first query after an ingest builds that role's index view
        check_known(service, role, "cohort", cohort)
        check_known(service, role, "topic", topic)
        return service.search(q, filters=filters, mode=mode, k=POOL, per_doc=None if kind == "idea" else 2, role=role,
                              floor=True)

    result = await run_in_threadpool(run)
    hits = result.hits
    begin = (page - 1) * size
    return {
        "query": q, "total": len(hits), "page": page, "size": size,
        "hits": [_hit(h, q) for h in hits[begin:begin + size]],
        "facets": _facets(hits),
        "timings": {k: round(v * 1000, 1) for k, v in result.timings.items()},
    }


Mode = Literal["dense", "bm25", "hybrid"]


@router.get("/search", summary="检索资料 (search passages, with facets)")
async def search(
    role: RoleDep, service: ServiceDep,
    q: str = Query(..., min_length=1, max_length=200, description="检索词"),
    type: list[Literal["lecture", "case", "report"]] | None = Query(None),  # noqa: A002 - API name
    cohort: str | None = Query(None, max_length=50), year: int | None = Query(None, ge=1949, le=2100),
    year_from: int | None = Query(None, ge=1949, le=2100), year_to: int | None = Query(None, ge=1949, le=2100),
    topic: str | None = Query(None, max_length=50), pishi: bool | None = None,
    page: int = Query(1, ge=1, le=100), size: int = Query(PAGE_SIZE, ge=1, le=50), mode: Mode | None = None,
):
    return await _search(service, role, q, None, type, cohort, year, year_from, year_to, topic, pishi, page, size, mode)


@router.get("/ideas", summary="检索金点子 (search golden ideas with their report)")
async def ideas(
    role: RoleDep, service: ServiceDep,
    q: str = Query(..., min_length=1, max_length=200), cohort: str | None = Query(None, max_length=50),
    year: int | None = Query(None, ge=1949, le=2100), topic: str | None = Query(None, max_length=50),
    pishi: bool | None = None, page: int = Query(1, ge=1, le=100), size: int = Query(PAGE_SIZE, ge=1, le=50),
    mode: Mode | None = None,
):
    return await _search(service, role, q, "idea", None, cohort, year, None, None, topic, pishi, page, size, mode)
