"""The opened knowledge base: embedder, Chroma chunk store and document store, built from settings."""
from __future__ import annotations

from dataclasses import dataclass

from index.docstore import DocStore
from index.embedders import Embedder, make_embedder
from index.store import ChunkStore
from ingest.pipeline import Ingestor
from kb.settings import Settings


@dataclass
class KnowledgeBase:
    settings: Settings
    embedder: Embedder
    store: ChunkStore
    docstore: DocStore

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
