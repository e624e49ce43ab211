"""Uploads: validate every file, then write them all, then one job; shared by the API and `kb upload`.

- `validate` checks names, types, sizes and the count of all files before anything is written, so a
  rejected second file leaves nothing behind (issue 10, #6);
- `UploadService.stage` writes them to `KB_DATA_DIR/incoming/<job>/` under reserved names: not yet
  in `uploads/`, so no other job's ingest takes them and reports them as its own (#8);
- `Jobs` runs one job at a time: a file with the same bytes and metadata as an indexed document is
  dropped as a duplicate, the rest move into `uploads/` and are ingested with quarantine, and each
  file's result says what happened: ingested, duplicate of X, quarantined: reason, failed: reason;
- an edit of an upload's metadata (`Jobs.edit`) is written into its `.meta.yaml` sidecar, which outranks
  the file's front matter, and the uploads folder is ingested again (the changed sidecar changes the file's
  hash, so only that document is re-embedded; its id stays). A re-ingest that fails puts the old sidecar back.

Uploaded names are indexed whatever they look like (`_private.md`, `README.md`): the corpus
conventions that skip such names are for authors of a corpus folder, not for files a teacher chose (#7).
"""
from __future__ import annotations

import copy
import fcntl
import os
import re
import shutil
import threading
import time
import uuid
from collections import OrderedDict
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

import yaml

from ingest.jobs import JobStore
from ingest.loaders import SUPPORTED
from ingest.metadata import read_sidecar, sidecar_path
from ingest.pipeline import IngestReport, file_hash
from ingest.quarantine import Quarantine
from kb.errors import UploadRejected, clip
from kb.threads import start_background

MAX_FILES = 20  # files per upload request
# where neither the form nor the file's front matter says: what uploads always defaulted to (internal, so a file
# without front matter is never shown to trainees by accident)
UPLOAD_DEFAULTS = {"type": "report", "access": "internal"}
MAX_JOBS = 500  # finished jobs remembered (oldest forgotten first)
FORM_OVERHEAD_BYTES = 1 << 20  # multipart headers and form fields around the files of one request
STALE_SECONDS = 6 * 3600  # a staged batch this old lost its job (a restart); other workers' batches are younger
_UNSAFE = re.compile(r"[\x00-\x1f/\\:*?\"<>|]+")


@dataclass(frozen=True)
class Incoming:
    """One file of an upload as received: the name sent, its size, and a readable file at offset 0."""

    filename: str
    size: int
    file: BinaryIO


@dataclass(frozen=True)
class UploadMeta:
    """What the upload form says; a field left out (None) leaves the file's own front matter in charge."""

    type: str | None = None
    access: str | None = None
    pishi: bool | None = None
    title: str | None = None
    cohort: str | None = None
    date: str | None = None
    topics: str | None = None

    def sidecar(self, *, single: bool) -> dict:
        """The `.meta.yaml` of one file: the fields given override the file's front matter; `defaults` apply
        only where neither says (ingest.documents merges defaults < front matter < the rest of the sidecar).
        A title applies only to a single-file upload."""
        meta: dict = {"defaults": dict(UPLOAD_DEFAULTS)}
        for key in ("type", "access", "pishi", "title", "cohort", "date", "topics"):
            value = getattr(self, key)
            if value is not None and value != "" and (key != "title" or single):
                meta[key] = value
        return meta


@dataclass(frozen=True)
class Staged:
    file: str  # the name as sent
    stored_as: str  # the name in uploads/
    path: Path  # where it waits in incoming/


class Index(Protocol):
    """What a job needs of the knowledge base (index.kbindex.KnowledgeBase)."""

    docstore: object

    def ingest(self, folder, **options) -> IngestReport: ...

    def remove_document(self, doc_id: str) -> dict | None: ...


EDITABLE = ("title", "type", "cohort", "date", "topics", "access", "pishi")


def edit_sidecar(path: Path, changes: dict) -> str | None:
    """Merge `changes` (keys of EDITABLE) into the file's sidecar, keeping its other keys (`defaults`, notes),
    written atomically; returns the sidecar's previous text (None when it had none)."""
    side = sidecar_path(path)
    old = side.read_text(encoding="utf-8") if side.exists() else None
    meta = read_sidecar(path, path.name)
    meta.update({k: v for k, v in changes.items() if k in EDITABLE})
    tmp = side.with_name(f".{side.name}.tmp")  # hidden: an ingest running meanwhile does not list it
    tmp.write_text(yaml.safe_dump(meta, allow_unicode=True, sort_keys=False), encoding="utf-8")
    os.replace(tmp, side)
    return old


