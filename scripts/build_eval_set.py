"""Build an eval set's questions.jsonl from hand-written drafts (one JSON object per line).

Draft row: {question, answers?: [alternatives, any one counts], key_points?: [all must appear],
avoid?: [strings a right answer must not contain], doc: file name | [file names] | null (unanswerable),
kind, followup?: true (a follow-up of the row before it)}. Ids are `<draft file stem>-<line number>`, so
rows keep their ids when others are appended. Gold passage ids are paths relative to the corpus folder.

    python -m scripts.build_eval_set eval/sets/drafts eval/sets/bundled
    python -m scripts.build_eval_set eval/sets/train-drafts eval/sets/train
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"


def _paths() -> dict[str, str]:
    """File name → corpus path; a draft may name the Markdown source of a built PDF/DOCX/TXT by its stem."""
    found = {}
    for p in sorted(CORPUS.rglob("*")):
        rel = p.relative_to(CORPUS)
        if p.is_file() and not p.name.endswith(".meta.yaml") and not any(x.startswith(("_", ".")) for x in rel.parts):
            found[p.name] = found[f"{p.stem}.md"] = rel.as_posix()
    return found


def build(drafts: Path, out: Path) -> int:
    paths = _paths()
    rows = []
    for draft in sorted(drafts.glob("*.jsonl")):
        previous = None
        for n, line in enumerate(draft.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            d = json.loads(line)
            row = {"id": f"{draft.stem}-{n:03d}", "question": d["question"], "answers": list(d.get("answers") or []),
                   "kind": d["kind"]}
            if d.get("key_points"):
                row["key_points"] = list(d["key_points"])
            if d.get("avoid"):
                row["avoid"] = list(d["avoid"])
            docs = d.get("doc")
            docs = [docs] if isinstance(docs, str) else list(docs or [])
            missing = [x for x in docs if x not in paths]
            if missing:
                raise SystemExit(f"{draft.name}:{n}: 语料中没有 {missing} (no such corpus file)")
            if docs:
                row["gold_passage_ids"] = [paths[x] for x in docs]
            else:
                row["gold_passage_id"] = None
            if d["kind"] == "teacher":  # a search for a document: the title is the expected result, not an answer
                row["expected_title"] = row["answers"][0] if row["answers"] else ""
                row["answers"] = []
            if d.get("followup") or d["kind"] == "followup":
                row["followup_of"] = previous
            rows.append(row)
            previous = row["id"]
    out.mkdir(parents=True, exist_ok=True)
    with (out / "questions.jsonl").open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    return len(rows)


if __name__ == "__main__":
    src, dst = (Path(a) for a in sys.argv[1:3])
    print(f"{build(src, dst)} questions → {dst / 'questions.jsonl'}")
