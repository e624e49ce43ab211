"""The documents view's API: the filtered list, a document's chunks, and metadata edits that re-index it."""
import textwrap
import time

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import TEACHER, fake_app

UPLOAD = textwrap.dedent("""\
    ---
    title: 临溪镇垃圾分类调研
    type: report
    cohort: 第40期进修班
    date: 2023-04-02
    topics: [生态环保]
    ---
    # 临溪镇垃圾分类调研
    ## 一、基本情况
    临溪镇推行垃圾分类积分兑换，全镇设置分类投放点两百余个，居民参与率明显提高。
    """)


def _wait(client, url):
    for _ in range(400):
        job = client.get(url, headers=TEACHER).json()
        if job.get("status") in ("done", "failed"):
            return job
        time.sleep(0.05)
    raise AssertionError(f"job did not finish: {job}")


def _docs(client, headers=None, **params):
    resp = client.get("/api/documents", params=params, headers=headers or {})
    assert resp.status_code == 200, resp.text
    return resp.json()


def _doc(client, title, headers=TEACHER):
    return next((d for d in _docs(client, headers)["documents"] if d["title"] == title), None)


@pytest.fixture
def edit_client(tmp_path, fake_embedder):
    """An app of its own (edits change its index) with one internal upload (the upload default)."""
    with TestClient(fake_app(tmp_path, fake_embedder)) as client:
        resp = client.post("/api/documents", files={"files": ("linxi.md", UPLOAD.encode(), "text/markdown")},
                           headers=TEACHER)
        assert resp.status_code == 202, resp.text
        assert _wait(client, resp.json()["status_url"])["status"] == "done"
        yield client


# the list -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("params, titles", [
    ({}, {"基层治理现代化专题", "关于云溪县茶产业发展的调研报告", "内部工作备忘"}),
    ({"type": "report"}, {"关于云溪县茶产业发展的调研报告"}),
    ({"type": ["case", "lecture"]}, {"基层治理现代化专题", "内部工作备忘"}),
    ({"cohort": "第33期中青班"}, {"关于云溪县茶产业发展的调研报告"}),
    ({"year": 2024}, {"基层治理现代化专题", "关于云溪县茶产业发展的调研报告"}),
    ({"access": "internal"}, {"关于云溪县茶产业发展的调研报告", "内部工作备忘"}),
    ({"access": "public"}, {"基层治理现代化专题"}),
    ({"pishi": "true"}, {"关于云溪县茶产业发展的调研报告"}),
    ({"pishi": "false", "access": "internal"}, {"内部工作备忘"}),
])
def test_documents_list_filters(fake_client, params, titles):
    data = _docs(fake_client, TEACHER, **params)
    assert {d["title"] for d in data["documents"]} == titles
    assert "第77期内部班" in data["values"]["cohort"] and 2024 in data["values"]["year"]


@pytest.mark.parametrize("params", [{}, {"access": "internal"}, {"cohort": "第33期中青班"}, {"pishi": "true"}])
def test_documents_list_trainee_sees_public_only(fake_client, params):
    data = _docs(fake_client, **params)
    assert {d["access"] for d in data["documents"]} <= {"public"}
    assert all("内部" not in c and "第33期" not in c for c in data["values"]["cohort"])
    assert "干部考核" not in data["values"]["topic"]


@pytest.mark.parametrize("params", [{"type": "memo"}, {"access": "secret"}, {"year": 1800}, {"pishi": "maybe"}])
def test_documents_list_bad_filter_is_422(fake_client, params):
    resp = fake_client.get("/api/documents", params=params, headers=TEACHER)
    assert resp.status_code == 422 and resp.json()["error"]["code"] == "invalid_request"


# chunks -------------------------------------------------------------------------------------------------------
def test_document_chunks_show_section_page_and_text(fake_client):
    doc = _doc(fake_client, "关于云溪县茶产业发展的调研报告")
    data = fake_client.get(f"/api/documents/{doc['doc_id']}/chunks", headers=TEACHER).json()
    kinds = {c["kind"] for c in data["chunks"]}
    assert kinds == {"chunk", "idea"} and len(data["chunks"]) == doc["chunks"] + doc["ideas"]
    first = data["chunks"][0]
    assert "茶园面积12.6万亩" in " ".join(c["text"] for c in data["chunks"])
    assert first["section"] and first["chars"] == len(first["text"])
    assert first["embedded_as"].startswith("关于云溪县茶产业发展的调研报告｜")


def test_document_chunks_of_internal_document_are_404_for_trainee(fake_client):
    doc = _doc(fake_client, "内部工作备忘")
    resp = fake_client.get(f"/api/documents/{doc['doc_id']}/chunks")
    assert resp.status_code == 404 and resp.json()["error"]["code"] == "document_not_found"
    assert fake_client.get("/api/documents/0123456789abcdef/chunks", headers=TEACHER).status_code == 404
    public = _doc(fake_client, "基层治理现代化专题")
    assert fake_client.get(f"/api/documents/{public['doc_id']}/chunks").status_code == 200


