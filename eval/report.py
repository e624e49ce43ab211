"""Eval reports: JSON + Markdown with a table per configuration side by side, a PNG chart, failures, comparison."""
from __future__ import annotations

import json
from pathlib import Path

from eval.runner import calibrate

HEADLINE = ("hit@1", "hit@3", "hit@5", "hit@10", "mrr@10", "ndcg@10", "answer_contains", "answer_f1",
            "key_point_recall", "all_key_points", "citation_precision", "supported_sentences", "refusal_precision", "refusal_recall",
            "answered_rate", "balanced_accuracy")
CHART = ("hit@5", "mrr@10", "answer_contains", "key_point_recall", "citation_precision", "answered_rate",
         "refusal_recall")
KIND_COLUMNS = ("n", "answer_contains", "key_point_recall", "all_key_points", "citation_precision",
                "supported_sentences", "answered_rate",
                "refusal_recall", "hit@5")


def write_report(report: dict, out: Path) -> dict[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    for run in report["runs"]:
        run["calibration"] = calibrate(run["rows"])
    paths = {"json": out / "report.json", "md": out / "report.md", "png": out / "chart.png", "rows": out / "rows.jsonl"}
    # report.json holds the figures (small enough to commit as a baseline); rows.jsonl every question's result
    summary = {**report, "runs": [{k: v for k, v in run.items() if k != "rows"} for run in report["runs"]]}
    paths["json"].write_text(json.dumps(summary, ensure_ascii=False, indent=1), encoding="utf-8")
    with paths["rows"].open("w", encoding="utf-8") as fh:
        for run in report["runs"]:
            for row in run["rows"]:
                fh.write(json.dumps({"config": run["name"], **row}, ensure_ascii=False) + "\n")
    paths["md"].write_text(markdown(report), encoding="utf-8")
    chart(report, paths["png"])
    return paths


def metrics_table(report: dict) -> str:
    runs = report["runs"]
    keys = [k for k in HEADLINE if any(k in r["metrics"] for r in runs)]
    lines = ["| metric | " + " | ".join(r["name"] for r in runs) + " |", "|---|" + "---:|" * len(runs)]
    for key in keys:
        lines.append(f"| {key} | " + " | ".join(f"{r['metrics'].get(key, float('nan')):.3f}" for r in runs) + " |")
    return "\n".join(lines)


def kind_table(run: dict) -> str:
    """Every metric per question kind, for one configuration."""
    kinds = run.get("per_kind") or {}
    lines = ["| kind | " + " | ".join(KIND_COLUMNS) + " |", "|---|" + "---:|" * len(KIND_COLUMNS)]
    for kind, metrics in kinds.items():
        cells = [str(metrics["n"])] + [f"{metrics[c]:.3f}" if c in metrics else "–" for c in KIND_COLUMNS[1:]]
        lines.append(f"| {kind} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def latency_table(report: dict) -> str:
    runs = report["runs"]
    stages = [s for s in ("embed", "dense", "bm25", "answer", "total") if any(s in r["latency_ms"] for r in runs)]
    lines = ["| stage (ms) | " + " | ".join(f"{r['name']} p50 | {r['name']} p95" for r in runs) + " |",
             "|---|" + "---:|" * (2 * len(runs))]
    for stage in stages:
        cells = []
        for r in runs:
            lat = r["latency_ms"].get(stage)
            cells += [f"{lat['p50']:.1f}", f"{lat['p95']:.1f}"] if lat else ["–", "–"]
        lines.append(f"| {stage} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def markdown(report: dict) -> str:
    parts = [
        f"# Eval report: {report['dataset']}",
        f"{report['questions']} questions ({report['answerable']} answerable), answerer `{report['answerer']}`, "
        f"embedder `{report['embedder']}`, {report['ingest']['chunks']} chunks ingested in {report['ingest']['seconds']} s, "
        f"created {report['created']}.",
        f"Settings: `{json.dumps(report['settings'], ensure_ascii=False)}`",
        f"Answer model: `{json.dumps(report.get('answer_model', {}), ensure_ascii=False)}`"
        + (" — **no weights fitted for this embedder: the documented default is used**"
           if report.get("answer_model", {}).get("fallback") else ""),
        "## Metrics", metrics_table(report), "![chart](chart.png)",
    ]
    for run in report["runs"]:
        parts += [f"## Per kind: {run['name']}", kind_table(run)]
    parts += [
        "## Latency", latency_table(report),
        "## Refusal threshold that would be best on this set (reported only; the threshold in use is fitted on "
        "training data by scripts/fit_answer_model.py)",
    ]
    for run in report["runs"]:
        parts.append(f"- {run['name']}: {run.get('calibration') or 'n/a (needs answerable and unanswerable questions)'}")
    best = max(report["runs"], key=lambda r: r["metrics"].get("mrr@10", 0))
    failures = [r for r in best["rows"] if (r["answerable"] and (r["answers"] or r.get("key_points"))
                                            and (not r["hit@5"] or not r["contains"]))
                or (not r["answerable"] and not r["refused"])]
    parts.append(f"## Failed questions ({best['name']}: {len(failures)})")
    parts.append("| id | question | gold | retrieved (top 3) | answer |")
    parts.append("|---|---|---|---|---|")
    for r in failures[:60]:
        cells = [r["id"], r["question"], ", ".join(r["gold"]) or "(unanswerable)", ", ".join(r["ranked"][:3]),
                 r["answer"][:80]]
        parts.append("| " + " | ".join(c.replace("|", "/").replace("\n", " ") for c in cells) + " |")
    return "\n\n".join(parts) + "\n"


def chart(report: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    runs = report["runs"]
    keys = [k for k in CHART if any(k in r["metrics"] for r in runs)]
    fig, ax = plt.subplots(figsize=(10, 4.2), dpi=110)
    width = 0.8 / max(1, len(runs))
    for i, run in enumerate(runs):
        xs = [j + i * width for j in range(len(keys))]
        bars = ax.bar(xs, [run["metrics"].get(k, 0) for k in keys], width, label=run["name"])
        ax.bar_label(bars, fmt="%.2f", fontsize=7)
    ax.set_xticks([j + width * (len(runs) - 1) / 2 for j in range(len(keys))], keys, fontsize=8)
    ax.set_ylim(0, 1.08)
    ax.set_title(f"{report['dataset']}: {report['questions']} questions, answerer {report['answerer']}")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def compare(report: dict, baseline: dict) -> str:
    """Metric differences (current − baseline) per configuration present in both."""
    base_runs = {r["name"]: r for r in baseline["runs"]}
    lines = ["| config | metric | baseline | current | Δ |", "|---|---|---:|---:|---:|"]
    for run in report["runs"]:
        old = base_runs.get(run["name"])
        if not old:
            continue
        for key in HEADLINE:
            if key in run["metrics"] and key in old["metrics"]:
                a, b = old["metrics"][key], run["metrics"][key]
                lines.append(f"| {run['name']} | {key} | {a:.3f} | {b:.3f} | {b - a:+.3f} |")
    return "\n".join(lines)
