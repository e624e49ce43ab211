"""Ordinal 金点子 questions of the training set (eval/sets/train, never the eval set) through the service: each
must be answered with the named report's item N, or refused when the report has no such item.

    .venv/bin/python -m scripts.ordinal_check      # over the index in KB_DATA_DIR (the bundled corpus)
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from eval import metrics as m
from index.kbindex import KnowledgeBase
from kb.settings import Settings
from qa.service import KnowledgeService

TRAIN = Path(__file__).resolve().parent.parent / "eval" / "sets" / "train" / "questions.jsonl"
_ORDINAL = re.compile(r"第.{1,3}[条个项位]|最后一条|头一条")
_PROPOSAL = re.compile(r"金点子|建议")


def main() -> None:
    service = KnowledgeService(KnowledgeBase.open(Settings()))
    questions = [json.loads(line) for line in TRAIN.open(encoding="utf-8")]
    questions = [q for q in questions if _ORDINAL.search(q["question"]) and _PROPOSAL.search(q["question"])]
    right = 0
    for q in questions:
        answer = service.ask(q["question"])
        answerable = bool(q.get("gold_passage_ids") or q.get("gold_passage_id"))
        good = (not answer.refused and bool(m.contains_answer(answer.answer, q["answers"]))) if answerable \
            else answer.refused
        right += good
        print("OK " if good else "BAD", "answerable" if answerable else "no such item", q["question"], "|",
              answer.answer[:60])
    print(f"right: {right}/{len(questions)}")


if __name__ == "__main__":
    main()