# edits --------------------------------------------------------------------------------------------------------
def test_edit_upload_makes_it_public_and_changes_facets(edit_client):
    doc = _doc(edit_client, "临溪镇垃圾分类调研")
    assert doc["access"] == "internal" and doc["uploaded"] and doc["cohort"] == "第40期进修班"
    assert _doc(edit_client, "临溪镇垃圾分类调研", headers={}) is None
    before = edit_client.get("/api/search", params={"q": "垃圾分类"}).json()
    assert before["total"] == 0

    resp = edit_client.patch(f"/api/documents/{doc['doc_id']}", headers=TEACHER, json={
        "access": "public", "cohort": "第41期中青班", "title": "临溪镇垃圾分类积分调研", "topics": ["生态环保", "基层治理"],
        "pishi": True, "date": "2024/3/5"})
    assert resp.status_code == 202, resp.text
    assert resp.json()["changes"]["date"] == "2024-03-05"
    assert _wait(edit_client, resp.json()["status_url"])["status"] == "done"

    edited = _doc(edit_client, "临溪镇垃圾分类积分调研", headers={})  # a trainee now sees it
    assert edited is not None and edited["doc_id"] == doc["doc_id"]  # the same document, re-indexed
    assert (edited["cohort"], edited["date"], edited["pishi"], edited["type"]) == ("第41期中青班", "2024-03-05", True, "report")
    assert edited["topics"] == ["生态环保", "基层治理"]
    after = edit_client.get("/api/search", params={"q": "垃圾分类"}).json()
    assert after["total"] >= 1 and after["facets"]["cohort"] == {"第41期中青班": 1}
    teacher = edit_client.get("/api/search", params={"q": "垃圾分类", "cohort": "第40期进修班"}, headers=TEACHER)
    assert teacher.status_code == 422  # the old cohort is gone from the index
    # the upload defaults stay in the sidecar, under the edit
    settings = edit_client.app.state.settings
    sidecar = (settings.uploads_dir / "linxi.md.meta.yaml").read_text(encoding="utf-8")
    assert "defaults:" in sidecar and "第41期中青班" in sidecar

    # clearing the cohort and making it internal again: gone for trainees
    resp = edit_client.patch(f"/api/documents/{doc['doc_id']}", headers=TEACHER, json={"access": "internal", "cohort": ""})
    assert _wait(edit_client, resp.json()["status_url"])["status"] == "done"
    assert _doc(edit_client, "临溪镇垃圾分类积分调研", headers={}) is None
    assert _doc(edit_client, "临溪镇垃圾分类积分调研")["cohort"] == ""


def test_edit_corpus_document_is_409(edit_client):
    doc = _doc(edit_client, "基层治理现代化专题")
    resp = edit_client.patch(f"/api/documents/{doc['doc_id']}", headers=TEACHER, json={"access": "internal"})
    assert resp.status_code == 409
    assert resp.json()["error"]["code"] == "not_an_upload" and "kb ingest" in resp.json()["error"]["message"]


@pytest.mark.parametrize("body, code", [
    ({}, "empty_patch"),
    ({"title": None}, "empty_patch"),
    ({"title": "  "}, "invalid_request"),
    ({"type": "memo"}, "invalid_request"),
    ({"access": "secret"}, "invalid_request"),
    ({"date": "去年"}, "invalid_request"),
    ({"date": "2024-13-45"}, "invalid_request"),
    ({"topics": "生态环保"}, "invalid_request"),
    ({"topics": ["x" * 51]}, "invalid_request"),
    ({"cohort": "x" * 51}, "invalid_request"),
    ({"pishi": "maybe"}, "invalid_request"),
    ({"author": "someone"}, "invalid_request"),
])
def test_edit_bad_input_is_422(edit_client, body, code):
    doc = _doc(edit_client, "临溪镇垃圾分类调研")
    resp = edit_client.patch(f"/api/documents/{doc['doc_id']}", headers=TEACHER, json=body)
    assert resp.status_code == 422, resp.text
    assert set(resp.json()) == {"error"} and resp.json()["error"]["code"] == code


@pytest.mark.parametrize("headers, status, code", [
    ({}, 403, "teacher_only"), ({"Authorization": "Bearer wrong"}, 401, "invalid_token")])
def test_edit_needs_teacher(edit_client, headers, status, code):
    doc = _doc(edit_client, "临溪镇垃圾分类调研")
    resp = edit_client.patch(f"/api/documents/{doc['doc_id']}", headers=headers, json={"access": "public"})
    assert resp.status_code == status and resp.json()["error"]["code"] == code
    assert _doc(edit_client, "临溪镇垃圾分类调研")["access"] == "internal"


def test_edit_unknown_document_is_404(edit_client):
    resp = edit_client.patch("/api/documents/0123456789abcdef", headers=TEACHER, json={"access": "public"})
    assert resp.status_code == 404 and resp.json()["error"]["code"] == "document_not_found"
