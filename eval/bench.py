"""Benchmarks that print figures (not timed tests): ingest throughput vs the raw embedder, unchanged
re-ingest, query latency and memory at 1k/10k/100k chunks (synthetic scale-up of real text), and
service throughput under concurrent clients against uvicorn.   Usage: kb bench [--sizes 1000,10000,100000]
"""
from __future__ import annotations

import asyncio
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from eval.dataset import load_dataset
from eval.metrics import percentile
from index.kbindex import KnowledgeBase
from qa.service import KnowledgeService
from ingest.documents import Chunk, Document, build_document, doc_id_for
from ingest.metadata import DocMeta
from ingest.pipeline import discover
from kb.settings import Settings


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def bench_ingest(corpus: Path, base: Settings, *, files: int | None = None) -> dict:
    """Full ingest time against the embedder's own time on the same texts, then an unchanged re-ingest."""
    with tempfile.TemporaryDirectory(prefix="kb-bench-") as tmp:
        folder = Path(tmp) / "corpus"
        chosen, _ = discover(corpus)
        chosen = chosen[:files] if files else chosen
        for path in chosen:
            target = folder / path.relative_to(corpus)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
            side = path.with_name(path.name + ".meta.yaml")
            if side.exists():
                shutil.copy2(side, target.with_name(side.name))
        kbase = KnowledgeBase.open(base.model_copy(update={"data_dir": Path(tmp) / "data"}))
        ingestor = kbase.ingestor()
        texts = []
        for path in sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.endswith(".meta.yaml")):
            doc = build_document(path, doc_id=doc_id_for(str(path), secret=b"bench"), source=path.name,
                                 count_tokens=kbase.embedder.count_tokens, max_tokens=ingestor.max_tokens,
                                 overlap=ingestor.overlap)
            texts += [c.embed_text(doc.meta.title) for c in doc.chunks]
        t0 = time.perf_counter()
        for i in range(0, len(texts), base.embed_batch):
            kbase.embedder.embed_passages(texts[i:i + base.embed_batch])
        raw = time.perf_counter() - t0
        t0 = time.perf_counter()
        report = kbase.ingest(folder)
        full = time.perf_counter() - t0
        t0 = time.perf_counter()
        again = kbase.ingest(folder)
        reingest = time.perf_counter() - t0
    return {
        "files": len(chosen), "chunks": report.chunks_embedded, "raw_embed_s": round(raw, 2),
        "ingest_s": round(full, 2), "raw_chunks_per_s": round(len(texts) / raw, 1),
        "ingest_chunks_per_s": round(report.chunks_embedded / full, 1),
        "pipeline_overhead": round((full - raw) / raw, 3), "reingest_unchanged_s": round(reingest, 2),
        "reingest_embedded": again.chunks_embedded,
    }


def _scale_up(kbase: KnowledgeBase, seed_docs: list[Document], vectors: dict[str, np.ndarray], size: int) -> None:
    """Fill the index to `size` chunks: real sentences recombined, real vectors plus small noise."""
    rng = random.Random(7)
    np_rng = np.random.default_rng(7)
    pool = [(d, c) for d in seed_docs for c in d.chunks]
    sentences = [s for _, c in pool for s in c.text.split("。") if s]
    have = kbase.store.count()
    batch_nodes: list[tuple[Document, np.ndarray]] = []
    # continue numbering after the synthetic documents of an earlier, smaller size (ids must not repeat)
    n_doc = sum(1 for key in kbase.docstore.read_manifest()["files"] if key.startswith("/synthetic/"))
    while have < size:
        n_doc += 1
        seed, _ = pool[rng.randrange(len(pool))]
        doc_id = f"syn{n_doc:07d}"
        chunks, vecs, offset, text_parts = [], [], 0, []
        for ordinal in range(min(20, size - have)):
            _, source = pool[rng.randrange(len(pool))]
            text = "。".join(rng.sample(sentences, 4)) + "。"
            chunks.append(Chunk(f"{doc_id}:{ordinal}", doc_id, ordinal, "chunk", text, offset, offset + len(text),
                                source.section, None))
            text_parts.append(text)
            offset += len(text) + 1
            vec = vectors[source.chunk_id] + np_rng.normal(0, 0.02, vectors[source.chunk_id].shape).astype(np.float32)
            vecs.append(vec / np.linalg.norm(vec))
        meta = DocMeta(**{**seed.meta.__dict__, "title": f"{seed.meta.title}（合成{n_doc}）"})
        doc = Document(doc_id, f"synthetic/{doc_id}.md", meta, "\n".join(text_parts), [], [], chunks)
        kbase.docstore.save(doc)
        batch_nodes.append((doc, np.stack(vecs)))
        have += len(chunks)
        if sum(len(d.chunks) for d, _ in batch_nodes) >= 5000 or have >= size:
            kbase.store.add_new(batch_nodes)
            manifest = kbase.docstore.read_manifest()
            for d, _ in batch_nodes:
                manifest["files"][f"/synthetic/{d.doc_id}"] = {"doc_id": d.doc_id, "sha256": "synthetic",
                                                               "source": d.source, "title": d.meta.title,
                                                               "chunks": len(d.chunks)}
            kbase.docstore.write_manifest(manifest)
            batch_nodes = []


def _seed(kbase: KnowledgeBase) -> tuple[list[Document], dict[str, np.ndarray]]:
    """The real documents and their stored vectors, which the synthetic scale-up recombines."""
    got = kbase.store.collection.get(include=["embeddings"])
    vectors = {cid: np.asarray(v, dtype=np.float32) for cid, v in zip(got["ids"], got["embeddings"])}
    return kbase.docstore.all_documents(), vectors


