"""Run a dataset through the same service the API uses and collect per-question results and metrics."""
from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from eval import metrics as m
from eval.dataset import Dataset, load_dataset
from index.kbindex import KnowledgeBase
from kb.errors import ConfigError
from qa.service import KnowledgeService, Turn, resolve_question
from qa.support import check_support, cited_passage, split_cited_sentences
from kb.settings import Settings

STAGES = ("embed", "dense", "bm25", "answer", "total")


@dataclass
class EvalOptions:
    modes: tuple[str, ...] = ("dense", "bm25", "hybrid")
    answerer: str = "extractive"  # or "llm", or "extractive,llm": both on the same questions, side by side
    distractors: Path | None = None
    limit: int | None = None
    questions: str = "questions.jsonl"
    negatives: int = 0  # make this many answerable questions unanswerable by removing their gold passages
    index: Path | None = None  # reuse this index folder (ingest is incremental: unchanged files cost nothing)


def _ranked_passages(hits, source_to_id: dict[str, str], k: int = 10) -> list[str]:
    ranked: list[str] = []
    for hit in hits:
        pid = source_to_id.get(hit.meta.get("source"), hit.meta.get("source"))
        if pid not in ranked:
            ranked.append(pid)
        if len(ranked) == k:
            break
    return ranked


def evaluate(dataset_dir: Path, *, options: EvalOptions, base: Settings, embedder=None,
             progress: Callable[[str, int, int], None] | None = None) -> dict:
    dataset = load_dataset(dataset_dir, limit=options.limit, questions=options.questions)
    with tempfile.TemporaryDirectory(prefix="kb-eval-") as tmp:
        work = Path(tmp)
        answerers = tuple(a.strip() for a in options.answerer.split(",") if a.strip())
        settings = base.model_copy(update={"data_dir": options.index or work / "index",
                                           "answerer": "llm" if "llm" in answerers else "extractive"})
        kbase = KnowledgeBase.open(settings, embedder=embedder)
        started = time.perf_counter()
        if options.negatives:
            dataset = make_negatives(dataset, options.negatives)
        # a reused index keeps its passages folder inside it, so the manifest sees the same files each run
        folder, source_to_id = dataset.materialize((options.index or work) / "passages")
        kbase.ingest(folder)
        if options.distractors:
            extra = load_dataset(options.distractors) if (options.distractors / "questions.jsonl").exists() \
                else Dataset("distractors", [], corpus=options.distractors.resolve())
            d_folder, d_sources = extra.materialize(work / "distractors")
            kbase.ingest(d_folder)
            source_to_id.update({s: f"distractor:{p}" for s, p in d_sources.items()})
        ingest_seconds = time.perf_counter() - started
        service = KnowledgeService(kbase)
        if "llm" in answerers and service.llm is None:
            raise ConfigError("--answerer llm 需要配置 LLM: 设置 KB_LLM_BASE_URL 或 KB_LLM_GGUF "
                              "(an LLM run needs KB_LLM_BASE_URL or KB_LLM_GGUF)")
        runs = [_run_mode(service, dataset, mode, source_to_id, progress, answerer=answerer)
                for answerer in answerers for mode in options.modes]
    return {
        "dataset": dataset.name, "questions": len(dataset.questions),
        "answerable": sum(q.answerable for q in dataset.questions),
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "answerer": options.answerer,
        "negatives": options.negatives,
        "answer_model": _model_info(service),
        "settings": {k: getattr(settings, k) for k in ("embed_backend", "chunk_tokens", "chunk_overlap_sentences",
                                                       "top_k", "min_evidence", "dense_weight", "bm25_weight")},
        "embedder": kbase.embedder.fingerprint,
        "ingest": {"seconds": round(ingest_seconds, 1), "chunks": kbase.store.count(),
                   "reused_index": str(options.index) if options.index else None},
        "runs": runs,
    }


def _run_mode(service: KnowledgeService, dataset: Dataset, name: str, source_to_id, progress, *,
              answerer: str = "extractive") -> dict:
    """One configuration: a retrieval mode, optionally with a dense weight for the fusion ("hybrid:0.5"),
    and an answerer (runs of the LLM are named "<mode>+llm")."""
    mode, _, weight = name.partition(":")
    base_settings = service.kbase.settings
    if weight:
        service.kbase.settings = base_settings.model_copy(update={"dense_weight": float(weight)})
    try:
        return _run_questions(service, dataset, mode, name if answerer == "extractive" else f"{name}+{answerer}",
                              source_to_id, progress, answerer=answerer)
    finally:
        service.kbase.settings = base_settings


