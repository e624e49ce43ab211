"""The eval runner on a tiny passages dataset with the fake embedder: reused indexes, negatives, answerers."""
import json

import pytest

from eval.runner import EvalOptions, evaluate
from kb.errors import ConfigError
from kb.settings import Settings

PASSAGES = [
    {"id": "p1", "text": "石门县把全县划分为1236个网格，每个网格配备一名专职网格员。"},
    {"id": "p2", "text": "湖滨镇全镇共有民宿86家，带动就业1200余人。"},
    {"id": "p3", "text": "云溪县茶园面积达到12.6万亩，茶农人均年收入增长两成。"},
]
QUESTIONS = [
    {"id": "q1", "question": "石门县划分了多少个网格？", "answers": ["1236个"], "gold_passage_id": "p1"},
    {"id": "q2", "question": "湖滨镇有多少家民宿？", "answers": ["86家"], "gold_passage_id": "p2"},
    {"id": "q3", "question": "云溪县茶园面积多大？", "answers": ["12.6万亩"], "gold_passage_id": "p3"},
]


@pytest.fixture
def dataset(tmp_path):
    folder = tmp_path / "set"
    folder.mkdir()
    (folder / "passages.jsonl").write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in PASSAGES), "utf-8")
    (folder / "questions.jsonl").write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in QUESTIONS), "utf-8")
    return folder


def test_eval_reused_index_ingests_once_and_follows_negatives(dataset, tmp_path, fake_embedder):
    index = tmp_path / "index"
    base = Settings(_env_file=None)
    first = evaluate(dataset, options=EvalOptions(modes=("bm25",), index=index), base=base, embedder=fake_embedder)
    assert first["ingest"]["chunks"] == 3 and first["ingest"]["reused_index"] == str(index)
    # the same index with one question made unanswerable: its gold passage is gone from the index
    second = evaluate(dataset, options=EvalOptions(modes=("bm25",), index=index, negatives=1), base=base,
                      embedder=fake_embedder)
    assert second["ingest"]["chunks"] == 2
    assert sum(not r["answerable"] for r in second["runs"][0]["rows"]) == 1


def test_eval_rows_count_supported_sentences(dataset, fake_embedder):
    report = evaluate(dataset, options=EvalOptions(modes=("bm25",)), base=Settings(_env_file=None),
                      embedder=fake_embedder)
    rows = report["runs"][0]["rows"]
    answered = [r for r in rows if not r["refused"]]
    assert answered, "the extractive answerer answers these questions"
    # an extractive answer quotes its passage: every sentence is supported by what it cites
    assert all(r["supported"] == r["sentences"] >= 1 for r in answered)
    assert report["runs"][0]["metrics"]["supported_sentences"] == 1.0


def test_eval_llm_run_without_an_llm_is_a_config_error(dataset, fake_embedder):
    base = Settings(_env_file=None, llm_base_url=None, llm_gguf=None)
    with pytest.raises(ConfigError, match="KB_LLM_BASE_URL"):
        evaluate(dataset, options=EvalOptions(modes=("bm25",), answerer="extractive,llm"), base=base,
                 embedder=fake_embedder)
