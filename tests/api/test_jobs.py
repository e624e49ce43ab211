"""Jobs any worker can answer for, a DELETE that is a job of its own, and a health check that never blocks."""
import asyncio
import time

import httpx
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from ingest.jobs import JobStore
from index.kbindex import KnowledgeBase
from qa.service import KnowledgeService
from tests.api.conftest import TEACHER, fake_settings, write_corpus


@pytest.fixture(scope="module")
def indexed(tmp_path_factory, fake_embedder):
    folder = tmp_path_factory.mktemp("jobs")
    settings = fake_settings(folder)
    kbase = KnowledgeBase.open(settings, embedder=fake_embedder)
    kbase.ingest(write_corpus(folder / "corpus", internal=False))
    return settings, kbase


def _wait(client, url):
    for _ in range(200):
        job = client.get(url, headers=TEACHER).json()
        if job.get("status") in ("done", "failed"):
            return job
        time.sleep(0.05)
    raise AssertionError(f"job did not finish: {job}")


def _upload(client, name, text):
    resp = client.post("/api/documents", files={"files": (name, text.encode(), "text/markdown")},
                       data={"access": "public", "type": "case"}, headers=TEACHER)
    assert resp.status_code == 202, resp.text
    return resp.json()


# 17 -----------------------------------------------------------------------------------------------------------
def test_jobs_are_answered_by_every_worker(indexed):
    settings, kbase = indexed
    # two apps on one data directory stand for two uvicorn workers: each has its own Jobs object
    with TestClient(create_app(settings, kbase=kbase)) as worker_a, \
            TestClient(create_app(settings, kbase=kbase)) as worker_b:
        job = _upload(worker_a, "qinghao.md", "## 一、青蒿素示范园\n青蒿素示范园建在石门县。")
        done = _wait(worker_b, job["status_url"])
        assert done["status"] == "done" and done["files"]["qinghao.md"] == "ingested"
        assert worker_b.get("/api/jobs/0123456789ab", headers=TEACHER).status_code == 404
        assert worker_b.get("/api/jobs/..%2F..%2Fmanifest", headers=TEACHER).status_code == 404
    assert (settings.data_dir / "jobs" / f"{job['job_id']}.json").exists()


def test_job_store_is_bounded(tmp_path):
    import os

    store = JobStore(tmp_path / "jobs", keep=3, max_age_days=1)
    old = store.create(files={})
    path = tmp_path / "jobs" / f"{old['job_id']}.json"
    os.utime(path, (time.time() - 2 * 86400,) * 2)
    ids = [store.create(files={})["job_id"] for _ in range(5)]
    assert store.get(old["job_id"]) is None  # expired
    assert sorted(p.stem for p in (tmp_path / "jobs").glob("*.json")) == sorted(ids[-3:])  # the newest 3
    assert not list((tmp_path / "jobs").glob("*.tmp"))


def test_a_job_whose_worker_was_killed_is_reported_failed_not_running(tmp_path):
    """A worker SIGKILLed mid-job: the next reader sees the job failed with what to do, its files too."""
    import subprocess
    import sys

    script = (
        "import os, signal, sys\n"
        "from pathlib import Path\n"
        "from ingest.jobs import JobStore\n"
        "store = JobStore(Path(sys.argv[1]))\n"
        "job = store.create(files={'a.md': 'queued'}, results=[{'file': 'a.md', 'stored_as': 'a.md', 'status': 'queued'}])\n"
        "job['status'] = 'running'\n"
        "store.save(job)\n"
        "print(job['job_id'], flush=True)\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    proc = subprocess.run([sys.executable, "-c", script, str(tmp_path / "jobs")], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == -9
    store = JobStore(tmp_path / "jobs")
    job = store.get(proc.stdout.strip())
    assert job["status"] == "failed" and "请重新上传" in job["error"]
    assert job["results"][0]["status"] == "failed" and job["files"]["a.md"].startswith("failed")
    live = store.create(files={})  # this process is alive: its job stays queued
    assert store.get(live["job_id"])["status"] == "queued"


# 18 -----------------------------------------------------------------------------------------------------------
def test_delete_is_a_job_that_removes_only_that_document(indexed, monkeypatch):
    settings, kbase = indexed
    with TestClient(create_app(settings, kbase=kbase)) as client:
        first = _upload(client, "shanlan.md", "## 一、山岚茶社\n山岚茶社开在石门县。")
        second = _upload(client, "yunfeng.md", "## 一、云峰书屋\n云峰书屋开在石门县。")
        _wait(client, first["status_url"]), _wait(client, second["status_url"])
        doc_id = client.get("/api/search", params={"q": "山岚茶社", "mode": "bm25"}).json()["hits"][0]["doc_id"]

        def no_reingest(*_, **__):
            raise AssertionError("DELETE must not re-ingest")

        monkeypatch.setattr(KnowledgeBase, "ingest", no_reingest)
        resp = client.delete(f"/api/documents/{doc_id}", headers=TEACHER)
        assert resp.status_code == 202 and resp.json()["deleted"] == doc_id
        job = _wait(client, resp.json()["status_url"])
        assert job["status"] == "done" and job["removed"] == ["shanlan.md"]
        assert not client.get("/api/search", params={"q": "山岚茶社", "mode": "bm25"}).json()["hits"]
        assert client.get(f"/api/documents/{doc_id}", headers=TEACHER).status_code == 404
        kept = client.get("/api/search", params={"q": "云峰书屋", "mode": "bm25"}).json()["hits"]
        assert kept and kept[0]["title"] == "yunfeng"
        assert not (settings.uploads_dir / "shanlan.md").exists() and (settings.uploads_dir / "yunfeng.md").exists()
        assert doc_id not in {m["doc_id"] for m in kbase.store.collection.get(include=["metadatas"])["metadatas"]}


def test_health_does_not_block_the_event_loop(indexed, monkeypatch):
    settings, kbase = indexed
    app = create_app(settings, kbase=kbase)
    app.state.service = KnowledgeService(kbase, llm=None)

    def slow_ping():
        time.sleep(1.0)  # a Chroma server that takes a second to answer
        return 1

    monkeypatch.setattr(kbase.store, "count", slow_ping)

    async def scenario():
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
            health = asyncio.create_task(client.get("/api/health"))
            await asyncio.sleep(0.1)
            started = time.perf_counter()
            other = await client.get("/api/eval/latest")  # a route that needs no Chroma (falls back to the baseline)
            waited = time.perf_counter() - started
            return (await health).status_code, other.status_code, waited

    health, other, waited = asyncio.run(scenario())
    assert health == 200 and other == 200 and waited < 0.5  # /api/eval/latest: the committed baseline
