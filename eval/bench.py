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
from index.access import Role
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


def throwaway_copy(base: Settings, tmp: Path) -> Settings:
    """Settings on a copy of base's index in tmp (a scale-up or load test never adds to the index in use); the
    copy starts from the ingested corpus, not from scratch. Models, uploads and earlier results stay behind.
    With a Chroma server the vectors are not in the folder: the copy starts empty, in a collection of its own."""
    if base.chroma_url:
        return base.model_copy(update={"data_dir": tmp / "data", "collection": f"{base.collection}-{tmp.name}"})
    if (base.data_dir / "manifest.json").exists():
        shutil.copytree(base.data_dir, tmp / "data",
                        ignore=shutil.ignore_patterns("models", "incoming", "uploads", "jobs", "eval", "*.json.tmp"))
    return base.model_copy(update={"data_dir": tmp / "data"})


def bench_queries(corpus: Path, base: Settings, *, sizes: list[int], questions: list[str], n: int = 60) -> list[dict]:
    """Search and answer latency as the index grows; answers as a teacher and as a trainee, whose view
    (public documents only) is a filtered query."""
    results = []
    with tempfile.TemporaryDirectory(prefix="kb-scale-") as tmp:
        kbase = KnowledgeBase.open(throwaway_copy(base, Path(tmp)))
        kbase.ingest(corpus)
        seed = _seed(kbase)
        for size in sorted(sizes):
            t0 = time.perf_counter()
            _grow(kbase, seed, size)
            build_s = time.perf_counter() - t0
            service = KnowledgeService(kbase, llm=None)
            sample = [questions[i % len(questions)] for i in range(n)]
            service.warm()
            service.ask(sample[0])  # warm caches (Chroma segments)
            search_ms, ask_ms, trainee_ms = [], [], []
            for q in sample:
                t = time.perf_counter()
                service.search(q, k=10)
                search_ms.append((time.perf_counter() - t) * 1000)
                t = time.perf_counter()
                service.ask(q)
                ask_ms.append((time.perf_counter() - t) * 1000)
                t = time.perf_counter()
                service.ask(q, role=Role.TRAINEE)
                trainee_ms.append((time.perf_counter() - t) * 1000)
            results.append({
                "chunks": kbase.store.count(), "build_s": round(build_s, 1),
                "search_p50_ms": round(percentile(search_ms, 50), 1), "search_p95_ms": round(percentile(search_ms, 95), 1),
                "ask_p50_ms": round(percentile(ask_ms, 50), 1), "ask_p95_ms": round(percentile(ask_ms, 95), 1),
                "ask_trainee_p50_ms": round(percentile(trainee_ms, 50), 1),
                "ask_trainee_p95_ms": round(percentile(trainee_ms, 95), 1),
                "rss_mb": round(rss_mb(), 0),
            })
            print(json.dumps(results[-1], ensure_ascii=False), flush=True)
    return results


async def _clients(base_url: str, questions: list[str], concurrency: int, seconds: float) -> dict:
    import httpx

    latencies, errors = [], 0
    stop = time.monotonic() + seconds
    # in a fixed shuffled order: the eval set lists its questions by kind, and in that order the costly kinds
    # (the long questions cost four to six times a short one to embed) would reach every client at once
    questions = random.Random(LOAD_ORDER_SEED).sample(questions, len(questions))

    async def worker(i: int) -> None:
        nonlocal errors
        async with httpx.AsyncClient(base_url=base_url, timeout=60) as client:
            j = i
            while time.monotonic() < stop:
                q = questions[j % len(questions)]
                j += concurrency
                t = time.perf_counter()
                try:
                    resp = await client.post("/api/ask", json={"question": q})
                    errors += resp.status_code != 200
                except httpx.HTTPError:  # a timeout or a dropped connection is an error, not the end of the run
                    errors += 1
                latencies.append((time.perf_counter() - t) * 1000)

    started = time.perf_counter()
    await asyncio.gather(*(worker(i) for i in range(concurrency)))
    elapsed = time.perf_counter() - started
    return {"clients": concurrency, "requests": len(latencies), "errors": errors,
            "req_per_s": round(len(latencies) / elapsed, 1),
            "p50_ms": round(statistics.median(latencies), 1) if latencies else 0,
            "p95_ms": round(percentile(latencies, 95), 1), "max_ms": round(max(latencies, default=0), 1)}


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
        yield base, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=30)


