"""Feedback, review, export and curated answers (教师审定答案) through the API, on the fake-embedder index."""
import io
import json
import zipfile

import pytest
from fastapi.testclient import TestClient

from eval.dataset import load_dataset
from eval.runner import EvalOptions, evaluate
from kb.settings import Settings
from tests.api.conftest import TEACHER, fake_app

QUESTION = "石门县把全县划分为多少个网格？"


@pytest.fixture
def app_client(tmp_path, fake_embedder):
    """An app of its own per test (feedback and curated answers change its state); a fixed curated threshold
    (the fitted one belongs to the real embedder)."""
    with TestClient(fake_app(tmp_path, fake_embedder, curated_threshold=0.9)) as client:
        client.corpus = tmp_path / "corpus"
        yield client


def _ask(client, question=QUESTION, headers=None):
    resp = client.post("/api/ask", json={"question": question}, headers=headers or {})
    assert resp.status_code == 200, resp.text
    return resp.json()


def _feedback(client, answer, *, verdict="down", comment="网格数对，但没说网格员", question=QUESTION, headers=None):
    return client.post("/api/feedback", headers=headers or {}, json={
        "question": question, "answer": answer["answer"], "refused": answer["refused"],
        "citations": answer["citations"], "related": answer["related"], "verdict": verdict, "comment": comment})


def _chunk(client, title_part: str, text_part: str) -> str:
    hits = client.get("/api/search", params={"q": text_part, "size": 20}, headers=TEACHER).json()["hits"]
    return next(h["chunk_id"] for h in hits if title_part in h["title"])


def test_feedback_trainee_posts_teacher_reviews(app_client):
    answer = _ask(app_client)
    resp = _feedback(app_client, answer)
    assert resp.status_code == 201 and resp.json()["verdict"] == "down"
    item_id = resp.json()["id"]
    assert app_client.get("/api/feedback").status_code == 403  # trainees do not read the queue
    queue = app_client.get("/api/feedback", headers=TEACHER).json()
    assert queue["total"] == 1 and queue["counts"] == {"new": 1, "reviewed": 0, "up": 0, "down": 1}
    item = queue["items"][0]
    assert item["question"] == QUESTION and item["role"] == "trainee" and item["verdict_label"] == "没用"
    assert item["comment"] == "网格数对，但没说网格员"
    assert [c["chunk_id"] for c in item["citations"]] == [c["chunk_id"] for c in answer["citations"]]
    detail = app_client.get(f"/api/feedback/{item_id}", headers=TEACHER).json()
    assert detail["closest"] and all(p["text"] for p in detail["closest"])
    gold = detail["closest"][0]["chunk_id"]
    reviewed = app_client.post(f"/api/feedback/{item_id}/review", headers=TEACHER,
                               json={"gold_chunk_ids": [gold], "expected_answer": "1236个网格", "key_points": ["1236个"]})
    assert reviewed.status_code == 200
    body = reviewed.json()
    assert body["status"] == "reviewed" and body["review"]["gold"][0]["chunk_id"] == gold
    assert body["review"]["gold"][0]["text"]  # a snapshot: the export does not depend on the index
    assert app_client.get("/api/feedback", params={"status": "new"}, headers=TEACHER).json()["total"] == 0


def test_review_with_only_an_expected_answer_finds_its_passage(app_client):
    answer = _ask(app_client, "湖滨镇有多少家民宿？")
    item_id = _feedback(app_client, answer, question="湖滨镇有多少家民宿？").json()["id"]
    body = app_client.post(f"/api/feedback/{item_id}/review", headers=TEACHER,
                           json={"expected_answer": "1236个网格"}).json()
    gold = body["review"]["gold"]
    assert gold and all("1236个网格" in g["text"] for g in gold)  # the passages that say it are the gold ones


def test_feedback_is_durable_across_restarts(tmp_path, fake_embedder):
    app = fake_app(tmp_path, fake_embedder)
    with TestClient(app) as client:
        _feedback(client, _ask(client), verdict="up", comment="")
    settings = app.state.settings
    assert settings.feedback_db == settings.data_dir / "feedback.sqlite3" and settings.feedback_db.exists()
    from feedback.store import FeedbackStore

    items, total = FeedbackStore(settings.feedback_db).items()
    assert total == 1 and items[0].verdict == "up"


