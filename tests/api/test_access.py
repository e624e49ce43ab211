"""What a trainee may learn about internal documents: nothing — not through filters, scores, counts or ids."""
import hashlib

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import TEACHER, fake_app

PUBLIC_DOCS = 1  # the lecture; the report and the note are internal


# 9 ------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("field, internal_only", [("topic", "乡村振兴"), ("cohort", "第33期中青班"),
                                                  ("topic", "干部考核"), ("cohort", "第77期内部班")])
def test_search_internal_only_filter_is_422_like_unknown(fake_client, field, internal_only):
    internal = fake_client.get("/api/search", params={"q": "网格", field: internal_only})
    unknown = fake_client.get("/api/search", params={"q": "网格", field: "不存在的值"})
    assert internal.status_code == unknown.status_code == 422
    assert internal.json()["error"]["code"] == unknown.json()["error"]["code"] == "unknown_filter"
    # the same message but for the echoed value: the known values are the public ones only
    assert internal.json()["error"]["message"].replace(internal_only, "X") == \
        unknown.json()["error"]["message"].replace("不存在的值", "X")
    for word in ("乡村振兴", "产业发展", "第33期", "第77期", "内部专题", "干部考核"):
        assert word not in unknown.json()["error"]["message"]
    # a teacher finds the internal document under that value (a query its text matches: search has a relevance floor)
    query = "茶园" if internal_only in ("乡村振兴", "第33期中青班") else "考核"
    teacher = fake_client.get("/api/search", params={"q": query, field: internal_only}, headers=TEACHER)
    assert teacher.status_code == 200 and teacher.json()["total"] > 0


def test_ask_internal_only_filter_is_422_for_trainee(fake_client):
    resp = fake_client.post("/api/ask", json={"question": "茶园面积是多少？", "filters": {"cohort": "第33期中青班"}})
    assert resp.status_code == 422 and resp.json()["error"]["code"] == "unknown_filter"
    assert "第33期" not in resp.json()["error"]["message"].replace("第33期中青班 (unknown", "")


@pytest.mark.parametrize("headers", [{}, TEACHER])
def test_unknown_filter_message_never_echoes_html(fake_client, headers):
    resp = fake_client.get("/api/search", params={"q": "网格", "topic": "<img src=x onerror=alert(1)>"},
                           headers=headers)
    message = resp.json()["error"]["message"]
    assert resp.status_code == 422 and "<" not in message and ">" not in message
    if headers:  # the teacher's known values include the internal note's "<b …>内部专题</b>": shown without tags
        assert "内部专题" in message and "onmouseover" not in message


# 10 -----------------------------------------------------------------------------------------------------------
def _visible(body: dict) -> dict:
    drop = {"timings"}
    return {k: v for k, v in body.items() if k not in drop}


def test_ask_same_answer_for_internal_only_word_and_absent_word(fake_client):
    # "Zorblatix" occurs only in the internal note; "Quenvarop" nowhere. The fake embedder ignores Latin letters,
    # so only term statistics could tell the two apart.
    question = "石门县把全县划分为多少个网格{} ？"
    for mode in ("hybrid", "bm25"):
        internal = fake_client.post("/api/ask", json={"question": question.format("Zorblatix"), "mode": mode}).json()
        absent = fake_client.post("/api/ask", json={"question": question.format("Quenvarop"), "mode": mode}).json()
        internal.pop("resolved_question"), absent.pop("resolved_question")
        assert _visible(internal) == _visible(absent)
    search_a = fake_client.get("/api/search", params={"q": "网格 Zorblatix", "mode": "bm25"}).json()
    search_b = fake_client.get("/api/search", params={"q": "网格 Quenvarop", "mode": "bm25"}).json()
    assert [(h["chunk_id"], h["score"]) for h in search_a["hits"]] == [(h["chunk_id"], h["score"]) for h in search_b["hits"]]


def _comparable(body: dict) -> dict:
    # document ids differ between data directories (keyed per data dir): compare what they point at
    strip = ("doc_id", "chunk_id", "url")
    return {"answer": body["answer"], "refused": body["refused"], "evidence": body["evidence"], "kind": body["kind"],
            "citations": [{k: v for k, v in c.items() if k not in strip} for c in body["citations"]],
            "related": [{k: v for k, v in c.items() if k not in strip} for c in body["related"]]}


