"""Cleaned documents and their chunk records on disk (one JSON file per document), plus the manifest.

The manifest is what ingest trusts: a file counts as ingested only once its entry is written,
which happens after its chunks are in Chroma. Writes are atomic (temp file + rename).
"""
from __future__ import annotations

import json
import os
import secrets
import tempfile
from pathlib import Path

from ingest.documents import Document


def write_json_atomic(path: Path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class DocStore:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.root = data_dir / "docs"
        self.manifest_path = data_dir / "manifest.json"

    def secret(self) -> bytes:
        """The data directory's random key (created once, owner-only): document ids are keyed with it, so
        they cannot be derived from a file's path. A copy of the data directory keeps its ids."""
        path = self.data_dir / "secret.key"
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.data_dir, prefix="secret.key", suffix=".tmp")
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(32))
            try:
                os.link(tmp, path)  # never replaces a key another process wrote first
            except FileExistsError:
                pass
            finally:
                os.unlink(tmp)
        return bytes.fromhex(path.read_text().strip())

    def save(self, doc: Document) -> None:
        write_json_atomic(self.root / f"{doc.doc_id}.json", doc.to_json())

    def load(self, doc_id: str) -> Document | None:
        path = self.root / f"{doc_id}.json"
        if not path.exists():
            return None
        return Document.from_json(json.loads(path.read_text(encoding="utf-8")))

    def remove(self, doc_id: str) -> None:
        (self.root / f"{doc_id}.json").unlink(missing_ok=True)
        (self.root / f"{doc_id}.sent.npz").unlink(missing_ok=True)

    def save_sentences(self, doc_id: str, spans: list[tuple[int, int]], vectors) -> None:
        """Sentence vectors of a document (float16, normalised), for the answer layer's sentence similarity."""
        import numpy as np

        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.root / f"{doc_id}.sent.tmp.npz"
        np.savez(tmp, spans=np.asarray(spans, dtype=np.int32).reshape(-1, 2),
                 vectors=np.asarray(vectors, dtype=np.float16))
        os.replace(tmp, self.root / f"{doc_id}.sent.npz")

    def load_sentences(self, doc_id: str):
        """(spans int32 [n,2], vectors float16 [n,d]) or None when the document has none."""
        import numpy as np

        path = self.root / f"{doc_id}.sent.npz"
        if not path.exists():
            return None
        with np.load(path) as data:
            return data["spans"], data["vectors"]

    def read_manifest(self) -> dict:
        if not self.manifest_path.exists():
            return {"files": {}}
        return json.loads(self.manifest_path.read_text(encoding="utf-8"))

    def write_manifest(self, manifest: dict) -> None:
        write_json_atomic(self.manifest_path, manifest)

    def all_documents(self) -> list[Document]:
        """Documents the manifest lists (the ones fully ingested)."""
        files = self.read_manifest()["files"]
        docs = (self.load(entry["doc_id"]) for entry in files.values())
        return [doc for doc in docs if doc is not None]
