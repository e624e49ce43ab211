"""Documents: list, view (cleaned text with chunk anchors), upload and delete (teachers; background jobs)."""
from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Literal

import yaml
from fastapi import APIRouter, File, Form, Request, UploadFile

from api.deps import Role, RoleDep, ServiceDep, TeacherDep
from api.errors import ApiError
from api.jobs import JobStore
from ingest.loaders import SUPPORTED
from ingest.pipeline import folder_label

router = APIRouter(prefix="/api", tags=["documents 文档"])
_DOC_ID = re.compile(r"^[0-9a-f]{16}$")
_UNSAFE = re.compile(r"[\x00-\x1f/\\:*?\"<>|]+")


def _load_visible(service, doc_id: str, role: Role):
    served = _DOC_ID.match(doc_id) and doc_id in service.kbase.keyword_index(role).doc_ids
    doc = service.kbase.docstore.load(doc_id) if served else None
    if doc is None or not role.can_see({"access": doc.meta.access}):
        # internal documents answer 404 to trainees: not even their existence leaks; a document an interrupted
        # ingest left unlisted is not served either
        raise ApiError(404, "document_not_found", f"文档不存在 (no document {doc_id})")
    return doc


# sync routes (run in the threadpool): a role's index view may be built on first use
@router.get("/documents", summary="文档列表 (list documents)")
def list_documents(request: Request, role: RoleDep, service: ServiceDep):
    settings = request.app.state.settings
    uploads = folder_label(settings.uploads_dir.resolve(), settings.data_dir)
    uploaded = {e.get("doc_id") for e in service.kbase.docstore.read_manifest().get("files", {}).values()
                if e.get("root") == uploads}
    docs: OrderedDict[str, dict] = OrderedDict()
    for record in service.kbase.keyword_index(role).records:
        m = record.meta
        entry = docs.setdefault(m["doc_id"], {
            "doc_id": m["doc_id"], "title": m.get("title"), "type": m.get("type"), "category": m.get("category"),
            "author": m.get("author"), "cohort": m.get("cohort"), "date": m.get("date"), "access": m.get("access"),
            "pishi": m.get("pishi"), "topics": [t for t in (m.get("topics") or "").split("|") if t],
            "source": m.get("source"), "chunks": 0, "ideas": 0, "uploaded": m["doc_id"] in uploaded,
        })
        entry["ideas" if m.get("kind") == "idea" else "chunks"] += 1
    return {"documents": sorted(docs.values(), key=lambda d: (d["type"] or "", d["date"] or ""), reverse=False)}


@router.get("/documents/{doc_id}", summary="文档全文与段落锚点 (cleaned text with chunk anchors)")
def get_document(doc_id: str, role: RoleDep, service: ServiceDep):
    doc = _load_visible(service, doc_id, role)
    data = doc.to_json()
    data["chunks"] = [{k: c[k] for k in ("chunk_id", "kind", "start", "end", "section", "page", "idea_no", "idea_title")}
                      for c in data["chunks"]]
    return data


@router.delete("/documents/{doc_id}", status_code=202, summary="删除上传的文档 (teachers only; a background job)")
def delete_document(doc_id: str, request: Request, _: TeacherDep, service: ServiceDep):
    doc = _load_visible(service, doc_id, Role.TEACHER)
    settings = request.app.state.settings
    uploads = folder_label(settings.uploads_dir.resolve(), settings.data_dir)
    entry = next((e for e in service.kbase.docstore.read_manifest().get("files", {}).values()
                  if e.get("doc_id") == doc_id), None)
    if entry is None or entry.get("root") != uploads:
        raise ApiError(409, "not_an_upload",
                       "该文档来自资料目录 corpus/，请删除源文件后重新运行 kb ingest (delete the source file, then re-ingest)")
    job = request.app.state.jobs.delete(service, doc_id, settings.uploads_dir / entry["path"])
    return {"job_id": job["job_id"], "status": job["status"], "deleted": doc_id, "title": doc.meta.title,
            "status_url": f"/api/jobs/{job['job_id']}"}