def test_ask_trainee_answer_does_not_depend_on_internal_documents(tmp_path, fake_embedder):
    questions = ["云溪县茶链长和石门县网格员各做什么？", "石门县把全县划分为多少个网格？", "考核组走访了多少个乡镇？"]
    answers = []
    for internal in (True, False):
        with TestClient(fake_app(tmp_path / str(internal), fake_embedder, internal=internal)) as client:
            answers.append([_comparable(client.post("/api/ask", json={"question": q}).json()) for q in questions])
    assert answers[0] == answers[1]


# 11 -----------------------------------------------------------------------------------------------------------
def test_health_counts_follow_the_role(fake_client):
    anonymous = fake_client.get("/api/health").json()
    teacher = fake_client.get("/api/health", headers=TEACHER).json()
    stats = fake_client.get("/api/stats").json()
    assert anonymous["documents"] == stats["documents"] == PUBLIC_DOCS
    assert anonymous["chunks"] == stats["chunks"] + stats["ideas"]
    assert teacher["documents"] == 3 and teacher["chunks"] > anonymous["chunks"]
    wrong = fake_client.get("/api/health", headers={"Authorization": "Bearer wrong"}).json()
    assert wrong["documents"] == PUBLIC_DOCS


def test_document_ids_cannot_be_derived_from_paths(fake_client, tmp_path, fake_embedder):
    docs = fake_client.get("/api/documents", headers=TEACHER).json()["documents"]
    manifest = fake_client.app.state.service.kbase.docstore.read_manifest()["files"]
    for key, entry in manifest.items():
        candidates = {key, entry["path"], entry["source"], key.lstrip("/")}
        assert all(hashlib.sha1(c.encode()).hexdigest()[:16] != entry["doc_id"] for c in candidates)
    assert {d["doc_id"] for d in docs} == {e["doc_id"] for e in manifest.values()}
    assert all(len(d["doc_id"]) == 16 and int(d["doc_id"], 16) >= 0 for d in docs)
    # another data directory with the same files gives other ids (a per-data-dir secret)
    with TestClient(fake_app(tmp_path, fake_embedder)) as other:
        other_ids = {d["doc_id"] for d in other.get("/api/documents", headers=TEACHER).json()["documents"]}
    assert not other_ids & {d["doc_id"] for d in docs}


# 13 -----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("conversation, words", [
    ([{"question": "问" * 501, "answer": ""}], "每轮最多"),
    ([{"question": "石门县有多少网格？", "answer": "答" * 7000}], "最多共"),
    ([{"question": f"第{n}个问题？", "answer": "好"} for n in range(11)], "最多 10 轮"),
])
def test_ask_conversation_over_the_limits_is_422(fake_client, conversation, words):
    resp = fake_client.post("/api/ask", json={"question": "那每个网格有几名网格员呢？", "conversation": conversation})
    assert resp.status_code == 422, resp.text
    error = resp.json()["error"]
    assert error["code"] == "conversation_too_long" and words in error["message"]


def test_ask_followup_query_stays_within_question_limit(fake_client):
    long_turn = {"question": "石门县" + "网格化管理的具体做法" * 49, "answer": ""}  # 493 characters: allowed
    body = fake_client.post("/api/ask", json={"question": "那积分制呢？", "conversation": [long_turn]}).json()
    assert body["resolved_question"] and len(body["resolved_question"]) <= 500


# 14 -----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("token", ["tést".encode(), "令牌".encode(), b"\xff\xfe", "teacher-secrét".encode()])
def test_non_ascii_token_is_401(fake_client, token):
    for method, url, kwargs in (("get", "/api/stats", {}), ("post", "/api/ask", {"json": {"question": "网格？"}})):
        resp = getattr(fake_client, method)(url, headers={"Authorization": b"Bearer " + token}, **kwargs)
        assert resp.status_code == 401 and resp.json()["error"]["code"] == "invalid_token"
    assert fake_client.get("/api/health", headers={"Authorization": b"Bearer " + token}).status_code == 200


# one rule ------------------------------------------------------------------------------------------------------
def test_role_can_see_is_the_one_rule():
    from index.access import Role
    from index.filters import Filters

    assert Role.TEACHER.can_see({"access": "internal"}) and Role.TEACHER.can_see({"access": "public"})
    assert Role.TRAINEE.can_see({"access": "public"}) and not Role.TRAINEE.can_see({"access": "internal"})
    assert not Role.TRAINEE.can_see({})
    assert Role.TRAINEE.scope(Filters(access=("internal",))).access == ("public",)
    assert Role.TEACHER.scope(Filters(access=("internal",))).access == ("internal",)
