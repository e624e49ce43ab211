"""GET /api/health and GET /api/stats."""
from __future__ import annotations

from collections import Counter

from fastapi import APIRouter, Request

from api.deps import RoleDep, ServiceDep

router = APIRouter(prefix="/api", tags=["health 状态"])


@router.get("/health", summary="服务状态 (index loaded, counts, embedder, LLM)")
async def health(request: Request, service: ServiceDep):
    kbase = service.kbase
    chunks = kbase.store.count()
    return {
        "status": "ok" if chunks else "empty",
        "index_loaded": chunks > 0,
        "chunks": chunks,
        "documents": len(kbase.docstore.read_manifest().get("files", {})),
        "embedder": kbase.embedder.fingerprint,
        "retrieval_mode": kbase.settings.retrieval_mode,
        "chroma": kbase.settings.chroma_url or "embedded",
        "answer_model": _answer_model(service),
        "llm": {"configured": service.llm is not None, "name": getattr(service.llm, "name", None),
                "reachable": service.llm.ping() if service.llm is not None else None},
    }


@router.get("/stats", summary="资料统计 (counts by type, cohort, year)")
async def stats(role: RoleDep, service: ServiceDep):
    records = [r.meta for r in service.kbase.keyword_index().records
               if role == "teacher" or r.meta.get("access") == "public"]
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
