"""Write eval/sets/bundled/questions_llm60.jsonl: the fixed 60-question subset the LLM path is measured on.

Every kind of the bundled set is represented (teacher-style searches and follow-ups excepted: they have no
answer text or need a previous turn); within a kind the questions are taken evenly spaced through the file,
so the subset does not lean on the first documents. Re-run after the bundled set changes:

    .venv/bin/python -m scripts.llm_subset
"""
from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SET = ROOT / "eval" / "sets" / "bundled"
# questions per kind (60 in all); unanswerable ones weigh most because the LLM's refusal rule is what differs
PER_KIND = {"factual": 8, "paraphrase": 5, "multi": 4, "list": 6, "how": 3, "why": 3, "definition": 3,
            "ordinal": 4, "collection": 2, "english": 4, "typo": 3, "long": 3, "unanswerable": 12}


def main() -> None:
    rows = [json.loads(line) for line in (SET / "questions.jsonl").read_text(encoding="utf-8").splitlines() if line]
    chosen = []
    for kind, n in PER_KIND.items():
        group = [r for r in rows if r.get("kind") == kind]
        step = len(group) / n
        chosen += [group[int(i * step)] for i in range(n)]
    order = {r["id"]: i for i, r in enumerate(rows)}
    chosen.sort(key=lambda r: order[r["id"]])
    out = SET / "questions_llm60.jsonl"
    out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in chosen), encoding="utf-8")
    print(f"{len(chosen)} questions → {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
