"""The document list of an index view: one summary per document, filtered on document metadata."""
from index.bm25 import Record
from index.catalog import known_values, summaries
from index.filters import Filters


def _record(doc_id, n, **meta):
    base = {"doc_id": doc_id, "title": doc_id, "type": "case", "access": "public", "kind": "chunk", "topics": "", "year": 0}
    return Record(f"{doc_id}:{n}", "text", {**base, **meta})


RECORDS = [
    _record("a", 0, cohort="第1期", year=2023, topics="|乡村振兴|"), _record("a", 1, cohort="第1期", year=2023, topics="|乡村振兴|"),
    _record("b", 0, type="report", access="internal", pishi=True, year=2024, date="2024-01-02"),
    _record("b", 1, type="report", access="internal", pishi=True, year=2024, date="2024-01-02", kind="idea"),
]


def test_summaries_count_chunks_and_ideas_per_document():
    docs = {d["doc_id"]: d for d in summaries(RECORDS, uploaded={"b"})}
    assert (docs["a"]["chunks"], docs["a"]["ideas"], docs["a"]["uploaded"]) == (2, 0, False)
    assert (docs["b"]["chunks"], docs["b"]["ideas"], docs["b"]["uploaded"]) == (1, 1, True)
    assert docs["a"]["topics"] == ["乡村振兴"]


def test_summaries_filter_on_document_metadata():
    assert [d["doc_id"] for d in summaries(RECORDS, filters=Filters(access=("internal",)))] == ["b"]
    assert [d["doc_id"] for d in summaries(RECORDS, filters=Filters(cohort="第1期"))] == ["a"]
    assert [d["doc_id"] for d in summaries(RECORDS, filters=Filters(year_from=2024, year_to=2024))] == ["b"]
    assert [d["doc_id"] for d in summaries(RECORDS, filters=Filters(pishi=False))] == ["a"]


def test_known_values_are_the_documents_own():
    assert known_values(RECORDS) == {"cohort": ["第1期"], "year": [2024, 2023], "topic": ["乡村振兴"]}
