"""Dense (Chroma), keyword (BM25) and hybrid retrieval fused by weighted reciprocal rank fusion."""
from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

import numpy as np

from index.bm25 import KeywordIndex
from index.embedders import Embedder
from index.filters import Filters
from index.store import ChunkStore

MODES = ("dense", "bm25", "hybrid")


@dataclass(frozen=True)
class Hit:
    chunk_id: str
    text: str
    meta: dict
    score: float
    dense: float | None = None  # cosine similarity, when the dense side found it
    bm25: float | None = None
    dense_rank: int | None = None  # 1-based place in the dense list before fusion (what RRF weighs)
    bm25_rank: int | None = None

    @property
    def doc_id(self) -> str:
        return self.meta.get("doc_id", "")


@dataclass
class SearchResult:
    hits: list[Hit]
    query_vector: np.ndarray | None
    timings: dict = field(default_factory=dict)


class Retriever:
    def __init__(self, *, embedder: Embedder, store: ChunkStore, keyword: KeywordIndex,
                 rrf_k: int = 60, dense_weight: float = 1.0, bm25_weight: float = 1.0) -> None:
        self.embedder = embedder
        self.store = store
        self.keyword = keyword
        self.rrf_k = rrf_k
        self.weights = (dense_weight, bm25_weight)

    def search(self, query: str, *, mode: str = "hybrid", k: int = 10, filters: Filters | None = None,
               per_doc: int | None = 2, pool: int | None = None) -> SearchResult:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        filters = filters or Filters()
        pool = pool or max(k * 4, 20)
        timings: dict[str, float] = {}
        vector = None
        dense: list[Hit] = []
        keyword: list[Hit] = []
        if mode in ("dense", "hybrid"):
            t0 = time.perf_counter()
            vector = self.embedder.embed_query(query)
            timings["embed"] = time.perf_counter() - t0
            t0 = time.perf_counter()
            # only records of the published keyword index are served: vectors an interrupted ingest left
            # behind (a document without a manifest entry) are never answered from
            records, by_id = self.keyword.records, self.keyword.by_id
            found = self.store.query(vector, k=pool, where=filters.to_chroma(),
                                     accept=lambda cid: cid in by_id and filters.matches(records[by_id[cid]].meta))
            dense = [Hit(h.chunk_id, records[by_id[h.chunk_id]].text, records[by_id[h.chunk_id]].meta, h.score,
                         dense=h.score, dense_rank=rank)
                     for rank, h in enumerate(found, 1)]
            timings["dense"] = time.perf_counter() - t0
        if mode in ("bm25", "hybrid"):
            t0 = time.perf_counter()
            records = self.keyword.records
            keyword = [Hit(records[i].chunk_id, records[i].text, records[i].meta, s, bm25=s, bm25_rank=rank)
                       for rank, (i, s) in enumerate(self.keyword.search(query, k=pool, filters=filters), 1)]
            timings["bm25"] = time.perf_counter() - t0
        hits = dense if mode == "dense" else keyword if mode == "bm25" else self._fuse(dense, keyword)
        if per_doc:
            hits = _limit_per_doc(hits, per_doc)
        return SearchResult(hits[:k], vector, timings)

    def _fuse(self, dense: list[Hit], keyword: list[Hit]) -> list[Hit]:
        scores: dict[str, float] = {}
        merged: dict[str, Hit] = {}
        for weight, ranked in zip(self.weights, (dense, keyword)):
            for rank, hit in enumerate(ranked):
                scores[hit.chunk_id] = scores.get(hit.chunk_id, 0.0) + weight / (self.rrf_k + rank + 1)
                seen = merged.get(hit.chunk_id)
                merged[hit.chunk_id] = hit if seen is None else Hit(
                    hit.chunk_id, hit.text, hit.meta, 0.0,
                    dense=seen.dense if seen.dense is not None else hit.dense,
                    bm25=seen.bm25 if seen.bm25 is not None else hit.bm25,
                    dense_rank=seen.dense_rank or hit.dense_rank, bm25_rank=seen.bm25_rank or hit.bm25_rank,
                )
        order = sorted(scores, key=scores.get, reverse=True)
        return [replace(merged[c], score=scores[c]) for c in order]


def _limit_per_doc(hits: list[Hit], per_doc: int) -> list[Hit]:
    counts: dict[str, int] = {}
    kept = []
    for hit in hits:
        n = counts.get(hit.doc_id, 0)
        if n < per_doc:
            kept.append(hit)
            counts[hit.doc_id] = n + 1
    return kept
