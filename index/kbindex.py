"""The opened knowledge base: embedder, Chroma chunk store and document store, built from settings."""
from __future__ import annotations

from dataclasses import dataclass

from index.bm25 import KeywordIndex
from index.docstore import DocStore
from index.embedders import Embedder, make_embedder
from index.store import ChunkStore
from index.retrieval import Retriever
from ingest.pipeline import IngestReport, Ingestor, Progress
from kb.settings import Settings


@dataclass
class KnowledgeBase:
    settings: Settings
    embedder: Embedder
    store: ChunkStore
    docstore: DocStore
    keyword: KeywordIndex | None = None

    @classmethod
    def open(cls, settings: Settings, *, embedder: Embedder | None = None) -> "KnowledgeBase":
        embedder = embedder or make_embedder(settings)
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        store = ChunkStore(settings, fingerprint=embedder.fingerprint, dim=embedder.dim)
        return cls(settings, embedder, store, DocStore(settings.data_dir))

    def ingestor(self) -> Ingestor:
        return Ingestor(
            embedder=self.embedder, store=self.store, docstore=self.docstore,
            chunk_tokens=self.settings.chunk_tokens, overlap=self.settings.chunk_overlap_sentences,
            batch=self.settings.embed_batch,
        )

    @property
    def bm25_dir(self):
        return self.settings.data_dir / "bm25"

    def ingest(self, folder, *, progress: Progress | None = None, **options) -> IngestReport:
        """Run the incremental ingest, then bring the keyword index in step with it.

        `options` go to `Ingestor.run` (`quarantine`, `conventions` for the uploads folder).

        One ingest at a time per data dir (an flock, released even if the process is killed);
        a marker file tells the next run that the last one died, so it removes orphan chunks.
        """
        import fcntl

        self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        with open(self.settings.data_dir / "ingest.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            dirty = self.settings.data_dir / "ingest.dirty"
            crashed = dirty.exists()
            dirty.touch()
            if crashed:
                self.remove_orphans()
            report = self._ingest(folder, progress=progress, force_keyword=crashed, **options)
            dirty.unlink(missing_ok=True)
            return report

    def remove_orphans(self) -> int:
        """Delete chunks of documents the manifest does not list (left by an interrupted ingest)."""
        listed = {e["doc_id"] for e in self.docstore.read_manifest().get("files", {}).values()}
        stored = {m.get("doc_id") for m in self.store.collection.get(include=["metadatas"])["metadatas"]}
        orphans = stored - listed
        for doc_id in orphans:
            self.store.delete(doc_id)
        return len(orphans)

    def _ingest(self, folder, *, progress: Progress | None, force_keyword: bool, **options) -> IngestReport:
        report = self.ingestor().run(folder, progress=progress, **options)
        keyword = self.keyword or KeywordIndex.load(self.bm25_dir)
        if force_keyword or report.changed or keyword is None or len(keyword.records) != self.store.count():
            keyword = KeywordIndex.build(self.docstore)
            keyword.save(self.bm25_dir)
        self.keyword = keyword
        return report

    def keyword_index(self) -> KeywordIndex:
        """The published keyword index, reloaded when an ingest elsewhere published a newer one."""
        from index.bm25 import current_version

        version = current_version(self.bm25_dir)
        if self.keyword is None or (version and version != self.keyword.version):
            self.keyword = KeywordIndex.load(self.bm25_dir) or KeywordIndex.build(self.docstore)
        return self.keyword

    def retriever(self) -> Retriever:
        return Retriever(embedder=self.embedder, store=self.store, keyword=self.keyword_index(),
                         dense_weight=self.settings.dense_weight, bm25_weight=self.settings.bm25_weight)
