"""Uploads that tried to exhaust the server, and job results that must say what happened (issue 10, #1–#8).

The app is the real one on a real Chroma in tmp_path; the embedder is the FAKE one (these tests
check limits and bookkeeping, not retrieval quality).
"""
import json
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient

import ingest.documents
from api.app import create_app
from index.kbindex import KnowledgeBase
from kb.settings import Settings
from tests.api.conftest import fake_settings
from eval import hostile
from eval.hostile import ALIAS_BOMB

TEACHER = {"Authorization": "Bearer teacher-secret"}
GOOD = "## 一、青蒿素示范园\n青蒿素示范园建在石门县，带动三百户增收。"


@pytest.fixture
def settings(tmp_path) -> Settings:
    return fake_settings(tmp_path)


@pytest.fixture
def client(settings, fake_embedder, corpus):
    kbase = KnowledgeBase.open(settings, embedder=fake_embedder)
    kbase.ingest(corpus)
    with TestClient(create_app(settings, kbase=kbase)) as test_client:
        yield test_client


def _upload(client, *files, data=None, headers=TEACHER):
    parts = [("files", (name, body if isinstance(body, bytes) else body.encode())) for name, body in files]
    return client.post("/api/documents", files=parts, data=data or {"access": "public"}, headers=headers)


def _finished(client, resp, seconds: float = 60) -> dict:
    assert resp.status_code == 202, resp.text
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job = client.get(resp.json()["status_url"], headers=TEACHER).json()
        if job["status"] in ("done", "failed"):
            return job
        time.sleep(0.05)
    pytest.fail(f"job did not finish in {seconds} s: {job}")


def _result(job: dict, index: int = 0) -> dict:
    return job["results"][index]


def _documents(client) -> list[dict]:
    return client.get("/api/documents", headers=TEACHER).json()["documents"]


def test_zip_bomb_upload_is_quarantined_listed_never_reparsed_and_deleted(client, settings, tmp_path, monkeypatch):
    before = _documents(client)
    bomb = hostile.zip_bomb_docx(tmp_path / "bomb.docx").read_bytes()
    job = _finished(client, _upload(client, ("炸弹.docx", bomb)))
    result = _result(job)
    assert job["status"] == "done" and result["status"] == "quarantined" and "解压后" in result["reason"]
    assert job["files"]["炸弹.docx"].startswith("quarantined: ")
    assert not (settings.uploads_dir / "炸弹.docx").exists()
    assert (settings.quarantine_dir / "炸弹.docx").exists() and (settings.quarantine_dir / "炸弹.docx.meta.yaml").exists()
    assert _documents(client) == before  # nothing already stored is lost

    listed = client.get("/api/quarantine", headers=TEACHER).json()["files"]
    assert [(e["name"], e["size"]) for e in listed] == [("炸弹.docx", len(bomb))] and "解压后" in listed[0]["reason"]
    assert client.get("/api/quarantine").status_code == 403

    # a later upload job does not parse the quarantined file again
    loaded = []
    real = ingest.documents.load_file
    monkeypatch.setattr(ingest.documents, "load_file", lambda path, **kw: loaded.append(path.name) or real(path, **kw))
    assert _result(_finished(client, _upload(client, ("good.md", GOOD))))["status"] == "ingested"
    assert loaded == ["good.md"]

    assert client.delete("/api/quarantine/炸弹.docx").status_code == 403
    assert client.delete("/api/quarantine/炸弹.docx", headers=TEACHER).json() == {"deleted": "炸弹.docx"}
    assert client.get("/api/quarantine", headers=TEACHER).json()["files"] == []
    assert not any(settings.quarantine_dir.iterdir())
    assert client.delete("/api/quarantine/炸弹.docx", headers=TEACHER).status_code == 404


@pytest.mark.parametrize("name", ["../manifest.json", "..%2Fmanifest.json", ".炸弹.docx.reason.json", "炸弹.docx.meta.yaml"])
def test_quarantine_delete_touches_only_listed_names(client, settings, name):
    _finished(client, _upload(client, ("炸弹.md", f"---\n{ALIAS_BOMB}---\n正文。")))
    resp = client.delete(f"/api/quarantine/{name}", headers=TEACHER)
    assert resp.status_code == 404 and resp.json()["error"]["code"] in ("not_quarantined", "not_found")
    assert (settings.data_dir / "manifest.json").exists() and (settings.quarantine_dir / "炸弹.md").exists()


def test_million_paragraph_docx_fails_fast_and_is_quarantined(client, tmp_path):
    flood = hostile.million_paragraph_docx(tmp_path / "flood.docx").read_bytes()
    started = time.monotonic()
    job = _finished(client, _upload(client, ("空段落.docx", flood)))
    assert _result(job)["status"] == "quarantined" and time.monotonic() - started < 10


