"""GET /api/eval/latest and its chart: the newest report written by `kb eval` under the data dir."""
from __future__ import annotations

import json

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse

from api.deps import LimitedDep
from api.errors import ApiError

router = APIRouter(prefix="/api/eval", tags=["eval 评测"])


def _latest(request: Request):
    return request.app.state.settings.data_dir / "eval" / "latest"


@router.get("/latest", summary="最新评测报告 (latest eval report)")
async def latest(request: Request, _: LimitedDep):
    path = _latest(request) / "report.json"
    if not path.exists():
        raise ApiError(404, "no_eval_report", "尚无评测报告 (no eval report): 请先运行 kb eval")
    data = json.loads(path.read_text(encoding="utf-8"))
    data["chart"] = (_latest(request) / "chart.png").exists()
    return data


@router.get("/chart.png", summary="最新评测图表 (chart)")
async def chart(request: Request, _: LimitedDep):
    path = _latest(request) / "chart.png"
    if not path.exists():
        raise ApiError(404, "no_eval_report", "尚无评测图表 (no eval chart)")
    return FileResponse(path, media_type="image/png")
