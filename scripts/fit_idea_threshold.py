"""Fit the 已有相近建议 threshold (index/novelty.py) for the configured embedder and write
index/idea_thresholds/<embedder>.json with its figures.

Positives: eval/sets/train/idea_paraphrases.jsonl, 41 pairs of 金点子 written by hand for this purpose (a proposal
and a rewording of it from another report; not taken from the corpus or from eval/sets). Negatives: pairs of
ideas of the bundled corpus's reports (corpus/reports, parsed here, nothing ingested) from different reports
that share no topic. Every text is embedded as novelty compares ideas: the idea's own text (index.ideas.plain_text,
without the report title the stored vectors carry). The threshold maximises balanced accuracy (the middle of the
best run of cut points); a 5-fold cross-validated figure says how well it carries. For information: "hard" pairs
(two different hand-written proposals on the same topic) and how many corpus pairs of different reports sharing a
topic reach the threshold (unlabelled: a few are the same proposal).

    .venv/bin/python -m scripts.fit_idea_threshold
"""
from __future__ import annotations

import json
import os
import random
from datetime import datetime, timezone
from itertools import combinations
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from index.embedders import make_embedder  # noqa: E402
from index.novelty import THRESHOLDS_DIR, thresholds_name  # noqa: E402
from index.ideas import plain_text  # noqa: E402
from ingest.documents import build_document  # noqa: E402
from kb.settings import get_settings  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PAIRS = ROOT / "eval" / "sets" / "train" / "idea_paraphrases.jsonl"
REPORTS = ROOT / "corpus" / "reports"


def corpus_ideas(count_tokens) -> list[tuple[str, frozenset[str], str]]:
    """(report, topics, own text) of every 金点子 of the bundled reports."""
    found = []
    for path in sorted(REPORTS.iterdir()):
        if path.name.endswith(".meta.yaml"):
            continue
        doc = build_document(path, doc_id=path.stem, source=path.name, count_tokens=count_tokens, max_tokens=256,
                             overlap=1)
        found += [(path.name, frozenset(doc.meta.topics), plain_text(c.text))
                  for c in doc.chunks if c.kind == "idea"]
    return found


def balanced_accuracy(pos: np.ndarray, neg: np.ndarray, t: float) -> float:
    return float(((pos >= t).mean() + (neg < t).mean()) / 2)


def fit(pos: np.ndarray, neg: np.ndarray) -> float:
    """The cut point with the best balanced accuracy (the middle one of a run of equally good cut points)."""
    values = np.unique(np.concatenate([pos, neg]))
    cuts = (values[:-1] + values[1:]) / 2
    scores = np.array([balanced_accuracy(pos, neg, t) for t in cuts])
    best = np.flatnonzero(scores == scores.max())
    return float(cuts[best[len(best) // 2]])


def cross_validated(pos: np.ndarray, neg: np.ndarray, *, folds: int = 5, seed: int = 11) -> float:
    rng = random.Random(seed)
    p, n = list(range(len(pos))), list(range(len(neg)))
    rng.shuffle(p)
    rng.shuffle(n)
    results = []
    for f in range(folds):
        test_p, test_n = set(p[f::folds]), set(n[f::folds])
        t = fit(pos[[i for i in p if i not in test_p]], neg[[i for i in n if i not in test_n]])
        results.append(balanced_accuracy(pos[sorted(test_p)], neg[sorted(test_n)], t))
    return float(np.mean(results))


def quantiles(x: np.ndarray) -> dict:
    return {k: round(float(v), 4) for k, v in zip(("min", "p05", "median", "p95", "max"),
                                                   np.quantile(x, [0, 0.05, 0.5, 0.95, 1]))}


def main() -> None:
    embedder = make_embedder(get_settings())
    pairs = [json.loads(line) for line in PAIRS.read_text(encoding="utf-8").splitlines() if line.strip()]
    a = embedder.embed_passages([plain_text(p["a"]["text"]) for p in pairs])
    b = embedder.embed_passages([plain_text(p["b"]["text"]) for p in pairs])
    pos = np.einsum("ij,ij->i", a, b)
    hard = np.array([float(a[i] @ b[j]) for i, j in combinations(range(len(pairs)), 2)
                     if pairs[i]["topic"] == pairs[j]["topic"]] +
                    [float(a[j] @ b[i]) for i, j in combinations(range(len(pairs)), 2)
                     if pairs[i]["topic"] == pairs[j]["topic"]])
    ideas = corpus_ideas(embedder.count_tokens)
    vectors = embedder.embed_passages([text for _, _, text in ideas])
    neg = np.array([float(vectors[i] @ vectors[j]) for i, j in combinations(range(len(ideas)), 2)
                    if ideas[i][0] != ideas[j][0] and not ideas[i][1] & ideas[j][1]])
    shared = np.array([float(vectors[i] @ vectors[j]) for i, j in combinations(range(len(ideas)), 2)
                       if ideas[i][0] != ideas[j][0] and ideas[i][1] & ideas[j][1]])
    threshold = fit(pos, neg)
    result = {
        "embedder": embedder.fingerprint,
        "threshold": round(threshold, 4),
        "balanced_accuracy": round(balanced_accuracy(pos, neg, threshold), 4),
        "cv_balanced_accuracy": round(cross_validated(pos, neg), 4),
        "paraphrases_found": round(float((pos >= threshold).mean()), 4),
        "unrelated_flagged": round(float((neg >= threshold).mean()), 4),
        "same_topic_flagged": round(float((hard >= threshold).mean()), 4) if len(hard) else None,
        # not labelled (some are the same proposal, most are not): how often reports on one subject meet the bar
        "shared_topic_corpus_flagged": round(float((shared >= threshold).mean()), 4),
        "positives": {"n": int(len(pos)), "source": str(PAIRS.relative_to(ROOT)), **quantiles(pos)},
        "negatives": {"n": int(len(neg)), "source": "corpus/reports: ideas of different reports sharing no topic",
                      "ideas": len(ideas), **quantiles(neg)},
        "same_topic": {"n": int(len(hard)), "source": "different hand-written proposals on the same topic",
                       **(quantiles(hard) if len(hard) else {})},
        "shared_topic_corpus": {"n": int(len(shared)), "source": "corpus/reports: ideas of different reports "
                                "sharing a topic (unlabelled)", **quantiles(shared)},
        "fitted": datetime.now(timezone.utc).strftime("%Y-%m-%d"),
        "compared": "the ideas' own text (index.ideas.plain_text), not the stored title-headed vectors",
        "script": "python -m scripts.fit_idea_threshold",
    }
    THRESHOLDS_DIR.mkdir(exist_ok=True)
    out = THRESHOLDS_DIR / f"{thresholds_name(embedder.fingerprint)}.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False, indent=1))
    print(f"written {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
