"""A server started on a data directory whose ingest was killed serves manifest-listed documents only, and repairs.

The kill points are simulated in-process: a step of the pipeline is patched to raise `Killed` (a BaseException,
so nothing on the way catches it), which leaves the files exactly as a SIGKILL at that point would — the dirty
marker set, the lock released — and a fresh app is then opened on the directory, as a restarted server would be.
"""
import fcntl

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from index.bm25 import KeywordIndex
from index.kbindex import KnowledgeBase
from index.store import ChunkStore
from tests.api.conftest import TEACHER, fake_settings

FIRST = "---\ntitle: 第一篇\naccess: public\n---\n## 一、网格\n石门县把全县划分为1236个网格。\n"
SECOND = "---\ntitle: 第二篇\naccess: public\n---\n## 一、鹭鸶湾\n鹭鸶湾渔港建成了冷链仓库。\n"


class Killed(BaseException):
    pass


def _crash(tmp_path, fake_embedder, monkeypatch, *, at: str):
    """Ingest FIRST, then ingest SECOND and 'kill' the process at the named point."""
    settings = fake_settings(tmp_path)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "first.md").write_text(FIRST, encoding="utf-8")
    KnowledgeBase.open(settings, embedder=fake_embedder).ingest(corpus)
    (corpus / "second.md").write_text(SECOND, encoding="utf-8")
    with monkeypatch.context() as patch:
        if at == "after_vectors":  # the vectors are in Chroma, the manifest entry is not written
            replace = ChunkStore.replace

            def replace_then_die(self, doc, vectors):
                replace(self, doc, vectors)
                raise Killed

            patch.setattr(ChunkStore, "replace", replace_then_die)
        else:  # "before_keyword": every manifest entry is written, the keyword index is not published
            def die(self, root):
                raise Killed

            patch.setattr(KeywordIndex, "save", die)
        with pytest.raises(Killed):
            KnowledgeBase.open(settings, embedder=fake_embedder).ingest(corpus)
    assert (settings.data_dir / "ingest.dirty").exists()
    return settings


def _orphan_id(kbase) -> str:
    listed = {e["doc_id"] for e in kbase.docstore.read_manifest()["files"].values()}
    stored = {m["doc_id"] for m in kbase.store.collection.get(include=["metadatas"])["metadatas"]}
    return next(iter(stored - listed), "")


def _served(client) -> dict:
    ask = client.post("/api/ask", json={"question": "鹭鸶湾渔港建成了什么？"}, headers=TEACHER).json()
    return {
        "dense": [h["title"] for h in client.get("/api/search", params={"q": "鹭鸶湾渔港冷链仓库", "mode": "dense"},
                                                 headers=TEACHER).json()["hits"]],
        "bm25": [h["title"] for h in client.get("/api/search", params={"q": "鹭鸶湾渔港冷链仓库", "mode": "bm25"},
                                                headers=TEACHER).json()["hits"]],
        "ask": [c["title"] for c in ask["citations"] + ask["related"]],
        "health": client.get("/api/health", headers=TEACHER).json()["documents"],
    }


def test_recovery_kill_after_vectors_serves_manifest_listed_documents_only(tmp_path, fake_embedder, monkeypatch):
    settings = _crash(tmp_path, fake_embedder, monkeypatch, at="after_vectors")
    kbase = KnowledgeBase.open(settings, embedder=fake_embedder)
    orphan = _orphan_id(kbase)
    assert orphan  # the killed ingest left the second document's vectors behind
    with TestClient(create_app(settings, kbase=kbase)) as client:
        served = _served(client)
        assert "第二篇" not in served["dense"] + served["bm25"] + served["ask"] and served["health"] == 1
        assert client.get(f"/api/documents/{orphan}", headers=TEACHER).status_code == 404
    assert _orphan_id(kbase) == "" and not (settings.data_dir / "ingest.dirty").exists()  # repaired on open


def test_recovery_orphans_not_served_while_another_ingest_holds_the_lock(tmp_path, fake_embedder, monkeypatch):
    settings = _crash(tmp_path, fake_embedder, monkeypatch, at="after_vectors")
    with open(settings.data_dir / "ingest.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # an ingest in another process is running: the server must not repair
        kbase = KnowledgeBase.open(settings, embedder=fake_embedder)
        with TestClient(create_app(settings, kbase=kbase)) as client:
            served = _served(client)
            orphan = _orphan_id(kbase)
            assert orphan and client.get(f"/api/documents/{orphan}", headers=TEACHER).status_code == 404
        assert "第二篇" not in served["dense"] + served["bm25"] + served["ask"] and served["health"] == 1
        assert (settings.data_dir / "ingest.dirty").exists()


def test_recovery_kill_before_keyword_index_publishes_it_on_open(tmp_path, fake_embedder, monkeypatch):
    settings = _crash(tmp_path, fake_embedder, monkeypatch, at="before_keyword")
    kbase = KnowledgeBase.open(settings, embedder=fake_embedder)
    with TestClient(create_app(settings, kbase=kbase)) as client:
        served = _served(client)
    assert served["bm25"] and served["bm25"][0] == "第二篇"
    assert "第二篇" in served["dense"] and served["health"] == 2
    assert not (settings.data_dir / "ingest.dirty").exists()
