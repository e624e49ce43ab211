"""A data directory is self-contained: copied, it keeps its documents; an older manifest re-ingests cleanly."""
import shutil

from index.kbindex import KnowledgeBase
from ingest.pipeline import MANIFEST_FORMAT
from tests.api.conftest import fake_settings

UPLOADS = {"a.md": "## 一、甲\n甲村修了三座桥。", "b.md": "## 一、乙\n乙村建了两个合作社。"}


def _kbase(folder, fake_embedder):
    return KnowledgeBase.open(fake_settings(folder), embedder=fake_embedder)


def _with_uploads(folder, fake_embedder):
    kbase = _kbase(folder, fake_embedder)
    uploads = kbase.settings.uploads_dir
    uploads.mkdir(parents=True)
    for name, text in UPLOADS.items():
        (uploads / name).write_text(text, encoding="utf-8")
    kbase.ingest(uploads)
    return kbase


def test_manifest_copied_data_dir_keeps_its_uploads_and_delete_stays_local(tmp_path, fake_embedder):
    original = _with_uploads(tmp_path / "a", fake_embedder)
    shutil.copytree(tmp_path / "a" / "data", tmp_path / "b" / "data")
    copy = _kbase(tmp_path / "b", fake_embedder)
    report = copy.ingest(copy.settings.uploads_dir)
    assert not report.added and not report.deleted and sorted(report.unchanged) == sorted(UPLOADS)
    assert copy.store.count() == original.store.count()  # no duplicates
    assert sorted(copy.docstore.read_manifest()["files"]) == ["uploads/a.md", "uploads/b.md"]
    # deleting a document of the copy touches the copy only
    doc_id = copy.docstore.read_manifest()["files"]["uploads/a.md"]["doc_id"]
    (copy.settings.uploads_dir / "a.md").unlink()
    assert copy.remove_document(doc_id)["path"] == "a.md"
    assert [e["path"] for e in copy.docstore.read_manifest()["files"].values()] == ["b.md"]
    assert (original.settings.uploads_dir / "a.md").exists()
    assert len(original.docstore.read_manifest()["files"]) == 2
    again = _kbase(tmp_path / "a", fake_embedder).ingest(original.settings.uploads_dir)
    assert sorted(again.unchanged) == sorted(UPLOADS) and not again.deleted


def test_manifest_of_an_older_format_reingests_cleanly(tmp_path, fake_embedder, monkeypatch):
    import hashlib

    from ingest import pipeline

    with monkeypatch.context() as patch:  # ingest as the format before did: SHA-1 ids of absolute paths
        patch.setattr(pipeline, "doc_id_for", lambda key, secret: hashlib.sha1(key.encode()).hexdigest()[:16])
        kbase = _with_uploads(tmp_path, fake_embedder)
    count = kbase.store.count()
    manifest = kbase.docstore.read_manifest()
    old = {"signature": manifest["signature"], "files": {}}  # no format marker, absolute-path keys
    for entry in manifest["files"].values():
        path = str((kbase.settings.uploads_dir / entry["path"]).resolve())
        old["files"][path] = {k: v for k, v in entry.items() if k not in ("root", "path")}
    kbase.docstore.write_manifest(old)
    old_ids = {e["doc_id"] for e in old["files"].values()}

    report = _kbase(tmp_path, fake_embedder).ingest(kbase.settings.uploads_dir)
    assert sorted(report.added) == sorted(UPLOADS)
    fresh = kbase.docstore.read_manifest()
    assert fresh["format"] == MANIFEST_FORMAT and sorted(fresh["files"]) == ["uploads/a.md", "uploads/b.md"]
    stored = {m["doc_id"] for m in kbase.store.collection.get(include=["metadatas"])["metadatas"]}
    assert stored == {e["doc_id"] for e in fresh["files"].values()} and not stored & old_ids
    assert kbase.store.count() == count  # the old documents' vectors are gone: nothing is doubled
    assert not any(kbase.docstore.load(i) for i in old_ids)
