"""Incremental, idempotent ingest: content hashes decide what is re-embedded.

Per changed file: load → split → embed → document JSON → Chroma (replace) → manifest entry.
The manifest entry is written last, so a crash at any point leaves the old entry (or none) and
the next run redoes that file; deleting a document's chunks by doc_id makes the redo idempotent.

The manifest names a file by the folder it was ingested from and its path relative to that folder
(`uploads/a.md` for a folder inside the data directory; an outside folder by its absolute path), and
a document id is that name keyed with the data directory's secret (not derivable from the path).
"""
from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from index.dictionary import DictionaryUse
from index.docstore import DocStore
from index.embedders import Embedder
from index.store import ChunkStore
from ingest.documents import Document, build_document, doc_id_for
from ingest.loaders import SUPPORTED
from ingest.metadata import sidecar_path
from ingest.quarantine import Quarantine
from kb.errors import IngestError, clip

# what a stored document was made by: a change re-reads and re-embeds every file once (the bundled corpus: ~5 min)
# 2: sentence vectors stored beside each document (the answer layer's similarity)
# 3: loaders read real documents (PDF number and CJK joins, tables by row, web boilerplate, 金点子 formats, OCR;
#    a run of one mark kept to three), so text indexed by an older loader is read again
CHUNKER_VERSION = 3
MANIFEST_FORMAT = 2  # 2: keys relative to the ingested folder, keyed document ids (older: absolute paths, SHA-1)
Progress = Callable[[int, int, str], None]


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    quarantined: list[tuple[str, str]] = field(default_factory=list)  # failed new files moved aside
    warnings: list[tuple[str, str]] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)  # per file: metadata inferred, pages OCR'd
    chunks_embedded: int = 0
    sentences_embedded: int = 0
    chunks_total: int = 0
    seconds: float = 0.0
    embed_seconds: float = 0.0
    dictionary: DictionaryUse | None = None  # the word list the keyword index was cut with (KnowledgeBase.ingest)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.deleted)


def discover(root: Path, *, conventions: bool = True) -> tuple[list[Path], list[tuple[Path, str]]]:
    """Supported files under root (sorted) and the unsupported ones; hidden entries skipped.

    With `conventions` (a corpus folder), `_private` entries and README files are skipped too; the
    uploads folder holds only files a teacher chose to upload, so there every name is indexed.
    """
    files, skipped = [], []
    candidates = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
    hidden = (".", "_") if conventions else (".",)
    for path in candidates:
        rel = path.relative_to(root) if path != root else Path(path.name)
        if any(part.startswith(hidden) for part in rel.parts) or path.name.endswith(".meta.yaml"):
            continue
        if conventions and path.name.lower().startswith("readme"):
            continue
        if path.suffix.lower() in SUPPORTED:
            files.append(path)
        else:
            skipped.append((path, f"不支持的文件类型 {path.suffix or '(无扩展名)'} (unsupported type)"))
    return files, skipped


def folder_label(folder: Path, data_dir: Path) -> str:
    """How the manifest names an ingested folder: relative to the data directory when inside it (the uploads),
    so a copied or moved data directory keeps its entries; any other folder by its absolute path."""
    try:
        return folder.relative_to(data_dir.resolve()).as_posix()
    except ValueError:
        return folder.as_posix()


def file_hash(path: Path) -> str:
    """The file's and its sidecar's hash: what decides whether a file changed since it was ingested."""
    digest = hashlib.sha256(path.read_bytes())
    side = sidecar_path(path)
    if side.exists():
        digest.update(b"\0sidecar\0" + side.read_bytes())
    return digest.hexdigest()


