"""The first run without a blank wait: the server ingests in the background, answers from what is stored."""
import time

from fastapi.testclient import TestClient

from api.app import create_app
from index.kbindex import KnowledgeBase
from tests.api.conftest import TEACHER, fake_settings, write_corpus


def test_ingest_publishes_stored_documents_before_it_ends(tmp_path, fake_embedder):
    corpus = write_corpus(tmp_path / "corpus")
    kbase = KnowledgeBase.open(fake_settings(tmp_path), embedder=fake_embedder)
    served = []
    kbase.ingest(corpus, publish_every=0.0,
                 on_document=lambda done, total: served.append((done, total, len(kbase.keyword_index().doc_ids))))
    total = served[-1][1]
    assert total == 3 and [d for d, *_ in served] == [1, 2, 3]
    # after document 1 (of 3) it is already served; the last one is published by the ingest's end as before
    assert served[0][2] == 1 and served[1][2] == 2
    assert len(kbase.keyword_index().doc_ids) == 3


def test_server_starts_at_once_and_reports_the_first_ingest(tmp_path, fake_embedder):
    corpus = write_corpus(tmp_path / "corpus")
    settings = fake_settings(tmp_path, serve_ingest=corpus)
    kbase = KnowledgeBase.open(settings, embedder=fake_embedder)
    with TestClient(create_app(settings, kbase=kbase)) as client:
        deadline = time.monotonic() + 120
        while client.get("/api/health").json()["ingest"]["running"] and time.monotonic() < deadline:
            time.sleep(0.2)
        anonymous = client.get("/api/health").json()
        teacher = client.get("/api/health", headers=TEACHER).json()
        assert anonymous["ingest"] == {"running": False, "error": False, "progress": 1.0}  # no counts for trainees
        assert teacher["ingest"]["documents_done"] == teacher["ingest"]["documents_total"] == 3
        assert teacher["ingest"]["summary"]["added"] == 3 and teacher["documents"] == 3
        answer = client.post("/api/ask", json={"question": "石门县把全县划分为多少个网格？"}).json()
        assert answer["citations"]