def bench_service(data_dir: Path, questions: list[str], *, clients=(1, 8, 32), seconds: float = 20) -> list[dict]:
    """Concurrent clients against the API (uvicorn) on loopback, on an already ingested data dir."""
    with uvicorn_server({"KB_DATA_DIR": str(data_dir)}) as (base, _):
        return [asyncio.run(_clients(base, questions, c, seconds)) for c in clients]


def questions_of(dataset: Path) -> list[str]:
    return [q.question for q in load_dataset(dataset).questions]


def load_test(corpus: Path, settings: Settings, questions: list[str], *, chunks: int = 10_000,
              clients: int = 32, seconds: float = 60.0, hostile: bool = False, workdir: Path | None = None) -> dict:
    """32 clients for 60 s on loopback against uvicorn on the corpus grown to `chunks`, with an upload
    being ingested meanwhile; `hostile` throws in the hostile-upload mix (see `_hostile_uploads`) and
    samples the server's resident memory throughout. It runs on a throwaway copy of the index (see
    throwaway_copy): the scale-up and the uploads never reach KB_DATA_DIR."""
    with tempfile.TemporaryDirectory(prefix="kb-load-") as tmp:
        return _load_test(corpus, throwaway_copy(settings, Path(tmp)), questions, chunks=chunks, clients=clients,
                          seconds=seconds, hostile=hostile, workdir=workdir)


def _load_test(corpus: Path, settings: Settings, questions: list[str], *, chunks: int, clients: int,
               seconds: float, hostile: bool, workdir: Path | None) -> dict:
    import httpx

    kbase = KnowledgeBase.open(settings)
    kbase.ingest(corpus)
    if kbase.store.count() < chunks:
        _grow(kbase, _seed(kbase), chunks)
    size = kbase.store.count()
    del kbase
    env = {"KB_DATA_DIR": str(settings.data_dir), "KB_TEACHER_TOKEN": LOAD_TOKEN, "KB_MAX_BODY_MB": str(BODY_CAP_MB)}
    with uvicorn_server(env) as (base, proc):
        sampler = _RssSampler(proc.pid)
        sampler.start()
        try:
            if hostile:
                result = asyncio.run(_with_hostile_mix(base, questions, clients, seconds,
                                                       Path(workdir or tempfile.mkdtemp(prefix="kb-hostile-"))))
            else:
                upload = httpx.post(f"{base}/api/documents", files={"files": ("load-upload.md", GOOD_UPLOAD)},
                                    data={"access": "public"}, headers=AUTH, timeout=60)
                result = asyncio.run(_clients(base, questions, clients, seconds))
                job = _wait_job(base, upload.json()["status_url"])
                result.update({"upload_status": job["status"], "upload_files": job["files"]})
        finally:
            sampler.stop()
        result.update({"chunks": size, "seconds": seconds, "server_rss_mb": sampler.report()})
        return result


LOAD_TOKEN = "load-test"
LOAD_ORDER_SEED = 7
AUTH = {"Authorization": f"Bearer {LOAD_TOKEN}"}
# the load test's server caps request bodies at this (KB_MAX_BODY_MB) so the oversize body is refused at a
# size the machine holds easily; the default cap (KB_MAX_UPLOAD_MB × 20 + 1) is tested the same way
BODY_CAP_MB = 30
RSS_LIMIT_MB = 1500  # issue 10's bound on the server's resident memory throughout the hostile mix
GOOD_MARK = "负载测试期间上传的正常材料"
GOOD_UPLOAD = ("---\ntitle: " + GOOD_MARK + "\naccess: public\n---\n## 一、" + GOOD_MARK + "\n"
               + "负载测试期间，教师上传了一份新的调研材料，系统在后台导入。" * 300).encode()


class _RssSampler:
    """Samples a process's resident memory (VmRSS) every 0.2 s in a thread; its peak (VmHWM) at the end."""

    def __init__(self, pid: int, every: float = 0.2) -> None:
        import threading

        self.status, self.every = Path(f"/proc/{pid}/status"), every
        self.samples: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.peak = 0.0

    def _read(self, field: str) -> float:
        for line in self.status.read_text().splitlines():
            if line.startswith(field):
                return int(line.split()[1]) / 1024
        return 0.0

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            try:
                self.samples.append(self._read("VmRSS:"))
                self.peak = max(self.peak, self._read("VmHWM:"))
            except OSError:
                return

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def report(self) -> dict:
        s = self.samples or [0.0]
        return {"start": round(s[0]), "max_sampled": round(max(s)), "peak_hwm": round(self.peak),
                "end": round(s[-1]), "limit": RSS_LIMIT_MB, "below_limit": max(self.peak, max(s)) < RSS_LIMIT_MB}


