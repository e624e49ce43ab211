"""Overlap check between the training set and the eval set.

For every training question (and each paraphrase of paraphrases.jsonl): the highest character-bigram Jaccard similarity against every eval question
(eval/sets/drafts/*.jsonl and eval/sets/bundled/questions.jsonl). Prints the 10 most similar pairs and exits
non-zero if any pair reaches the threshold.

    python3 eval/sets/train/check_overlap.py [--threshold 0.5] [--top 10]
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

SETS = Path(__file__).resolve().parent.parent
_DROP = re.compile(r"[\s\"'“”‘’「」『』《》（）()，。？！?!、：:；;·—\-…]+")


def bigrams(text: str) -> set[str]:
    s = _DROP.sub("", text.lower())
    return {s[i:i + 2] for i in range(len(s) - 1)} or {s}


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def questions(paths) -> list[tuple[str, str]]:
    rows = []
    for path in paths:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                row = json.loads(line)
                rows.append((row.get("id") or f"{path.parent.name}/{path.stem}-{n:03d}", row["question"]))
    return rows


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--threshold", type=float, default=0.5)
    ap.add_argument("--top", type=int, default=10)
    args = ap.parse_args()
    train_file = SETS / "train" / "questions.jsonl"
    train = (questions([train_file]) if train_file.exists()
             else questions(sorted((SETS / "train-drafts").glob("*.jsonl"))))
    paraphrases = SETS / "train" / "paraphrases.jsonl"  # the curated-answer threshold's paraphrase pairs
    if paraphrases.exists():
        train += [(f"{row['id']}/paraphrase", row["paraphrase"]) for row in
                  map(json.loads, filter(str.strip, paraphrases.read_text(encoding="utf-8").splitlines()))]
    eval_paths = sorted((SETS / "drafts").glob("*.jsonl"))
    if (SETS / "bundled" / "questions.jsonl").exists():
        eval_paths.append(SETS / "bundled" / "questions.jsonl")
    seen, evals = set(), []
    for qid, q in questions(eval_paths):
        if q not in seen:
            seen.add(q)
            evals.append((qid, q, bigrams(q)))
    best = []
    for tid, tq in train:
        tb = bigrams(tq)
        score, eid, eq = max((jaccard(tb, b), qid, q) for qid, q, b in evals)
        best.append((score, tid, tq, eid, eq))
    best.sort(reverse=True)
    print(f"{len(train)} training questions vs {len(evals)} eval questions; top {args.top} most similar pairs:")
    for score, tid, tq, eid, eq in best[:args.top]:
        print(f"{score:.3f}  {tid}: {tq}\n       {eid}: {eq}")
    over = [b for b in best if b[0] >= args.threshold]
    print(f"pairs ≥ {args.threshold}: {len(over)}")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
