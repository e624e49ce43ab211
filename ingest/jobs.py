"""The job store: upload and delete jobs persisted in the data directory, so every worker can answer for them.

One JSON file per job under data/jobs/, written atomically (temp file + rename); a reader never sees a
half-written job. Bounded: the newest `keep` jobs of the last `max_age_days` are kept, older ones are
deleted when a new job is created.

A job records the process that runs it (host, pid and the process's start time, so a reused pid is not
taken for it). A queued or running job whose process is gone (killed, crashed, restarted) is reported
failed when read, with what to do, instead of staying "running" for ever.
"""
from __future__ import annotations

import json
import os
import re
import socket
import time
import uuid
from pathlib import Path

from index.docstore import write_json_atomic

_JOB_ID = re.compile(r"^[0-9a-f]{12}$")
_UNFINISHED = ("queued", "running")
WORKER_GONE = ("导入进程已中断，任务未完成：请重新上传或运行 kb ingest "
               "(the process running this job stopped before it finished: upload again or run kb ingest)")


def _started(pid: int) -> str | None:
    """The start time of process `pid` (clock ticks since boot, /proc/PID/stat field 22); None if it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]  # fields after the command name start at field 3


def this_worker() -> dict:
    return {"host": socket.gethostname(), "pid": os.getpid(), "started": _started(os.getpid())}


def worker_gone(worker: dict | None) -> bool:
    """True when the job's process is known to be gone; a job of another host is not judged."""
    if not worker or worker.get("host") != socket.gethostname():
        return False
    return _started(int(worker["pid"])) != worker.get("started")


class JobStore:
    def __init__(self, folder: Path, *, keep: int = 200, max_age_days: float = 7.0) -> None:
        self.folder = folder
        self.keep = keep
        self.max_age = max_age_days * 86400

    def create(self, **fields) -> dict:
        """A new job (queued), saved; older jobs beyond the bounds are forgotten."""
        job = {"job_id": uuid.uuid4().hex[:12], "status": "queued", "created": time.time(), "error": None, **fields}
        self.save(job)
        self.prune()
        return job

    def save(self, job: dict) -> None:
        job["updated"] = time.time()
        job.setdefault("worker", this_worker())
        write_json_atomic(self.folder / f"{job['job_id']}.json", job)

    def get(self, job_id: str) -> dict | None:
        if not _JOB_ID.match(job_id):
            return None
        path = self.folder / f"{job_id}.json"
        try:
            job = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if job.get("status") in _UNFINISHED and worker_gone(job.get("worker")):
            job["status"], job["error"], job["finished"] = "failed", WORKER_GONE, job.get("updated")
            for result in job.get("results", []):
                if result.get("status") == "queued":
                    result.update(status="failed", reason=WORKER_GONE)
                    job.get("files", {})[result.get("stored_as")] = f"failed: {WORKER_GONE}"
            self.save(job)
        return job

    def prune(self) -> int:
        """Delete jobs older than max_age and all but the newest `keep`; the number deleted."""
        if not self.folder.exists():
            return 0
        now = time.time()
        jobs = []
        for path in self.folder.glob("*.json"):
            try:
                jobs.append((path.stat().st_mtime, path))
            except OSError:
                continue  # deleted by another worker meanwhile
        jobs.sort(reverse=True)
        removed = 0
        for n, (mtime, path) in enumerate(jobs):
            if n >= self.keep or now - mtime > self.max_age:
                path.unlink(missing_ok=True)
                removed += 1
        return removed
