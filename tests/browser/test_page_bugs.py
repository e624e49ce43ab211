"""Issue 11, "Broken today" 1–9: each bug of the pages in a real Chromium against the real app (see conftest.py)."""
from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest

pytest.importorskip("playwright.sync_api")
if not Path("/usr/bin/chromium").exists():
    pytest.skip("Debian chromium (/usr/bin/chromium) not installed", allow_module_level=True)

from playwright.sync_api import Page, expect  # noqa: E402

from tests.browser.conftest import CASE, TEACHER_TOKEN, ingested, serve_app  # noqa: E402
from tests.browser.test_pages import ask, search, set_teacher_token  # noqa: E402

PHONE = {"width": 390, "height": 600}


@pytest.fixture(scope="module")
def upload_url(tmp_path_factory, embedder):
    """An app of its own (uploads and deletes change its index): the public case, teacher token set."""
    with serve_app(*ingested(tmp_path_factory.mktemp("uploads-app"), {"hubin.md": CASE}, embedder,
                             teacher_token=TEACHER_TOKEN)) as url:
        yield url


@pytest.fixture
def upage(browser, upload_url):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=upload_url, locale="zh-CN")
    context.set_default_timeout(30_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, f"uncaught errors in the page: {errors}"


def upload(page: Page, path: Path) -> None:
    page.set_input_files("#files", str(path))
    page.click("#upload-form button[type=submit]")


def doc_row(page: Page, title: str):
    return page.locator("#docs tr", has_text=title)


# 1 ------------------------------------------------------------------------------------------------------------
def test_search_cohort_and_topic_filters_list_values_with_counts(page: Page):
    page.goto("/search")
    set_teacher_token(page)
    search(page, "茶产业")
    cohorts = page.locator("#f-cohort option")
    expect(cohorts.filter(has_text="第33期中青班")).to_have_text(re.compile(r"^第33期中青班（\d+）$"))
    expect(page.locator("#f-topic option").filter(has_text="乡村振兴")).to_have_count(1)
    assert "[object" not in page.inner_html("#f-cohort") + page.inner_html("#f-topic")
    # the facet counts are shown as a list beside the results; a click filters by that value
    facet = page.locator("#facets button.facet", has_text="第33期中青班")
    expect(facet).to_have_text(re.compile(r"第33期中青班（\d+）"))
    with page.expect_response(lambda r: "/api/search?" in r.url and "cohort=" in r.url):
        facet.click()
    expect(page.locator("#f-cohort")).to_have_value("第33期中青班")
    expect(page.locator("#facets button.facet[aria-pressed=true]")).to_have_text(re.compile("第33期中青班"))


# 2 ------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("query", ["火星移民计划", "xyzzy"])
def test_search_off_topic_query_shows_empty_state(page: Page, query: str):
    page.goto("/search")
    set_teacher_token(page)
    search(page, query)
    expect(page.locator("#summary")).to_have_text(re.compile(r"^共 0 条结果"))
    expect(page.locator("#results")).to_contain_text("没有找到相关资料")
    expect(page.locator("#results .hit")).to_have_count(0)
    expect(page.locator("#facets button")).to_have_count(0)
    data = page.request.get(f"/api/search?q={query}", headers={"Authorization": f"Bearer {TEACHER_TOKEN}"}).json()
    assert data["total"] == 0 and not any(data["facets"][k] for k in ("type", "cohort", "year", "topic")), data


def test_search_facets_count_only_matching_documents(page: Page):
    headers = {"Authorization": f"Bearer {TEACHER_TOKEN}"}
    data = page.request.get("/api/search?q=民宿", headers=headers).json()
    assert data["total"] >= 1 and {h["title"] for h in data["hits"]} == {"湖滨镇民宿集群发展案例"}, data["hits"]
    assert data["facets"]["type"] == {"case": 1}, data["facets"]


# 3 ------------------------------------------------------------------------------------------------------------
def test_upload_form_keeps_front_matter_and_reports_duplicates(upage: Page, tmp_path: Path):
    path = tmp_path / "qingtian.md"
    path.write_text(textwrap.dedent("""\
        ---
        title: 青田县稻鱼共生案例
        type: case
        access: public
        pishi: true
        ---
        # 青田县稻鱼共生案例
        青田县推广稻鱼共生系统，稻田养鱼面积达到八万亩，带动农户增收。
        """), encoding="utf-8")
    upage.goto("/search")
    set_teacher_token(upage)
    # every field defaults to the file's own metadata; there is a 批示 field
    for select in ("#u-type", "#u-access", "#u-pishi"):
        expect(upage.locator(select)).to_have_value("")
        expect(upage.locator(f"{select} option").first).to_contain_text("从文件读取")
    upload(upage, path)
    status = upage.locator("#u-result li[data-status]")
    expect(status).to_have_attribute("data-status", "ingested")
    row = doc_row(upage, "青田县稻鱼共生案例")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("案例")
    expect(row).to_contain_text("公开")
    expect(row).to_contain_text("获批示")

    # the same file again: said to be a duplicate, nothing imported, replacing it is offered
    upload(upage, path)
    expect(upage.locator("#u-result")).to_contain_text("重复上传")
    expect(upage.locator("#u-result")).to_contain_text("青田县稻鱼共生案例")
    expect(doc_row(upage, "青田县稻鱼共生案例")).to_have_count(1)
    upage.select_option("#u-access", "internal")
    upage.click("#u-replace")
    expect(upage.locator("#u-result li[data-status]")).to_have_attribute("data-status", re.compile("ingested|unchanged"))
    row = doc_row(upage, "青田县稻鱼共生案例")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("内部")  # the form field that was set overrides the file; the others don't
    expect(row).to_contain_text("获批示")


def test_upload_api_duplicate_returns_existing_document(upage: Page):
    headers = {"Authorization": f"Bearer {TEACHER_TOKEN}"}
    files = {"files": {"name": "dup.md", "mimeType": "text/markdown", "buffer": "# 重复测试文档\n\n这是一份用于测试重复上传的文档内容。\n".encode()}}
    first = upage.request.post("/api/documents", headers=headers, multipart=files)
    assert first.status == 202, first.text()
    job = first.json()["job_id"]
    for _ in range(300):
        if upage.request.get(f"/api/jobs/{job}", headers=headers).json()["status"] == "done":
            break
        upage.wait_for_timeout(100)
    again = upage.request.post("/api/documents", headers=headers, multipart=files)
    assert again.status == 409, again.text()
    error = again.json()["error"]
    assert error["code"] == "duplicate" and error["duplicates"][0]["doc_id"], error
    replaced = upage.request.post("/api/documents", headers=headers, multipart={**files, "replace": "true"})
    assert replaced.status == 202 and replaced.json()["replaced"][0]["doc_id"] == error["duplicates"][0]["doc_id"]


# 4 ------------------------------------------------------------------------------------------------------------
def test_documents_list_deletes_an_upload(upage: Page, tmp_path: Path):
    path = tmp_path / "shanchu.md"
    path.write_text("---\ntitle: 待删除的讲稿\ntype: lecture\naccess: public\n---\n# 待删除的讲稿\n\n这份讲稿用于测试删除按钮是否可用。\n",
                    encoding="utf-8")
    upage.goto("/search")
    set_teacher_token(upage)
    upload(upage, path)
    expect(upage.locator("#u-result li[data-status]")).to_have_attribute("data-status", "ingested")
    row = doc_row(upage, "待删除的讲稿")
    expect(row).to_contain_text("讲稿")
    expect(row).to_contain_text("公开")
    expect(doc_row(upage, "湖滨镇民宿集群发展案例")).to_contain_text("资料目录文件")  # a corpus file: no delete button
    button = row.get_by_role("button", name="删除 待删除的讲稿")
    button.click()
    expect(button).to_have_text("确认删除？")
    button.click()
    expect(upage.locator("#docs-status")).to_have_text("已删除：待删除的讲稿")
    expect(doc_row(upage, "待删除的讲稿")).to_have_count(0)
    search(upage, "删除按钮")
    expect(upage.locator("#results")).not_to_contain_text("待删除的讲稿")


# 5 ------------------------------------------------------------------------------------------------------------
def test_wrong_token_is_not_kept_and_chat_recovers_from_a_stored_one(page: Page):
    page.goto("/search")
    page.fill("#token", "wrong-token")
    page.dispatch_event("#token", "change")
    expect(page.locator("#token-status")).to_have_text("令牌无效，未保存")
    assert page.evaluate("localStorage.getItem('kbToken')") is None

    # a wrong token stored by an older page: the chat drops it and answers as a trainee, saying so
    page.evaluate("localStorage.setItem('kbToken', 'wrong-token')")
    page.goto("/")
    expect(page.locator("#notice")).to_contain_text("令牌无效")
    page.evaluate("localStorage.setItem('kbToken', 'wrong-token')")  # stored again after the page checked it
    answer = ask(page, "湖滨镇有多少家民宿？")
    expect(answer.locator(".answer-text")).to_contain_text("86")
    expect(page.locator("#notice")).to_contain_text("学员")
    assert page.evaluate("localStorage.getItem('kbToken')") is None
    expect(page.locator("#mode")).to_be_hidden()


def test_chat_shows_teacher_mode_and_leaves_it(page: Page):
    page.goto("/search")
    set_teacher_token(page)
    page.goto("/")
    mode = page.locator("#mode")
    expect(mode).to_contain_text("教师模式")
    answer = ask(page, "云溪县2023年茶产业综合产值是多少？")
    expect(answer.locator(".answer-text")).to_contain_text("58亿元")  # the internal report answers a teacher
    mode.get_by_role("button", name="退出教师模式").click()
    expect(mode).to_be_hidden()
    assert page.evaluate("localStorage.getItem('kbToken')") is None
    answer = ask(page, "云溪县2023年茶产业综合产值是多少？")
    expect(answer.locator(".answer-text")).not_to_contain_text("58亿元")


# 6 ------------------------------------------------------------------------------------------------------------
def test_eval_page_shows_committed_baseline_and_is_linked(page: Page):
    page.goto("/eval")
    expect(page.locator("#eval-source")).to_contain_text("基线 bundled")
    expect(page.locator("#report table tbody tr").first).to_be_visible()
    expect(page.locator("#report")).not_to_contain_text("尚无评测报告")
    data = page.request.get("/api/eval/latest").json()
    assert data["source"]["kind"] == "baseline" and data["source"]["baseline"] == "bundled", data["source"]
    for path in ("/", "/search"):
        page.goto(path)
        expect(page.locator("header nav a[href='/eval']")).to_have_text("评测")


# 7 ------------------------------------------------------------------------------------------------------------
def _lecture_passage(page: Page) -> dict:
    hits = page.request.get("/api/search?q=网格员 巡查").json()["hits"]
    return next(h for h in hits if "每天巡查一次" in page.request.get(f"/api/documents/{h['doc_id']}").json()["text"][h["start"]:h["end"]])


def test_citation_cited_twice_highlights_the_sentence_clicked(page: Page):
    page.goto("/")
    hit = _lecture_passage(page)
    doc = page.request.get(f"/api/documents/{hit['doc_id']}").json()
    text = doc["text"][hit["start"]:hit["end"]]
    first, second = "网格员每天巡查一次，发现问题当场登记", "老百姓说：“有事找网格员，小事不出网格。”这句话在当地广为流传"
    assert first in text and second in text, text
    at = hit["start"] + text.index(first)
    citation = {"n": 1, "chunk_id": hit["chunk_id"], "doc_id": hit["doc_id"], "title": hit["title"], "type": hit["type"],
                "section": hit["section"], "page": None, "start": hit["start"], "end": hit["end"], "snippet": text[:80],
                "quote": first + "。", "quote_start": at, "quote_end": at + len(first) + 1}
    # a turn as the answerer renders it: two sentences of one passage, both cited [1]
    turn = {"question": "网格员怎么工作？", "answer": f"{first}[1]。{second}[1]。", "citations": [citation],
            "refused": False, "related": []}
    page.evaluate("t => sessionStorage.setItem('kbHistory', JSON.stringify([t]))", turn)
    page.reload()
    cites = page.locator("#chat .msg.a .answer-text button.cite")
    expect(cites).to_have_count(2)
    cites.nth(1).click()
    expect(page.locator("#passage mark.quote")).to_have_text(second + "。")
    cites.nth(0).click()
    expect(page.locator("#passage mark.quote")).to_have_text(first + "。")


def test_refusal_lists_closest_passages_with_snippets(page: Page):
    page.goto("/")
    answer = ask(page, "党校食堂几点开饭？")
    expect(answer).to_have_class(re.compile(r"\brefused\b"))
    assert answer.locator(".answer-text").inner_text().count("资料中未找到") == 1
    items = answer.locator(".sources li")
    expect(items.first).to_be_visible()
    labels = items.locator("button.source").all_inner_texts()  # each entry opens its passage (a button)
    assert labels and len(labels) == items.count() and len(labels) == len(set(labels)), f"labels: {labels}"
    snippets = items.locator(".snippet").all_inner_texts()
    assert len(snippets) == len(labels) and all(len(s) >= 10 for s in snippets), snippets


# 8 ------------------------------------------------------------------------------------------------------------
def test_phone_sheet_keeps_its_header_and_closes_on_backdrop_and_escape(page: Page):
    page.set_viewport_size(PHONE)
    page.goto("/")
    answer = ask(page, "石门县把全县划分为多少个网格？")
    answer.locator("button.cite").first.click()
    sheet = page.locator("#passage")
    expect(sheet.locator("mark.quote")).to_be_visible()
    assert page.evaluate("(() => { const p = document.querySelector('#passage'); return p.scrollHeight > p.clientHeight })()")
    page.evaluate("document.querySelector('#passage').scrollTop = 1e6")
    close = sheet.get_by_role("button", name="关闭原文")
    box, panel = close.bounding_box(), sheet.bounding_box()
    assert box["y"] >= panel["y"] - 1 and box["y"] + box["height"] <= panel["y"] + panel["height"], (box, panel)
    expect(close).to_be_focused()
    page.mouse.click(195, 40)  # a tap above the sheet, on the backdrop
    expect(sheet).to_be_hidden()
    answer.locator("button.cite").first.click()
    expect(sheet).to_be_visible()
    page.keyboard.press("Escape")
    expect(sheet).to_be_hidden()


def test_enter_while_answer_pending_sends_nothing(page: Page):
    page.goto("/")
    page.evaluate("""() => {
        const box = document.querySelector('#question');
        const enter = () => box.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true }));
        box.value = '湖滨镇有多少家民宿？'; enter();
        box.value = '石门县把全县划分为多少个网格？'; enter();
    }""")
    expect(page.locator("#chat .msg.a .answer-text")).to_have_count(1)
    expect(page.locator("#ask-btn")).to_be_enabled()
    expect(page.locator("#chat .msg.q")).to_have_count(1)


def test_long_question_is_counted_not_cut(page: Page):
    page.goto("/")
    limit = page.request.get("/api/health").json()["limits"]["max_question_chars"]
    long = "请问" + "湖滨镇民宿" * (limit // 5 + 20)
    page.fill("#question", long)
    assert len(page.input_value("#question")) == len(long)  # nothing cut off silently
    expect(page.locator("#q-count")).to_contain_text(f"超出 {len(long) - limit} 字")
    page.press("#question", "Enter")
    expect(page.locator("#chat .msg.q")).to_have_count(0)
    expect(page.locator("#status")).to_contain_text("超出")


def test_keyboard_opens_search_results_and_sources(page: Page):
    page.goto("/")
    expect(page.locator("#question")).to_be_focused()  # the question box is focused on load
    answer = ask(page, "石门县把全县划分为多少个网格？")
    source = answer.locator(".sources button.source").first
    source.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#passage mark").first).to_be_visible()
    page.keyboard.press("Escape")
    expect(source).to_be_focused()  # focus returns to what opened the passage

    page.goto("/search")
    search(page, "民宿")
    title = page.locator("#results .hit h3 button").first
    title.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#passage #passage-text mark")).to_be_visible()


def test_chat_announces_stages_not_every_token(page: Page):
    page.goto("/")
    expect(page.locator("#chat")).not_to_have_attribute("aria-live", re.compile("."))
    status = page.locator("#status[role=status]")
    expect(status).to_have_attribute("aria-live", "polite")
    ask(page, "湖滨镇有多少家民宿？")
    expect(status).to_contain_text("回答完成")
    expect(status).to_contain_text("86")
    assert page.locator("[aria-live]").count() == page.locator("#status[aria-live], #q-count[aria-live]").count()


# 9 ------------------------------------------------------------------------------------------------------------
def test_upload_status_says_importing_while_the_job_runs(upage: Page, tmp_path: Path):
    path = tmp_path / "zhuangtai.md"
    path.write_text("# 导入状态测试\n\n这份文件用于测试导入状态的显示是否正确。\n", encoding="utf-8")
    upage.goto("/search")
    set_teacher_token(upage)
    seen: list[str] = []

    def running(route):  # the first poll answers "running" (the job's file still queued), later ones pass
        seen.append(route.request.url)
        if len(seen) == 1:
            route.fulfill(status=200, content_type="application/json",
                          body=json.dumps({"job_id": "x", "status": "running", "files": {"zhuangtai.md": "queued"},
                                           "results": [{"file": "zhuangtai.md", "stored_as": "zhuangtai.md",
                                                        "status": "queued"}]}))
        else:
            route.continue_()

    upage.route(re.compile(r".*/api/jobs/.*"), running)
    upload(upage, path)
    expect(upage.locator("#u-result li[data-status=running]")).to_have_text("zhuangtai.md：导入中")
    expect(upage.locator("#u-result li[data-status]")).to_have_attribute("data-status", "ingested")


def test_bad_yaml_upload_is_explained_in_chinese(upage: Page, tmp_path: Path):
    path = tmp_path / "huaiyaml.md"
    path.write_text("---\ntitle: 坏的元数据\ntopics: [乡村振兴\naccess: public: yes\n---\n# 坏的元数据\n\n正文内容在这里。\n",
                    encoding="utf-8")
    upage.goto("/search")
    set_teacher_token(upage)
    upload(upage, path)
    failed = upage.locator("#u-result li[data-status=quarantined]")  # a new file that fails goes to quarantine
    expect(failed).to_contain_text("huaiyaml.md")
    expect(failed).to_contain_text("元数据")
    expect(failed).to_contain_text("格式有误")
    expect(failed).to_contain_text("重新上传")
    assert not re.search(r"[A-Za-z]{4,}", failed.inner_text().replace("huaiyaml.md", "").replace("YAML", "")), failed.inner_text()


def test_idea_titles_from_a_txt_report_have_no_markdown(upage: Page, tmp_path: Path):
    path = tmp_path / "chaye.txt"
    path.write_text(textwrap.dedent("""\
        关于安吉县白茶产业的调研报告

        一、基本情况
        安吉县白茶种植面积二十万亩，全县茶农八万余人。

        二、金点子建议
        1. **设立白茶链长**：由县领导担任白茶产业链链长，统筹种植、加工和销售环节。
        2. **建设白茶大脑**：建立全县茶园数字地图，实时监测墒情和病虫害。
        """), encoding="utf-8")
    upage.goto("/search")
    set_teacher_token(upage)
    upload(upage, path)
    expect(upage.locator("#u-result li[data-status]")).to_have_attribute("data-status", "ingested")
    search(upage, "白茶链长", scope="ideas")
    idea = upage.locator("#results .hit h3", has_text="设立白茶链长").first
    expect(idea).to_have_text(re.compile(r"^金点子 1：设立白茶链长$"))
    data = upage.request.get("/api/ideas?q=白茶链长", headers={"Authorization": f"Bearer {TEACHER_TOKEN}"}).json()
    assert all("*" not in (h["idea_title"] or "") for h in data["hits"]), [h["idea_title"] for h in data["hits"]]
