"""Curated answers (教师审定答案): which one a question gets, and whether its cited passages still stand.

A question gets a curated answer when it says the same as the pinned question: the same text (after dropping
punctuation and spaces), or a cosine similarity of their query embeddings at or above the threshold fitted on
paraphrase pairs of eval/sets/train for that embedder (scripts/fit_curated_threshold.py writes
feedback/curated_threshold.json; KB_CURATED_THRESHOLD overrides it). An embedder without a fitted threshold
matches the same text only.

Each citation keeps the fingerprint (text and metadata) of its passage when pinned. On serve, a citation whose
passage is gone from the index or whose fingerprint differs (re-ingested with other content, metadata edited,
deleted) flags the curated answer for review: it is not served until a teacher confirms it again. A trainee
gets a curated answer only when every cited passage is one the trainee may see (index.access.Role.can_see).
"""
from __future__ import annotations

import hashlib
import json
import re
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from feedback.store import Curated, FeedbackStore
from index.access import Role
from index.bm25 import KeywordIndex
from index.filters import Filters
from index.retrieval import Hit
from qa.records import Answer, Citation

THRESHOLD_FILE = Path(__file__).with_name("curated_threshold.json")
LABEL = "教师审定"
_PUNCT = re.compile(r"[\s\W_]+", re.U)


@dataclass(frozen=True)
class Threshold:
    value: float | None  # None: the same question text only
    source: str  # "fitted" | "setting" | "none"
    fitted_for: str = ""
    figures: dict | None = None

    def to_dict(self) -> dict:
        return {"threshold": self.value, "source": self.source, "fitted_for": self.fitted_for,
                "figures": self.figures}


def load_threshold(embedder: str, *, override: float | None = None, path: Path = THRESHOLD_FILE) -> Threshold:
    """The similarity threshold for this embedder's fingerprint: the setting, else the fitted one, else none."""
    fitted = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    figures = fitted.get("figures") if fitted.get("embedder") == embedder else None
    if override is not None:
        return Threshold(override, "setting", fitted.get("embedder", ""), figures)
    if figures is not None:
        return Threshold(float(fitted["threshold"]), "fitted", fitted["embedder"], figures)
    return Threshold(None, "none", fitted.get("embedder", ""))


def normalized(question: str) -> str:
    return _PUNCT.sub("", question).lower()


def fingerprint(text: str, meta: dict) -> str:
    """What a citation checks: the passage's text and every metadata field (title, access, 批示 …)."""
    blob = json.dumps({"text": text, "meta": meta}, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:32]


def citation_records(keyword: KeywordIndex, chunks: list[dict]) -> list[dict]:
    """Citations of passages of the (teacher's) index, each with its fingerprint; KeyError for an unknown chunk."""
    out = []
    for n, given in enumerate(chunks, 1):
        at = keyword.by_id.get(given["chunk_id"])
        if at is None:
            raise KeyError(given["chunk_id"])
        record = keyword.records[at]
        quote = (given.get("quote") or "").strip()
        out.append({"n": n, "chunk_id": record.chunk_id, "doc_id": record.meta.get("doc_id", ""),
                    "title": record.meta.get("title", ""), "section": record.meta.get("section", ""),
                    "quote": quote if quote and quote in record.text else "",
                    "fingerprint": fingerprint(record.text, record.meta)})
    return out


def stale_reason(curated: Curated, keyword: KeywordIndex) -> str:
    """Why a curated answer may no longer be served ("" when every cited passage is as it was pinned)."""
    for c in curated.citations:
        at = keyword.by_id.get(c["chunk_id"])
        if at is None:
            gone = c["doc_id"] not in keyword.doc_ids
            return f"引用的文档《{c['title']}》已删除" if gone else f"引用的文档《{c['title']}》已重新导入，段落已变化"
        record = keyword.records[at]
        if fingerprint(record.text, record.meta) != c["fingerprint"]:
            return f"引用的文档《{c['title']}》内容或元数据已修改"
    return ""


class CuratedAnswers:
    """The curated answers of one store, matched with one embedder (question vectors cached per text)."""

    def __init__(self, store: FeedbackStore, embedder, *, threshold: Threshold) -> None:
        self.store = store
        self.embedder = embedder
        self.threshold = threshold
        self._vectors: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()

    def _vector(self, text: str) -> np.ndarray:
        with self._lock:
            vec = self._vectors.get(text)
        if vec is None:
            vec = np.asarray(self.embedder.embed_query(text), dtype=np.float32)
            vec = vec / (np.linalg.norm(vec) or 1.0)
            with self._lock:
                if len(self._vectors) > 5000:
                    self._vectors.clear()
                self._vectors[text] = vec
        return vec

    def similarity(self, a: str, b: str) -> float:
        if normalized(a) == normalized(b):
            return 1.0
        if self.threshold.value is None:
            return 0.0
        return float(self._vector(a) @ self._vector(b))

    def check_all(self, keyword: KeywordIndex) -> list[Curated]:
        """Every curated answer, the active ones whose passages changed flagged first."""
        for item in self.store.all_curated(status="active"):
            reason = stale_reason(item, keyword)
            if reason:
                self.store.flag(item.id, reason)
        return self.store.all_curated()

    def find(self, question: str, *, keyword: KeywordIndex, role: Role, filters: Filters | None = None
             ) -> tuple[Curated, float] | None:
        """The closest active curated answer at or above the threshold that the role may be given."""
        active = self.store.all_curated(status="active")
        if not active:
            return None
        floor = self.threshold.value if self.threshold.value is not None else 1.0
        scored = sorted(((self.similarity(question, c.question), c) for c in active), key=lambda p: -p[0])
        scope = role.scope(filters)
        for score, item in scored:
            if score < floor:
                break
            reason = stale_reason(item, keyword)
            if reason:
                self.store.flag(item.id, reason)  # never served stale: a teacher reviews it first
                continue
            metas = [keyword.records[keyword.by_id[c["chunk_id"]]].meta for c in item.citations]
            if all(role.can_see(m) and scope.matches(m) for m in metas):
                return item, score
        return None

    def answer(self, question: str, *, keyword: KeywordIndex, role: Role, filters: Filters | None = None
               ) -> Answer | None:
        found = self.find(question, keyword=keyword, role=role, filters=filters)
        if found is None:
            return None
        item, score = found
        citations = []
        for c in item.citations:
            record = keyword.records[keyword.by_id[c["chunk_id"]]]
            hit = Hit(chunk_id=record.chunk_id, text=record.text, meta=record.meta, score=1.0)
            citations.append(Citation.from_hit(c["n"], hit, c.get("quote", "")))
        return Answer(answer=item.answer, citations=citations, refused=False, evidence=1.0, kind="curated",
                      notice=f"{LABEL}答案：由教师审核确认（对应问题：{item.question}）",
                      curated={"id": item.id, "label": LABEL, "question": item.question,
                               "similarity": round(score, 4), "created": item.created})
