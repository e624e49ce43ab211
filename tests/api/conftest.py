import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from index.kbindex import KnowledgeBase
from kb.settings import Settings

TEACHER = {"Authorization": "Bearer teacher-secret"}


@pytest.fixture
def api_settings(tmp_path) -> Settings:
    return Settings(data_dir=tmp_path / "data", teacher_token="teacher-secret", chunk_tokens=120,
                    rate_limit_per_minute=1000, _env_file=None)


@pytest.fixture
def client(api_settings, embedder, corpus):
    kbase = KnowledgeBase.open(api_settings, embedder=embedder)
    kbase.ingest(corpus)
    with TestClient(create_app(api_settings, kbase=kbase)) as test_client:
        yield test_client
