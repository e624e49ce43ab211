"""Quarantine: uploaded files that failed to load, moved aside with their reason and never re-parsed.

A failed upload used to stay in `uploads/` and be parsed again by every later ingest (a 43-second
failure on each upload job, issue 10, #2). It is moved to `KB_DATA_DIR/quarantine/` with its
sidecar and a `<name>.reason.json`; a teacher lists and deletes entries (API and teachers' page);
uploading a file of the same name that loads replaces the entry.
"""
from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from ingest.metadata import sidecar_path
from kb.errors import clip

_REASON = ".reason.json"


@dataclass(frozen=True)
class Quarantined:
    name: str
    reason: str
    size: int
    quarantined_at: float

    def to_json(self) -> dict:
        return asdict(self)


class Quarantine:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def put(self, path: Path, reason: str) -> Quarantined:
        """Move path (and its sidecar) here, replacing an entry of the same name; record the reason."""
        self.folder.mkdir(parents=True, exist_ok=True)
        entry = Quarantined(name=path.name, reason=clip(reason, 1000), size=path.stat().st_size,
                            quarantined_at=round(time.time(), 3))
        target = self.folder / path.name
        side = sidecar_path(path)
        if side.exists():
            shutil.move(side, sidecar_path(target))
        else:
            sidecar_path(target).unlink(missing_ok=True)
        shutil.move(path, target)
        tmp = self.folder / f".{path.name}{_REASON}.tmp"
        tmp.write_text(json.dumps(entry.to_json(), ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, self.folder / f"{path.name}{_REASON}")  # the reason appears whole or not at all
        return entry

    def list(self) -> list[Quarantined]:
        if not self.folder.is_dir():
            return []
        entries = []
        for record in self.folder.glob(f"*{_REASON}"):
            try:
                entries.append(Quarantined(**json.loads(record.read_text(encoding="utf-8"))))
            except (OSError, ValueError, TypeError):
                continue  # a damaged record is skipped, not fatal to the listing
        return sorted(entries, key=lambda e: e.quarantined_at, reverse=True)

    def get(self, name: str) -> Quarantined | None:
        """The entry called exactly `name` (a listed name, never a path)."""
        return next((e for e in self.list() if e.name == name), None)

    def remove(self, name: str) -> bool:
        entry = self.get(name)
        if entry is None:
            return False
        target = self.folder / entry.name
        assert target.resolve().parent == self.folder.resolve()  # listed names never leave the folder
        for path in (target, sidecar_path(target), self.folder / f"{entry.name}{_REASON}"):
            path.unlink(missing_ok=True)
        return True
