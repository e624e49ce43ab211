"""The 金点子 library routes on a real Chroma with the fake embedder: similar earlier ideas of other cohorts,
rates, export, who sees what, and bad input."""
import csv
import io
import textwrap

import pytest
from docx import Document as Docx
from fastapi.testclient import TestClient

from api.app import create_app
from index.kbindex import KnowledgeBase
from tests.api.conftest import TEACHER, fake_settings, write_corpus
from tests.conftest import make_settings

TEA = "由县领导担任茶产业链链长，统筹种植、加工和销售环节，每季度召开一次链长会议。"


def report(title, cohort, date, ideas, *, access="public", pishi=False, topics="[乡村振兴]"):
    items = "\n".join(f"{n}. **{name}**：{body}" for n, (name, body) in enumerate(ideas, 1))
    return textwrap.dedent(f"""\
        ---
        title: {title}
        type: report
        cohort: {cohort}
        date: {date}
        topics: {topics}
        access: {access}
        pishi: {str(pishi).lower()}
        ---
        # {title}
        ## 一、基本情况
        调研组走访了多个乡镇。
        ## 二、金点子建议
        """) + items + "\n"


EARLY = report("关于茶乡产业的早期调研", "第20期进修班", "2023-03-01",
               [("茶产业链长制", "由县领导担任茶产业链的链长，统筹种植、加工和销售各环节，每季度召开链长会议。"),
                ("乡村夜校", "在村党群服务中心开办夜校，冬春农闲时节请农技人员讲授养殖技术和电商知识。")],
               topics="[乡村振兴, 茶产业]")
SAME_COHORT = report("第33期中青班的先行调研", "第33期中青班", "2023-01-05", [("同班茶链长", TEA)])
LATER = report("关于茶产业的后续调研", "第50期进修班", "2025-09-01", [("后来的茶链长", TEA)], pishi=True)


def ideas_corpus(folder):
    corpus = write_corpus(folder / "corpus")  # the public lecture, the internal 第33期 report, an internal note
    for name, text in {"early.md": EARLY, "same.md": SAME_COHORT, "later.md": LATER}.items():
        (corpus / "reports" / name).write_text(text, encoding="utf-8")
    return corpus


@pytest.fixture(scope="module")
def ideas_client(tmp_path_factory, fake_embedder):
    folder = tmp_path_factory.mktemp("ideas")
    corpus = ideas_corpus(folder)
    settings = fake_settings(folder, idea_similar_threshold=0.5)
    kbase = KnowledgeBase.open(settings, embedder=fake_embedder)
    kbase.ingest(corpus)
    with TestClient(create_app(settings, kbase=kbase)) as client:
        yield client


def report_id(client, title, headers=TEACHER):
    reports = client.get("/api/ideas/library", headers=headers).json()["reports"]
    return next(r["doc_id"] for r in reports if r["title"] == title)


def test_similar_lists_earlier_ideas_of_other_cohorts_only(ideas_client):
    doc_id = report_id(ideas_client, "关于云溪县茶产业发展的调研报告")  # 第33期中青班, 2024-06-10, internal
    body = ideas_client.get(f"/api/ideas/similar/{doc_id}", headers=TEACHER).json()
    assert body["report"]["cohort"] == "第33期中青班" and body["threshold"]["value"] == 0.5
    chain = next(i for i in body["ideas"] if i["idea_title"] == "设立茶链长")
    reports = [s["report"] for s in chain["similar"]]
    assert reports[0] == "关于茶乡产业的早期调研" and chain["similar"][0]["idea_title"] == "茶产业链长制"
    top = chain["similar"][0]
    assert top["close"] and chain["has_close"] and top["cohort"] == "第20期进修班" and top["year"] == 2023
    assert top["pishi"] is False and 0.5 <= top["similarity"] <= 1
    # the same cohort's earlier report and the later report are never listed, whatever their similarity
    every = {s["report"] for i in body["ideas"] for s in i["similar"]}
    assert not every & {"第33期中青班的先行调研", "关于茶产业的后续调研", "关于云溪县茶产业发展的调研报告"}
    scores = [s["similarity"] for s in chain["similar"]]
    assert scores == sorted(scores, reverse=True)


