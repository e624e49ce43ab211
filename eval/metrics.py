"""Retrieval and answer metrics as small pure functions (passage level: any chunk of a gold passage counts)."""
from __future__ import annotations

import math
import re
from collections import Counter

_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)
_MARKERS = re.compile(r"\[\d+\]")


def hit_at(ranked: list[str], gold: set[str], k: int) -> float:
    return float(any(p in gold for p in ranked[:k]))


def mrr_at(ranked: list[str], gold: set[str], k: int = 10) -> float:
    for i, p in enumerate(ranked[:k], 1):
        if p in gold:
            return 1.0 / i
    return 0.0


def ndcg_at(ranked: list[str], gold: set[str], k: int = 10) -> float:
    dcg = sum(1.0 / math.log2(i + 1) for i, p in enumerate(ranked[:k], 1) if p in gold)
    ideal = sum(1.0 / math.log2(i + 1) for i in range(1, min(len(gold), k) + 1))
    return dcg / ideal if ideal else 0.0


def normalize(text: str) -> str:
    """Characters that count: no citation markers, punctuation or spaces; ASCII lower-cased."""
    return _PUNCT.sub("", _MARKERS.sub("", text)).lower()


def contains_answer(prediction: str, answers: list[str]) -> float:
    pred = normalize(prediction)
    return float(any(normalize(a) and normalize(a) in pred for a in answers))


def key_point_recall(prediction: str, key_points) -> float | None:
    """Share of the key points (all must appear in a complete answer) that the prediction contains."""
    if not key_points:
        return None
    pred = normalize(prediction)
    return sum(1 for k in key_points if normalize(k) in pred) / len(key_points)


def correct(prediction: str, answers, key_points=(), avoid=()) -> float:
    """1 when the prediction holds one of the answers (if any), every key point (if any) and no avoided string."""
    if not answers and not key_points:
        return 0.0
    pred = normalize(prediction)
    if any(normalize(a) and normalize(a) in pred for a in avoid):
        return 0.0
    if answers and not contains_answer(prediction, list(answers)):
        return 0.0
    return float(all(normalize(k) in pred for k in key_points))


def char_f1(prediction: str, answers: list[str]) -> float:
    """Best character-level F1 against the gold answers (the CMRC 2018 convention)."""
    pred = Counter(normalize(prediction))
    best = 0.0
    for answer in answers:
        gold = Counter(normalize(answer))
        common = sum((pred & gold).values())
        if common:
            precision, recall = common / sum(pred.values()), common / sum(gold.values())
            best = max(best, 2 * precision * recall / (precision + recall))
    return best


def citation_precision(cited: list[tuple[str, str]], gold: set[str], answers: list[str]) -> float | None:
    """Share of cited (passage id, passage text) that are gold or contain an answer; None if nothing cited."""
    if not cited:
        return None
    good = sum(1 for pid, text in cited if pid in gold or contains_answer(text, answers))
    return good / len(cited)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, math.ceil(q / 100 * len(ordered)) - 1))
    return ordered[index]


def mean(values: list[float]) -> float:
    values = [v for v in values if v is not None]
    return sum(values) / len(values) if values else 0.0


def char_accuracy(expected: str, got: str) -> float:
    """1 − character edit distance / length of the expected text, whitespace ignored (OCR quality)."""
    a, b = "".join(expected.split()), "".join(got.split())
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return 1 - previous[-1] / max(len(a), 1)
