"""Request dependencies: the service on app state, the caller's role, and rate limiting.

Rate limits (the `limits` library, sliding window counter): a request with a valid token counts against that
token from that client address; any other request — anonymous, or with a wrong token — counts against
the client's address alone, so guessing tokens is limited like everything else. The address is the peer's, or the X-Forwarded-For
entry a configured proxy (KB_TRUSTED_PROXIES) vouches for. The store is KB_RATE_LIMIT_STORAGE:
`memory://` per process (keys expire with their window), or `redis://…` shared by several workers.
"""
from __future__ import annotations

import hashlib
import hmac
import ipaddress
from typing import Annotated

from fastapi import Depends, Request
from limits import RateLimitItemPerMinute
from limits.storage import storage_from_string
from limits.strategies import SlidingWindowCounterRateLimiter

from api.errors import ApiError
from index.access import Role
from kb.errors import ConfigError
from kb.settings import Settings
from qa.service import KnowledgeService

__all__ = ["Role", "RateLimiter", "get_role", "get_service", "require_teacher", "RoleDep", "TeacherDep",
           "ServiceDep", "OpenRoleDep", "LimitedDep"]


def get_service(request: Request) -> KnowledgeService:
    return request.app.state.service


class RateLimiter:
    """A sliding-window limit of `per_minute` hits per key, in a `limits` storage (its counters expire)."""

    def __init__(self, per_minute: int, *, storage: str = "memory://", trusted_proxies: str = "") -> None:
        try:
            self.storage = storage_from_string(storage)
        except Exception as exc:  # noqa: BLE001 - a missing client package (redis) or a bad URI
            raise ConfigError(f"KB_RATE_LIMIT_STORAGE={storage!r}: {exc}") from exc
        self.limiter = SlidingWindowCounterRateLimiter(self.storage)
        self.item = RateLimitItemPerMinute(per_minute)
        self.proxies = [ipaddress.ip_network(p.strip(), strict=False) for p in trusted_proxies.split(",") if p.strip()]

    @classmethod
    def from_settings(cls, settings: Settings) -> "RateLimiter":
        return cls(settings.rate_limit_per_minute, storage=settings.rate_limit_storage,
                   trusted_proxies=settings.trusted_proxies)

    def allow(self, key: str) -> bool:
        return self.limiter.hit(self.item, "kb", key)

    def client_address(self, request: Request) -> str:
        """The peer's address; behind a trusted proxy, the last X-Forwarded-For entry no trusted proxy added."""
        peer = request.client.host if request.client else "-"
        if not self._trusted(peer):
            return peer
        chain = [a.strip() for a in request.headers.get("x-forwarded-for", "").split(",") if a.strip()]
        for address in reversed(chain):
            if not self._trusted(address):
                return address
        return peer

    def _trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in net for net in self.proxies)


def _token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return request.headers.get("x-api-token") or None


def _same(token: str, expected: str | None) -> bool:
    # bytes, not str: compare_digest refuses non-ASCII strings (a "tést" token must be a 401, not a 500)
    return bool(expected) and hmac.compare_digest(token.encode("utf-8", "surrogateescape"), expected.encode("utf-8"))


def _identify(request: Request) -> tuple[Role | None, str | None]:
    """(role of a valid token, or None) and the token."""
    settings = request.app.state.settings
    token = _token(request)
    if token and _same(token, settings.teacher_token):
        return Role.TEACHER, token
    if token and _same(token, settings.trainee_token):
        return Role.TRAINEE, token
    return None, token


def _limit(request: Request, role: Role | None, token: str | None) -> None:
    limiter: RateLimiter = request.app.state.rate_limiter
    key = "ip:" + limiter.client_address(request)
    if role is not None:  # a shared trainee token still leaves each client its own window
        key += ":t:" + hashlib.sha256(token.encode("utf-8")).hexdigest()[:16]
    if not limiter.allow(key):
        raise ApiError(429, "rate_limited", "请求过于频繁，请稍后再试 (rate limit exceeded)")


def get_role(request: Request) -> Role:
    role, token = _identify(request)
    _limit(request, role, token)
    if role is not None:
        return role
    if token:
        raise ApiError(401, "invalid_token", "令牌无效 (invalid API token)")
    if request.app.state.settings.trainee_token:
        raise ApiError(401, "token_required", "需要学员或教师令牌 (API token required)")
    return Role.TRAINEE


def open_role(request: Request) -> Role:
    """For routes open to everyone (health): rate limited like the rest; a missing or wrong token is
    answered, with what an anonymous trainee may see."""
    role, token = _identify(request)
    _limit(request, role, token)
    return role or Role.TRAINEE


def rate_limited(request: Request) -> None:
    role, token = _identify(request)
    _limit(request, role, token)


def require_teacher(role: Annotated[Role, Depends(get_role)], request: Request) -> Role:
    if role is not Role.TEACHER:
        if not request.app.state.settings.teacher_token:
            raise ApiError(403, "teacher_disabled", "未配置教师令牌 KB_TEACHER_TOKEN，该功能不可用 (teacher role not configured)")
        raise ApiError(403, "teacher_only", "仅限教师使用 (teachers only): 请在请求头提供教师令牌")
    return role


RoleDep = Annotated[Role, Depends(get_role)]
OpenRoleDep = Annotated[Role, Depends(open_role)]
LimitedDep = Annotated[None, Depends(rate_limited)]
TeacherDep = Annotated[Role, Depends(require_teacher)]
ServiceDep = Annotated[KnowledgeService, Depends(get_service)]