def _hostile_uploads(folder: Path) -> dict[str, tuple[bytes, str]]:
    """The issue-10 probe's files, one per kind, with what must become of each.

    The bombs are quarantined with their reason. The line of 64k "[" is valid Markdown whose only harm was
    the quadratic link regex: with linear cleaning it is indexed like any file, and its job time is reported."""
    from eval import hostile

    folder.mkdir(parents=True, exist_ok=True)
    return {
        "zip-bomb.docx": (hostile.zip_bomb_docx(folder / "zip-bomb.docx").read_bytes(), "quarantined"),
        "alias-bomb.md": (hostile.alias_bomb_md(), "quarantined"),
        "brackets.md": (hostile.bracket_lines_md(), "ingested"),
        "million-paragraphs.docx": (hostile.million_paragraph_docx(folder / "million.docx").read_bytes(),
                                    "quarantined"),
    }


def _wait_job(base: str, status_url: str, *, timeout: float = 600) -> dict:
    import httpx

    deadline = time.monotonic() + timeout
    while True:
        job = httpx.get(f"{base}{status_url}", headers=AUTH, timeout=30).json()
        if job.get("status") in ("done", "failed") or time.monotonic() > deadline:
            return job
        time.sleep(0.5)


async def _oversize_body(client, mb: int) -> int:
    """A streamed upload body of `mb` MB (beyond the cap): the status the server answers."""
    boundary = "kbloadtest"

    async def body():
        yield (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"big.md\"\r\n"
               f"Content-Type: text/markdown\r\n\r\n").encode()
        block = ("超大上传。" * 60_000).encode()[: 1 << 20]
        for _ in range(mb):
            yield block
        yield f"\r\n--{boundary}--\r\n".encode()

    try:
        resp = await client.post("/api/documents", content=body(), headers={
            **AUTH, "Content-Type": f"multipart/form-data; boundary={boundary}"})
        return resp.status_code
    except Exception:  # noqa: BLE001 - the server may close the connection once it has answered 413
        return 413


async def _with_hostile_mix(base: str, questions: list[str], clients: int, seconds: float, folder: Path) -> dict:
    """Questions from `clients` clients while the hostile files, an oversize body and a good file arrive."""
    import httpx

    files = _hostile_uploads(folder)

    async def uploads() -> dict:
        await asyncio.sleep(min(5.0, seconds / 6))  # the clients are under way
        async with httpx.AsyncClient(base_url=base, timeout=120) as client:
            sent = {}
            for name, (data, _) in [*files.items(), ("good.md", (GOOD_UPLOAD, "ingested"))]:
                resp = await client.post("/api/documents", files={"files": (name, data)}, headers=AUTH)
                sent[name] = (resp.status_code, resp.json())
            oversize = await _oversize_body(client, BODY_CAP_MB + 10)
        return {"sent": sent, "oversize_status": oversize}

    asked, posted = await asyncio.gather(_clients(base, questions, clients, seconds), uploads())
    results = {}
    for name, (status, body) in posted["sent"].items():
        if status != 202:
            results[name] = {"http": status, "status": "rejected", "reason": str(body)[:200]}
            continue
        job = await asyncio.to_thread(_wait_job, base, body["status_url"])
        item = job["results"][0] if job.get("results") else {}
        results[name] = {"http": status, "job": job["status"], "status": item.get("status"),
                         "expected": files.get(name, (b"", "ingested"))[1],
                         "job_seconds": round((job.get("finished") or job["updated"]) - job["created"], 1),
                         "reason": (item.get("reason") or job.get("error") or "")[:160]}
    quarantined = {e["name"]: e.get("reason", "")[:120] for e in
                   httpx.get(f"{base}/api/quarantine", headers=AUTH, timeout=30).json()["files"]}
    found = httpx.get(f"{base}/api/search", params={"q": GOOD_MARK}, headers=AUTH, timeout=30).json()
    good_found = any(GOOD_MARK in (h.get("title") or "") for h in found.get("hits", found.get("results", [])))
    bombs = [n for n, (_, expect) in files.items() if expect == "quarantined"]
    hostile_ok = all(results[n]["status"] == results[n]["expected"] for n in files)
    hostile_ok = hostile_ok and all(results[n]["reason"] and n in quarantined for n in bombs)
    asked.update({
        "hostile": results, "oversize_body_status": posted["oversize_status"], "quarantine": quarantined,
        "good_upload_indexed": results["good.md"]["status"] == "ingested" and good_found,
        "every_hostile_as_expected": hostile_ok,
    })
    return asked
