"""Rate limits that hold: wrong tokens, forged X-Forwarded-For, every /api route, a bounded store."""
import time

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from api.app import create_app
from api.deps import RateLimiter
from index.kbindex import KnowledgeBase
from kb.settings import Settings
from tests.api.conftest import TEACHER, fake_settings, write_corpus

LIMIT = 5


@pytest.fixture(scope="module")
def indexed(tmp_path_factory, fake_embedder):
    folder = tmp_path_factory.mktemp("limits")
    settings = fake_settings(folder, rate_limit_per_minute=LIMIT)
    kbase = KnowledgeBase.open(settings, embedder=fake_embedder)
    kbase.ingest(write_corpus(folder / "corpus"))
    return settings, kbase


def _client(indexed, *, peer="203.0.113.9", **overrides):
    settings, kbase = indexed
    return TestClient(create_app(settings.model_copy(update=overrides), kbase=kbase), client=(peer, 50000))


def test_rate_limit_counts_wrong_tokens_by_address(indexed):
    with _client(indexed) as client:
        codes = [client.get("/api/stats", headers={"Authorization": f"Bearer guess-{n}"}).status_code
                 for n in range(3 * LIMIT)]
    assert codes[:LIMIT] == [401] * LIMIT and set(codes[LIMIT:]) == {429}


def test_rate_limit_ignores_forwarded_for_from_an_untrusted_peer(indexed):
    with _client(indexed) as client:
        codes = [client.get("/api/stats", headers={"X-Forwarded-For": f"198.51.100.{n}"}).status_code
                 for n in range(2 * LIMIT)]
    assert codes[:LIMIT] == [200] * LIMIT and set(codes[LIMIT:]) == {429}


def test_rate_limit_believes_forwarded_for_from_a_trusted_proxy(indexed):
    with _client(indexed, peer="10.0.0.2", trusted_proxies="10.0.0.0/8") as client:
        codes = [client.get("/api/stats", headers={"X-Forwarded-For": f"198.51.100.{n}, 10.0.0.7"}).status_code
                 for n in range(2 * LIMIT)]
        assert set(codes) == {200}  # each is another client behind the proxy
        same = [client.get("/api/stats", headers={"X-Forwarded-For": "198.51.100.200"}).status_code
                for _ in range(LIMIT + 1)]
        assert same[-1] == 429
        # a forged entry in front of the real client's address does not help either
        forged = [client.get("/api/stats", headers={"X-Forwarded-For": f"1.2.3.{n}, 198.51.100.200"}).status_code
                  for n in range(2)]
        assert set(forged) == {429}


@pytest.mark.parametrize("url", ["/api/health", "/api/eval/latest"])
def test_rate_limit_covers_health_and_eval(indexed, url):
    with _client(indexed) as client:
        codes = [client.get(url).status_code for _ in range(LIMIT + 2)]
    assert 429 not in codes[:LIMIT] and codes[LIMIT:] == [429, 429]
    assert "rate_limited" in client.get(url).text


def test_rate_limit_valid_token_has_its_own_window(indexed):
    with _client(indexed) as client:
        for n in range(LIMIT):
            client.get("/api/stats", headers={"Authorization": f"Bearer guess-{n}"})
        assert client.get("/api/stats", headers=TEACHER).status_code == 200


def test_rate_limiter_forgets_clients_after_the_window(monkeypatch):
    import limits.storage.memory as memory

    limiter = RateLimiter(2)
    assert limiter.allow("a") and limiter.allow("a") and not limiter.allow("a")

    def held(name):
        return [k for k in (*limiter.storage.storage, *limiter.storage.expirations) if f"/kb/{name}/" in k]

    assert held("a")
    now = time.time()
    monkeypatch.setattr(memory.time, "time", lambda: now + 125)  # two windows later
    assert limiter.allow("b")  # any hit schedules the store's expiry pass
    for _ in range(100):
        if not held("a"):
            break
        time.sleep(0.02)
    assert not held("a")  # bounded: an idle client is forgotten
    assert limiter.allow("a")


@pytest.mark.parametrize("name, value", [("rate_limit_storage", "nosuch://x"),
                                         ("rate_limit_storage", "async+memory://"),
                                         ("trusted_proxies", "10.0.0.0/8, not-an-ip")])
def test_settings_reject_bad_limit_options(name, value):
    with pytest.raises(ValidationError) as info:
        Settings(_env_file=None, **{name: value})
    assert f"KB_{name.upper()}" in str(info.value)


def test_rate_limit_storage_is_a_limits_store(indexed):
    from limits.storage import MemoryStorage

    with _client(indexed) as client:
        assert isinstance(client.app.state.rate_limiter.storage, MemoryStorage)
