"""The documents of one role's index view: one summary per document, narrowed by metadata filters."""
from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable

from index.bm25 import Record
from index.filters import Filters

FIELDS = ("title", "type", "category", "author", "cohort", "date", "year", "access", "pishi", "source")


def summaries(records: Iterable[Record], *, filters: Filters | None = None,
              uploaded: frozenset[str] | set[str] = frozenset()) -> list[dict]:
    """A document per doc_id whose (document-level) metadata the filters match, with its chunk and 金点子
    counts; `uploaded` names the ids of the uploads folder's documents (the ones a teacher may edit)."""
    filters = filters or Filters()
    docs: OrderedDict[str, dict] = OrderedDict()
    for record in records:
        m = record.meta
        if not filters.matches(m):
            continue
        entry = docs.setdefault(m["doc_id"], {
            "doc_id": m["doc_id"], **{k: m.get(k) for k in FIELDS},
            "topics": [t for t in (m.get("topics") or "").split("|") if t],
            "chunks": 0, "ideas": 0, "uploaded": m["doc_id"] in uploaded,
        })
        entry["ideas" if m.get("kind") == "idea" else "chunks"] += 1
    return sorted(docs.values(), key=lambda d: (d["type"] or "", d["date"] or ""))


def known_values(records: Iterable[Record]) -> dict[str, list]:
    """The cohorts, years and topics the documents have: the choices of the list's filters."""
    cohorts, years, topics = set(), set(), set()
    for record in records:
        m = record.meta
        if m.get("cohort"):
            cohorts.add(m["cohort"])
        if m.get("year"):
            years.add(int(m["year"]))
        topics.update(t for t in (m.get("topics") or "").split("|") if t)
    return {"cohort": sorted(cohorts), "year": sorted(years, reverse=True), "topic": sorted(topics)}
