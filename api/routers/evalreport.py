"""GET /api/eval/latest and its chart: the newest report written by `kb eval` under the data dir, or else the
baselines committed in eval/baseline/<name>/ (the response says which it is)."""
from __future__ import annotations

import json
import re
from pathlib import Path

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse

from api.deps import LimitedDep
from api.errors import ApiError

router = APIRouter(prefix="/api/eval", tags=["eval 评测"])
BASELINES = Path(__file__).resolve().parents[2] / "eval" / "baseline"
_NAME = re.compile(r"^[\w.-]{1,60}$")


def _baselines() -> list[str]:
    """The committed baselines (folders with a report.json), the bundled corpus's first."""
    names = sorted(p.parent.name for p in BASELINES.glob("*/report.json"))
    return sorted(names, key=lambda n: n != "bundled")


def _folder(request: Request, baseline: str | None) -> tuple[Path, str | None]:
    """The report folder asked for: the data dir's latest run unless a baseline is named or none was run."""
    latest = request.app.state.settings.data_dir / "eval" / "latest"
    if baseline is None and (latest / "report.json").exists():
        return latest, None
    names = _baselines()
    name = baseline or (names[0] if names else None)
    if name is None or not _NAME.match(name) or name not in names:
        raise ApiError(404, "no_eval_report", "尚无评测报告 (no eval report): 请先运行 kb eval")
    return BASELINES / name, name


@router.get("/latest", summary="最新评测报告 (latest eval report; else a committed baseline)")
async def latest(request: Request, _: LimitedDep,
                 baseline: str | None = Query(None, max_length=60, description="eval/baseline/ 下的基线名")):
    folder, name = _folder(request, baseline)
    data = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    data["chart"] = (folder / "chart.png").exists()
    data["source"] = {"kind": "baseline" if name else "latest", "baseline": name,
                      "path": f"eval/baseline/{name}/report.json" if name else "data/eval/latest/report.json",
                      "baselines": _baselines()}
    return data


@router.get("/chart.png", summary="最新评测图表 (chart)")
async def chart(request: Request, _: LimitedDep, baseline: str | None = Query(None, max_length=60)):
    folder, _name = _folder(request, baseline)
    path = folder / "chart.png"
    if not path.exists():
        raise ApiError(404, "no_eval_report", "尚无评测图表 (no eval chart)")
    return FileResponse(path, media_type="image/png")
