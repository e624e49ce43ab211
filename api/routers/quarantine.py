"""Quarantine (teachers): uploads that failed to load, with their reason; delete them when done."""
from __future__ import annotations

from fastapi import APIRouter, Request

from api.deps import TeacherDep
from api.errors import ApiError
from kb.errors import clip

router = APIRouter(prefix="/api", tags=["quarantine 隔离区"])


@router.get("/quarantine", summary="隔离区文件列表 (uploads that failed to load, teachers only)")
async def list_quarantine(request: Request, _: TeacherDep):
    entries = request.app.state.uploads.quarantine.list()
    return {"files": [entry.to_json() for entry in entries]}


@router.delete("/quarantine/{name}", summary="删除隔离区文件 (teachers only)")
async def delete_quarantined(name: str, request: Request, _: TeacherDep):
    # only a listed name is removed, so no path a client sends can reach outside the folder
    if not request.app.state.uploads.quarantine.remove(name):
        raise ApiError(404, "not_quarantined", f"隔离区中没有该文件 (not in quarantine): {clip(name, 120)}")
    return {"deleted": name}
