"""The bundled eval set is well formed and every answer is checked against the corpus."""
import json
from pathlib import Path

from eval.dataset import load_dataset
from ingest.loaders import load_file
from ingest.structure import assemble

ROOT = Path(__file__).resolve().parent.parent
SET = ROOT / "eval" / "sets" / "bundled"


def test_bundled_set_shape():
    dataset = load_dataset(SET)
    kinds = [q.kind for q in dataset.questions]
    assert len(dataset.questions) >= 120
    assert kinds.count("unanswerable") >= 20
    assert {"factual", "paraphrase", "multi", "teacher", "followup"} <= set(kinds)
    ids = [q.id for q in dataset.questions]
    assert len(ids) == len(set(ids))
    for q in dataset.questions:
        if q.followup_of:
            assert q.followup_of in ids


def test_every_answer_is_in_its_gold_document():
    dataset = load_dataset(SET)
    cache = {}
    for q in dataset.questions:
        for gold in q.gold:
            path = dataset.corpus / gold
            assert path.exists(), (q.id, gold)
            if gold not in cache:
                cache[gold] = assemble(load_file(path).blocks).text
            for answer in q.answers:
                assert answer in cache[gold], (q.id, answer, gold)


def test_unanswerable_questions_have_no_answers():
    rows = [json.loads(line) for line in (SET / "questions.jsonl").read_text(encoding="utf-8").splitlines()]
    for row in rows:
        if row["kind"] == "unanswerable":
            assert row["answers"] == [] and row.get("gold_passage_id") is None