def restore_sidecar(path: Path, old: str | None) -> None:
    side = sidecar_path(path)
    if old is None:
        side.unlink(missing_ok=True)
    else:
        side.write_text(old, encoding="utf-8")


def safe_filename(name: str) -> str:
    """The base name only (no directories, no '..'), unsafe characters replaced, at most 120 characters."""
    base = Path(name.replace("\\", "/")).name
    base = _UNSAFE.sub("_", base).strip(" .")
    stem, suffix = Path(base).stem or "upload", Path(base).suffix[:10]
    return (stem[: 120 - len(suffix)] or "upload") + suffix


def check_type(filename: str) -> str:
    """The safe name of a file of a supported type; UploadRejected (415) otherwise."""
    name = safe_filename(filename)
    if Path(name).suffix.lower() not in SUPPORTED:
        raise UploadRejected("unsupported_type", f"{clip(filename)}: 不支持的文件类型 (unsupported type); "
                                                 f"支持 {', '.join(sorted(SUPPORTED))}")
    return name


def too_large(filename: str, max_bytes: int) -> UploadRejected:
    return UploadRejected("file_too_large", f"{clip(filename)}: 文件超过 {max_bytes >> 20} MB (file too large): "
                                            "请拆分或压缩图片后重新上传")


def validate(files: list[Incoming], *, max_bytes: int, max_files: int = MAX_FILES) -> list[str]:
    """Safe names of all files, or UploadRejected for the first bad one; nothing is written either way."""
    if not files or len(files) > max_files:
        raise UploadRejected("bad_upload", f"请上传 1–{max_files} 个文件 (upload 1 to {max_files} files)")
    names = []
    for incoming in files:
        names.append(check_type(incoming.filename))
        if incoming.size > max_bytes:
            raise too_large(incoming.filename, max_bytes)
        if incoming.size == 0:
            raise UploadRejected("empty_file", f"{clip(incoming.filename)}: 文件为空 (empty file): 请检查后重新上传")
    return names


def body_limit(max_upload_mb: int, max_body_mb: int | None) -> int:
    """Largest upload request in bytes: KB_MAX_BODY_MB, or what MAX_FILES files of the largest size need."""
    if max_body_mb:
        return max_body_mb << 20
    return (max_upload_mb << 20) * MAX_FILES + FORM_OVERHEAD_BYTES


