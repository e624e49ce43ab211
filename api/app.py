"""The FastAPI app factory: a lifespan opens the knowledge base once; routers per capability."""
from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from api import errors
from api.deps import RateLimiter
from api.limits import BodyLimit
from api.routers import ask, documents, evalreport, feedback, health, hittest, ideas, pages, quarantine, search
from feedback.curated import CuratedAnswers, load_threshold
from feedback.store import FeedbackStore
from index.kbindex import KnowledgeBase
from ingest.jobs import JobStore
from ingest.uploads import Jobs, UploadService
from index.background import BackgroundIngest
from index.novelty import IdeaVectors
from index.novelty import load_threshold as load_idea_threshold
from qa.service import KnowledgeService
from kb.settings import Settings, get_settings


def create_app(settings: Settings | None = None, *, kbase: KnowledgeBase | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        base = kbase or KnowledgeBase.open(settings)
        # an ingest killed midway left the dirty marker: drop its orphan vectors and publish a keyword index
        # of the manifest-listed documents before the first answer (skipped while another ingest runs)
        base.recover()
        app.state.uploads.remove_stale()  # batches staged before a restart lost their in-memory job
        app.state.feedback = FeedbackStore(settings.feedback_db)
        threshold = load_threshold(base.embedder.fingerprint, override=settings.curated_threshold)
        curated = CuratedAnswers(app.state.feedback, base.embedder, threshold=threshold)
        app.state.service = KnowledgeService(base, curated=curated)
        app.state.idea_threshold = load_idea_threshold(base.embedder.fingerprint, override=settings.idea_similar_threshold)
        app.state.idea_vectors = IdeaVectors(base.embedder)  # 金点子 texts embedded once, for the novelty check
        app.state.service.warm()  # role views and English bridges, before the first question
        if settings.serve_ingest is not None:
            app.state.first_ingest.start(base, settings.serve_ingest)
        yield

    app = FastAPI(
        title="学习助手 API",
        description="干部培训资料知识库：带引用的问答、资料与金点子检索、文档上传。"
                    " Training-materials knowledge base: cited answers, search, uploads.",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.rate_limiter = RateLimiter.from_settings(settings)
    app.state.uploads = UploadService.from_settings(settings)
    app.state.jobs = Jobs(app.state.uploads, store=JobStore(settings.data_dir / "jobs"))
    app.state.first_ingest = BackgroundIngest()
    errors.install(app)
    app.add_middleware(BodyLimit)
    for module in (ask, search, ideas, documents, hittest, feedback, quarantine, health, evalreport, pages):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=pages.STATIC), name="static")
    return app
