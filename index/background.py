"""The server's own ingest of a folder at startup (`kb serve --ingest`): progress for the pages, answers meanwhile.

A newcomer's `make run` used to wait about three minutes for the bundled corpus before any page answered. The
server now starts at once and ingests in a thread; the documents stored so far are published every
`PUBLISH_SECONDS` (index.kbindex.KnowledgeBase.ingest), so questions are answered from them while the rest is
embedded, and `/api/health` reports the progress the pages show ("正在导入 12/42").
"""
from __future__ import annotations

import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from kb.errors import clip
from kb.threads import start_background

# How often the documents stored so far are published while the first ingest runs. Each publish rebuilds the
# keyword index from the stored documents (tokens of earlier ones reused: ~1 s for the bundled corpus), so it is
# a trade between how soon new documents answer and how much of the ingest's time goes to publishing.
PUBLISH_SECONDS = 10.0


@dataclass
class IngestStatus:
    running: bool = False
    folder: str = ""
    documents_done: int = 0
    documents_total: int = 0  # new or changed documents to embed (0 while files are read, or when none changed)
    started: float | None = None
    finished: float | None = None
    error: str | None = None
    summary: dict = field(default_factory=dict)

    def public(self, *, teacher: bool) -> dict:
        """What a caller is told: teachers get the counts; others the share done (counts include internal files)."""
        out = {"running": self.running, "error": self.error is not None}
        share = self.documents_done / self.documents_total if self.documents_total else (0.0 if self.running else 1.0)
        out["progress"] = round(share, 3)
        if teacher:
            out.update({k: v for k, v in asdict(self).items() if k not in ("running", "error")}, error=self.error)
        return out


class BackgroundIngest:
    def __init__(self) -> None:
        self.status = IngestStatus()
        self._thread: threading.Thread | None = None

    def start(self, kbase, folder: Path) -> None:
        self.status = IngestStatus(running=True, folder=str(folder), started=time.time())
        self._thread = start_background(self._run, kbase, Path(folder), name="first-ingest")

    def join(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    def _progress(self, done: int, total: int) -> None:
        self.status.documents_done, self.status.documents_total = done, total

    def _run(self, kbase, folder: Path) -> None:
        try:
            report = kbase.ingest(folder, publish_every=PUBLISH_SECONDS, on_document=self._progress)
            self.status.summary = {"added": len(report.added), "updated": len(report.updated),
                                   "unchanged": len(report.unchanged), "deleted": len(report.deleted),
                                   "failed": len(report.failed), "chunks": report.chunks_total}
        except Exception as exc:  # noqa: BLE001 - the pages and /api/health say it; the server keeps serving
            self.status.error = clip(f"{type(exc).__name__}: {exc}", 300)
        finally:
            self.status.running, self.status.finished = False, time.time()
