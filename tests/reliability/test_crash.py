"""Kill `kb ingest` at random points: the index stays queryable and consistent, the next run completes it."""
import os
import random
import signal
import subprocess
import sys
import time

import pytest

from index.bm25 import KeywordIndex
from index.kbindex import KnowledgeBase
from index.service import KnowledgeService
from kb.settings import Settings

SENTENCE = "第{n}篇材料讨论基层治理与乡村振兴，调研组走访了{k}个村，提出了若干金点子建议。"


def _corpus(root, docs=10, sentences=60):
    root.mkdir()
    for n in range(docs):
        body = "\n".join(f"## {k + 1}、第{k + 1}部分\n" + SENTENCE.format(n=n, k=k) * 5 for k in range(sentences // 5))
        (root / f"doc{n:02d}.md").write_text(f"---\ntitle: 材料{n}\ntype: lecture\n---\n{body}\n", encoding="utf-8")


def _ingest_cmd(data_dir, corpus):
    env = {**os.environ, "KB_DATA_DIR": str(data_dir), "KB_CHUNK_TOKENS": "60"}
    return [sys.executable, "-c", "from kb.cli import main; main()", "ingest", str(corpus)], env


def _state(settings, embedder):
    kbase = KnowledgeBase.open(settings, embedder=embedder)
    manifest = kbase.docstore.read_manifest()["files"]
    listed = {e["doc_id"]: e for e in manifest.values()}
    chroma = kbase.store.collection.get(include=["metadatas"])
    return kbase, listed, chroma


@pytest.mark.slow
def test_killed_ingest_leaves_a_consistent_index_and_the_next_run_finishes(tmp_path, embedder):
    corpus, data_dir = tmp_path / "corpus", tmp_path / "data"
    _corpus(corpus)
    settings = Settings(data_dir=data_dir, chunk_tokens=60, _env_file=None)
    rng = random.Random(3)
    for delay in (rng.uniform(3, 5), rng.uniform(5, 8), rng.uniform(8, 11)):
        cmd, env = _ingest_cmd(data_dir, corpus)
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        kbase, listed, chroma = _state(settings, embedder)
        # every document the manifest lists is complete in Chroma and in the document store
        for doc_id in listed:
            doc = kbase.docstore.load(doc_id)
            assert doc is not None
            assert sorted(kbase.store.doc_chunk_ids(doc_id)) == sorted(c.chunk_id for c in doc.chunks)
        # and the index answers queries meanwhile
        KnowledgeService(kbase, llm=None).search("基层治理", k=3, mode="dense")
    cmd, env = _ingest_cmd(data_dir, corpus)
    finished = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert finished.returncode == 0, finished.stderr
    kbase, listed, chroma = _state(settings, embedder)
    assert len(listed) == 10
    expected = {c.chunk_id for doc_id in listed for c in kbase.docstore.load(doc_id).chunks}
    assert set(chroma["ids"]) == expected  # no orphans, nothing missing
    keyword = KeywordIndex.load(kbase.bm25_dir)
    assert {r.chunk_id for r in keyword.records} == expected
    assert not (data_dir / "ingest.dirty").exists()
