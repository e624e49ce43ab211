"""The search page's relevance floor: a hit is shown only with lexical evidence for most of the query.

Dense similarity alone cannot tell an off-topic query from a real one with this embedder (nano E5: "火星移民计划"
reaches 0.86 cosine with some passage, real questions' gold passages 0.85–0.96), so every query "found" ~70
passages. The floor is lexical: the query words a passage contains (title, section and text, as BM25 indexes
them, and its document's topics) must carry at least MIN_COVERAGE of the query's weight, each word weighing its idf in the caller's view
of the index, a word the collection never uses weighing as the rarest. Measured by `scripts/search_floor.py`
on the bundled corpus (1,282 records): all 297 keyword queries built from the index itself (titles, topics,
cohorts, 金点子 titles) and the eval set's teacher searches keep their document; 10 of 12 off-topic queries
return nothing (they had 65–82 results before), "明天天气怎么样" keeps 2 (天气 occurs) and "iPhone价格" 14 (an
English word the bridge cannot translate is not weighed: 价格 alone decides). Chat-style questions are not
what this page is for: 234 of 342 keep their document (the chat's answer layer has its own evidence gate).
"""
from __future__ import annotations

import weakref
from collections.abc import Iterable

from index.bm25 import KeywordIndex, doc_tokens
from index.retrieval import Hit
from index.tokenize import tokenize

# "most of what was typed appears in the passage": a majority of the query's idf weight. The best passage of
# 9 of the 12 off-topic queries covers 0–0.44, keyword queries built from the index keep theirs (search_floor.py).
MIN_COVERAGE = 0.5


_TOKENS: "weakref.WeakKeyDictionary[KeywordIndex, dict[int, frozenset[str]]]" = weakref.WeakKeyDictionary()


def passage_tokens(keyword: KeywordIndex, index: int) -> frozenset[str]:
    """A record's BM25 words and its topics' words, tokenised once per keyword index (the index is immutable)."""
    cache = _TOKENS.setdefault(keyword, {})
    tokens = cache.get(index)
    if tokens is None:
        record = keyword.records[index]
        # the document's topic tags count as evidence too: a search for a topic finds what is filed under it
        topics = " ".join((record.meta.get("topics") or "").split("|"))
        tokens = cache[index] = (frozenset(doc_tokens(record, keyword.words))
                                 | frozenset(tokenize(topics, words=keyword.words)))
    return tokens


def coverage(query_tokens: Iterable[str], passage_tokens: frozenset[str] | set[str], keyword: KeywordIndex) -> float:
    """The share of the query's idf weight carried by the words the passage contains (0 for an empty query)."""
    tokens = set(query_tokens)
    total = sum(keyword.idf(t) for t in tokens)
    return sum(keyword.idf(t) for t in tokens if t in passage_tokens) / total if total else 0.0


def lexical_floor(hits: list[Hit], query: str, keyword: KeywordIndex, *,
                  min_coverage: float = MIN_COVERAGE) -> list[Hit]:
    """The hits whose words cover at least min_coverage of the query (order kept)."""
    tokens = set(tokenize(query, words=keyword.words))
    if not tokens:
        return []
    kept = []
    for hit in hits:
        index = keyword.by_id.get(hit.chunk_id)
        if index is None:
            continue
        if coverage(tokens, passage_tokens(keyword, index), keyword) >= min_coverage:
            kept.append(hit)
    return kept