@pytest.mark.parametrize("change, code", [
    ({"verdict": "meh"}, "invalid_request"),
    ({"comment": "长" * 501}, "invalid_request"),
    ({"question": "   "}, "invalid_request"),
    ({"answer": "答" * 8001}, "invalid_request"),
    ({"citations": [{"chunk_id": "x"}] * 21}, "invalid_request"),
    ({"citations": [{"chunk_id": ""}]}, "invalid_request"),
])
def test_feedback_bad_input_is_422(app_client, change, code):
    body = {"question": QUESTION, "answer": "回答", "verdict": "up", **change}
    resp = app_client.post("/api/feedback", json=body)
    assert resp.status_code == 422 and resp.json()["error"]["code"] == code


@pytest.mark.parametrize("body, status, code", [
    ({}, 422, "review_incomplete"),
    ({"expected_answer": "资料里没有这句话的原文"}, 422, "review_incomplete"),
    ({"unanswerable": True, "gold_chunk_ids": ["{gold}"]}, 422, "review_conflict"),
    ({"gold_chunk_ids": ["0123456789abcdef:99"]}, 422, "unknown_chunk"),
    ({"gold_chunk_ids": ["{gold}"], "key_points": ["点" * 201]}, 422, "invalid_request"),
    ({"gold_chunk_ids": ["{gold}"], "surprise": 1}, 422, "invalid_request"),
])
def test_review_bad_input(app_client, body, status, code):
    answer = _ask(app_client)
    item_id = _feedback(app_client, answer).json()["id"]
    gold = answer["citations"][0]["chunk_id"]
    body = json.loads(json.dumps(body).replace("{gold}", gold))
    resp = app_client.post(f"/api/feedback/{item_id}/review", headers=TEACHER, json=body)
    assert resp.status_code == status and resp.json()["error"]["code"] == code


@pytest.mark.parametrize("method, url, kwargs, status", [
    ("get", "/api/feedback", {}, 403),
    ("get", "/api/feedback/export", {}, 403),
    ("get", "/api/feedback/1", {}, 403),
    ("get", "/api/feedback/999", {"headers": TEACHER}, 404),
    ("get", "/api/feedback/abc", {"headers": TEACHER}, 422),
    ("post", "/api/feedback/1/review", {"json": {"unanswerable": True}}, 403),
    ("post", "/api/feedback/999/review", {"json": {"unanswerable": True}, "headers": TEACHER}, 404),
    ("get", "/api/feedback", {"params": {"status": "done"}, "headers": TEACHER}, 422),
    ("get", "/api/curated", {}, 403),
    ("post", "/api/curated", {"json": {"question": "问", "answer": "答", "citations": [{"chunk_id": "x"}]}}, 403),
    ("post", "/api/curated/1/confirm", {}, 403),
    ("delete", "/api/curated/1", {}, 403),
    ("delete", "/api/curated/999", {"headers": TEACHER}, 404),
    ("post", "/api/curated/999/confirm", {"headers": TEACHER}, 404),
    ("post", "/api/curated", {"json": {"question": "问", "answer": "答", "citations": []}, "headers": TEACHER}, 422),
    ("post", "/api/curated", {"json": {"question": "问", "answer": "答", "citations": [{"chunk_id": "nope:1"}]},
                              "headers": TEACHER}, 422),
    ("post", "/api/feedback", {"json": {"question": "问", "answer": "答", "verdict": "up"},
                               "headers": {"Authorization": "Bearer wrong"}}, 401),
])
def test_feedback_routes_errors_have_one_shape(app_client, method, url, kwargs, status):
    resp = getattr(app_client, method)(url, **kwargs)
    assert resp.status_code == status, resp.text
    error = resp.json()["error"]
    assert error["code"] and error["message"]


def test_feedback_routes_in_openapi_and_review_page(app_client):
    paths = app_client.get("/openapi.json").json()["paths"]
    for path in ("/api/feedback", "/api/feedback/export", "/api/feedback/{item_id}", "/api/feedback/{item_id}/review",
                 "/api/curated", "/api/curated/{curated_id}", "/api/curated/{curated_id}/confirm"):
        assert path in paths
    page = app_client.get("/review")
    assert page.status_code == 200 and "反馈审核" in page.text


