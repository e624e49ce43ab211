"""Issue 11 features 10, 13 and 14 end to end in a real Chromium: the documents view (list, filters, chunks, a
metadata edit that re-indexes), 命中测试, and exporting a conversation as Markdown."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest.importorskip("playwright.sync_api")
if not Path("/usr/bin/chromium").exists():
    pytest.skip("Debian chromium (/usr/bin/chromium) not installed", allow_module_level=True)

from playwright.sync_api import Page, expect  # noqa: E402

from tests.browser.conftest import TEACHER_TOKEN, UPLOAD_TITLE as TITLE, use_teacher_token  # noqa: E402
from tests.browser.test_pages import ask, search  # noqa: E402


@pytest.fixture
def epage(browser, documents_url):
    """A page on the documents app (conftest.documents_url: an internal upload beside two public corpus files)."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=documents_url, locale="zh-CN")
    context.set_default_timeout(30_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, f"uncaught errors in the page: {errors}"


def rows(page: Page, title: str):
    return page.locator("#docs tbody tr", has_text=title)


def choose(page: Page, select: str, value: str) -> None:
    with page.expect_response(lambda r: "/api/documents?" in r.url):
        page.select_option(select, value)


# 10 -----------------------------------------------------------------------------------------------------------
def test_documents_edit_reindexes_facets_and_trainee_visibility(epage: Page, shots: Path):
    page = epage
    trainee = page.request  # requests without a token: what a trainee is served
    assert trainee.get("/api/search?q=垃圾分类").json()["total"] == 0
    assert TITLE not in trainee.get("/api/documents").text()
    teacher = {"Authorization": f"Bearer {TEACHER_TOKEN}"}
    assert page.request.get("/api/search?q=垃圾分类", headers=teacher).json()["facets"]["cohort"] == {"第40期进修班": 1}

    page.goto("/documents")
    expect(rows(page, "湖滨镇民宿集群发展案例")).to_have_count(1)
    expect(rows(page, TITLE)).to_have_count(0)  # no token yet: public documents only
    use_teacher_token(page)
    expect(rows(page, TITLE)).to_have_count(1)
    # filters: access, cohort, type, year
    choose(page, "#f-access", "internal")
    expect(page.locator("#docs tbody tr")).to_have_count(1)
    expect(rows(page, TITLE)).to_contain_text("第40期进修班")
    choose(page, "#f-access", "")
    expect(page.locator("#f-cohort option", has_text="第40期进修班")).to_have_count(1)
    choose(page, "#f-cohort", "第40期进修班")
    expect(page.locator("#docs tbody tr")).to_have_count(1)
    choose(page, "#f-cohort", "")
    choose(page, "#f-type", "case")
    expect(page.locator("#docs tbody tr")).to_have_count(1)
    expect(rows(page, "湖滨镇民宿集群发展案例")).to_have_count(1)
    choose(page, "#f-type", "")
    choose(page, "#f-year", "2023")
    expect(page.locator("#docs tbody tr")).to_have_count(2)  # the case (2023-09) and the upload (2023-04)
    choose(page, "#f-year", "")

    # the detail: its chunks with section and text, opened by keyboard
    page.locator(f"#docs button[aria-label='查看 {TITLE}']").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#detail-title")).to_have_text(TITLE)
    expect(page.locator("#detail-title")).to_be_focused()
    chunks = page.locator("#chunks li")
    expect(chunks.first).to_be_visible()
    expect(page.locator("#chunks")).to_contain_text("居民参与率明显提高")
    expect(chunks.first.locator(".meta")).to_contain_text("一、基本情况")
    expect(page.locator("#e-access")).to_have_value("internal")
    expect(page.locator("#e-cohort")).to_have_value("第40期进修班")
    page.screenshot(path=str(shots / "documents.png"))

    # a bad date is refused with the field named; nothing changes
    page.fill("#e-date", "去年春天")
    page.click("#e-save")
    expect(page.locator("#edit-status")).to_contain_text("保存失败")
    expect(page.locator("#edit-status")).to_contain_text("date")
    page.fill("#e-date", "2024-03-05")

    # make it public, move it to another cohort, mark the 批示
    page.select_option("#e-access", "public")
    page.fill("#e-cohort", "第41期中青班")
    page.check("#e-pishi")
    page.click("#e-save")
    expect(page.locator("#edit-status")).to_have_text(re.compile("^已保存并重新索引"))
    row = rows(page, TITLE)
    expect(row).to_contain_text("公开")
    expect(row).to_contain_text("第41期中青班")
    expect(row).to_contain_text("获批示")
    expect(page.locator("#e-cohort")).to_have_value("第41期中青班")  # the detail shows the re-indexed metadata

    # search facets and trainee visibility follow the edit
    data = trainee.get("/api/search?q=垃圾分类").json()
    assert data["total"] >= 1 and {h["title"] for h in data["hits"]} == {TITLE}, data["hits"]
    assert data["facets"]["cohort"] == {"第41期中青班": 1} and data["facets"]["pishi"]["true"] == 1
    assert data["facets"]["year"] == {"2024": 1}
    assert page.request.get("/api/search?q=垃圾分类&cohort=第40期进修班", headers=teacher).status == 422
    page.goto("/search")  # the trainee's own search page (the stored token removed) finds it too
    page.evaluate("localStorage.removeItem('kbToken')")
    page.reload()
    search(page, "垃圾分类")
    expect(page.locator("#results .hit", has_text=TITLE).first).to_be_visible()
    expect(page.locator("#facets button.facet", has_text="第41期中青班")).to_have_count(1)


def test_documents_corpus_file_is_not_editable_and_says_why(epage: Page):
    epage.goto("/documents")
    use_teacher_token(epage)
    epage.locator("#docs button[aria-label='查看 湖滨镇民宿集群发展案例']").click()
    expect(epage.locator("#detail-title")).to_have_text("湖滨镇民宿集群发展案例")
    expect(epage.locator("#edit-form")).to_be_hidden()
    expect(epage.locator("#edit-note")).to_contain_text("kb ingest")
    expect(epage.locator("#chunks li").first).to_be_visible()


# 13 -----------------------------------------------------------------------------------------------------------
def test_hit_test_shows_scores_and_verdict(page: Page, shots: Path):
    page.goto("/hit-test")
    expect(page.locator("#ht-q")).to_be_focused()
    expect(page.locator("#ht-status")).to_contain_text("仅限教师")
    use_teacher_token(page)
    page.fill("#ht-q", "石门县把全县划分为多少个网格？")
    with page.expect_response(lambda r: "/api/hit-test?" in r.url):
        page.press("#ht-q", "Enter")
    verdict = page.locator("#verdict")
    expect(verdict).to_have_attribute("data-answered", "true")
    expect(verdict).to_contain_text("已作答")
    expect(verdict).to_contain_text(re.compile(r"可答性 0\.\d{3} ≥ 阈值 0\.\d{3}"))
    expect(page.locator("#ht-answer")).to_contain_text("1236")
    first = page.locator("#hits-table tbody tr").first
    expect(first).to_contain_text("基层治理现代化专题")
    expect(first).to_contain_text(re.compile(r"\d\.\d{3}（第 \d+ 名）"))  # dense and BM25 with their ranks
    expect(first.locator("td").nth(5)).to_have_text(re.compile(r"\[\d\]"))  # cited in the answer
    expect(page.locator("#units-table tr[data-chosen=true]").first).to_be_visible()
    page.screenshot(path=str(shots / "hittest.png"))

    page.fill("#ht-q", "党校食堂几点开饭？")
    page.select_option("#ht-mode", "bm25")
    with page.expect_response(lambda r: "/api/hit-test?" in r.url and "mode=bm25" in r.url):
        page.click("#ht-form button[type=submit]")
    expect(verdict).to_have_attribute("data-answered", "false")
    expect(verdict).to_contain_text("拒答")
    expect(verdict).to_contain_text("仅 BM25")
    for row in page.locator("#hits-table tbody tr").all():  # bm25 only: no dense score
        expect(row.locator("td").nth(3)).to_have_text("—")


def test_hit_test_is_refused_to_trainees(page: Page):
    resp = page.request.get("/api/hit-test?q=茶园面积是多少")
    assert resp.status == 403 and resp.json()["error"]["code"] == "teacher_only"
    assert "茶园" not in resp.text()


# 14 -----------------------------------------------------------------------------------------------------------
def test_chat_exports_conversation_as_markdown(page: Page, tmp_path: Path):
    page.goto("/")
    page.focus("#export")
    page.keyboard.press("Enter")  # nothing to export yet: said so, no download
    expect(page.locator("#notice")).to_have_text("还没有对话可以导出。")
    answer = ask(page, "石门县把全县划分为多少个网格？")
    expect(answer.locator("button.cite").first).to_be_visible()
    ask(page, "党校食堂几点开饭？")
    page.focus("#export")
    with page.expect_download() as info:
        page.keyboard.press("Enter")
    download = info.value
    assert re.fullmatch(r"学习助手对话-\d{8}-\d{4}\.md", download.suggested_filename)
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    text = target.read_text(encoding="utf-8")
    assert text.startswith("# 学习助手对话记录\n")
    first, second = text.split("## 问题 2：")
    assert "## 问题 1：石门县把全县划分为多少个网格？" in first
    assert re.search(r"1236个网格[^\n]*\[1\]", first), first
    assert "**来源：**" in first and "1. 基层治理现代化专题" in first
    quote = re.search(r"^> (.+)$", first, re.M)
    assert quote and "1236" in quote.group(1), first  # the cited sentence, quoted
    assert second.startswith("党校食堂几点开饭？") and "资料中未找到" in second and "**最接近的段落：**" in second
    assert "<button" not in text and "[object" not in text
