"""The eval dataset format, the same for any corpus.

A dataset folder holds `questions.jsonl` — {id, question, answers: [alternatives: a correct answer
contains one of them], key_points?: [a complete answer contains all of them], avoid?: [strings a right
answer must not contain, e.g. the neighbouring items of an ordinal question], gold_passage_id |
gold_passage_ids | null (unanswerable), kind?, followup_of?, expected_title?: [a question about the collection
("有没有关于…的调研报告"): the answer names this document; used as `answers` when there are none]} — and
either `passages.jsonl` ({id, title, text, metadata?}: each passage becomes a document) or a
`dataset.yaml` whose `corpus:` names a folder of documents (gold ids are then paths relative to it).
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from kb.errors import KBError

_UNSAFE = re.compile(r"[^0-9A-Za-z_\-\u4e00-\u9fff]+")


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    answers: list[str]
    gold: frozenset[str]  # empty = unanswerable
    kind: str = ""
    followup_of: str | None = None
    key_points: tuple[str, ...] = ()
    avoid: tuple[str, ...] = ()

    @property
    def answerable(self) -> bool:
        return bool(self.gold)


@dataclass
class Dataset:
    name: str
    questions: list[Question]
    corpus: Path | None = None  # a folder of documents to ingest as is
    passages: list[dict] = field(default_factory=list)

    def materialize(self, folder: Path) -> tuple[Path, dict[str, str]]:
        """The folder to ingest and a map from ingested source path to passage id."""
        if self.corpus is not None:
            return self.corpus, {}
        folder.mkdir(parents=True, exist_ok=True)
        sources = {}
        for passage in self.passages:
            pid = str(passage["id"])
            name = f"{_UNSAFE.sub('_', pid)[:60]}-{hashlib.sha1(pid.encode()).hexdigest()[:6]}.md"
            meta = {"title": passage.get("title") or pid, "type": "lecture", "access": "public",
                    **(passage.get("metadata") or {})}
            head = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)
            (folder / name).write_text(f"---\n{head}---\n{passage['text']}\n", encoding="utf-8")
            sources[name] = pid
        for stale in folder.glob("*.md"):  # a reused folder: passages of an earlier run (--negatives) go
            if stale.name not in sources:
                stale.unlink()
        return folder, sources


def load_dataset(folder: Path, *, limit: int | None = None, questions: str = "questions.jsonl") -> Dataset:
    folder = Path(folder)
    questions_path = folder / questions
    if not questions_path.exists():
        raise KBError(f"{folder}: 缺少 {questions} (missing {questions})")
    questions = []
    for n, line in enumerate(questions_path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise KBError(f"{questions_path}:{n}: 不是合法 JSON (invalid JSON): {exc}") from exc
        gold = row.get("gold_passage_ids")
        if gold is None and row.get("gold_passage_id") is not None:
            gold = [row["gold_passage_id"]]
        questions.append(Question(
            id=str(row.get("id", n)), question=row["question"],
            answers=list(row.get("answers") or ([row["expected_title"]] if row.get("expected_title") else [])),
            gold=frozenset(str(g) for g in (gold or [])), kind=row.get("kind", ""),
            followup_of=row.get("followup_of"), key_points=tuple(row.get("key_points") or ()),
            avoid=tuple(row.get("avoid") or ()),
        ))
    if limit:
        questions = questions[:limit]
    config = folder / "dataset.yaml"
    if config.exists():
        conf = yaml.safe_load(config.read_text(encoding="utf-8")) or {}
        return Dataset(conf.get("name", folder.name), questions, corpus=(folder / conf["corpus"]).resolve())
    passages_path = folder / "passages.jsonl"
    if not passages_path.exists():
        raise KBError(f"{folder}: 需要 passages.jsonl 或 dataset.yaml (need passages.jsonl or dataset.yaml)")
    passages = [json.loads(line) for line in passages_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return Dataset(folder.name, questions, passages=passages)
