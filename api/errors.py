"""One JSON error shape for every endpoint: {"error": {"code": ..., "message": ...}}, honest status codes."""
from __future__ import annotations

import logging

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from kb.errors import EmbedderMismatch, IndexNotBuilt, IngestError, KBError

log = logging.getLogger("kb.api")

_STATUS = {IndexNotBuilt: 503, EmbedderMismatch: 503, IngestError: 422}
_CODE_STATUS = {"unsupported_type": 415, "file_too_large": 413, "body_too_large": 413, "empty_file": 422,
                "bad_upload": 422}  # UploadRejected: one class, the status follows its code


class ApiError(HTTPException):
    """An HTTP error with a stable code and a Chinese/English message."""

    def __init__(self, status: int, code: str, message: str, **extra) -> None:
        super().__init__(status_code=status, detail=message)
        self.code = code
        self.extra = extra  # more fields of the error object, e.g. the existing document of a duplicate


def error_body(code: str, message: str, **extra) -> dict:
    return {"error": {"code": code, "message": message, **extra}}


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError):
        return JSONResponse(error_body(exc.code, exc.detail, **exc.extra), status_code=exc.status_code,
                            headers=getattr(exc, "headers", None))

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_: Request, exc: StarletteHTTPException):
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        message = {404: "资源不存在 (not found)", 405: "不支持的请求方法 (method not allowed)"}.get(
            exc.status_code, str(exc.detail))
        return JSONResponse(error_body(code, message), status_code=exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError):
        fields = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
            fields.append({"field": where, "message": err.get("msg", "")})
        summary = "; ".join(f"{f['field']}: {f['message']}" for f in fields[:5])
        return JSONResponse(error_body("invalid_request", f"请求参数无效 (invalid request): {summary}",
                                       fields=fields), status_code=422)

    @app.exception_handler(KBError)
    async def _kb_error(_: Request, exc: KBError):
        status = _CODE_STATUS.get(exc.code) or _STATUS.get(type(exc), 400)
        return JSONResponse(error_body(exc.code, str(exc)), status_code=status)

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception):
        log.exception("unhandled error", exc_info=exc)
        return JSONResponse(error_body("internal_error", "服务器内部错误，请稍后重试 (internal error)"),
                            status_code=500)