def _reviewed_export(client) -> dict[str, str]:
    answer = _ask(client)
    first = _feedback(client, answer).json()["id"]
    gold = answer["citations"][0]["chunk_id"]
    client.post(f"/api/feedback/{first}/review", headers=TEACHER,
                json={"gold_chunk_ids": [gold], "key_points": ["1236个"]})
    refused = _ask(client, "党校食堂几点开饭？")
    second = _feedback(client, refused, verdict="up", question="党校食堂几点开饭？").json()["id"]
    client.post(f"/api/feedback/{second}/review", headers=TEACHER, json={"unanswerable": True})
    _feedback(client, answer, verdict="up")  # not reviewed: not exported
    resp = client.get("/api/feedback/export", headers=TEACHER)
    assert resp.status_code == 200 and resp.headers["content-type"] == "application/zip"
    assert "attachment" in resp.headers["content-disposition"]
    with zipfile.ZipFile(io.BytesIO(resp.content)) as archive:
        return {name.split("/", 1)[1]: archive.read(name).decode("utf-8") for name in archive.namelist()}


def test_export_runs_as_an_eval_dataset(app_client, tmp_path, fake_embedder):
    files = _reviewed_export(app_client)
    assert set(files) == {"questions.jsonl", "passages.jsonl", "README.md"}
    folder = tmp_path / "export"
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    dataset = load_dataset(folder)
    assert [q.answerable for q in dataset.questions] == [True, False]
    assert dataset.questions[0].key_points == ("1236个",) and dataset.questions[1].kind == "unanswerable"
    assert dataset.questions[0].gold <= {p["id"] for p in dataset.passages}
    report = evaluate(folder, options=EvalOptions(modes=("bm25",)), base=Settings(_env_file=None),
                      embedder=fake_embedder)
    rows = report["runs"][0]["rows"]
    assert report["questions"] == 2 and report["answerable"] == 1
    assert rows[0]["hit@1"] == 1.0 and rows[0]["contains"] == 1.0  # the gold passage ranks first and answers


def test_cli_feedback_export_writes_a_dataset(app_client, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from kb.cli import app
    from kb.settings import get_settings

    _reviewed_export(app_client)
    monkeypatch.setenv("KB_DATA_DIR", str(app_client.app.state.settings.data_dir))
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["feedback", "export", str(tmp_path / "out")])
        assert result.exit_code == 0, result.output
        assert "已导出 2 条" in result.output
        assert len(load_dataset(tmp_path / "out").questions) == 2
        # `kb eval` runs the folder as is (its own data dir; the real embedder on the exported passages)
        monkeypatch.setenv("KB_DATA_DIR", str(tmp_path / "eval-data"))
        get_settings.cache_clear()
        ran = CliRunner().invoke(app, ["eval", "--dataset", str(tmp_path / "out"), "--modes", "bm25",
                                       "--out", str(tmp_path / "report")])
    finally:
        get_settings.cache_clear()
    assert ran.exit_code == 0, ran.output
    report = json.loads((tmp_path / "report" / "report.json").read_text(encoding="utf-8"))
    assert report["questions"] == 2 and report["runs"][0]["metrics"]["hit@1"] == 1.0


def _pin(client, chunk_id, *, question=QUESTION, answer="石门县把全县划分为1236个网格。[1]"):
    resp = client.post("/api/curated", headers=TEACHER,
                       json={"question": question, "answer": answer, "citations": [{"chunk_id": chunk_id}]})
    assert resp.status_code == 201, resp.text
    return resp.json()


