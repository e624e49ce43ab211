"""Scale-out: a Chroma server, two uvicorn workers and a separate ingest process at once."""
import os
import socket
import subprocess
import sys
import threading
import time
import uuid

import httpx
import pytest

from tests.conftest import LECTURE, REPORT, wait_http

pytestmark = pytest.mark.slow
TEACHER = {"Authorization": "Bearer t-secret"}


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _kb(env, *args):
    return subprocess.run([sys.executable, "-c", "from kb.cli import main; main()", *args], env=env,
                          capture_output=True, text=True, timeout=600)


def test_workers_and_separate_ingest_share_a_chroma_server(tmp_path, chroma_server):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "jiceng.md").write_text(LECTURE, encoding="utf-8")
    env = {**os.environ, "KB_CHROMA_URL": chroma_server, "KB_DATA_DIR": str(tmp_path / "data"),
           "KB_COLLECTION": f"s{uuid.uuid4().hex[:10]}", "KB_TEACHER_TOKEN": "t-secret",
           "KB_CHUNK_TOKENS": "120", "KB_RATE_LIMIT_PER_MINUTE": "100000"}
    assert _kb(env, "ingest", str(corpus)).returncode == 0
    port = _port()
    server = subprocess.Popen([sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory", "--workers", "2",
                               "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"], env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_http(f"{base}/api/health", proc=server)
        statuses: list[int] = []
        stop = threading.Event()

        def ask_loop():
            with httpx.Client(base_url=base, timeout=60) as client:
                while not stop.is_set():
                    statuses.append(client.post("/api/ask", json={"question": "石门县划分了多少个网格？"}).status_code)

        threads = [threading.Thread(target=ask_loop) for _ in range(4)]
        for t in threads:
            t.start()
        (corpus / "yunxi.md").write_text(REPORT, encoding="utf-8")
        ingest = _kb(env, "ingest", str(corpus))  # a separate process writes while the workers answer
        assert ingest.returncode == 0, ingest.stderr
        time.sleep(1)
        stop.set()
        for t in threads:
            t.join()
        assert statuses and set(statuses) == {200}
        # every worker reloads the keyword index the ingest published: ask many times, all must see the report
        with httpx.Client(base_url=base, timeout=60, headers=TEACHER) as client:
            for _ in range(12):
                hits = client.get("/api/search", params={"q": "茶链长", "mode": "bm25"}).json()["hits"]
                assert hits and "茶链长" in hits[0]["snippet"]
    finally:
        server.terminate()
        server.wait(timeout=30)
