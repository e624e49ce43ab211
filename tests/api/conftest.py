import textwrap

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from index.kbindex import KnowledgeBase
from kb.settings import Settings
from tests.conftest import LECTURE, REPORT, FakeEmbedder, make_settings

TEACHER = {"Authorization": "Bearer teacher-secret"}

# an internal note with HTML in its metadata and a Latin code name that occurs nowhere else
INTERNAL_NOTE = textwrap.dedent("""\
    ---
    title: 内部工作备忘
    type: case
    cohort: 第77期内部班
    topics: ["<b onmouseover=alert(1)>内部专题</b>", 干部考核]
    access: internal
    ---
    # 内部工作备忘
    ## 一、考核安排
    代号Zorblatix的考核方案只在内部讨论。考核组共走访了18个乡镇。
    """)


@pytest.fixture
def api_settings(tmp_path, store_kind, request):
    return make_settings(tmp_path, store_kind, request, teacher_token="teacher-secret", rate_limit_per_minute=1000)


@pytest.fixture
def client(api_settings, embedder, corpus):
    kbase = KnowledgeBase.open(api_settings, embedder=embedder)
    kbase.ingest(corpus)
    with TestClient(create_app(api_settings, kbase=kbase)) as test_client:
        yield test_client


def write_corpus(root, *, internal: bool = True):
    """The small test corpus: a public lecture, and (internal=True) an internal report and an internal note."""
    (root / "lectures").mkdir(parents=True)
    (root / "lectures" / "jiceng.md").write_text(LECTURE, encoding="utf-8")
    if internal:
        (root / "reports").mkdir()
        (root / "reports" / "yunxi.md").write_text(REPORT, encoding="utf-8")
        (root / "reports" / "note.md").write_text(INTERNAL_NOTE, encoding="utf-8")
    return root


def fake_settings(folder, **overrides) -> Settings:
    values = {"teacher_token": "teacher-secret", "rate_limit_per_minute": 100000, **overrides}
    return Settings(data_dir=folder / "data", chunk_tokens=120, _env_file=None, **values)


def fake_app(folder, embedder: FakeEmbedder, *, internal: bool = True, **overrides):
    """A real app on a real embedded Chroma, indexed with the fake embedder (for behaviour, not quality)."""
    settings = fake_settings(folder, **overrides)
    kbase = KnowledgeBase.open(settings, embedder=embedder)
    kbase.ingest(write_corpus(folder / "corpus", internal=internal))
    return create_app(settings, kbase=kbase)


@pytest.fixture(scope="module")
def fake_client(tmp_path_factory, fake_embedder):
    """One app per module on the fake-embedder index (tests must not change what it holds)."""
    with TestClient(fake_app(tmp_path_factory.mktemp("fake"), fake_embedder)) as test_client:
        yield test_client
