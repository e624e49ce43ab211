"""Quality floor: the eval harness on a fixed subset of the bundled set must not fall below the
committed floor (eval/baseline/floor.json) by more than its stated margin."""
import json
import shutil
from pathlib import Path

import pytest

from eval.dataset import load_dataset
from eval.runner import EvalOptions, evaluate
from kb.settings import Settings

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent
FLOOR = json.loads((ROOT / "eval" / "baseline" / "floor.json").read_text(encoding="utf-8"))


def _subset(tmp: Path) -> Path:
    """A fixed subset: the first questions of each kind, their gold documents and two distractor documents."""
    source = load_dataset(ROOT / "eval" / "sets" / "bundled")
    rows = [json.loads(line) for line in (ROOT / "eval" / "sets" / "bundled" / "questions.jsonl").read_text(encoding="utf-8").splitlines()]
    chosen = [r for r in rows if r["id"] in set(FLOOR["question_ids"])]
    docs = {g for r in chosen for g in (r.get("gold_passage_ids") or [])} | set(FLOOR["distractors"])
    folder = tmp / "set"
    corpus = tmp / "corpus"
    for doc in docs:
        (corpus / doc).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source.corpus / doc, corpus / doc)
        side = (source.corpus / doc).with_name(Path(doc).name + ".meta.yaml")
        if side.exists():
            shutil.copy2(side, (corpus / doc).with_name(side.name))
    folder.mkdir()
    (folder / "dataset.yaml").write_text("name: floor\ncorpus: ../corpus\n", encoding="utf-8")
    (folder / "questions.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in chosen), encoding="utf-8")
    return folder


def test_hybrid_quality_stays_above_the_floor(tmp_path, embedder):
    report = evaluate(_subset(tmp_path), options=EvalOptions(modes=("hybrid",)), base=Settings(_env_file=None),
                      embedder=embedder)
    got = report["runs"][0]["metrics"]
    margin = FLOOR["margin"]
    for metric, floor in FLOOR["metrics"].items():
        assert got[metric] >= floor - margin, f"{metric}: {got[metric]:.3f} < floor {floor:.3f} − {margin}"
