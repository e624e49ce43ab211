"""Documents: list (filtered), view (cleaned text with chunk anchors), chunks; upload, metadata edit and delete
(teachers; background jobs)."""
from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Literal

from fastapi import APIRouter, Query, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field, ValidationError
from starlette.concurrency import run_in_threadpool

from api.deps import Role, RoleDep, ServiceDep, TeacherDep
from api.errors import ApiError
from api.limits import read_upload_form
from api.schemas import DocumentPatch
from index import catalog
from index.filters import Filters
from ingest.loaders import SUPPORTED
from ingest.pipeline import content_hash, content_stamp, folder_label
from ingest.uploads import UploadMeta
from kb.errors import clip

router = APIRouter(prefix="/api", tags=["documents 文档"])
_DOC_ID = re.compile(r"^[0-9a-f]{16}$")


def _load_visible(service, doc_id: str, role: Role):
    served = _DOC_ID.match(doc_id) and doc_id in service.kbase.keyword_index(role).doc_ids
    doc = service.kbase.docstore.load(doc_id) if served else None
    if doc is None or not role.can_see({"access": doc.meta.access}):
        # internal documents answer 404 to trainees: not even their existence leaks; a document an interrupted
        # ingest left unlisted is not served either
        raise ApiError(404, "document_not_found", f"文档不存在 (no document {doc_id})")
    return doc


def _upload_entries(settings, service) -> list[dict]:
    """The manifest entries of the uploads folder's documents (a corpus folder's are not the server's to change)."""
    uploads = folder_label(settings.uploads_dir.resolve(), settings.data_dir)
    return [e for e in service.kbase.docstore.read_manifest().get("files", {}).values() if e.get("root") == uploads]


def _uploaded_ids(request: Request, service) -> set[str]:
    return {e.get("doc_id") for e in _upload_entries(request.app.state.settings, service)}


def _upload_entry(request: Request, service, doc_id: str, *, corpus_message: str) -> dict:
    """The manifest entry of an uploaded document; 409 for a file of a corpus folder (the server does not
    write into a teacher's source folder: the file is changed there and re-ingested with kb ingest)."""
    entry = next((e for e in _upload_entries(request.app.state.settings, service) if e.get("doc_id") == doc_id), None)
    if entry is None:
        raise ApiError(409, "not_an_upload", corpus_message)
    return entry


# sync routes (run in the threadpool): a role's index view may be built on first use
@router.get("/documents", summary="文档列表，可按类型、班次、年份、权限、批示筛选 (list documents, filtered)")
def list_documents(
    request: Request, role: RoleDep, service: ServiceDep,
    type: list[Literal["lecture", "case", "report"]] | None = Query(None),  # noqa: A002 - API name
    cohort: str | None = Query(None, max_length=50), year: int | None = Query(None, ge=1949, le=2100),
    access: Literal["public", "internal"] | None = None, pishi: bool | None = None,
):
    filters = role.scope(Filters(types=tuple(type or ()), cohort=cohort, year_from=year, year_to=year,
                                 access=(access,) if access else (), pishi=pishi))
    if access and filters.access != (access,):  # a trainee asking for internal documents: there are none to see
        return {"documents": [], "values": catalog.known_values(service.kbase.keyword_index(role).records)}
    records = service.kbase.keyword_index(role).records
    return {"documents": catalog.summaries(records, filters=filters, uploaded=_uploaded_ids(request, service)),
            "values": catalog.known_values(records)}


@router.get("/documents/{doc_id}", summary="文档全文与段落锚点 (cleaned text with chunk anchors)")
def get_document(doc_id: str, role: RoleDep, service: ServiceDep):
    doc = _load_visible(service, doc_id, role)
    data = doc.to_json()
    data["chunks"] = [{k: c[k] for k in ("chunk_id", "kind", "start", "end", "section", "page", "idea_no", "idea_title")}
                      for c in data["chunks"]]
    return data


