"""BM25 over jieba tokens (bm25s), persisted beside Chroma and rebuilt when ingest changes the corpus.

Each build is written to its own version folder and published by atomically replacing the
`CURRENT` pointer, so readers (API workers) never see a half-written index and can reload when
the pointer changes.
"""
from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import bm25s
import numpy as np

from index.docstore import DocStore, write_json_atomic
from index.filters import Filters
from index.tokenize import tokenize


@dataclass(frozen=True)
class Record:
    chunk_id: str
    text: str
    meta: dict


class KeywordIndex:
    def __init__(self, records: list[Record], bm25: bm25s.BM25 | None, version: str) -> None:
        self.records = records
        self.bm25 = bm25
        self.version = version
        self.by_id = {r.chunk_id: i for i, r in enumerate(records)}
        self._df = np.diff(bm25.scores["indptr"]) if bm25 is not None else None
        self._masks: dict[Filters, np.ndarray] = {}  # filters repeat (a trainee's access filter on every query)

    def values(self, field: str) -> set[str]:
        """Every value a metadata field takes (topics split), e.g. the known cohorts."""
        if field == "topic":
            return {t for r in self.records for t in (r.meta.get("topics") or "").split("|") if t}
        return {str(r.meta.get(field)) for r in self.records if r.meta.get(field)}

    def knows(self, token: str) -> bool:
        return self.bm25 is not None and token in self.bm25.vocab_dict

    def idf(self, token: str) -> float:
        """Inverse document frequency of a token (unknown tokens weigh like the rarest)."""
        n = max(1, len(self.records))
        tid = self.bm25.vocab_dict.get(token) if self.bm25 is not None else None
        df = int(self._df[tid]) if tid is not None and tid < len(self._df) else 0
        return float(np.log(1 + (n - df + 0.5) / (df + 0.5)))

    @property
    def doc_ids(self) -> frozenset[str]:
        """The documents this index serves (the manifest-listed ones when it was built)."""
        cached = getattr(self, "_doc_ids", None)
        if cached is None:
            cached = self._doc_ids = frozenset(r.meta.get("doc_id", "") for r in self.records)
        return cached

    @classmethod
    def build(cls, docstore: DocStore) -> "KeywordIndex":
        records = [
            Record(chunk.chunk_id, chunk.text, doc.chunk_metadata(chunk))
            for doc in docstore.all_documents() for chunk in doc.chunks
        ]
        return cls.from_records(records, version=f"{time.time_ns()}")

    @classmethod
    def from_records(cls, records: list[Record], *, version: str) -> "KeywordIndex":
        bm25 = None
        if records:
            bm25 = bm25s.BM25()
            bm25.index([doc_tokens(r) for r in records], show_progress=False)
        return cls(records, bm25, version=version)

    def view(self, can_see: Callable[[dict], bool]) -> "KeywordIndex":
        """An index of the records can_see lets through, with its own term statistics (idf, BM25 df):
        scores computed from it do not depend on records the caller may not see."""
        records = [r for r in self.records if can_see(r.meta)]
        if len(records) == len(self.records):
            return self
        return KeywordIndex.from_records(records, version=self.version)

    def save(self, root: Path) -> None:
        folder = root / self.version
        folder.mkdir(parents=True, exist_ok=True)
        if self.bm25 is not None:
            self.bm25.save(str(folder / "bm25"), show_progress=False)
        with (folder / "records.jsonl").open("w", encoding="utf-8") as fh:
            for r in self.records:
                fh.write(json.dumps([r.chunk_id, r.text, r.meta], ensure_ascii=False) + "\n")
        write_json_atomic(root / "CURRENT", {"version": self.version, "count": len(self.records)})
        for old in root.iterdir():  # keep the previous version for readers still holding it
            if old.is_dir() and old.name not in {self.version, _previous(root, self.version)}:
                shutil.rmtree(old, ignore_errors=True)

    @classmethod
    def load(cls, root: Path) -> "KeywordIndex | None":
        version = current_version(root)
        if version is None or not (root / version / "records.jsonl").exists():
            return None
        folder = root / version
        records = []
        with (folder / "records.jsonl").open(encoding="utf-8") as fh:
            for line in fh:
                cid, text, meta = json.loads(line)
                records.append(Record(cid, text, meta))
        bm25 = bm25s.BM25.load(str(folder / "bm25"), show_progress=False) if records else None
        return cls(records, bm25, version)

    def search(self, query: str, *, k: int, filters: Filters | None = None) -> list[tuple[int, float]]:
        """(record index, score) of the best k records with a positive score that pass the filters."""
        if self.bm25 is None:
            return []
        vocab = self.bm25.vocab_dict
        tokens = [t for t in tokenize(query) if t in vocab]
        if not tokens:
            return []
        scores = self.bm25.get_scores(tokens)
        if filters is not None and not filters.is_empty():
            scores = np.where(self._mask(filters), scores, 0.0)
        k = min(k, int((scores > 0).sum()))
        if k <= 0:
            return []
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        return [(int(i), float(scores[i])) for i in top]


    def _mask(self, filters: Filters) -> np.ndarray:
        mask = self._masks.get(filters)
        if mask is None:
            if len(self._masks) > 256:
                self._masks.clear()
            mask = np.fromiter((filters.matches(r.meta) for r in self.records), bool, len(self.records))
            self._masks[filters] = mask
        return mask


def current_version(root: Path) -> str | None:
    pointer = root / "CURRENT"
    if not pointer.exists():
        return None
    return json.loads(pointer.read_text(encoding="utf-8"))["version"]


def _previous(root: Path, version: str) -> str | None:
    names = sorted((p.name for p in root.iterdir() if p.is_dir() and p.name != version), key=int)
    return names[-1] if names else None


def doc_tokens(record: Record) -> list[str]:
    meta = record.meta
    head = " ".join(str(meta.get(k) or "") for k in ("title", "section", "cohort", "idea_title"))
    return tokenize(f"{head} {record.text}") or ["∅"]
