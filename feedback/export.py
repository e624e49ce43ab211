"""Reviewed feedback as an eval dataset (eval.dataset format) that `kb eval --dataset DIR` runs as is.

The export is self-contained: `questions.jsonl` (one row per reviewed item: the trainee's question, the
expected answer as `answers`, the key points, the gold passages — or none, for "资料中没有答案"), and
`passages.jsonl` (each gold passage as the teacher marked it, plus the passages the answer cited or found
closest as distractors, with their text from the index), so it needs neither the data directory nor the
corpus. `--distractors corpus/` adds the whole collection.
"""
from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

from feedback.store import FeedbackItem
from index.bm25 import KeywordIndex

README = """# 学员反馈评测集 (exported from reviewed feedback)

由教师审核过的学员反馈导出 (reviewed trainee feedback)。运行 (run):

    kb eval --dataset {folder}

- questions.jsonl: 学员的问题、参考答案 (answers)、要点 (key_points)、应答段落 (gold_passage_ids，空 = 资料中没有答案)
- passages.jsonl: 应答段落及回答引用、最接近的段落（作干扰项）；加 `--distractors corpus/` 可用全部资料
"""


def dataset_files(items: list[FeedbackItem], keyword: KeywordIndex | None) -> dict[str, str]:
    """File name → text of the export of these reviewed items."""
    questions, passages = [], {}
    for item in items:
        review = item.review
        if item.status != "reviewed" or review is None:
            continue
        gold = [] if review.unanswerable else [g for g in review.gold if g.get("text")]
        for g in gold:
            passages[g["chunk_id"]] = _passage(g["chunk_id"], g.get("title", ""), g.get("type", ""), g["text"])
        row = {"id": f"feedback-{item.id}", "question": item.question,
               "answers": [review.expected_answer] if review.expected_answer and not review.unanswerable else [],
               "kind": "unanswerable" if not gold else "feedback",
               "answerable": bool(gold),
               "gold_passage_ids": [g["chunk_id"] for g in gold] or None}
        if review.key_points and gold:
            row["key_points"] = list(review.key_points)
        questions.append(row)
        for c in [*item.citations, *item.related]:  # what the answer used or found: distractors
            chunk_id = c.get("chunk_id")
            at = keyword.by_id.get(chunk_id) if keyword is not None and chunk_id else None
            if at is not None and chunk_id not in passages:
                record = keyword.records[at]
                passages[chunk_id] = _passage(chunk_id, record.meta.get("title", ""), record.meta.get("type", ""),
                                              record.text)
    return {
        "questions.jsonl": "".join(json.dumps(q, ensure_ascii=False) + "\n" for q in questions),
        "passages.jsonl": "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in passages.values()),
        "README.md": README,
    }


def _passage(chunk_id: str, title: str, doc_type: str, text: str) -> dict:
    meta = {"type": doc_type} if doc_type in ("lecture", "case", "report") else {}
    return {"id": chunk_id, "title": title or chunk_id, "text": text, "metadata": meta}


def write_folder(files: dict[str, str], folder: Path) -> Path:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text.replace("{folder}", str(folder)), encoding="utf-8")
    return folder


def zipped(files: dict[str, str], *, name: str = "feedback-eval") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for file, text in files.items():
            archive.writestr(f"{name}/{file}", text.replace("{folder}", name))
    return buffer.getvalue()
