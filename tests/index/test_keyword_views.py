"""The keyword index and its per-role views are built once, however many questions arrive together."""
import threading
import time

from index.access import Role
from index.bm25 import KeywordIndex
from index.kbindex import KnowledgeBase
from tests.api.conftest import fake_settings, write_corpus


def test_concurrent_questions_build_a_role_view_once(tmp_path, fake_embedder, monkeypatch):
    settings = fake_settings(tmp_path)
    write_corpus(tmp_path / "corpus")
    kbase = KnowledgeBase.open(settings, embedder=fake_embedder)
    kbase.ingest(tmp_path / "corpus")
    kbase.keyword_index(Role.TEACHER)
    kbase._views.clear()
    builds = []
    original = KeywordIndex.view

    def slow_view(self, can_see):
        builds.append(threading.get_ident())
        time.sleep(0.2)  # long enough that every thread arrives while the first one builds
        return original(self, can_see)

    monkeypatch.setattr(KeywordIndex, "view", slow_view)
    views = []
    threads = [threading.Thread(target=lambda: views.append(kbase.keyword_index(Role.TRAINEE))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(builds) == 1 and len({id(v) for v in views}) == 1
