"""Request-body limits: a cap on every body at the server, and an upload form read only after auth.

An anonymous 300 MB upload used to be read in full (271 MB written to the temporary folder) before
its 401, because FastAPI parses File/Form parameters before dependencies run (issue 10, #5). Now:
- `BodyLimit` (ASGI middleware) answers 413 when Content-Length exceeds the route's cap, and counts
  the bytes of chunked bodies as they arrive;
- the upload route declares no body parameters, so the teacher check runs first, and it reads the
  multipart stream itself with `read_upload_form`: a file of an unsupported type is refused at its
  headers, and one over KB_MAX_UPLOAD_MB as soon as its bytes pass the limit.
"""
from __future__ import annotations

import json

from fastapi import Request
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import ApiError, error_body
from ingest.uploads import MAX_FILES, Incoming, body_limit, check_type, too_large
from kb.errors import UploadRejected

MAX_OTHER_BODY = 1 << 20  # every other route takes a short JSON body (a question is ≤ KB_MAX_QUESTION_CHARS)
MAX_FIELD_BYTES = 4096  # form fields (type, access, title, …) are short
UPLOAD_ROUTE = ("POST", "/api/documents")


class BodyLimit:
    """Reject bodies over the route's cap with 413 before (Content-Length) or while (chunked) they arrive."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        settings = scope["app"].state.settings  # read per request: tests and operators may lower a limit
        limit = (body_limit(settings.max_upload_mb, settings.max_body_mb)
                 if (scope["method"], scope["path"].rstrip("/")) == UPLOAD_ROUTE else MAX_OTHER_BODY)
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None:
            if not declared.strip().isdigit():
                await _reply(send, 400, "bad_request", "Content-Length 无效 (invalid Content-Length)")
                return
            if int(declared) > limit:
                await _reply(send, 413, "body_too_large", _too_large_message(limit))
                return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:  # an HTTPException, so FastAPI's own body reading passes it on as is
                    raise ApiError(413, "body_too_large", _too_large_message(limit))
            return message

        await self.app(scope, counted, send)


def _too_large_message(limit: int) -> str:
    return (f"请求体超过 {limit >> 20} MB (request body too large): "
            "请减少单次上传的文件数量或大小 (KB_MAX_BODY_MB / KB_MAX_UPLOAD_MB)")


async def _reply(send: Send, status: int, code: str, message: str) -> None:
    body = json.dumps(error_body(code, message), ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


class _UploadParser(MultiPartParser):
    """Starlette's multipart parser, refusing a file at its headers (type) or its first byte over the limit."""

    def __init__(self, *args, max_file_bytes: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.max_file_bytes = max_file_bytes
        self._sizes: dict[int, int] = {}

    def on_headers_finished(self) -> None:
        super().on_headers_finished()
        upload = self._current_part.file
        if upload is not None:
            check_type(upload.filename or "")

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        upload = self._current_part.file
        if upload is not None:
            size = self._sizes.get(id(upload), 0) + (end - start)
            self._sizes[id(upload)] = size
            if size > self.max_file_bytes:
                raise too_large(upload.filename or "", self.max_file_bytes)
        super().on_part_data(data, start, end)


async def read_upload_form(request: Request, *, max_file_bytes: int) -> tuple[list[Incoming], dict[str, str], list]:
    """(files, fields, closables) of a multipart upload, within the limits; call only after auth.

    The caller closes the closables (temporary files) when it has copied the files.
    """
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith("multipart/form-data"):
        raise UploadRejected("bad_upload", "请以 multipart/form-data 上传文件 (expected a multipart form with files)")
    parser = _UploadParser(request.headers, request.stream(), max_files=MAX_FILES, max_fields=20,
                           max_part_size=MAX_FIELD_BYTES, max_file_bytes=max_file_bytes)
    try:
        form = await parser.parse()
    except MultiPartException as exc:
        raise UploadRejected("bad_upload", f"上传表单无效 (invalid multipart form): {exc.message}; "
                                           f"每次最多 {MAX_FILES} 个文件") from exc
    files, fields, closables = [], {}, []
    for key, value in form.multi_items():
        if isinstance(value, UploadFile):
            closables.append(value)
            if key == "files":
                files.append(Incoming(value.filename or "", value.size or 0, value.file))
        else:
            fields[key] = value
    return files, fields, closables
