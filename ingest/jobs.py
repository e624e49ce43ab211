"""The job store: upload and delete jobs persisted in the data directory, so every worker can answer for them.

One JSON file per job under data/jobs/, written atomically (temp file + rename); a reader never sees a
half-written job. Bounded: the newest `keep` jobs of the last `max_age_days` are kept, older ones are
deleted when a new job is created.
"""
from __future__ import annotations

import json
import re
import time
import uuid
from pathlib import Path

from index.docstore import write_json_atomic

_JOB_ID = re.compile(r"^[0-9a-f]{12}$")


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
        write_json_atomic(self.folder / f"{job['job_id']}.json", job)

    def get(self, job_id: str) -> dict | None:
        if not _JOB_ID.match(job_id):
            return None
        path = self.folder / f"{job_id}.json"
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

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