class UploadService:
    """Validate → stage (write all) for one data directory; `Jobs` takes the staged files from here."""

    def __init__(self, *, uploads_dir: Path, incoming_dir: Path, quarantine: Quarantine, max_bytes: int,
                 max_files: int = MAX_FILES) -> None:
        self.uploads_dir = uploads_dir
        self.incoming_dir = incoming_dir
        self.quarantine = quarantine
        self.max_bytes = max_bytes
        self.max_files = max_files
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings) -> "UploadService":
        return cls(uploads_dir=settings.uploads_dir, incoming_dir=settings.incoming_dir,
                   quarantine=Quarantine(settings.quarantine_dir), max_bytes=settings.max_upload_mb << 20)

    def stage(self, files: list[Incoming], meta: UploadMeta, *, max_bytes: int | None = None) -> tuple[str, list[Staged]]:
        """Validate all, then write all to incoming/<batch>/; on any failure nothing stays written."""
        names = validate(files, max_bytes=max_bytes or self.max_bytes, max_files=self.max_files)
        batch = uuid.uuid4().hex[:12]
        folder = self.incoming_dir / batch
        sidecar = yaml.safe_dump(meta.sidecar(single=len(files) == 1), allow_unicode=True)
        staged: list[Staged] = []
        with self._reserved():
            folder.mkdir(parents=True)
            try:
                taken: set[str] = set()
                for incoming, name in zip(files, names):
                    stored = self._unique(name, taken)
                    taken.add(stored)
                    target = folder / stored
                    incoming.file.seek(0)
                    with target.open("xb") as out:
                        shutil.copyfileobj(incoming.file, out, 1 << 20)
                    sidecar_path(target).write_text(sidecar, encoding="utf-8")
                    staged.append(Staged(incoming.filename, stored, target))
            except BaseException:
                shutil.rmtree(folder, ignore_errors=True)
                raise
        return batch, staged

    def remove_stale(self, *, older_than: float = STALE_SECONDS) -> int:
        """Drop staged batches whose job died with its process (jobs finish in minutes); returns how many."""
        if not self.incoming_dir.is_dir():
            return 0
        cutoff, removed = time.time() - older_than, 0
        with self._reserved():
            for folder in self.incoming_dir.iterdir():
                if folder.is_dir() and folder.stat().st_mtime < cutoff:
                    shutil.rmtree(folder, ignore_errors=True)
                    removed += 1
        return removed

    @contextmanager
    def _reserved(self):
        """Names are reserved one batch at a time, across threads and processes sharing the data dir."""
        self.incoming_dir.mkdir(parents=True, exist_ok=True)
        with self._lock, open(self.incoming_dir / ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield

    def _unique(self, name: str, taken: set[str]) -> str:
        waiting = [d for d in self.incoming_dir.iterdir() if d.is_dir()]
        stem, suffix = Path(name).stem, Path(name).suffix
        candidate, n = name, 1
        while (candidate in taken or (self.uploads_dir / candidate).exists()
               or any((d / candidate).exists() for d in waiting)):
            candidate = f"{stem}-{n}{suffix}"
            n += 1
        assert (self.uploads_dir / candidate).resolve().parent == self.uploads_dir.resolve()  # never outside
        return candidate


class Jobs:
    """Upload and delete jobs, one running at a time per process; queries keep being answered meanwhile.

    Every change of a job is also written to the `JobStore` in the data directory (atomically), so any
    worker answers GET /api/jobs/{id}, and the store keeps them bounded."""

    def __init__(self, uploads: UploadService, *, store: JobStore | None = None, max_jobs: int = MAX_JOBS) -> None:
        self.uploads = uploads
        self.store = store or JobStore(uploads.uploads_dir.parent / "jobs")
        self.max_jobs = max_jobs
        self.jobs: OrderedDict[str, dict] = OrderedDict()
        self.lock = threading.RLock()  # one ingest of the uploads folder at a time
        self._state = threading.Lock()  # guards self.jobs and the job dicts

    def _save(self, job: dict) -> None:
        """Persist a job (called with self._state held, so the saved copy is consistent)."""
        self.store.save(copy.deepcopy(job))

    def delete(self, index: Index, doc_id: str, path: Path) -> dict:
        """Remove one uploaded document: its file, then its entries (no re-ingest of anything else)."""
        job = self.store.create(kind="delete", doc_id=doc_id)
        with self._state:
            self.jobs[job["job_id"]] = job
            self._forget_old()
        start_background(self._run_delete, index, job, path, name="upload-delete")
        return self.get(job["job_id"])

    def _run_delete(self, index: Index, job: dict, path: Path) -> None:
        with self._state:
            job["status"] = "running"
            self._save(job)
        try:
            with self.lock:
                path.unlink(missing_ok=True)  # first: were the process killed now, the next ingest removes the rest
                sidecar_path(path).unlink(missing_ok=True)
                removed = index.remove_document(job["doc_id"])
        except Exception as exc:  # noqa: BLE001 - the job records the failure for the teacher to see
            with self._state:
                job["status"], job["error"] = "failed", clip(f"{type(exc).__name__}: {exc}", 500)
                self._save(job)
            return
        with self._state:
            job["status"], job["removed"] = "done", [removed["source"]] if removed else []
            self._save(job)

    def edit(self, index: Index, doc_id: str, path: Path, changes: dict) -> dict:
        """Change an upload's metadata: its sidecar, then a re-ingest of the uploads folder (a background job)."""
        job = self.store.create(kind="edit", doc_id=doc_id, changes=changes)
        with self._state:
            self.jobs[job["job_id"]] = job
            self._forget_old()
        start_background(self._run_edit, index, job, path, name="upload-edit")
        return self.get(job["job_id"])

    def _run_edit(self, index: Index, job: dict, path: Path) -> None:
        with self._state:
            job["status"] = "running"
            self._save(job)
        try:
            with self.lock:
                old = edit_sidecar(path, job["changes"])
                report = self.ingest_uploads(index)
                reason = dict(report.failed).get(path.name)
                if reason is not None:  # the indexed version stays; so does the metadata it was built from
                    restore_sidecar(path, old)
        except Exception as exc:  # noqa: BLE001 - the job records the failure for the teacher to see
            reason = clip(f"{type(exc).__name__}: {exc}", 500)
        with self._state:
            job["status"], job["error"], job["finished"] = ("failed" if reason else "done"), reason, time.time()
            self._save(job)

    def submit(self, index: Index, batch: str, staged: list[Staged], *, background: bool = True) -> dict:
        job = {"job_id": batch, "status": "queued", "created": time.time(), "finished": None, "error": None,
               "files": {s.stored_as: "queued" for s in staged},
               "results": [{"file": s.file, "stored_as": s.stored_as, "status": "queued"} for s in staged]}
        with self._state:
            self.jobs[batch] = job
            self._forget_old()
            self._save(job)
        if background:
            start_background(self._run, index, job, staged, name="upload-ingest")
        else:
            self._run(index, job, staged)
        return self.get(batch)

    def get(self, job_id: str) -> dict | None:
        """This worker's job, else the stored one (a job another worker runs)."""
        with self._state:
            job = self.jobs.get(job_id)
            if job:
                return copy.deepcopy(job)
        return self.store.get(job_id)

    def ingest_uploads(self, index: Index) -> IngestReport:
        """Ingest the uploads folder: every name indexed, new files that fail quarantined."""
        with self.lock:
            self.uploads.uploads_dir.mkdir(parents=True, exist_ok=True)
            return index.ingest(self.uploads.uploads_dir, quarantine=self.uploads.quarantine, conventions=False)

    def _forget_old(self) -> None:
        finished = [k for k, j in self.jobs.items() if j["status"] in ("done", "failed")]
        for key in finished[: max(0, len(self.jobs) - self.max_jobs)]:
            del self.jobs[key]

    def _set(self, job: dict, result: dict) -> None:
        with self._state:
            for entry in job["results"]:
                if entry["stored_as"] == result["stored_as"]:
                    entry.update(result)
            job["files"][result["stored_as"]] = _label(result)
            self._save(job)

    def _run(self, index: Index, job: dict, staged: list[Staged]) -> None:
        with self._state:
            job["status"] = "running"
            self._save(job)
        try:
            with self.lock:
                report = self._process(index, job, staged)
        except Exception as exc:  # noqa: BLE001 - the job records the failure for the teacher to see
            with self._state:
                job["status"], job["error"] = "failed", clip(f"{type(exc).__name__}: {exc}", 500)
                job["finished"] = time.time()
                self._save(job)
            return
        finally:
            shutil.rmtree(self.uploads.incoming_dir / job["job_id"], ignore_errors=True)
        with self._state:
            job["status"], job["finished"] = "done", time.time()
            job["chunks_total"] = report.chunks_total
            self._save(job)

    def _process(self, index: Index, job: dict, staged: list[Staged]) -> IngestReport:
        uploads = self.uploads.uploads_dir
        uploads.mkdir(parents=True, exist_ok=True)
        known = {e["sha256"]: e["source"] for e in index.docstore.read_manifest().get("files", {}).values()
                 if e.get("sha256")}
        moved: list[Staged] = []
        for item in staged:
            digest = file_hash(item.path)
            if digest in known:
                self._set(job, {"stored_as": item.stored_as, "status": "duplicate", "duplicate_of": known[digest]})
                continue
            known[digest] = item.stored_as
            target = uploads / item.stored_as
            if target.exists():  # reserved, but a file copied in by hand may have taken the name
                raise FileExistsError(f"{item.stored_as} 已存在 (already in uploads/)")
            os.replace(sidecar_path(item.path), sidecar_path(target))  # metadata first: an ingest sees both
            os.replace(item.path, target)
            moved.append(item)
        report = self.ingest_uploads(index)
        failed, quarantined = dict(report.failed), dict(report.quarantined)
        ingested = set(report.added) | set(report.updated)
        for item in moved:
            name = item.stored_as
            if name in quarantined:
                result = {"status": "quarantined", "reason": quarantined[name]}
            elif name in failed:
                result = {"status": "failed", "reason": failed[name]}
            elif name in ingested or name in report.unchanged:  # unchanged: an ingest elsewhere took it first
                result = {"status": "ingested"}
                self.uploads.quarantine.remove(name)  # a good file of that name replaces a quarantined one
            else:
                result = {"status": "failed", "reason": "未被导入 (not ingested): 请重新上传"}
            self._set(job, {"stored_as": name, **result})
        return report


def _label(result: dict) -> str:
    """The one-line status of a file in `job["files"]`."""
    status = result["status"]
    if status == "duplicate":
        return f"duplicate of {result['duplicate_of']}"
    if status in ("failed", "quarantined"):
        return f"{status}: {result['reason']}"
    return status
