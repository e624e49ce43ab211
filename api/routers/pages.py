"""The pages: chat (/), teachers' search (/search), documents (/documents, /documents/{id}), 命中测试 (/hit-test),
feedback review (/review), eval (/eval)."""
from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

STATIC = Path(__file__).resolve().parent.parent / "static"
router = APIRouter(include_in_schema=False)


@router.get("/")
async def chat_page():
    return FileResponse(STATIC / "index.html")


@router.get("/search")
async def search_page():
    return FileResponse(STATIC / "search.html")


@router.get("/documents")
async def documents_page():
    return FileResponse(STATIC / "documents.html")


@router.get("/hit-test")
async def hit_test_page():
    return FileResponse(STATIC / "hittest.html")


@router.get("/documents/{doc_id}")
async def document_page(doc_id: str):
    return FileResponse(STATIC / "document.html")


@router.get("/review")
async def review_page():
    return FileResponse(STATIC / "review.html")


@router.get("/eval")
async def eval_page():
    return FileResponse(STATIC / "eval.html")


@router.get("/ideas")
async def ideas_page():
    return FileResponse(STATIC / "ideas.html")
