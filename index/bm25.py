"""BM25 over jieba tokens (bm25s), persisted beside Chroma and rebuilt when ingest changes the corpus.

Each build is written to its own version folder and published by atomically replacing the
`CURRENT` pointer, so readers (API workers) never see a half-written index and can reload when
the pointer changes.

Tokenizing is the cost of a build (jieba: ~25 s for 10k chunks on 2 busy cores; the BM25 matrix takes ~2 s),
so each record keeps its tokens (interned, so one string per word), a rebuild after an ingest tokenizes only
new or changed chunks, a role's view tokenizes nothing, and the tokens are saved with the records.

The word list the tokens were cut with (index.dictionary) is saved with them (`dictionary.json`) and a loaded
index cuts its queries with it: a user dictionary edited after the ingest changes nothing until the next one.
"""
from __future__ import annotations

import json
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import bm25s
import numpy as np

from index.dictionary import WordList, general_only, load_snapshot
from index.docstore import DocStore, write_json_atomic
from index.filters import Filters
from index.tokenize import in_use, tokenize


@dataclass(frozen=True)
class Record:
    chunk_id: str
    text: str
    meta: dict
    tokens: tuple[str, ...] = ()  # doc_tokens(record), computed once


def with_tokens(record: Record, words: WordList | None = None) -> Record:
    if record.tokens:
        return record
    tokens = tuple(sys.intern(t) for t in doc_tokens(record, words))
    return Record(record.chunk_id, record.text, record.meta, tokens)


class KeywordIndex:
    def __init__(self, records: list[Record], bm25: bm25s.BM25 | None, version: str, *,
                 tokenizer: str | None = None, words: WordList | None = None) -> None:
        self.records = records
        self.words = words or in_use()  # what its queries are cut with
        self.tokenizer = tokenizer if tokenizer is not None else self.words.fingerprint  # what made the tokens
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
    def build(cls, docstore: DocStore, *, reuse: "KeywordIndex | None" = None,
              words: WordList | None = None) -> "KeywordIndex":
        """The index of every stored document cut with `words` (default: those of `reuse`, else the ones in
        use); tokens of chunks unchanged since `reuse` are taken from it while the words are the same."""
        words = words or (reuse.words if reuse is not None else in_use())
        same_words = reuse is not None and reuse.tokenizer == words.fingerprint
        known = {r.chunk_id: r for r in reuse.records} if same_words else {}
        records = []
        for doc in docstore.all_documents():
            for chunk in doc.chunks:
                record = Record(chunk.chunk_id, chunk.text, doc.chunk_metadata(chunk))
                old = known.get(chunk.chunk_id)
                if old is not None and old.tokens and old.text == record.text and _head(old.meta) == _head(record.meta):
                    record = Record(record.chunk_id, record.text, record.meta, old.tokens)
                records.append(record)
        return cls.from_records(records, version=f"{time.time_ns()}", words=words)

    @classmethod
    def from_records(cls, records: list[Record], *, version: str, tokenizer: str | None = None,
                     words: WordList | None = None) -> "KeywordIndex":
        words = words or in_use()
        records = [with_tokens(r, words) for r in records]
        bm25 = None
        if records:
            bm25 = bm25s.BM25()
            bm25.index([list(r.tokens) for r in records], show_progress=False)
        return cls(records, bm25, version=version, tokenizer=tokenizer, words=words)

    def view(self, can_see: Callable[[dict], bool]) -> "KeywordIndex":
        """An index of the records can_see lets through, with its own term statistics (idf, BM25 df):
        scores computed from it do not depend on records the caller may not see."""
        records = [r for r in self.records if can_see(r.meta)]
        if len(records) == len(self.records):
            return self
        return KeywordIndex.from_records(records, version=self.version, tokenizer=self.tokenizer, words=self.words)

    def save(self, root: Path) -> None:
        folder = root / self.version
        folder.mkdir(parents=True, exist_ok=True)
        if self.bm25 is not None:
            self.bm25.save(str(folder / "bm25"), show_progress=False)
        with (folder / "records.jsonl").open("w", encoding="utf-8") as fh:
            for r in self.records:
                fh.write(json.dumps([r.chunk_id, r.text, r.meta, r.tokens], ensure_ascii=False) + "\n")
        (folder / "tokenizer").write_text(self.tokenizer, encoding="utf-8")
        write_json_atomic(folder / "dictionary.json", self.words.to_json())
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
                cid, text, meta, *tokens = json.loads(line)  # an index saved before tokens were kept has three
                records.append(Record(cid, text, meta, tuple(sys.intern(t) for t in tokens[0]) if tokens else ()))
        bm25 = bm25s.BM25.load(str(folder / "bm25"), show_progress=False) if records else None
        made_by = folder / "tokenizer"
        # an index saved before word lists were kept: the general words are the nearest; its fingerprint differs,
        # so the next build cuts every passage again
        words = load_snapshot(folder / "dictionary.json") or general_only()
        return cls(records, bm25, version, words=words,
                   tokenizer=made_by.read_text(encoding="utf-8") if made_by.exists() else "")

    def search(self, query: str, *, k: int, filters: Filters | None = None) -> list[tuple[int, float]]:
        """(record index, score) of the best k records with a positive score that pass the filters."""
        if self.bm25 is None:
            return []
        vocab = self.bm25.vocab_dict
        tokens = [t for t in tokenize(query, words=self.words) if t in vocab]
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


_HEAD_FIELDS = ("title", "section", "cohort", "idea_title")


def _head(meta: dict) -> tuple:
    return tuple(meta.get(k) for k in _HEAD_FIELDS)


def doc_tokens(record: Record, words: WordList | None = None) -> list[str]:
    head = " ".join(str(v or "") for v in _head(record.meta))
    return tokenize(f"{head} {record.text}", words=words) or ["∅"]