def _run_questions(service, dataset: Dataset, mode: str, name: str, source_to_id, progress, *,
                   answerer: str = "extractive") -> dict:
    rows, answers_by_id = [], {}
    by_id = {q.id: q for q in dataset.questions}
    records = service.kbase.keyword_index().records
    doc_source = {r.meta["doc_id"]: r.meta.get("source", "") for r in records}
    chunk_text = {r.chunk_id: cited_passage(r.text, r.meta) for r in records}
    for n, q in enumerate(dataset.questions, 1):
        conversation = None
        if q.followup_of and q.followup_of in by_id:
            conversation = [Turn(by_id[q.followup_of].question, answers_by_id.get(q.followup_of, ""))]
        query = resolve_question(q.question, conversation)
        search = service.search(query, mode=mode, k=30, per_doc=None)
        ranked = _ranked_passages(search.hits, source_to_id)
        answer = service.ask(q.question, mode=mode, conversation=conversation, answerer=answerer)
        answers_by_id[q.id] = answer.answer
        cited = [(source_to_id.get(doc_source.get(c.doc_id, ""), doc_source.get(c.doc_id, "")), c.quote or c.snippet)
                 for c in answer.citations]
        rows.append({
            "id": q.id, "question": q.question, "kind": q.kind, "answerable": q.answerable,
            "gold": sorted(q.gold), "answers": q.answers, "ranked": ranked,
            "answer": answer.answer, "refused": answer.refused, "evidence": round(answer.evidence, 4),
            "cited": [c[0] for c in cited], "timings": answer.timings,
            "hit@1": m.hit_at(ranked, q.gold, 1), "hit@3": m.hit_at(ranked, q.gold, 3),
            "hit@5": m.hit_at(ranked, q.gold, 5), "hit@10": m.hit_at(ranked, q.gold, 10),
            "mrr@10": m.mrr_at(ranked, q.gold), "ndcg@10": m.ndcg_at(ranked, q.gold),
            "key_points": list(q.key_points), "avoid": list(q.avoid), "answer_kind": answer.kind,
            "contains": m.correct(answer.answer, q.answers, q.key_points, q.avoid) if not answer.refused else 0.0,
            "key_point_recall": (m.key_point_recall(answer.answer, q.key_points) or 0.0) if not answer.refused
            else (0.0 if q.key_points else None),
            "f1": m.char_f1(answer.answer, list(q.answers) or [" ".join(q.key_points)]) if not answer.refused else 0.0,
            "citation_precision": m.citation_precision(cited, set(q.gold), list(q.answers) + list(q.key_points)),
            **_support(answer, chunk_text, service.answer_model.support_min_coverage),
        })
        if progress:
            progress(name, n, len(dataset.questions))
    return {"name": name, "metrics": aggregate(rows), "per_kind": per_kind(rows), "latency_ms": latency(rows),
            "rows": rows}


def _support(answer, chunk_text: dict[str, str], floor: float) -> dict:
    """How many of the answer's sentences cite a passage that supports them (qa.support, the LLM path's check)."""
    if answer.refused:
        return {"sentences": 0, "supported": 0}
    by_n = {c.n: chunk_text.get(c.chunk_id, c.snippet) for c in answer.citations}
    sentences = split_cited_sentences(answer.answer)
    # "A。B。[1]": a marker closes the run of uncited sentences before it (how a quoted passage is rendered)
    cites, pending = [], 0
    for _, cited in sentences:
        if cited:
            cites += [cited] * (pending + 1)
            pending = 0
        else:
            pending += 1
    cites += [[]] * pending
    supported = sum(any(check_support(text, by_n[n], min_coverage=floor).supported for n in cited if n in by_n)
                    for (text, _), cited in zip(sentences, cites))
    return {"sentences": len(sentences), "supported": supported}


