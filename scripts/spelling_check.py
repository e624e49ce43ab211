"""How the typo correction (qa/spelling.py) does on the training questions over the bundled corpus.

Counts the typo questions of eval/sets/train it corrects and prints each correction, and counts the other
training questions it changes (each change of a question without a typo is a false correction). Never run it
on eval/sets/bundled: that is the test.

    .venv/bin/python -m scripts.spelling_check [--index data]
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from index.access import Role
from index.kbindex import KnowledgeBase
from kb.settings import Settings
from qa.service import KnowledgeService
from qa.spelling import passage_texts, speller_for

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, default=ROOT / "data", help="an index of the bundled corpus")
    args = parser.parse_args()
    settings = Settings(data_dir=args.index)
    kbase = KnowledgeBase.open(settings)
    speller = speller_for(kbase.keyword_index(Role.TEACHER))
    service = KnowledgeService(kbase, llm=None)

    def correct(question: str):
        """Both passes as the service runs them: against the collection's words, then against the passages
        the corrected question retrieves (Speller.correct_against), retrieved as KnowledgeService.ask_stream
        does."""
        text, fixes = speller.correct(question)
        hits = service.search(text, k=settings.top_k, per_doc=3).hits
        _, more = speller.correct_against(text, passage_texts(hits))
        return fixes + more

    questions = [json.loads(line) for line in (ROOT / "eval" / "sets" / "train" / "questions.jsonl").open(encoding="utf-8")]
    typo = [q for q in questions if q.get("kind") == "typo"]
    other = [q for q in questions if q.get("kind") != "typo"]
    corrected = 0
    for q in typo:
        fixes = correct(q["question"])
        corrected += bool(fixes)
        print("typo ", q["question"], [(f.wrong, f.right) for f in fixes])
    changed = 0
    for q in other:
        fixes = correct(q["question"])
        if fixes:
            changed += 1
            print("other", q["question"], [(f.wrong, f.right) for f in fixes])
    print(f"typo questions corrected: {corrected}/{len(typo)}; other questions changed: {changed}/{len(other)}")


if __name__ == "__main__":
    main()
