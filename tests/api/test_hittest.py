"""命中测试 API: ranked passages with dense, BM25 and fused scores, the verdict, and who may ask."""
import pytest

from tests.api.conftest import TEACHER


def _test(client, headers=TEACHER, **params):
    return client.get("/api/hit-test", params=params, headers=headers)


def test_hit_test_shows_component_scores_in_ask_order(fake_client):
    data = _test(fake_client, q="石门县把全县划分为多少个网格？").json()
    hits = data["hits"]
    assert data["mode"] == "hybrid" and hits and [h["rank"] for h in hits] == list(range(1, len(hits) + 1))
    scores = [h["score"] for h in hits]
    assert scores == sorted(scores, reverse=True)  # the fused ranking, unchanged
    top = hits[0]
    assert top["title"] == "基层治理现代化专题" and top["dense"] is not None and top["bm25"] is not None
    # the fused score is the weighted reciprocal rank fusion of the two ranks, with the constants reported
    fusion = data["fusion"]
    expected = sum(w / (fusion["rrf_k"] + r) for w, r in ((fusion["dense_weight"], top["dense_rank"]),
                                                          (fusion["bm25_weight"], top["bm25_rank"])) if r)
    assert top["score"] == pytest.approx(expected, abs=1e-5)
    # the passages are the ones ask hands to the answerer, and the verdict is ask's
    asked = fake_client.post("/api/ask", json={"question": "石门县把全县划分为多少个网格？", "answerer": "extractive"},
                             headers=TEACHER).json()
    assert [h["chunk_id"] for h in hits] == [c["chunk_id"] for c in asked["related"]]
    verdict = data["verdict"]
    assert verdict["answered"] == (not asked["refused"]) and verdict["answerability"] == pytest.approx(asked["evidence"], abs=1e-4)
    assert 0 < verdict["threshold"] < 1 and verdict["reason"] in ("answered", "below_threshold", "nothing_to_quote")
    assert data["answer"] == asked["answer"]
    units = data["units"]
    assert units and [u["probability"] for u in units] == sorted((u["probability"] for u in units), reverse=True)
    if verdict["answered"]:
        assert any(u["chosen"] for u in units) and any(h["cited"] for h in hits)


def test_hit_test_refusal_says_below_threshold(fake_client):
    data = _test(fake_client, q="党校食堂几点开饭？").json()
    assert data["verdict"]["answered"] is False and data["answer"].startswith("资料中未找到")
    assert data["verdict"]["reason"] in ("below_threshold", "no_passages")
    if data["verdict"]["reason"] == "below_threshold":
        assert data["verdict"]["answerability"] < data["verdict"]["threshold"]


@pytest.mark.parametrize("mode, present, absent", [("dense", "dense", "bm25"), ("bm25", "bm25", "dense")])
def test_hit_test_single_mode_scores(fake_client, mode, present, absent):
    hits = _test(fake_client, q="网格员每天巡查", mode=mode).json()["hits"]
    assert hits and all(h[present] is not None and h[absent] is None for h in hits)
    assert all(h["score"] == pytest.approx(h[present], abs=1e-4) for h in hits)


def test_hit_test_teacher_sees_internal_passages(fake_client):
    hits = _test(fake_client, q="考核组走访了多少个乡镇？").json()["hits"]
    assert any(h["access"] == "internal" and h["title"] == "内部工作备忘" for h in hits)


@pytest.mark.parametrize("headers, status, code", [
    ({}, 403, "teacher_only"), ({"Authorization": "Bearer wrong"}, 401, "invalid_token")])
def test_hit_test_is_teacher_only(fake_client, headers, status, code):
    resp = _test(fake_client, headers=headers, q="考核组走访了多少个乡镇？")
    assert resp.status_code == status and resp.json() == {"error": {"code": code, "message": resp.json()["error"]["message"]}}
    assert "内部工作备忘" not in resp.text and "Zorblatix" not in resp.text


@pytest.mark.parametrize("params, code", [
    ({}, "invalid_request"), ({"q": "   "}, "empty_query"), ({"q": "网" * 501}, "question_too_long"),
    ({"q": "网格", "mode": "magic"}, "invalid_request"), ({"q": "网格", "top_k": 0}, "invalid_request"),
    ({"q": "网格", "cohort": "不存在的班次"}, "unknown_filter"), ({"q": "网格", "type": "memo"}, "invalid_request"),
])
def test_hit_test_bad_input_is_422(fake_client, params, code):
    resp = _test(fake_client, **params)
    assert resp.status_code == 422 and resp.json()["error"]["code"] == code


def test_hit_test_filters_narrow_passages(fake_client):
    hits = _test(fake_client, q="考核", type="case").json()["hits"]
    assert hits and {h["title"] for h in hits} == {"内部工作备忘"}
