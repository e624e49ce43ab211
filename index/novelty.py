"""Novelty of 金点子: the most similar earlier ideas of other cohorts, and when one counts as 已有相近建议.

Candidates come from the ideas' stored vectors (Chroma, as ingest embedded them: report title｜section, then the
idea), queried with the report's own stored vectors under kind=idea, other cohort and not-later-year filters.
Those vectors carry the report's title, and for ideas of a paragraph or two the title dominates: two different
proposals of two tea reports scored above a paraphrase of either. So the candidates are ranked, and judged, by
the cosine of the ideas' own text (number and emphasis removed), embedded once per text and cached (IdeaVectors).

"Earlier" is an earlier date than the report's when both have a full date, else an earlier year; "other cohort"
a different, non-empty 班次. The threshold above which an earlier idea is "close" is fitted per embedder by
`scripts/fit_idea_threshold.py` (hand-written paraphrase pairs against ideas of unrelated bundled reports,
maximising balanced accuracy) and committed with its figures in `index/idea_thresholds/<embedder>.json`.
"""
from __future__ import annotations

import json
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from index.ideas import Idea

THRESHOLDS_DIR = Path(__file__).resolve().parent / "idea_thresholds"


def thresholds_name(fingerprint: str) -> str:
    return re.sub(r"[^0-9A-Za-z._-]+", "_", fingerprint)


@dataclass(frozen=True)
class Threshold:
    """The cosine at or above which an earlier idea is 已有相近建议, and where it comes from."""

    value: float
    fitted_for: str  # the embedder it was calibrated with ("" when set by KB_IDEA_SIMILAR_THRESHOLD)
    calibrated: bool  # fitted for the embedder in use
    figures: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        return {"value": self.value, "fitted_for": self.fitted_for, "calibrated": self.calibrated,
                "figures": self.figures}


def load_threshold(fingerprint: str, *, override: float | None = None, folder: Path = THRESHOLDS_DIR) -> Threshold:
    """The fitted threshold of this embedder; another embedder's (flagged uncalibrated) when it has none;
    `override` (the setting) wins."""
    if override is not None:
        return Threshold(float(override), "", False, {"source": "KB_IDEA_SIMILAR_THRESHOLD"})
    path = folder / f"{thresholds_name(fingerprint)}.json"
    if not path.exists():
        fitted = sorted(folder.glob("*.json"))
        if not fitted:
            raise FileNotFoundError(f"{folder}: no fitted threshold; run python -m scripts.fit_idea_threshold")
        path = fitted[0]
    data = json.loads(path.read_text(encoding="utf-8"))
    return Threshold(float(data["threshold"]), data["embedder"], data["embedder"] == fingerprint,
                     {k: v for k, v in data.items() if k not in ("threshold", "embedder")})


class IdeaVectors:
    """Vectors of ideas' own text, embedded once per text (a bounded cache: ideas repeat across requests)."""

    def __init__(self, embedder, *, size: int = 5000) -> None:
        self.embedder = embedder
        self.size = size
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def of(self, texts: list[str]) -> dict[str, np.ndarray]:
        with self._lock:
            missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        fresh = dict(zip(missing, self.embedder.embed_passages(missing))) if missing else {}
        with self._lock:
            self._cache.update(fresh)
            found = {t: self._cache[t] for t in texts}
            for t in texts:
                self._cache.move_to_end(t)
            while len(self._cache) > self.size:
                self._cache.popitem(last=False)
        return found


def is_earlier(other: Idea, than: Idea) -> bool:
    """other was proposed before `than`: by date when both have a full date, else by year."""
    if not other.year or not than.year:
        return False
    if len(other.date) == 10 and len(than.date) == 10:
        return other.date < than.date
    return other.year < than.year


@dataclass(frozen=True)
class Similar:
    idea: Idea
    similarity: float  # cosine of the two ideas' own text
    close: bool  # at or above the threshold: 已有相近建议

    def to_json(self) -> dict:
        return {**self.idea.to_json(), "similarity": round(self.similarity, 4), "close": self.close}


def similar_earlier(collection, ideas: list[Idea], *, visible: Callable[[str], Idea | None], vectors: IdeaVectors,
                    threshold: float, k: int = 3, access: tuple[str, ...] = (), pool: int = 10
                    ) -> dict[str, list[Similar]]:
    """For each idea of one report, the k most similar earlier ideas of other cohorts (best first).

    `collection` is the Chroma collection; `visible(chunk_id)` gives the idea a chunk id stands for when the
    caller may see it and the published index serves it, else None; `access` narrows the query like the role's
    scope (the check after it is `visible`); `pool` candidates per idea come from the stored vectors."""
    found: dict[str, list[Similar]] = {i.chunk_id: [] for i in ideas}
    if not ideas or not ideas[0].year or collection.count() == 0:
        return found
    report = ideas[0]
    stored = collection.get(ids=[i.chunk_id for i in ideas], include=["embeddings"])
    stored = dict(zip(stored["ids"], stored["embeddings"]))
    asked = [i for i in ideas if i.chunk_id in stored]
    if not asked:
        return found
    clauses = [{"kind": "idea"}, {"year": {"$gt": 0}}, {"year": {"$lte": report.year}},
               {"cohort": {"$ne": report.cohort}} if report.cohort else {"cohort": {"$ne": ""}}]
    if access:
        clauses.append({"access": {"$in": list(access)}})
    result = collection.query(query_embeddings=[[float(x) for x in stored[i.chunk_id]] for i in asked],
                              n_results=min(pool, collection.count()), where={"$and": clauses}, include=[])
    candidates: dict[str, list[Idea]] = {}
    for idea, ids in zip(asked, result["ids"]):
        others = (visible(chunk_id) for chunk_id in ids)
        candidates[idea.chunk_id] = [o for o in others
                                     if o is not None and o.cohort != idea.cohort and is_earlier(o, idea)]
    texts = [i.text for i in asked] + [o.text for found_ in candidates.values() for o in found_]
    vec = vectors.of(texts)
    for idea in asked:
        scored = sorted(((float(vec[idea.text] @ vec[o.text]), o) for o in candidates[idea.chunk_id]),
                        key=lambda pair: -pair[0])
        found[idea.chunk_id] = [Similar(o, s, s >= threshold) for s, o in scored[:k]]
    return found