def aggregate(rows: list[dict]) -> dict:
    answerable = [r for r in rows if r["answerable"]]
    unanswerable = [r for r in rows if not r["answerable"]]
    refused = [r for r in rows if r["refused"]]
    out = {k: m.mean([r[k] for r in answerable]) for k in ("hit@1", "hit@3", "hit@5", "hit@10", "mrr@10", "ndcg@10")}
    # answer metrics need gold answer strings or key points (teacher-style searches have only a gold document)
    with_answers = [r for r in answerable if r["answers"] or r.get("key_points")]
    if with_answers:  # else not measured (not 0): a kind whose questions name only a gold document
        out["answer_contains"] = m.mean([r["contains"] for r in with_answers])
        out["answer_f1"] = m.mean([r["f1"] for r in with_answers])
    with_points = [r for r in answerable if r.get("key_points")]
    if with_points:
        out["key_point_recall"] = m.mean([r["key_point_recall"] for r in with_points])
        out["all_key_points"] = m.mean([float(r["key_point_recall"] == 1.0) for r in with_points])
    if with_answers:
        out["citation_precision"] = m.mean([r["citation_precision"] for r in with_answers])
    sentences = sum(r.get("sentences", 0) for r in rows)
    if sentences:
        out["supported_sentences"] = sum(r.get("supported", 0) for r in rows) / sentences
    if unanswerable:
        out["refusal_precision"] = sum(not r["answerable"] for r in refused) / len(refused) if refused else 0.0
        out["refusal_recall"] = sum(r["refused"] for r in unanswerable) / len(unanswerable)
    out["answered_rate"] = 1 - (sum(r["refused"] for r in answerable) / len(answerable) if answerable else 0.0)
    if unanswerable and answerable:
        out["balanced_accuracy"] = (out["answered_rate"] + out["refusal_recall"]) / 2
    return {k: round(v, 4) for k, v in out.items()}


def per_kind(rows: list[dict]) -> dict:
    """aggregate() for each question kind (list, ordinal, english, unanswerable …)."""
    kinds = sorted({r["kind"] or "-" for r in rows})
    out = {}
    for kind in kinds:
        group = [r for r in rows if (r["kind"] or "-") == kind]
        metrics = aggregate(group)
        keep = ("answer_contains", "key_point_recall", "all_key_points", "citation_precision", "supported_sentences",
                "answered_rate",
                "refusal_recall", "hit@5") if any(r["answerable"] for r in group) else ("refusal_recall",)
        out[kind] = {"n": len(group), **{k: metrics[k] for k in keep if k in metrics}}
    return out


def make_negatives(dataset: Dataset, n: int, seed: int = 0) -> Dataset:
    """N answerable questions made unanswerable by removing their gold passages (only passages no other
    question needs), chosen at random with a fixed seed: refusal measured on any passages dataset."""
    import random
    from collections import Counter
    from dataclasses import replace

    if dataset.corpus is not None:
        raise ValueError("--negatives needs a passages.jsonl dataset (a corpus folder cannot lose passages)")
    need = Counter(g for q in dataset.questions for g in q.gold)
    pool = [q for q in dataset.questions if q.answerable and not q.followup_of and all(need[g] == 1 for g in q.gold)]
    chosen = {q.id for q in random.Random(seed).sample(pool, min(n, len(pool)))}
    removed = {g for q in dataset.questions if q.id in chosen for g in q.gold}
    questions = [replace(q, gold=frozenset(), kind="negative", answers=[], key_points=()) if q.id in chosen else q
                 for q in dataset.questions]
    passages = [p for p in dataset.passages if str(p["id"]) not in removed]
    return Dataset(dataset.name, questions, passages=passages)


def _model_info(service: KnowledgeService) -> dict:
    model = service.answer_model
    return {"weights": model.name, "fitted_for": model.fitted_for, "threshold": model.threshold,
            "include_ratio": model.include_ratio, "fallback": model.name == "default"}


def latency(rows: list[dict]) -> dict:
    out = {}
    for stage in STAGES:
        values = [r["timings"][stage] for r in rows if stage in r["timings"]]
        if values:
            out[stage] = {"p50": round(m.percentile(values, 50), 1), "p95": round(m.percentile(values, 95), 1)}
    return out


def calibrate(rows: list[dict]) -> dict:
    """The refusal threshold that best separates answerable from unanswerable questions (balanced accuracy)."""
    pos = [r["evidence"] for r in rows if r["answerable"]]
    neg = [r["evidence"] for r in rows if not r["answerable"]]
    if not pos or not neg:
        return {}
    best = max(
        (round(t / 100, 2) for t in range(0, 101)),
        key=lambda t: (sum(e >= t for e in pos) / len(pos) + sum(e < t for e in neg) / len(neg), -abs(t - 0.45)),
    )
    return {"threshold": best, "answered_answerable": round(sum(e >= best for e in pos) / len(pos), 4),
            "refused_unanswerable": round(sum(e < best for e in neg) / len(neg), 4)}
