"""Retrieval of English questions with and without the English bridge (qa/bridge.py), on an ingested index.

    .venv/bin/python -m scripts.bridge_retrieval [--data-dir data] [--set eval/sets/train]

Measured on the training set's English questions (the bridge has no fitted parts; the eval set reports the rest).
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from index.kbindex import KnowledgeBase
from kb.settings import Settings
from qa.bridge import EnglishBridge, bridged_query


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=Path("data"))
    parser.add_argument("--set", type=Path, default=Path("eval/sets/train"))
    args = parser.parse_args()
    kbase = KnowledgeBase.open(Settings(data_dir=args.data_dir))
    keyword = kbase.keyword_index()
    bridge = EnglishBridge(keyword.bm25.vocab_dict.keys())
    retriever = kbase.retriever()
    rows = [json.loads(line) for line in (args.set / "questions.jsonl").read_text(encoding="utf-8").splitlines() if line]
    rows = [r for r in rows if r.get("kind") == "english"]
    for name, query_of in (("without bridge", lambda q: q), ("with bridge", lambda q: bridged_query(q, bridge))):
        top1 = top5 = 0
        for r in rows:
            hits = retriever.search(query_of(r["question"]), mode="hybrid", k=6, per_doc=3).hits
            sources = [h.meta.get("source") for h in hits]
            gold = set(r.get("gold_passage_ids") or [r.get("gold_passage_id")])
            top1 += bool(sources[:1]) and sources[0] in gold
            top5 += any(s in gold for s in sources[:5])
        print(f"{name}: {len(rows)} English questions, gold document first {top1 / len(rows):.3f}, "
              f"in the top 5 {top5 / len(rows):.3f}")


if __name__ == "__main__":
    main()
