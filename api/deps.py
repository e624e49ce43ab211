"""Request dependencies: the service on app state, the caller's role, and rate limiting."""
from __future__ import annotations

import hmac
import threading
import time
from collections import deque
from typing import Annotated, Literal

from fastapi import Depends, Request

from api.errors import ApiError
from index.filters import Filters
from qa.service import KnowledgeService

Role = Literal["trainee", "teacher"]


def get_service(request: Request) -> KnowledgeService:
    return request.app.state.service


def _token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return request.headers.get("x-api-token") or None


def get_role(request: Request) -> Role:
    settings = request.app.state.settings
    token = _token(request)
    _rate_limit(request, token)
    if token and settings.teacher_token and hmac.compare_digest(token, settings.teacher_token):
        return "teacher"
    if token and settings.trainee_token and hmac.compare_digest(token, settings.trainee_token):
        return "trainee"
    if token:
        raise ApiError(401, "invalid_token", "令牌无效 (invalid API token)")
    if settings.trainee_token:
        raise ApiError(401, "token_required", "需要学员或教师令牌 (API token required)")
    return "trainee"


def require_teacher(role: Annotated[Role, Depends(get_role)], request: Request) -> Role:
    if role != "teacher":
        if not request.app.state.settings.teacher_token:
            raise ApiError(403, "teacher_disabled", "未配置教师令牌 KB_TEACHER_TOKEN，该功能不可用 (teacher role not configured)")
        raise ApiError(403, "teacher_only", "仅限教师使用 (teachers only): 请在请求头提供教师令牌")
    return role


def scope(role: Role, filters: Filters | None = None) -> Filters:
    """Trainees never see internal documents, whatever filters they send."""
    filters = filters or Filters()
    if role == "teacher":
        return filters
    return Filters(**{**filters.__dict__, "access": ("public",)})


class RateLimiter:
    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self.calls: dict[str, deque] = {}
        self.lock = threading.Lock()

    def allow(self, key: str) -> bool:
        now = time.monotonic()
        with self.lock:
            window = self.calls.setdefault(key, deque())
            while window and now - window[0] > 60:
                window.popleft()
            if len(window) >= self.per_minute:
                return False
            window.append(now)
            return True


def _rate_limit(request: Request, token: str | None) -> None:
    limiter: RateLimiter = request.app.state.rate_limiter
    key = f"t:{token}" if token else f"ip:{request.client.host if request.client else '-'}"
    if not limiter.allow(key):
        raise ApiError(429, "rate_limited", "请求过于频繁，请稍后再试 (rate limit exceeded)")


RoleDep = Annotated[Role, Depends(get_role)]
TeacherDep = Annotated[Role, Depends(require_teacher)]
ServiceDep = Annotated[KnowledgeService, Depends(get_service)]