@router.get("/documents/{doc_id}/chunks", summary="文档切分成的段落 (the chunks a document was split into)")
def document_chunks(doc_id: str, role: RoleDep, service: ServiceDep):
    doc = _load_visible(service, doc_id, role)
    return {"doc_id": doc.doc_id, "title": doc.meta.title, "source": doc.source, "chunks": [
        {"chunk_id": c.chunk_id, "ordinal": c.ordinal, "kind": c.kind, "section": c.section, "page": c.page,
         "start": c.start, "end": c.end, "chars": len(c.text), "text": c.text, "idea_no": c.idea_no or None,
         "idea_title": c.idea_title or None, "embedded_as": c.embed_text(doc.meta.title)}
        for c in doc.chunks]}


@router.patch("/documents/{doc_id}", status_code=202,
              summary="修改上传文档的元数据并重新索引 (teachers only; a background job)")
def edit_document(doc_id: str, body: DocumentPatch, request: Request, _: TeacherDep, service: ServiceDep):
    _load_visible(service, doc_id, Role.TEACHER)
    changes = body.changes()
    if not changes:
        raise ApiError(422, "empty_patch", "没有要修改的字段 (no field to change): "
                                           "title, type, cohort, date, topics, access, pishi")
    entry = _upload_entry(request, service, doc_id, corpus_message=(
        "该文档来自资料目录 corpus/，请在源文件开头的元数据（或旁边的 .meta.yaml）中修改后重新运行 kb ingest "
        "(a corpus file: edit its front matter or sidecar, then re-ingest)"))
    path = request.app.state.settings.uploads_dir / entry["path"]
    job = request.app.state.jobs.edit(service.kbase, doc_id, path, changes)
    return {"job_id": job["job_id"], "status": job["status"], "doc_id": doc_id, "changes": changes,
            "status_url": f"/api/jobs/{job['job_id']}"}


@router.delete("/documents/{doc_id}", status_code=202, summary="删除上传的文档 (teachers only; a background job)")
def delete_document(doc_id: str, request: Request, _: TeacherDep, service: ServiceDep):
    doc = _load_visible(service, doc_id, Role.TEACHER)
    entry = _upload_entry(request, service, doc_id, corpus_message=(
        "该文档来自资料目录 corpus/，请删除源文件后重新运行 kb ingest (delete the source file, then re-ingest)"))
    settings = request.app.state.settings
    job = request.app.state.jobs.delete(service.kbase, doc_id, settings.uploads_dir / entry["path"])
    return {"job_id": job["job_id"], "status": job["status"], "deleted": doc_id, "title": doc.meta.title,
            "status_url": f"/api/jobs/{job['job_id']}"}


_UPLOAD_FORM = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["files"], "properties": {
        "files": {"type": "array", "items": {"type": "string", "format": "binary"}, "description": ".md .txt .pdf .docx .pptx .html .htm"},
        "type": {"type": "string", "enum": ["lecture", "case", "report"]},
        "access": {"type": "string", "enum": ["public", "internal"]},
        "title": {"type": "string", "maxLength": 200}, "cohort": {"type": "string", "maxLength": 50},
        "date": {"type": "string", "maxLength": 20}, "topics": {"type": "string", "maxLength": 200},
        "pishi": {"type": "boolean"},
        "replace": {"type": "boolean", "default": False,
                    "description": "同内容的已有上传文档被替换 (replace an upload with the same content)"}}}}}}}


class UploadFields(BaseModel):
    """The form fields beside the files. Every field is optional: only the ones given override the file's
    own front matter (ingest.uploads.UPLOAD_DEFAULTS apply where neither says)."""

    type: Literal["lecture", "case", "report"] | None = None
    access: Literal["public", "internal"] | None = None
    title: str | None = Field(None, max_length=200)
    cohort: str | None = Field(None, max_length=50)
    date: str | None = Field(None, max_length=20)
    topics: str | None = Field(None, max_length=200)
    pishi: bool | None = None
    replace: bool = False


