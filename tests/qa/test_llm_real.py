"""The LLM path for real: the local GGUF model through llama-cpp-python, and the OpenAI-compatible
client against a real llama.cpp server (`python -m llama_cpp.server`). Marked slow; CI runs them
(`.ci/run` builds the model with `make llm` and sets KB_REQUIRE_LLM_TESTS=1 so they cannot skip)."""
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from index.kbindex import KnowledgeBase
from qa.llm import LlamaCppClient, OpenAICompatibleClient
from qa.records import Final, Token
from qa.service import KnowledgeService
from scripts.install_llm import default_target
from tests.conftest import wait_http

pytestmark = pytest.mark.slow

GGUF = Path(os.environ.get("KB_TEST_GGUF") or default_target())


def _require():
    missing = []
    try:
        import llama_cpp  # noqa: F401
    except ImportError:
        missing.append("llama-cpp-python")
    if not GGUF.is_file():
        missing.append(str(GGUF))
    if missing:
        if os.environ.get("KB_REQUIRE_LLM_TESTS") == "1":
            pytest.fail(f"LLM tests required but missing: {missing}; run `make llm`")
        pytest.skip(f"local LLM not installed ({', '.join(missing)}): run `make llm`")


@pytest.fixture(scope="module")
def llm_index(tmp_path_factory, embedder):
    _require()
    from kb.settings import Settings
    from tests.conftest import LECTURE, REPORT

    root = tmp_path_factory.mktemp("llm")
    corpus = root / "corpus"
    corpus.mkdir()
    (corpus / "jiceng.md").write_text(LECTURE, encoding="utf-8")
    (corpus / "yunxi.md").write_text(REPORT, encoding="utf-8")
    kbase = KnowledgeBase.open(Settings(data_dir=root / "data", chunk_tokens=120, _env_file=None), embedder=embedder)
    kbase.ingest(corpus)
    return kbase


@pytest.fixture(scope="module")
def local_llm():
    _require()
    return LlamaCppClient(path=str(GGUF))


@pytest.mark.parametrize("question, expected", [
    ("石门县把全县划分为多少个网格？", "1236"),
    ("云溪县2023年茶产业综合产值是多少？", "58亿元"),
])
def test_local_gguf_answers_with_citation(llm_index, local_llm, question, expected):
    answer = KnowledgeService(llm_index, llm=local_llm).ask(question, answerer="llm")
    assert not answer.refused, answer
    assert expected in answer.answer.replace(",", "")
    assert answer.citations and all(f"[{c.n}]" in answer.answer for c in answer.citations)


def test_local_gguf_streams_tokens(llm_index, local_llm):
    events = list(KnowledgeService(llm_index, llm=local_llm).ask_stream("石门县把全县划分为多少个网格？", answerer="llm"))
    tokens = [e.text for e in events if isinstance(e, Token)]
    assert len(tokens) > 3 and isinstance(events[-1], Final)


def test_local_gguf_unanswerable_is_refused(llm_index, local_llm):
    answer = KnowledgeService(llm_index, llm=local_llm).ask("党校食堂周末几点开饭？", answerer="llm")
    assert answer.refused


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory):
    _require()
    port = _free_port()
    log = (tmp_path_factory.mktemp("server") / "server.log").open("wb")  # a pipe would fill up and block it
    proc = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(GGUF), "--host", "127.0.0.1",
         "--port", str(port), "--chat_format", "chatml", "--n_ctx", "4096", "--n_threads", "2",
         "--model_alias", "qwen-local"],
        stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}/v1"
    try:
        wait_http(f"{base}/models", proc=proc, seconds=180, log=Path(log.name))
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


def test_openai_compatible_client_against_real_server(llm_index, llama_server):
    client = OpenAICompatibleClient(base_url=llama_server, model="qwen-local", timeout=300)
    assert client.ping()
    answer = KnowledgeService(llm_index, llm=client).ask("石门县把全县划分为多少个网格？", answerer="llm")
    assert not answer.refused and "1236" in answer.answer.replace(",", "") and answer.citations


def test_unreachable_endpoint_falls_back_to_extractive(llm_index):
    client = OpenAICompatibleClient(base_url=f"http://127.0.0.1:{_free_port()}/v1", model="none", timeout=5)
    answer = KnowledgeService(llm_index, llm=client).ask("石门县把全县划分为多少个网格？", answerer="llm")
    assert "摘录式" in answer.notice and "1236" in answer.answer
