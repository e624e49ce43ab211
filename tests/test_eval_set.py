"""The bundled eval set is well formed and every answer is checked against the corpus."""
import json
import re
from collections import Counter
from pathlib import Path

import yaml

from eval.dataset import load_dataset
from ingest.loaders import load_file
from ingest.structure import assemble

ROOT = Path(__file__).resolve().parent.parent
SET = ROOT / "eval" / "sets" / "bundled"
_CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_ORDINAL = re.compile(r"第([0-9]{1,2}|[一二两三四五六七八九十]{1,3})[条点项个]")
_ORDINAL_REPORTS = re.compile(r"^reports/report-0[1-9]-")


def _rows() -> list[dict]:
    return [json.loads(line) for line in (SET / "questions.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]


def _gold(row: dict) -> list[str]:
    return list(row.get("gold_passage_ids") or ([row["gold_passage_id"]] if row.get("gold_passage_id") else []))


class _Docs:
    """Cleaned text and title (front matter or `<file>.meta.yaml` sidecar) of corpus documents, loaded once."""

    def __init__(self, corpus: Path):
        self.corpus = corpus
        self._cache: dict[str, tuple[str, str]] = {}

    def get(self, gold: str) -> tuple[str, str]:
        if gold not in self._cache:
            path = self.corpus / gold
            loaded = load_file(path)
            meta = dict(loaded.meta)
            sidecar = path.with_name(path.name + ".meta.yaml")
            if sidecar.exists():
                meta.update(yaml.safe_load(sidecar.read_text(encoding="utf-8")) or {})
            self._cache[gold] = (assemble(loaded.blocks).text, str(meta.get("title") or ""))
        return self._cache[gold]


def _ordinal_number(question: str) -> int | None:
    """N of the first "第N条/点/项/个" in a question (Arabic or Chinese numerals up to 99)."""
    match = _ORDINAL.search(question)
    if not match:
        return None
    token = match.group(1)
    if token.isdigit():
        return int(token)
    if "十" in token:
        tens, _, units = token.partition("十")
        return (_CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (_CN_DIGITS.get(units, 0) if units else 0)
    return _CN_DIGITS.get(token)


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


def test_minimum_counts_per_kind():
    rows = _rows()
    kinds = Counter(row["kind"] for row in rows)
    assert kinds["list"] >= 25, kinds
    assert kinds["how"] + kinds["why"] + kinds["definition"] >= 20, kinds
    assert kinds["ordinal"] >= 15, kinds
    assert kinds["collection"] >= 10, kinds
    assert kinds["english"] >= 15, kinds
    assert kinds["typo"] >= 15, kinds
    assert kinds["long"] >= 10, kinds
    assert kinds["unanswerable"] >= 50, kinds
    late = [row["id"] for row in rows if row["kind"] == "ordinal" and (_ordinal_number(row["question"]) or 0) >= 10]
    assert len(late) >= 4, late


def test_kind_specific_rules():
    for row in _rows():
        kind, gold = row["kind"], _gold(row)
        if kind == "ordinal":
            assert _ordinal_number(row["question"]), (row["id"], "ordinal question names no 第N条")
            assert row.get("answers") and row.get("avoid"), row["id"]
            assert len(gold) == 1 and _ORDINAL_REPORTS.match(gold[0]), (row["id"], gold)
        elif kind == "long":
            assert 200 <= len(row["question"]) <= 500, (row["id"], len(row["question"]))
        elif kind in ("list", "collection", "multi"):
            assert row.get("key_points"), (row["id"], "needs key_points")
        if kind == "collection":
            assert gold and all(g.startswith("reports/") for g in gold), (row["id"], gold)
        if kind == "english":
            assert not re.search(r"[\u4e00-\u9fff]", row["question"]), row["id"]


def test_every_answer_and_key_point_is_in_a_gold_document():
    """A single gold document must hold every answer and key point (in its text or title); with several gold
    documents each string must occur in at least one of them."""
    dataset = load_dataset(SET)
    docs = _Docs(dataset.corpus)
    for row in _rows():
        gold = _gold(row)
        for g in gold:
            assert (dataset.corpus / g).exists(), (row["id"], g)
        strings = list(row.get("answers") or []) + list(row.get("key_points") or [])
        for s in strings:
            assert s.strip(), (row["id"], "empty answer")
            assert any(s in text or s in title for text, title in map(docs.get, gold)), (row["id"], s, gold)
        if row.get("expected_title"):
            assert any(row["expected_title"] in title or row["expected_title"] in text
                       for text, title in map(docs.get, gold)), (row["id"], row["expected_title"])


def test_avoid_strings_never_equal_a_key_point():
    for row in _rows():
        avoid = row.get("avoid") or []
        wanted = set(row.get("key_points") or []) | set(row.get("answers") or [])
        for s in avoid:
            assert s.strip() and s not in wanted, (row["id"], s)
            assert not any(s in w for w in wanted), (row["id"], s, "an avoid string inside a wanted string")


def test_unanswerable_questions_have_no_answers():
    for row in _rows():
        if row["kind"] == "unanswerable":
            assert row["answers"] == [] and not row.get("key_points") and row.get("gold_passage_id") is None


def test_llm_subset_is_current_and_covers_every_kind(tmp_path, monkeypatch):
    """questions_llm60.jsonl is what scripts/llm_subset.py writes from today's bundled set (re-run it after edits)."""
    from scripts import llm_subset

    committed = (SET / "questions_llm60.jsonl").read_text(encoding="utf-8")
    monkeypatch.setattr(llm_subset, "SET", tmp_path)
    (tmp_path / "questions.jsonl").write_text((SET / "questions.jsonl").read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setattr(llm_subset, "ROOT", tmp_path.parent)
    llm_subset.main()
    assert (tmp_path / "questions_llm60.jsonl").read_text(encoding="utf-8") == committed
    kinds = {json.loads(line)["kind"] for line in committed.splitlines()}
    assert set(llm_subset.PER_KIND) <= kinds and len(committed.splitlines()) == 60