def test_similar_for_a_trainee_hides_internal_ideas_and_reports(ideas_client):
    later = report_id(ideas_client, "关于茶产业的后续调研", headers={})
    teacher = ideas_client.get(f"/api/ideas/similar/{later}", headers=TEACHER).json()["ideas"][0]["similar"]
    trainee = ideas_client.get(f"/api/ideas/similar/{later}").json()["ideas"][0]["similar"]
    assert "关于云溪县茶产业发展的调研报告" in {s["report"] for s in teacher}  # internal, 第33期, earlier
    assert {s["report"] for s in trainee} == {"关于茶乡产业的早期调研", "第33期中青班的先行调研"}
    assert all(s["access"] == "public" for s in trainee)
    internal = report_id(ideas_client, "关于云溪县茶产业发展的调研报告")
    missing = ideas_client.get(f"/api/ideas/similar/{internal}")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "document_not_found"


def test_similar_of_a_document_without_ideas_is_empty(ideas_client):
    lecture = next(d["doc_id"] for d in ideas_client.get("/api/documents").json()["documents"] if d["type"] == "lecture")
    body = ideas_client.get(f"/api/ideas/similar/{lecture}").json()
    assert body["ideas"] == [] and body["report"]["type"] == "lecture"


def test_library_lists_filters_and_hides_internal_from_trainees(ideas_client):
    teacher = ideas_client.get("/api/ideas/library", headers=TEACHER).json()
    trainee = ideas_client.get("/api/ideas/library").json()
    assert teacher["total"] == 2 + 2 + 1 + 1 and trainee["total"] == 4
    assert [i["date"] for i in teacher["ideas"]] == sorted((i["date"] for i in teacher["ideas"]), reverse=True)
    assert "第33期中青班" in teacher["values"]["cohort"] and "关于云溪县茶产业发展的调研报告" not in str(trainee)
    only = ideas_client.get("/api/ideas/library", params={"cohort": "第20期进修班"}).json()
    assert [i["idea_no"] for i in only["ideas"]] == [1, 2]
    assert ideas_client.get("/api/ideas/library", params={"pishi": "true"}).json()["total"] == 1
    found = ideas_client.get("/api/ideas/library", params={"q": "夜校"}).json()
    assert [i["idea_title"] for i in found["ideas"]] == ["乡村夜校"]
    assert teacher["threshold"]["value"] == 0.5


def test_stats_give_pishi_rate_by_topic_cohort_and_year(ideas_client):
    teacher = ideas_client.get("/api/ideas/stats", headers=TEACHER).json()
    assert (teacher["ideas"], teacher["reports"], teacher["with_pishi"]) == (6, 4, 3)
    years = {r["key"]: r for r in teacher["year"]}
    assert years["2024"] == {"key": "2024", "ideas": 2, "with_pishi": 2, "rate": 1.0}
    assert years["2023"]["rate"] == 0.0 and list(years) == ["2023", "2024", "2025"]
    topics = {r["key"]: r["ideas"] for r in teacher["topic"]}
    assert topics["乡村振兴"] == 6 and topics["茶产业"] == 2
    trainee = ideas_client.get("/api/ideas/stats").json()
    assert (trainee["ideas"], trainee["with_pishi"], trainee["rate"]) == (4, 1, 0.25)
    assert "第33期中青班" in {r["key"] for r in trainee["cohort"]}  # the public 先行调研 only
    assert {r["key"]: r["ideas"] for r in trainee["cohort"]}["第33期中青班"] == 1