def content_hash(path: Path) -> str:
    """The file's bytes only: what an upload is compared with to call it a duplicate."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def content_stamp(path: Path) -> list[int]:
    """Size and modification time: a stored content hash is trusted only while the file still has them."""
    st = path.stat()
    return [st.st_size, st.st_mtime_ns]


class Ingestor:
    def __init__(self, *, embedder: Embedder, store: ChunkStore, docstore: DocStore,
                 chunk_tokens: int, overlap: int, batch: int = 16) -> None:
        self.embedder = embedder
        self.store = store
        self.docstore = docstore
        self.max_tokens = min(chunk_tokens, embedder.max_tokens - 8)
        self.overlap = overlap
        self.batch = batch
        self.signature = {
            "embedder": embedder.fingerprint, "chunk_tokens": self.max_tokens,
            "overlap": overlap, "chunker": CHUNKER_VERSION,
        }

    def run(self, root: Path, *, progress: Progress | None = None, quarantine: Quarantine | None = None,
            conventions: bool = True, on_document: Callable[[int, int], None] | None = None) -> IngestReport:
        """Ingest root; with `quarantine`, a new file that fails to load is moved there (never parsed again).

        A file that fails but has an indexed version keeps it (nothing stored is lost) and stays.
        `on_document(done, total)` is called after each new or changed document is stored and listed.
        """
        started = time.perf_counter()
        root = root.resolve()
        report = IngestReport()
        folder = root.parent if root.is_file() else root
        label = folder_label(folder, self.docstore.data_dir)
        secret = self.docstore.secret()
        manifest = self.docstore.read_manifest()
        if manifest.get("format") != MANIFEST_FORMAT:
            self._start_clean(manifest)
        entries: dict = manifest.setdefault("files", {})
        if manifest.get("signature") != self.signature:
            # chunking or embedder changed: every file is redone; entries are kept so deletions still apply
            for entry in entries.values():
                entry["sha256"] = None
            manifest["signature"] = self.signature
        files, skipped = discover(root, conventions=conventions)
        report.failed += [(self._source(root, p), reason) for p, reason in skipped]

        pending: list[tuple[Document, str, str, bool, str]] = []
        for path in files:
            rel = path.relative_to(folder).as_posix()
            key, source = f"{label}/{rel}", self._source(root, path)
            try:
                digest = file_hash(path)
                entry = entries.get(key)
                if entry and entry["sha256"] == digest:
                    report.unchanged.append(source)
                    continue
                doc = build_document(path, doc_id=doc_id_for(key, secret=secret), source=source,
                                     count_tokens=self.embedder.count_tokens, max_tokens=self.max_tokens,
                                     overlap=self.overlap)
                pending.append((doc, key, digest, entry is not None, rel))
                report.warnings += [(source, w) for w in doc.warnings]
                report.notes += [(source, note) for note in doc.reading_notes()]
            except IngestError as exc:
                self._failed(report, path, source, exc.reason, quarantine if key not in entries else None)
            except OSError as exc:
                report.failed.append((source, f"无法读取 (cannot read): {clip(exc)}"))
            except Exception as exc:  # noqa: BLE001 - one bad file never aborts the ingest
                reason = f"意外错误 (unexpected {type(exc).__name__}): {clip(exc)}"
                self._failed(report, path, source, reason, quarantine if key not in entries else None)

        total = sum(len(doc.chunks) for doc, *_ in pending)
        done = 0
        for n_doc, (doc, key, digest, existed, rel) in enumerate(pending, start=1):
            vectors = []
            t0 = time.perf_counter()
            texts = [c.embed_text(doc.meta.title) for c in doc.chunks]
            for i in range(0, len(texts), self.batch):
                vectors.extend(self.embedder.embed_passages(texts[i:i + self.batch]))
                done += len(texts[i:i + self.batch])
                if progress:
                    progress(done, total, doc.source)
            # every sentence too: the answer layer compares the question with sentences without embedding
            # any at question time (costs about as much again as the chunks at ingest)
            spans = doc.sentence_spans()
            sentences = [doc.text[a:b] for a, b in spans]
            sent_vectors = []
            for i in range(0, len(sentences), self.batch):
                sent_vectors.extend(self.embedder.embed_passages(sentences[i:i + self.batch]))
            report.embed_seconds += time.perf_counter() - t0
            report.sentences_embedded += len(sentences)
            self.docstore.save_sentences(doc.doc_id, spans, sent_vectors)
            self.docstore.save(doc)
            self.store.replace(doc, vectors)
            entries[key] = {
                "doc_id": doc.doc_id, "sha256": digest, "content_sha256": content_hash(folder / rel),
                "content_stamp": content_stamp(folder / rel), "source": doc.source,
                "title": doc.meta.title, "chunks": len(doc.chunks), "root": label, "path": rel,
            }
            self.docstore.write_manifest(manifest)
            (report.updated if existed else report.added).append(doc.source)
            report.chunks_embedded += len(doc.chunks)
            if on_document:
                on_document(n_doc, len(pending))

        present = {f"{label}/{p.relative_to(folder).as_posix()}" for p in files}
        in_scope = [k for k, e in entries.items()
                    if e.get("root") == label and (not root.is_file() or e.get("path") == root.name)]
        for key in [k for k in in_scope if k not in present]:
            entry = entries.pop(key)
            self.docstore.write_manifest(manifest)  # unlisted first: a crash leaves orphans, never a listed gap
            self.store.delete(entry["doc_id"])
            self.docstore.remove(entry["doc_id"])
            report.deleted.append(entry["source"])

        self.docstore.write_manifest(manifest)
        report.chunks_total = self.store.count()
        report.seconds = time.perf_counter() - started
        return report

    def _start_clean(self, manifest: dict) -> None:
        """An older manifest (absolute-path keys, derivable ids): drop its documents so every file is
        ingested again under the current format. The manifest is emptied first, so a crash meanwhile
        leaves only orphan vectors, which the next run removes."""
        old = list(manifest.get("files", {}).values())
        manifest.clear()
        manifest.update({"format": MANIFEST_FORMAT, "files": {}})
        self.docstore.write_manifest(manifest)
        for entry in old:
            self.store.delete(entry["doc_id"])
            self.docstore.remove(entry["doc_id"])

    @staticmethod
    def _failed(report: IngestReport, path: Path, source: str, reason: str, quarantine: Quarantine | None) -> None:
        if quarantine is None:
            report.failed.append((source, reason))
            return
        try:
            quarantine.put(path, reason)
        except OSError as exc:
            report.failed.append((source, f"{reason}; 无法移入隔离区 (cannot quarantine: {clip(exc)})"))
            return
        report.quarantined.append((source, reason))

    @staticmethod
    def _source(root: Path, path: Path) -> str:
        return path.name if path == root else path.relative_to(root).as_posix()
