"""The fitted answer models: unit scoring and answerability, loaded per embedder from qa/weights/.

`scripts/fit_answer_model.py` writes one JSON file per embedder fingerprint (two logistic models with
their feature names, the refusal threshold, what they were fitted on and the figures). An embedder with no
fitted file uses `default.json`: the same models fitted without the features that depend on the embedder's
similarity scale (dense, sentence and passage similarities and their gaps), which is reported in
/api/health and the eval report as `answer_model`.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from qa.features import QUESTION_FEATURES, UNIT_FEATURES
from qa.support import DEFAULT_MIN_COVERAGE

WEIGHTS_DIR = Path(__file__).resolve().parent / "weights"
DEFAULT = "default"


def weights_name(fingerprint: str) -> str:
    return re.sub(r"[^0-9A-Za-z._-]+", "_", fingerprint)


@dataclass(frozen=True)
class Logistic:
    features: tuple[str, ...]
    coef: np.ndarray
    intercept: float
    mean: np.ndarray
    scale: np.ndarray

    @classmethod
    def from_json(cls, data: dict, names: tuple[str, ...]) -> "Logistic":
        index = {n: i for i, n in enumerate(data["features"])}
        missing = [n for n in data["features"] if n not in names]
        if missing:
            raise ValueError(f"weights name unknown features {missing}")
        # expand to the full feature order: features the model does not use get weight 0
        coef, mean, scale = np.zeros(len(names)), np.zeros(len(names)), np.ones(len(names))
        for n, i in index.items():
            j = names.index(n)
            coef[j], mean[j], scale[j] = data["coef"][i], data["mean"][i], data["scale"][i]
        return cls(names, coef, float(data["intercept"]), mean, scale)

    def logits(self, rows: np.ndarray) -> np.ndarray:
        if rows.ndim == 1:
            rows = rows[None, :]
        return ((rows - self.mean) / self.scale) @ self.coef + self.intercept


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -30, 30)))


@dataclass(frozen=True)
class AnswerModel:
    name: str  # the weights file used ("default" when the embedder has none)
    fitted_for: str  # the embedder fingerprint the weights were fitted with
    unit: Logistic
    answerable: Logistic
    threshold: float  # refuse when P(answerable) is below this
    include_ratio: float  # a further unit joins a factual answer when its probability ≥ ratio × the best one's
    section_ratio: float  # … joins a how/why/definition answer from the best unit's section (fitted apart)
    llm_threshold: float  # the looser floor used before an LLM is asked
    info: dict
    support_min_coverage: float = DEFAULT_MIN_COVERAGE  # qa.support's similarity floor, fitted with the models
    lead_trim_chars: float = float("inf")  # factual sentences longer than this lose their lead-in clauses (fitted)

    def unit_probs(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if not len(rows):
            return np.zeros(0), np.zeros(0)
        logits = self.unit.logits(rows)
        return sigmoid(logits), logits

    def answerability(self, row: np.ndarray) -> float:
        return float(sigmoid(self.answerable.logits(row))[0])


@lru_cache(maxsize=8)
def load_model(fingerprint: str) -> AnswerModel:
    path = WEIGHTS_DIR / f"{weights_name(fingerprint)}.json"
    name = weights_name(fingerprint)
    if not path.exists():
        path, name = WEIGHTS_DIR / f"{DEFAULT}.json", DEFAULT
    data = json.loads(path.read_text(encoding="utf-8"))
    return AnswerModel(
        name=name, fitted_for=data.get("embedder", ""),
        unit=Logistic.from_json(data["unit"], UNIT_FEATURES),
        answerable=Logistic.from_json(data["answerable"], QUESTION_FEATURES),
        threshold=float(data["threshold"]), include_ratio=float(data["include_ratio"]),
        section_ratio=float(data.get("section_ratio", data["include_ratio"])),
        lead_trim_chars=float(data.get("lead_trim_chars") or float("inf")),
        llm_threshold=float(data["llm_threshold"]),
        support_min_coverage=float(data.get("support_min_coverage", DEFAULT_MIN_COVERAGE)), info={k: data[k] for k in ("fitted_on", "figures", "created") if k in data},
    )