def test_alias_bomb_job_answer_stays_small(client):
    job = _finished(client, _upload(client, ("别名.md", f"---\n{ALIAS_BOMB}---\n# 标题\n正文。")))
    assert _result(job)["status"] == "quarantined" and "锚点" in _result(job)["reason"]
    assert len(json.dumps(job, ensure_ascii=False)) < 3000


def test_a_good_file_of_a_quarantined_name_replaces_the_entry(client, settings):
    _finished(client, _upload(client, ("a.md", f"---\n{ALIAS_BOMB}---\n正文。")))
    assert [e["name"] for e in client.get("/api/quarantine", headers=TEACHER).json()["files"]] == ["a.md"]
    job = _finished(client, _upload(client, ("a.md", GOOD)))
    assert job["files"] == {"a.md": "ingested"}
    assert client.get("/api/quarantine", headers=TEACHER).json()["files"] == []


# --- #5: authenticate before reading the body, cap bodies at the server ---

def _raw_request(client, path: str, headers: dict, chunks, method: str = "POST") -> tuple[int, dict, int]:
    """Call the ASGI app directly, feeding the body chunk by chunk; returns (status, json, bytes it pulled)."""
    pulled = 0
    messages = []

    async def call():
        nonlocal pulled
        source = iter(chunks)

        async def receive():
            nonlocal pulled
            chunk = next(source, None)
            if chunk is None:
                return {"type": "http.request", "body": b"", "more_body": False}
            pulled += len(chunk)
            return {"type": "http.request", "body": chunk, "more_body": True}

        async def send(message):
            messages.append(message)

        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
                 "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
                 "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
                 "client": ("127.0.0.1", 5000), "server": ("testserver", 80)}
        await client.app(scope, receive, send)

    client.portal.call(call)
    status = next(m["status"] for m in messages if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
    return status, json.loads(body), pulled


BOUNDARY = "kbtestboundary"
MULTIPART = {"content-type": f"multipart/form-data; boundary={BOUNDARY}"}


def _multipart_chunks(filename: str, megabytes: int):
    yield (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{filename}\"\r\n"
           "Content-Type: text/markdown\r\n\r\n").encode()
    block = "正文".encode() * (1 << 18) + b"\n" * 0  # 1.5 MB of text per chunk
    for _ in range(megabytes * 2 // 3):
        yield block
    yield f"\r\n--{BOUNDARY}--\r\n".encode()


@pytest.mark.parametrize("headers, status, code", [
    ({}, 403, "teacher_only"),
    ({"authorization": "Bearer wrong-token"}, 401, "invalid_token"),
])
def test_unauthenticated_300mb_upload_is_refused_before_its_body_is_read(client, headers, status, code):
    declared = {**MULTIPART, **headers, "content-length": str(300 << 20)}
    got, body, pulled = _raw_request(client, "/api/documents", declared, _multipart_chunks("big.md", 300))
    assert (got, body["error"]["code"]) == (status, code) and pulled == 0


def test_declared_body_over_the_cap_is_413_unread(client):
    client.app.state.settings.max_body_mb = 5
    declared = {**MULTIPART, **TEACHER, "content-length": str(300 << 20)}
    got, body, pulled = _raw_request(client, "/api/documents", declared, _multipart_chunks("big.md", 300))
    assert (got, body["error"]["code"], pulled) == (413, "body_too_large", 0)


def test_chunked_body_over_the_cap_stops_while_streaming(client):
    client.app.state.settings.max_body_mb = 3
    client.app.state.settings.max_upload_mb = 50
    got, body, pulled = _raw_request(client, "/api/documents", {**MULTIPART, **TEACHER}, _multipart_chunks("big.md", 300))
    assert (got, body["error"]["code"]) == (413, "body_too_large") and pulled < 5 << 20


def test_oversized_file_is_refused_at_the_limit_not_after_the_body(client, settings):
    client.app.state.settings.max_upload_mb = 1
    got, body, pulled = _raw_request(client, "/api/documents", {**MULTIPART, **TEACHER}, _multipart_chunks("big.md", 60))
    assert (got, body["error"]["code"]) == (413, "file_too_large") and pulled < 4 << 20
    assert not settings.uploads_dir.exists() or not any(settings.uploads_dir.iterdir())


def test_unsupported_type_is_refused_at_its_headers(client):
    got, body, pulled = _raw_request(client, "/api/documents", {**MULTIPART, **TEACHER}, _multipart_chunks("x.exe", 60))
    assert (got, body["error"]["code"]) == (415, "unsupported_type") and pulled < 2 << 20


def test_other_routes_cap_json_bodies(client):
    big = json.dumps({"question": "问" * (1 << 20)})
    assert client.post("/api/ask", content=big, headers={"content-type": "application/json"}).status_code == 413
    chunked = (big[i:i + 65536].encode() for i in range(0, len(big), 65536))
    got, body, pulled = _raw_request(client, "/api/ask", {"content-type": "application/json"}, chunked)
    assert (got, body["error"]["code"]) == (413, "body_too_large") and pulled < 2 << 20


# --- #6: validate all, then write all, then enqueue ---

@pytest.mark.parametrize("second, status, code", [
    (("b.exe", b"MZ"), 415, "unsupported_type"),
    (("b.md", b"x" * (1024 * 1024 + 1)), 413, "file_too_large"),
    (("b.md", b""), 422, "empty_file"),
])
def test_a_rejected_second_file_leaves_nothing_written(client, settings, second, status, code):
    client.app.state.settings.max_upload_mb = 1
    resp = _upload(client, ("a.md", GOOD), second)
    assert resp.status_code == status and resp.json()["error"]["code"] == code
    for folder in (settings.uploads_dir, settings.incoming_dir):
        assert not folder.exists() or not [p for p in folder.iterdir() if p.name != ".lock"]
    job = _finished(client, _upload(client, ("c.md", "## 一、其他\n另一份资料。")))
    assert job["files"] == {"c.md": "ingested"} and not any(d["source"] == "a.md" for d in _documents(client))


# --- #7: names the corpus loader skips are indexed when uploaded ---

def test_conventionally_skipped_names_are_indexed_when_uploaded(client):
    names = ["_private.md", "README.md", "readme-notes.md"]
    job = _finished(client, _upload(client, *[(n, f"## 一、{n}\n独特词汇{i}号样本。") for i, n in enumerate(names)]))
    assert job["files"] == {n: "ingested" for n in names}
    sources = {d["source"] for d in _documents(client)}
    assert set(names) <= sources
    hits = client.get("/api/search", params={"q": "独特词汇"}).json()["hits"]
    assert {h["doc_id"] for h in hits} >= {d["doc_id"] for d in _documents(client) if d["source"] in names}


# --- #8: concurrent uploads of one name each say what happened ---

def test_concurrent_uploads_of_one_name_are_all_ingested_and_say_so(client):
    with ThreadPoolExecutor(8) as pool:
        resps = list(pool.map(lambda i: _upload(client, ("同名.md", f"## 一、第{i}份\n第{i}份不同的内容。")), range(8)))
    jobs = [_finished(client, r) for r in resps]
    stored = [_result(j)["stored_as"] for j in jobs]
    assert len(set(stored)) == 8 and all(_result(j)["status"] == "ingested" for j in jobs), [j["files"] for j in jobs]
    assert len([d for d in _documents(client) if d["source"] in stored]) == 8


def test_identical_concurrent_uploads_are_one_document_and_duplicates(client):
    with ThreadPoolExecutor(4) as pool:
        resps = list(pool.map(lambda _: _upload(client, ("同名.md", GOOD)), range(4)))
    # a copy that arrives once the first is stored is refused at once (409 duplicate, the page offers to
    # replace it); one that races the first is stored and its job reports it as a duplicate of the first
    refused = [r for r in resps if r.status_code == 409]
    assert all(r.json()["error"]["code"] == "duplicate" for r in refused)
    results = [_result(_finished(client, r)) for r in resps if r.status_code != 409]
    assert sorted(r["status"] for r in results) == ["duplicate"] * (len(results) - 1) + ["ingested"]
    first = next(r["stored_as"] for r in results if r["status"] == "ingested")
    assert {r["duplicate_of"] for r in results if r["status"] == "duplicate"} <= {first}
    assert len([d for d in _documents(client) if d["source"].startswith("同名")]) == 1


def test_batches_staged_before_a_restart_are_removed_when_stale(client, settings):
    import os

    service = client.app.state.uploads
    old, fresh = settings.incoming_dir / "old000000000", settings.incoming_dir / "new000000000"
    for folder in (old, fresh):
        folder.mkdir(parents=True)
        (folder / "a.md").write_text(GOOD, encoding="utf-8")
    os.utime(old, (time.time() - 7 * 3600,) * 2)
    assert service.remove_stale() == 1 and not old.exists() and fresh.exists()


@pytest.mark.parametrize("data, field", [
    ({"type": "video"}, "type"),
    ({"access": "secret"}, "access"),
    ({"title": "长" * 201}, "title"),
])
def test_bad_form_fields_are_422_and_write_nothing(client, settings, data, field):
    resp = _upload(client, ("a.md", GOOD), data=data)
    assert resp.status_code == 422 and resp.json()["error"]["code"] == "invalid_request"
    assert field in resp.json()["error"]["message"]
    assert not settings.uploads_dir.exists() or not any(settings.uploads_dir.iterdir())


def test_openapi_documents_the_upload_form(client):
    body = client.get("/openapi.json").json()["paths"]["/api/documents"]["post"]["requestBody"]
    assert set(body["content"]["multipart/form-data"]["schema"]["properties"]) >= {"files", "type", "access"}