def _grow(kbase: KnowledgeBase, seed: tuple[list[Document], dict[str, np.ndarray]], size: int) -> None:
    """Scale the index up to `size` chunks and publish a keyword index that covers them."""
    from index.bm25 import KeywordIndex

    if kbase.store.count() >= size:
        return
    _scale_up(kbase, *seed, size)
    kbase.keyword = KeywordIndex.build(kbase.docstore)
    kbase.keyword.save(kbase.bm25_dir)


def bench_queries(corpus: Path, base: Settings, *, sizes: list[int], questions: list[str], n: int = 60) -> list[dict]:
    results = []
    with tempfile.TemporaryDirectory(prefix="kb-scale-") as tmp:
        if (base.data_dir / "manifest.json").exists():
            shutil.copytree(base.data_dir, Path(tmp) / "data")  # start from the ingested corpus, not from scratch
        kbase = KnowledgeBase.open(base.model_copy(update={"data_dir": Path(tmp) / "data"}))
        kbase.ingest(corpus)
        seed = _seed(kbase)
        for size in sorted(sizes):
            t0 = time.perf_counter()
            _grow(kbase, seed, size)
            build_s = time.perf_counter() - t0
            service = KnowledgeService(kbase, llm=None)
            sample = [questions[i % len(questions)] for i in range(n)]
            service.ask(sample[0])  # warm caches (jieba, Chroma segments)
            search_ms, ask_ms = [], []
            for q in sample:
                t = time.perf_counter()
                service.search(q, k=10)
                search_ms.append((time.perf_counter() - t) * 1000)
                t = time.perf_counter()
                service.ask(q)
                ask_ms.append((time.perf_counter() - t) * 1000)
            results.append({
                "chunks": kbase.store.count(), "build_s": round(build_s, 1),
                "search_p50_ms": round(percentile(search_ms, 50), 1), "search_p95_ms": round(percentile(search_ms, 95), 1),
                "ask_p50_ms": round(percentile(ask_ms, 50), 1), "ask_p95_ms": round(percentile(ask_ms, 95), 1),
                "rss_mb": round(rss_mb(), 0),
            })
            print(json.dumps(results[-1], ensure_ascii=False), flush=True)
    return results


async def _clients(base_url: str, questions: list[str], concurrency: int, seconds: float) -> dict:
    import httpx

    latencies, errors = [], 0
    stop = time.monotonic() + seconds

    async def worker(i: int) -> None:
        nonlocal errors
        async with httpx.AsyncClient(base_url=base_url, timeout=60) as client:
            j = i
            while time.monotonic() < stop:
                q = questions[j % len(questions)]
                j += concurrency
                t = time.perf_counter()
                resp = await client.post("/api/ask", json={"question": q})
                latencies.append((time.perf_counter() - t) * 1000)
                errors += resp.status_code != 200

    started = time.perf_counter()
    await asyncio.gather(*(worker(i) for i in range(concurrency)))
    elapsed = time.perf_counter() - started
    return {"clients": concurrency, "requests": len(latencies), "errors": errors,
            "req_per_s": round(len(latencies) / elapsed, 1),
            "p50_ms": round(statistics.median(latencies), 1) if latencies else 0,
            "p95_ms": round(percentile(latencies, 95), 1)}


@contextmanager
def uvicorn_server(extra_env: dict, *, wait_s: float = 300):
    """`uvicorn api.app:create_app` on a free loopback port; yields its base URL once /api/health answers."""
    import httpx

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "KB_RATE_LIMIT_PER_MINUTE": "1000000", **extra_env}
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory", "--host", "127.0.0.1",
                             "--port", str(port), "--log-level", "warning"], env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + wait_s
        while True:
            try:
                if httpx.get(f"{base}/api/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.5)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def bench_service(data_dir: Path, questions: list[str], *, clients=(1, 8, 32), seconds: float = 20) -> list[dict]:
    """Concurrent clients against the API (uvicorn) on loopback, on an already ingested data dir."""
    with uvicorn_server({"KB_DATA_DIR": str(data_dir)}) as base:
        return [asyncio.run(_clients(base, questions, c, seconds)) for c in clients]


def questions_of(dataset: Path) -> list[str]:
    return [q.question for q in load_dataset(dataset).questions]


def load_test(corpus: Path, settings: Settings, questions: list[str], *, chunks: int = 10_000,
              clients: int = 32, seconds: float = 60.0) -> dict:
    """32 clients for 60 s on loopback against uvicorn on the corpus grown to `chunks`, with an upload
    being ingested meanwhile. Use a throwaway KB_DATA_DIR: synthetic documents are added to it."""
    import httpx

    kbase = KnowledgeBase.open(settings)
    kbase.ingest(corpus)
    if kbase.store.count() < chunks:
        _grow(kbase, _seed(kbase), chunks)
    size = kbase.store.count()
    del kbase
    with uvicorn_server({"KB_DATA_DIR": str(settings.data_dir), "KB_TEACHER_TOKEN": "load-test"}) as base:
        body = ("## 一、负载测试期间上传的材料\n" + "负载测试期间，教师上传了一份新的调研材料，系统在后台导入。" * 300).encode()
        upload = httpx.post(f"{base}/api/documents", files={"files": ("load-upload.md", body)},
                            data={"access": "public"}, headers={"Authorization": "Bearer load-test"}, timeout=60)
        result = asyncio.run(_clients(base, questions, clients, seconds))
        job = httpx.get(f"{base}{upload.json()['status_url']}", headers={"Authorization": "Bearer load-test"}).json()
        result.update({"chunks": size, "seconds": seconds, "upload_status": job["status"],
                       "upload_files": job["files"]})
        return result