@router.post("/documents", status_code=202, summary="上传资料并后台导入 (teachers only)")
async def upload(
    request: Request, _: TeacherDep, service: ServiceDep,
    files: list[UploadFile] = File(..., description=".md .txt .pdf .docx"),
    # every field is optional: only the ones given override the file's own front matter
    type: Literal["lecture", "case", "report"] | None = Form(None),  # noqa: A002 - API name
    access: Literal["public", "internal"] | None = Form(None),
    title: str | None = Form(None, max_length=200), cohort: str | None = Form(None, max_length=50),
    date: str | None = Form(None, max_length=20), topics: str | None = Form(None, max_length=200),
    pishi: bool | None = Form(None),
    replace: bool = Form(False, description="同内容的已有上传文档被替换 (replace an upload with the same content)"),
):
    settings = request.app.state.settings
    limit = settings.max_upload_mb * 1024 * 1024
    if not files or len(files) > 20:
        raise ApiError(422, "bad_upload", "请上传 1–20 个文件 (upload 1 to 20 files)")
    saved: list[dict] = []
    settings.uploads_dir.mkdir(parents=True, exist_ok=True)
    existing = _uploaded_by_hash(settings, service)
    duplicates: list[dict] = []
    for upload_file in files:
        name = safe_filename(upload_file.filename or "")
        suffix = Path(name).suffix.lower()
        if suffix not in SUPPORTED:
            raise ApiError(415, "unsupported_type",
                           f"{upload_file.filename}: 不支持的文件类型 (unsupported type); 支持 {', '.join(sorted(SUPPORTED))}")
        data = await upload_file.read(limit + 1)
        if len(data) > limit:
            raise ApiError(413, "file_too_large", f"{upload_file.filename}: 文件超过 {settings.max_upload_mb} MB (file too large)")
        same = existing.get(hashlib.sha256(data).hexdigest())
        if same is not None:
            duplicates.append({"file": upload_file.filename, **same})
            if not replace:
                continue
            _remove_upload(settings.uploads_dir / same["stored_as"])  # the next ingest drops its document
        target = _unique(settings.uploads_dir, name)
        target.write_bytes(data)
        given = {"type": type, "access": access, "pishi": pishi, "title": title if len(files) == 1 else None,
                 "cohort": cohort, "date": date, "topics": topics}
        target.with_name(target.name + ".meta.yaml").write_text(yaml.safe_dump(upload_meta(**given), allow_unicode=True),
                                                                 encoding="utf-8")
        saved.append({"file": upload_file.filename, "stored_as": target.name})
    if duplicates and not replace:
        for entry in saved:  # all or nothing: the other files of this upload are not kept either
            _remove_upload(settings.uploads_dir / entry["stored_as"])
        names = "、".join(d["file"] for d in duplicates)
        raise ApiError(409, "duplicate", f"{names}: 与已上传的文档内容相同，可选择替换 (same content as an uploaded "
                                         f"document; send replace=true to replace it)", duplicates=duplicates)
    job = request.app.state.jobs.submit(service, [s["stored_as"] for s in saved])
    return {"job_id": job["job_id"], "status": job["status"], "files": saved, "replaced": duplicates,
            "status_url": f"/api/jobs/{job['job_id']}"}


@router.get("/jobs/{job_id}", summary="导入任务状态 (upload job status)")
async def job_status(job_id: str, request: Request, _: TeacherDep):
    job = request.app.state.jobs.get(job_id)
    if job is None:
        raise ApiError(404, "job_not_found", f"任务不存在 (no job {job_id})")
    return job


# when neither the form nor the file's front matter says: what uploads always defaulted to
UPLOAD_DEFAULTS = {"type": "report", "access": "internal"}


def upload_meta(**given) -> dict:
    """The sidecar of an upload: the fields given override the file's front matter; `defaults` apply only
    where neither says (ingest.documents merges defaults < front matter < the rest of the sidecar)."""
    meta: dict = {"defaults": dict(UPLOAD_DEFAULTS)}
    meta.update({k: v for k, v in given.items() if v is not None and v != ""})
    return meta