def test_curated_answer_served_first_to_close_questions(app_client):
    chunk = _ask(app_client)["citations"][0]["chunk_id"]
    pinned = _pin(app_client, chunk)
    assert pinned["citations"][0]["fingerprint"] and pinned["status"] == "active"
    got = _ask(app_client, "石门县全县划分为多少个网格")
    assert got["kind"] == "curated" and got["curated"]["label"] == "教师审定" and got["curated"]["id"] == pinned["id"]
    assert got["answer"] == "石门县把全县划分为1236个网格。[1]" and got["citations"][0]["chunk_id"] == chunk
    assert got["citations"][0]["url"].startswith("/documents/")
    other = _ask(app_client, "湖滨镇有多少家民宿？")
    assert other["kind"] != "curated" and other["curated"] is None
    stream = app_client.post("/api/ask/stream", json={"question": "石门县全县划分为多少个网格"}).text
    citations = json.loads(stream.split("event: citations\ndata: ")[1].split("\n")[0])
    assert citations["curated"]["label"] == "教师审定" and citations["citations"][0]["chunk_id"] == chunk
    tested = app_client.get("/api/hit-test", params={"q": "石门县全县划分为多少个网格"}, headers=TEACHER).json()
    assert tested["curated"]["id"] == pinned["id"] and tested["curated"]["similarity"] >= 0.9
    assert app_client.get("/api/hit-test", params={"q": "湖滨镇有多少家民宿？"}, headers=TEACHER).json()["curated"] is None
    health = app_client.get("/api/health").json()["curated"]
    assert health["threshold"] == 0.9 and health["source"] == "setting"


def test_curated_marker_must_name_a_citation(app_client):
    chunk = _ask(app_client)["citations"][0]["chunk_id"]
    resp = app_client.post("/api/curated", headers=TEACHER, json={
        "question": QUESTION, "answer": "见 [2]", "citations": [{"chunk_id": chunk}]})
    assert resp.status_code == 422 and resp.json()["error"]["code"] == "bad_citation_mark"


def test_curated_answer_citing_internal_passage_is_teachers_only(app_client):
    chunk = _chunk(app_client, "云溪县", "茶园面积")
    _pin(app_client, chunk, question="云溪县茶园面积有多大？", answer="12.6万亩。[1]")
    assert _ask(app_client, "云溪县茶园面积有多大？", headers=TEACHER)["kind"] == "curated"
    trainee = _ask(app_client, "云溪县茶园面积有多大？")
    assert trainee["kind"] != "curated" and "12.6" not in trainee["answer"]


def _reingest(client):
    kbase = client.app.state.service.kbase
    return kbase.ingest(client.corpus)


def test_curated_answer_flagged_when_cited_document_changes(app_client):
    chunk = _ask(app_client)["citations"][0]["chunk_id"]
    pinned = _pin(app_client, chunk)
    lecture = app_client.corpus / "lectures" / "jiceng.md"
    lecture.write_text(lecture.read_text(encoding="utf-8").replace("1236个网格", "1300个网格"), encoding="utf-8")
    assert _reingest(app_client).changed
    got = _ask(app_client)
    assert got["kind"] != "curated" and "1236" not in got["answer"]  # never served stale
    listed = app_client.get("/api/curated", headers=TEACHER).json()["items"]
    assert listed[0]["status"] == "flagged" and "修改" in listed[0]["flag_reason"]
    # a teacher checks it and serves it again (the passage still exists): new fingerprints
    confirmed = app_client.post(f"/api/curated/{pinned['id']}/confirm", headers=TEACHER).json()
    assert confirmed["status"] == "active" and confirmed["citations"][0]["fingerprint"] != pinned["citations"][0]["fingerprint"]
    assert _ask(app_client)["kind"] == "curated"


def test_curated_answer_flagged_when_cited_document_is_deleted(app_client):
    chunk = _chunk(app_client, "云溪县", "茶园面积")
    pinned = _pin(app_client, chunk, question="云溪县茶园面积有多大？", answer="12.6万亩。[1]")
    (app_client.corpus / "reports" / "yunxi.md").unlink()
    _reingest(app_client)
    assert _ask(app_client, "云溪县茶园面积有多大？", headers=TEACHER)["kind"] != "curated"
    listed = app_client.get("/api/curated", headers=TEACHER).json()["items"]
    assert listed[0]["status"] == "flagged" and "已删除" in listed[0]["flag_reason"]
    resp = app_client.post(f"/api/curated/{pinned['id']}/confirm", headers=TEACHER)
    assert resp.status_code == 409 and resp.json()["error"]["code"] == "passage_gone"
    assert app_client.delete(f"/api/curated/{pinned['id']}", headers=TEACHER).json() == {"deleted": pinned["id"]}
    assert app_client.get("/api/curated", headers=TEACHER).json()["items"] == []
