"""The 金点子 library: the filtered list, 批示 rates by topic/cohort/year, export (CSV, .docx) and, for one report,
each idea beside the most similar earlier ideas of other cohorts (已有相近建议 above the fitted threshold)."""
from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from api import idea_export
from api.deps import Role, RoleDep, ServiceDep
from api.errors import ApiError
from api.routers.search import POOL, check_known
from index import ideas as library
from index.filters import Filters
from index.novelty import similar_earlier

router = APIRouter(prefix="/api/ideas", tags=["ideas 金点子库"])
_DOC_ID = re.compile(r"^[0-9a-f]{16}$")


class IdeaFilters:
    """The filters of GET /api/ideas (q optional here: without it, every idea the filters let through)."""

    def __init__(
        self,
        q: str | None = Query(None, max_length=200, description="检索词（可选）"),
        type: list[Literal["lecture", "case", "report"]] | None = Query(None),  # noqa: A002 - API name
        cohort: str | None = Query(None, max_length=50), year: int | None = Query(None, ge=1949, le=2100),
        topic: str | None = Query(None, max_length=50), pishi: bool | None = None,
    ) -> None:
        self.q = (q or "").strip()
        self.filters = Filters(types=tuple(type or ()), cohort=cohort, year_from=year, year_to=year, topic=topic,
                               pishi=pishi, kind="idea")

    def describe(self) -> str:
        f = self.filters
        parts = [f"检索“{self.q}”" if self.q else "", f"班次 {f.cohort}" if f.cohort else "",
                 f"{f.year_from} 年" if f.year_from else "", f"专题 {f.topic}" if f.topic else "",
                 {True: "获批示", False: "未获批示"}.get(f.pishi, "")]
        return "筛选：" + ("，".join(p for p in parts if p) or "全部")


FiltersDep = Annotated[IdeaFilters, Depends()]


def _selected(service, role: Role, chosen: IdeaFilters) -> list[library.Idea]:
    check_known(service, role, "cohort", chosen.filters.cohort)
    check_known(service, role, "topic", chosen.filters.topic)
    if not chosen.q:
        return library.all_ideas(service.kbase.keyword_index(role).records, filters=chosen.filters)
    hits = service.search(chosen.q, filters=chosen.filters, k=POOL, per_doc=None, role=role, floor=True).hits
    return [library.Idea.from_record(h.chunk_id, h.text, h.meta) for h in hits]


def _threshold(request: Request):
    return request.app.state.idea_threshold


def _closest(request: Request, service, role: Role, ideas: list[library.Idea]) -> dict[str, object]:
    """chunk id → the most similar earlier idea of another cohort (a novelty.Similar), or None; one query per report."""
    keyword = service.kbase.keyword_index(role)
    by_report: dict[str, list[library.Idea]] = {}
    for idea in ideas:
        by_report.setdefault(idea.doc_id, []).append(idea)
    found: dict[str, object] = {}
    for own in by_report.values():
        similar = similar_earlier(service.kbase.store.collection, own, visible=library.finder(keyword, role.can_see),
                                  vectors=request.app.state.idea_vectors, threshold=_threshold(request).value, k=1,
                                  access=role.scope().access)
        found.update({cid: (hits[0] if hits else None) for cid, hits in similar.items()})
    return found


NoveltyQuery = Annotated[bool, Query(description="每条附上最相近的往期其他班次建议（已有相近建议）；首次较慢")]


# sync routes (run in the threadpool): a role's index view may be built on first use
@router.get("/library", summary="金点子列表，可按班次、年份、专题、批示筛选 (the filtered list of golden ideas)")
def idea_list(request: Request, role: RoleDep, service: ServiceDep, chosen: FiltersDep, novelty: NoveltyQuery = False):
    found = _selected(service, role, chosen)
    closest = _closest(request, service, role, found) if novelty else None
    records = service.kbase.keyword_index(role).records
    everything = library.all_ideas(records)
    listed = [i.to_json() for i in found]
    if closest is not None:
        for idea, row in zip(found, listed):
            near = closest.get(idea.chunk_id)
            row["closest"] = near.to_json() if near is not None else None
    return {"total": len(found), "ideas": listed,
            "reports": library.reports(everything),  # every report with ideas, for the report picker
            "values": {"cohort": sorted({i.cohort for i in everything if i.cohort}),
                       "year": sorted({i.year for i in everything if i.year}, reverse=True),
                       "topic": sorted({t for i in everything for t in i.topics})},
            "threshold": _threshold(request).to_json()}


@router.get("/stats", summary="按专题、班次、年份统计金点子及批示率 (ideas and 批示 rate by topic, cohort, year)")
def idea_stats(role: RoleDep, service: ServiceDep, chosen: FiltersDep):
    return library.summary(_selected(service, role, chosen))


@router.get("/export", summary="导出筛选后的金点子 (export the filtered list as CSV or .docx)",
            response_class=Response,
            responses={200: {"content": {"text/csv": {}, "application/vnd.openxmlformats-officedocument."
                                                                    "wordprocessingml.document": {}}}})
def idea_export_file(request: Request, role: RoleDep, service: ServiceDep, chosen: FiltersDep,
                     format: Literal["csv", "docx"] = Query("csv"),  # noqa: A002 - API name
                     novelty: NoveltyQuery = False):
    found = _selected(service, role, chosen)
    closest = _closest(request, service, role, found) if novelty else None
    name = f"金点子-{dt.date.today():%Y%m%d}.{format}"
    if format == "csv":
        body, media = idea_export.to_csv(found, closest=closest), "text/csv; charset=utf-8"
    else:
        body = idea_export.to_docx(found, subtitle=chosen.describe(), closest=closest)
        media = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    disposition = f"attachment; filename=\"ideas.{format}\"; filename*=UTF-8''{quote(name)}"
    return Response(body, media_type=media, headers={"Content-Disposition": disposition})


def _report(doc, doc_id: str) -> dict:
    meta = doc.meta if doc is not None else None
    if meta is None:
        return {"doc_id": doc_id, "title": "", "type": "", "cohort": "", "date": "", "year": None, "pishi": False,
                "pishi_note": ""}
    return {"doc_id": doc_id, "title": meta.title, "type": meta.type, "cohort": meta.cohort, "date": meta.date,
            "year": meta.year or None, "pishi": meta.pishi, "pishi_note": meta.pishi_note}


@router.get("/similar/{doc_id}", summary="报告的每条金点子与往期其他班次最相近的建议 (similar earlier ideas of other cohorts)")
def similar(doc_id: str, request: Request, role: RoleDep, service: ServiceDep,
            k: int = Query(3, ge=1, le=10, description="每条金点子列出几条相近建议")):
    keyword = service.kbase.keyword_index(role)
    if not _DOC_ID.match(doc_id) or doc_id not in keyword.doc_ids:
        # an internal report answers 404 to a trainee, like /api/documents/{id}: not even its existence leaks
        raise ApiError(404, "document_not_found", f"文档不存在 (no document {doc_id[:40]})")
    own = [i for i in library.all_ideas(keyword.records) if i.doc_id == doc_id]
    threshold = _threshold(request)
    found = similar_earlier(service.kbase.store.collection, own, visible=library.finder(keyword, role.can_see),
                            vectors=request.app.state.idea_vectors, threshold=threshold.value, k=k,
                            access=role.scope().access)
    return {"report": _report(service.kbase.docstore.load(doc_id), doc_id), "threshold": threshold.to_json(),
            "ideas": [{**i.to_json(), "similar": [s.to_json() for s in found[i.chunk_id]],
                       "has_close": any(s.close for s in found[i.chunk_id])} for i in own]}
