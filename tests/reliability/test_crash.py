"""Kill `kb ingest` at random points: the index stays queryable and consistent, the next run completes it."""
import json
import os
import random
import signal
import subprocess
import sys
import time

import pytest


SENTENCE = "第{n}篇材料讨论基层治理与乡村振兴，调研组走访了{k}个村，提出了若干金点子建议。"


def _corpus(root, docs=10, sentences=60):
    root.mkdir()
    for n in range(docs):
        body = "\n".join(f"## {k + 1}、第{k + 1}部分\n" + SENTENCE.format(n=n, k=k) * 5 for k in range(sentences // 5))
        (root / f"doc{n:02d}.md").write_text(f"---\ntitle: 材料{n}\ntype: lecture\n---\n{body}\n", encoding="utf-8")


def _ingest_cmd(data_dir, corpus):
    env = {**os.environ, "KB_DATA_DIR": str(data_dir), "KB_CHUNK_TOKENS": "60"}
    return [sys.executable, "-c", "from kb.cli import main; main()", "ingest", str(corpus)], env


CHECK = """
import json, sys
from pathlib import Path
from index.bm25 import KeywordIndex
from index.kbindex import KnowledgeBase
from qa.service import KnowledgeService
from kb.settings import Settings
kbase = KnowledgeBase.open(Settings(data_dir=Path(sys.argv[1]), chunk_tokens=60, _env_file=None))
listed = {e["doc_id"] for e in kbase.docstore.read_manifest().get("files", {}).values()}
complete = all(
    sorted(kbase.store.doc_chunk_ids(d)) == sorted(c.chunk_id for c in kbase.docstore.load(d).chunks) for d in listed)
hits = KnowledgeService(kbase, llm=None).search("基层治理", k=3, mode="dense").hits
keyword = KeywordIndex.load(kbase.bm25_dir)
expected = sorted(c.chunk_id for d in listed for c in kbase.docstore.load(d).chunks)
print(json.dumps({"listed": len(listed), "complete": complete, "hits": len(hits),
                  "chroma_ids": sorted(kbase.store.collection.get(include=[])["ids"]), "expected": expected,
                  "bm25_ids": sorted(r.chunk_id for r in keyword.records) if keyword else None}))
"""


def _check(data_dir):
    # a fresh process, as a server started after the crash would be (Chroma is not process-safe)
    out = subprocess.run([sys.executable, "-c", CHECK, str(data_dir)], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def _listed(data_dir) -> int:
    try:
        return len(json.loads((data_dir / "manifest.json").read_text(encoding="utf-8")).get("files", {}))
    except (OSError, ValueError):
        return 0


def _kill_when_listed(proc, data_dir, target: int, extra: float, *, timeout: float = 300) -> None:
    """SIGKILL once the manifest lists `target` documents, plus `extra` seconds (anywhere inside the next
    document: after its vectors, before its manifest entry…). Kills are placed by progress, not by a clock, so
    they land mid-ingest however long the process takes to start (the imports alone take seconds)."""
    deadline = time.monotonic() + timeout
    while proc.poll() is None and _listed(data_dir) < target and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(extra)
    proc.send_signal(signal.SIGKILL)
    proc.wait()


@pytest.mark.slow
def test_killed_ingest_leaves_a_consistent_index_and_the_next_run_finishes(tmp_path):
    corpus, data_dir = tmp_path / "corpus", tmp_path / "data"
    _corpus(corpus)
    rng = random.Random(3)
    progress = []
    for target in (2, 5, 8):
        cmd, env = _ingest_cmd(data_dir, corpus)
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _kill_when_listed(proc, data_dir, target, rng.uniform(0, 1.0))
        state = _check(data_dir)
        # every document the manifest lists is complete in Chroma, and the index answers queries meanwhile
        assert state["complete"] and (state["hits"] > 0 or state["listed"] == 0)
        progress.append(state["listed"])
    cmd, env = _ingest_cmd(data_dir, corpus)
    finished = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert finished.returncode == 0, finished.stderr
    state = _check(data_dir)
    assert state["listed"] == 10
    assert any(0 < n < 10 for n in progress), progress  # some kill really landed mid-ingest
    assert state["chroma_ids"] == state["expected"] == state["bm25_ids"]  # no orphans, nothing missing
    assert not (data_dir / "ingest.dirty").exists()