@router.post("/documents", status_code=202, summary="上传资料并后台导入 (teachers only)", openapi_extra=_UPLOAD_FORM)
async def upload(request: Request, _: TeacherDep, service: ServiceDep):
    # no File/Form parameters: FastAPI would read the whole body before the teacher check above
    settings = request.app.state.settings
    max_bytes = settings.max_upload_mb << 20
    files, fields, closables = await read_upload_form(request, max_file_bytes=max_bytes)
    try:
        try:
            meta = UploadFields(**{k: v for k, v in fields.items() if v != ""})
        except ValidationError as exc:
            raise RequestValidationError(exc.errors()) from exc
        duplicates = await run_in_threadpool(_duplicates, settings, service, files)
        if duplicates and not meta.replace:
            names = "、".join(d["file"] for d in duplicates)
            raise ApiError(409, "duplicate", f"{names}: 与已上传的文档内容相同，可选择替换 (same content as an uploaded "
                                             f"document; send replace=true to replace it)", duplicates=duplicates)
        for dup in duplicates:  # replace: the old upload goes first, so the new file is not taken for a duplicate
            _remove_upload(settings.uploads_dir / dup["stored_as"])
            if dup.get("doc_id"):
                await run_in_threadpool(service.kbase.remove_document, dup["doc_id"])
        given = meta.model_dump(exclude={"replace"})
        batch, staged = await run_in_threadpool(request.app.state.uploads.stage, files, UploadMeta(**given),
                                                max_bytes=max_bytes)
    finally:
        for closable in closables:
            await closable.close()
    job = request.app.state.jobs.submit(service.kbase, batch, staged)
    return {"job_id": job["job_id"], "status": job["status"], "status_url": f"/api/jobs/{job['job_id']}",
            "files": [{"file": s.file, "stored_as": s.stored_as} for s in staged], "replaced": duplicates}


def _duplicates(settings, service, files) -> list[dict]:
    """Files of this upload whose content equals an upload already stored: name, stored name, id, title."""
    if not settings.uploads_dir.exists():
        return []
    existing = _uploaded_by_hash(settings, service)
    found = []
    for incoming in files:
        digest = hashlib.sha256()
        for block in iter(lambda: incoming.file.read(1 << 20), b""):
            digest.update(block)
        incoming.file.seek(0)
        same = existing.get(digest.hexdigest())
        if same is not None:
            found.append({"file": incoming.filename, **same})
    return found


@router.get("/jobs/{job_id}", summary="导入任务状态 (upload job status)")
async def job_status(job_id: str, request: Request, _: TeacherDep):
    job = request.app.state.jobs.get(job_id)
    if job is None:
        raise ApiError(404, "job_not_found", f"任务不存在 (no job {clip(job_id, 40)})")
    return job


def _uploaded_by_hash(settings, service) -> dict[str, dict]:
    """The uploads folder's files by the sha256 of their content: stored name, document id and title.

    Ingested files carry their content hash in the manifest; only files not (yet) ingested are read."""
    docs = {e.get("path"): e for e in _upload_entries(settings, service)}
    found: dict[str, dict] = {}
    for path in sorted(settings.uploads_dir.iterdir()):
        if path.is_file() and not path.name.endswith(".meta.yaml") and path.suffix.lower() in SUPPORTED:
            entry = docs.get(path.name, {})
            fresh = entry.get("content_sha256") and entry.get("content_stamp") == content_stamp(path)
            digest = entry["content_sha256"] if fresh else content_hash(path)
            found.setdefault(digest, {"stored_as": path.name, "doc_id": entry.get("doc_id"),
                                      "title": entry.get("title")})
    return found


def _remove_upload(path: Path) -> None:
    path.unlink(missing_ok=True)
    path.with_name(path.name + ".meta.yaml").unlink(missing_ok=True)
