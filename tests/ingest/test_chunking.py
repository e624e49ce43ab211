from ingest.chunking import chunk_spans
from ingest.loaders import _load_text
from ingest.sentences import sentence_spans
from ingest.structure import assemble
from tests.conftest import LECTURE, REPORT


def _doc(markdown: str):
    return assemble(_load_text(markdown.encode("utf-8"), "t.md", markdown=True).blocks)


def test_chunks_keep_sentences_whole_and_fit_token_limit(embedder):
    doc = _doc(LECTURE + "".join(f"第{i}条措施落实到位，群众满意度持续提升。" for i in range(60)))
    limit = 40
    chunks = chunk_spans(doc, count_tokens=embedder.count_tokens, max_tokens=limit, overlap=1)
    boundaries = {a for a, _ in sentence_spans(doc.text)}, {b for _, b in sentence_spans(doc.text)}
    assert len(chunks) > 5
    for chunk in chunks:
        assert embedder.count_tokens(doc.text[chunk.start:chunk.end]) <= limit
        assert chunk.start in boundaries[0] and chunk.end in boundaries[1]


def test_chunks_overlap_by_one_sentence(embedder):
    doc = _doc("".join(f"第{i}条措施落实到位，群众满意度持续提升。" for i in range(30)))
    chunks = chunk_spans(doc, count_tokens=embedder.count_tokens, max_tokens=60, overlap=1)
    for first, second in zip(chunks, chunks[1:]):
        assert second.start < first.end  # the last sentence of one chunk opens the next
    no_overlap = chunk_spans(doc, count_tokens=embedder.count_tokens, max_tokens=60, overlap=0)
    assert all(b.start >= a.end for a, b in zip(no_overlap, no_overlap[1:]))


def test_chunks_carry_section_path(embedder):
    doc = _doc(LECTURE)
    chunks = chunk_spans(doc, count_tokens=embedder.count_tokens, max_tokens=200, overlap=0)
    grid = next(c for c in chunks if "网格员每天巡查" in doc.text[c.start:c.end])
    assert grid.section == "一、为什么要推进基层治理现代化 > （一）网格化管理"


def test_overlong_sentence_is_cut_to_fit(embedder):
    doc = _doc("这是一个没有任何句号的超长段落" * 200)
    chunks = chunk_spans(doc, count_tokens=embedder.count_tokens, max_tokens=100, overlap=0)
    assert len(chunks) > 3
    assert all(embedder.count_tokens(doc.text[c.start:c.end]) <= 100 for c in chunks)
    assert "".join(doc.text[c.start:c.end] for c in chunks) == doc.text