def _uploaded_by_hash(settings, service) -> dict[str, dict]:
    """The uploads folder's files by the sha256 of their content: stored name, document id and title."""
    uploads = folder_label(settings.uploads_dir.resolve(), settings.data_dir)
    docs = {e.get("path"): e for e in service.kbase.docstore.read_manifest().get("files", {}).values()
            if e.get("root") == uploads}
    found: dict[str, dict] = {}
    for path in sorted(settings.uploads_dir.iterdir()):
        if path.is_file() and not path.name.endswith(".meta.yaml") and path.suffix.lower() in SUPPORTED:
            entry = docs.get(path.name, {})
            found.setdefault(hashlib.sha256(path.read_bytes()).hexdigest(), {
                "stored_as": path.name, "doc_id": entry.get("doc_id"), "title": entry.get("title")})
    return found


def _remove_upload(path: Path) -> None:
    path.unlink(missing_ok=True)
    path.with_name(path.name + ".meta.yaml").unlink(missing_ok=True)


def safe_filename(name: str) -> str:
    """The base name only (no directories, no '..'), unsafe characters replaced, at most 120 characters."""
    base = Path(name.replace("\\", "/")).name
    base = _UNSAFE.sub("_", base).strip(" .")
    stem, suffix = Path(base).stem or "upload", Path(base).suffix[:10]
    return (stem[: 120 - len(suffix)] or "upload") + suffix


def _unique(folder: Path, name: str) -> Path:
    target = folder / name
    n = 1
    while target.exists():
        target = folder / f"{Path(name).stem}-{n}{Path(name).suffix}"
        n += 1
    assert target.resolve().parent == folder.resolve()  # never outside the uploads folder
    return target


class Jobs:
    """Background ingest of the uploads folder (and deletes), one at a time; queries keep being answered
    meanwhile. Job state lives in a JobStore in the data directory, so any worker answers GET /api/jobs/{id}."""

    def __init__(self, uploads: Path, *, store: JobStore | None = None) -> None:
        self.uploads = uploads
        self.store = store or JobStore(uploads.parent / "jobs")
        self.lock = threading.Lock()

    def submit(self, service, files: list[str]) -> dict:
        job = self.store.create(files={f: "queued" for f in files})
        threading.Thread(target=self._run, args=(service, job), daemon=True).start()
        return job

    def get(self, job_id: str) -> dict | None:
        return self.store.get(job_id)

    def ingest_now(self, service):
        with self.lock:
            return service.kbase.ingest(self.uploads)

    def delete(self, service, doc_id: str, path: Path) -> dict:
        """Remove one uploaded document: its file, then its entries (no re-ingest of anything else)."""
        job = self.store.create(kind="delete", doc_id=doc_id)
        threading.Thread(target=self._run_delete, args=(service, job, path), daemon=True).start()
        return job

    def _run_delete(self, service, job: dict, path: Path) -> None:
        job["status"] = "running"
        self.store.save(job)
        try:
            with self.lock:
                path.unlink(missing_ok=True)  # first: were the process killed now, the next ingest removes the rest
                path.with_name(path.name + ".meta.yaml").unlink(missing_ok=True)
                removed = service.kbase.remove_document(job["doc_id"])
        except Exception as exc:  # noqa: BLE001 - the job records the failure for the teacher to see
            job["status"], job["error"] = "failed", str(exc)[:500]
        else:
            job["status"], job["removed"] = "done", [removed["source"]] if removed else []
        self.store.save(job)

    def _run(self, service, job: dict) -> None:
        job["status"] = "running"
        self.store.save(job)
        try:
            report = self.ingest_now(service)
        except Exception as exc:  # noqa: BLE001 - the job records the failure for the teacher to see
            job["status"], job["error"] = "failed", str(exc)
            self.store.save(job)
            return
        failed = dict(report.failed)
        for name in job["files"]:
            if name in failed:
                job["files"][name] = f"failed: {failed[name]}"
            elif name in report.added or name in report.updated:
                job["files"][name] = "ingested"
            elif name in report.unchanged:
                job["files"][name] = "unchanged"
        job["status"] = "done"
        job["chunks_total"] = report.chunks_total
        self.store.save(job)