def test_export_csv_and_docx_hold_the_filtered_rows(ideas_client):
    res = ideas_client.get("/api/ideas/export", params={"format": "csv", "year": 2023}, headers=TEACHER)
    assert res.status_code == 200 and res.headers["content-type"].startswith("text/csv")
    assert res.content.startswith(b"\xef\xbb\xbf") and "filename*=UTF-8''" in res.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(res.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["序号", "金点子", "内容", "报告"] and len(rows) == 1 + 3
    assert {r[1] for r in rows[1:]} == {"茶产业链长制", "乡村夜校", "同班茶链长"}
    word = ideas_client.get("/api/ideas/export", params={"format": "docx"}).content  # a trainee: public only
    table = Docx(io.BytesIO(word)).tables[0]
    assert len(table.rows) == 1 + 4
    assert "设立茶链长" not in "".join(c.text for r in table.rows for c in r.cells)


@pytest.mark.parametrize(("path", "params", "status", "code"), [
    ("/api/ideas/export", {"format": "pdf"}, 422, "invalid_request"),
    ("/api/ideas/library", {"year": 1800}, 422, "invalid_request"),
    ("/api/ideas/stats", {"cohort": "第99期不存在班"}, 422, "unknown_filter"),
    ("/api/ideas/library", {"topic": "<script>"}, 422, "unknown_filter"),
    ("/api/ideas/similar/not-an-id", {}, 404, "document_not_found"),
    ("/api/ideas/similar/0123456789abcdef", {}, 404, "document_not_found"),
    ("/api/ideas/similar/0123456789abcdef", {"k": 0}, 422, "invalid_request"),
])
def test_ideas_bad_input_is_one_error_shape(ideas_client, path, params, status, code):
    res = ideas_client.get(path, params=params, headers=TEACHER)
    assert res.status_code == status
    assert res.json()["error"]["code"] == code and res.json()["error"]["message"]


def test_internal_cohort_is_unknown_to_a_trainee(ideas_client):
    # the internal note's cohort: a trainee's 422 reads like a cohort that does not exist
    res = ideas_client.get("/api/ideas/library", params={"cohort": "第77期内部班"})
    assert res.status_code == 422 and "第77期内部班" in res.json()["error"]["message"]
    assert ideas_client.get("/api/ideas/library", params={"cohort": "第77期内部班"}, headers=TEACHER).status_code == 200


def test_ideas_page_and_routes_are_served(ideas_client):
    page = ideas_client.get("/ideas")
    assert page.status_code == 200 and "金点子库" in page.text and 'aria-current="page"' in page.text
    paths = ideas_client.get("/openapi.json").json()["paths"]
    for path in ("/api/ideas/library", "/api/ideas/similar/{doc_id}", "/api/ideas/stats", "/api/ideas/export"):
        assert path in paths


def test_library_and_export_with_novelty_carry_the_closest_earlier_idea(ideas_client):
    params = {"novelty": "true", "cohort": "第33期中青班"}
    listed = ideas_client.get("/api/ideas/library", params=params, headers=TEACHER).json()["ideas"]
    chain = next(i for i in listed if i["idea_title"] == "设立茶链长")
    assert chain["closest"]["idea_title"] == "茶产业链长制" and chain["closest"]["close"]
    early = next(i for i in listed if i["idea_title"] == "同班茶链长")  # 2023-01: nothing earlier of another cohort
    assert early["closest"] is None
    assert "closest" not in ideas_client.get("/api/ideas/library", headers=TEACHER).json()["ideas"][0]
    res = ideas_client.get("/api/ideas/export", params={**params, "format": "csv"}, headers=TEACHER)
    rows = {r["金点子"]: r for r in csv.DictReader(io.StringIO(res.content.decode("utf-8-sig")))}
    assert rows["设立茶链长"]["已有相近建议"] == "是" and rows["同班茶链长"]["已有相近建议"] == "否"
    assert rows["设立茶链长"]["最相近的往期建议"] == "茶产业链长制（关于茶乡产业的早期调研 · 第20期进修班 · 2023）"
    word = ideas_client.get("/api/ideas/export", params={**params, "format": "docx"}, headers=TEACHER).content
    table = Docx(io.BytesIO(word)).tables[0]
    assert table.rows[0].cells[-1].text == "往期相近建议"
    assert any(r.cells[-1].text.startswith("已有相近建议：茶产业链长制") for r in table.rows[1:])


def test_similar_works_on_a_chroma_server(tmp_path, request, fake_embedder):
    settings = make_settings(tmp_path, "server", request, teacher_token="teacher-secret", rate_limit_per_minute=1000,
                             idea_similar_threshold=0.5)
    kbase = KnowledgeBase.open(settings, embedder=fake_embedder)
    kbase.ingest(ideas_corpus(tmp_path))
    with TestClient(create_app(settings, kbase=kbase)) as client:
        doc_id = report_id(client, "关于云溪县茶产业发展的调研报告")
        chain = next(i for i in client.get(f"/api/ideas/similar/{doc_id}", headers=TEACHER).json()["ideas"]
                     if i["idea_title"] == "设立茶链长")
        assert chain["similar"][0]["idea_title"] == "茶产业链长制" and chain["has_close"]
