import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from index.kbindex import KnowledgeBase
from tests.conftest import make_settings

TEACHER = {"Authorization": "Bearer teacher-secret"}


@pytest.fixture
def api_settings(tmp_path, store_kind, request):
    return make_settings(tmp_path, store_kind, request, teacher_token="teacher-secret", rate_limit_per_minute=1000)


@pytest.fixture
def client(api_settings, embedder, corpus):
    kbase = KnowledgeBase.open(api_settings, embedder=embedder)
    kbase.ingest(corpus)
    with TestClient(create_app(api_settings, kbase=kbase)) as test_client:
        yield test_client
