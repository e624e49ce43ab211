"""Measure the search page's relevance floor (index.relevance.MIN_COVERAGE) on an ingested index.

Three query sets, each searched as /api/search does (teacher view, hybrid, 2 per document, floor on):
  * keyword queries built from the index itself — every document title, topic, cohort and 金点子 title — and
    the eval set's teacher-style searches: the document they name must stay among the results;
  * off-topic queries: they should return nothing (printed: results before and after the floor);
  * the eval set's other questions, for information: questions belong on the chat page, not the search page.

    KB_DATA_DIR=data .venv/bin/python -m scripts.search_floor
"""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from index.access import Role
from index.kbindex import KnowledgeBase
from index.relevance import MIN_COVERAGE, passage_tokens, coverage
from index.tokenize import tokenize
from kb.settings import get_settings
from qa.service import KnowledgeService

ROOT = Path(__file__).resolve().parent.parent
OFF_TOPIC = ("火星移民计划", "xyzzy", "量子计算机", "足球比赛", "世界杯决赛", "恐龙化石", "区块链挖矿",
             "好莱坞电影", "股票期货", "明天天气怎么样", "如何做红烧肉", "iPhone价格")


def main() -> None:
    service = KnowledgeService(KnowledgeBase.open(get_settings()))
    keyword = service.kbase.keyword_index(Role.TEACHER)
    source = {r.meta["doc_id"]: r.meta.get("source") for r in keyword.records}

    def run(query: str, *, plain: bool = False):
        floored = service.search(query, k=100, role=Role.TEACHER, floor=True).hits
        if not plain:
            return floored, None, None
        hits = service.search(query, k=100, role=Role.TEACHER).hits
        best = max((coverage(tokenize(query), passage_tokens(keyword, keyword.by_id[h.chunk_id]), keyword)
                    for h in hits), default=0.0)
        return floored, len(hits), best

    built: dict[str, set[str]] = {}
    for r in keyword.records:
        m = r.meta
        values = [m.get("title"), m.get("cohort"), m.get("idea_title"), *(m.get("topics") or "").split("|")]
        for value in filter(None, values):
            built.setdefault(value, set()).add(m.get("source"))
    rows = [json.loads(line) for line in (ROOT / "eval/sets/bundled/questions.jsonl").read_text("utf-8").splitlines()]
    for row in rows:
        if row["kind"] == "teacher":
            built[row["question"]] = set(row["gold_passage_ids"])

    kept = 0
    for query, sources in built.items():
        hits, _, _ = run(query)
        found = sources & {source[h.doc_id] for h in hits}
        kept += bool(found)
        if not found:
            print(f"  LOST keyword query {query!r}")
    print(f"MIN_COVERAGE = {MIN_COVERAGE}")
    print(f"keyword queries from the index + teacher searches: {kept}/{len(built)} keep their document")

    worst = 0.0
    for query in OFF_TOPIC:
        hits, before, best = run(query, plain=True)
        worst = max(worst, best)
        print(f"  off-topic {query!r}: {before} results without the floor, {len(hits)} with it "
              f"(best coverage {best:.2f})")
    print(f"off-topic queries: highest coverage of any passage {worst:.2f}")

    questions = Counter()
    for row in rows:
        if row["kind"] in ("teacher", "unanswerable"):
            continue
        hits, _, _ = run(row["question"])
        questions["n"] += 1
        questions["kept"] += bool(set(row.get("gold_passage_ids") or []) & {source[h.doc_id] for h in hits})
    print(f"chat-style questions (information only): {questions['kept']}/{questions['n']} keep their document")


if __name__ == "__main__":
    main()
