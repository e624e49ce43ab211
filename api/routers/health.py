"""GET /api/health and GET /api/stats: counts of what the caller may see."""
from __future__ import annotations

from collections import Counter

from fastapi import APIRouter, Request

from api.deps import OpenRoleDep, RoleDep, ServiceDep
from index.access import Role

router = APIRouter(prefix="/api", tags=["health 状态"])


# sync routes: FastAPI runs them in the threadpool, so the Chroma and LLM pings never stall the event loop
@router.get("/health", summary="服务状态 (index loaded, counts, embedder, LLM)")
def health(role: OpenRoleDep, service: ServiceDep, request: Request):
    kbase = service.kbase
    kbase.store.count()  # the Chroma ping: raises (→ 500/503) when the store is unreachable
    records = kbase.keyword_index(role).records
    chunks = len(records)
    return {
        "status": "ok" if chunks else "empty",
        "index_loaded": chunks > 0,
        "chunks": chunks,
        "documents": len({r.meta.get("doc_id") for r in records}),
        "embedder": kbase.embedder.fingerprint,
        "retrieval_mode": kbase.settings.retrieval_mode,
        "chroma": kbase.settings.chroma_url or "embedded",
        "answer_model": _answer_model(service),
        "llm": {"configured": service.llm is not None, "name": getattr(service.llm, "name", None),
                "reachable": service.llm.ping() if service.llm is not None else None},
        "limits": {"max_question_chars": kbase.settings.max_question_chars},
        # the server's own first ingest (kb serve --ingest): the pages show "正在导入 …" while it runs
        "ingest": request.app.state.first_ingest.status.public(teacher=role is Role.TEACHER),
        "curated": service.curated.threshold.to_dict() if service.curated is not None else None,
    }


@router.get("/whoami", summary="令牌对应的角色 (the caller's role: 401 for a wrong token)")
def whoami(role: RoleDep):
    return {"role": role.value}


@router.get("/stats", summary="资料统计 (counts by type, cohort, year)")
def stats(role: RoleDep, service: ServiceDep):
    records = [r.meta for r in service.kbase.keyword_index(role).records]
    docs = {m["doc_id"]: m for m in records}.values()
    return {
        "documents": len(docs),
        "chunks": sum(1 for m in records if m.get("kind") == "chunk"),
        "ideas": sum(1 for m in records if m.get("kind") == "idea"),
        "by_type": dict(Counter(m.get("type") for m in docs)),
        "by_cohort": dict(Counter(m.get("cohort") for m in docs if m.get("cohort"))),
        "by_year": dict(Counter(str(m.get("year")) for m in docs if m.get("year"))),
        "with_pishi": sum(1 for m in docs if m.get("pishi")),
    }


def _answer_model(service) -> dict:
    model = service.answer_model
    out = {"weights": model.name, "fitted_for": model.fitted_for, "threshold": model.threshold}
    if model.name == "default":
        out["notice"] = ("该嵌入模型没有拟合的回答模型权重，使用默认权重 (no fitted weights for this embedder: "
                         "the documented default, without similarity features, is used; run scripts/fit_answer_model.py)")
    return out
