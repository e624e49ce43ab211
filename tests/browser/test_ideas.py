"""Issue 11 feature 15 end to end in a real Chromium: a report uploaded through the search page's form whose
金点子 rewords an earlier cohort's idea is shown in the 金点子库 beside that idea, marked 已有相近建议; the list
filters and exports; the rates by topic, cohort and year; trainees see public ideas only."""
from __future__ import annotations

import csv
import io
import textwrap
from pathlib import Path

import pytest

pytest.importorskip("playwright.sync_api")
if not Path("/usr/bin/chromium").exists():
    pytest.skip("Debian chromium (/usr/bin/chromium) not installed", allow_module_level=True)

from docx import Document as Docx  # noqa: E402
from playwright.sync_api import Page, expect  # noqa: E402

from tests.browser.conftest import use_teacher_token  # noqa: E402
from tests.browser.test_pages import set_teacher_token  # noqa: E402

# a later cohort's report: idea 1 rewords 第33期中青班's 设立茶链长 (关于云溪县茶产业发展的调研报告, 2024-06-10)
NEW_REPORT = textwrap.dedent("""\
    ---
    title: 关于松溪县白茶产业的调研报告
    type: report
    cohort: 第36期中青班
    date: 2025-06-01
    topics: [乡村振兴, 茶产业]
    access: internal
    pishi: false
    ---
    # 关于松溪县白茶产业的调研报告
    ## 一、基本情况
    松溪县白茶种植面积逐年扩大，但加工和销售环节衔接不畅。
    ## 二、金点子建议
    1. **推行茶产业链长制**：请县级领导出任茶产业链的链长，把茶叶种植、加工、销售各个环节统筹起来，每个季度开一次链长工作会议。
    2. **农村养老互助点**：依托闲置村小学校舍建设农村养老互助点，组织低龄老人结对照料高龄独居老人，村集体给予水电和场地支持。
    """)
NEW_TITLE = "关于松溪县白茶产业的调研报告"
EARLIER_TITLE = "关于云溪县茶产业发展的调研报告"


@pytest.fixture
def ipage(browser, ideas_url):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=ideas_url, locale="zh-CN",
                                  accept_downloads=True)
    context.set_default_timeout(60_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, f"uncaught errors in the page: {errors}"


def test_uploaded_report_shows_beside_the_earlier_cohorts_idea_marked_close(ipage: Page, tmp_path: Path, shots: Path):
    page = ipage
    path = tmp_path / "songxi.md"
    path.write_text(NEW_REPORT, encoding="utf-8")
    page.goto("/search")  # the upload form, as a teacher uses it
    set_teacher_token(page)
    page.set_input_files("#files", str(path))
    page.click("#upload-form button[type=submit]")
    expect(page.locator("#u-result li[data-status]")).to_have_attribute("data-status", "ingested")

    page.goto("/ideas")
    expect(page.locator("#token-status")).to_have_text("已验证：教师")  # the token typed on /search is kept
    expect(page.locator("#threshold-note")).to_contain_text("用 41 对手写改写的金点子")
    page.select_option("#report", label=page.locator("#report option", has_text=NEW_TITLE).inner_text())
    card = page.locator("article.idea-card[data-idea='1']")
    expect(card.locator("h3")).to_contain_text("推行茶产业链长制")
    expect(card.locator("h3 .badge.close")).to_have_text("已有相近建议")
    earlier = card.locator("li.similar-item").first  # the most similar earlier idea: the one it rewords
    expect(earlier).to_contain_text("设立茶链长")
    expect(earlier).to_contain_text(EARLIER_TITLE)
    expect(earlier).to_have_attribute("data-close", "true")
    expect(earlier).to_contain_text("第33期中青班 · 2024")
    expect(earlier.locator(".badge.pishi")).to_have_text("获批示")
    expect(card.locator("li.similar-item", has_text="第36期中青班")).to_have_count(0)  # its own cohort never
    other = page.locator("article.idea-card[data-idea='2']")  # the elderly-care idea: nothing like it before
    expect(other.locator("h3 .badge")).to_have_text("未见相近建议")
    expect(page.locator("#sim-status")).to_have_text("2 条金点子，其中 1 条已有相近建议")
    page.screenshot(path=str(shots / "ideas-desktop.png"))
    page.set_viewport_size({"width": 390, "height": 844})
    card.scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "ideas-phone.png"))
    page.set_viewport_size({"width": 1280, "height": 900})

    # the earlier report itself: nothing of a later or the same cohort is offered as "earlier"
    page.select_option("#report", label=page.locator("#report option", has_text=EARLIER_TITLE).inner_text())
    expect(page.locator("#similar")).not_to_contain_text(NEW_TITLE)

    # the list marks it too once asked to, and so does its export
    page.check("#f-novelty")
    expect(page.locator("#ideas-table tr", has_text="推行茶产业链长制").locator(".badge.close")).to_have_text("已有相近建议")
    expect(page.locator("#ideas-table tr", has_text="农村养老互助点").locator(".badge.close")).to_have_count(0)
    with page.expect_download() as got:
        page.click("#export-csv")
    rows = list(csv.DictReader(io.StringIO(Path(got.value.path()).read_bytes().decode("utf-8-sig"))))
    chain = next(r for r in rows if r["金点子"] == "推行茶产业链长制")
    assert chain["已有相近建议"] == "是" and chain["最相近的往期建议"].startswith("设立茶链长（" + EARLIER_TITLE)

    # a trainee: neither internal report, nor their ideas beside the public one
    trainee = page.request.get("/api/ideas/library", headers={"Authorization": ""}).json()
    assert {r["title"] for r in trainee["reports"]} == {"关于青山县茶叶产销的调研报告"}


def test_list_filters_exports_and_rates(ipage: Page):
    page = ipage
    page.goto("/ideas")
    use_teacher_token(page)
    expect(page.locator("#ideas-table tbody tr").first).to_be_visible()
    page.select_option("#f-cohort", "第28期中青班")
    expect(page.locator("#ideas-table tbody tr")).to_have_count(2)
    expect(page.locator("#list-status")).to_contain_text("2 条金点子 · 所在报告获批示 0 条（批示率 0%）")
    with page.expect_download() as got:
        page.click("#export-csv")
    rows = list(csv.reader(io.StringIO(Path(got.value.path()).read_bytes().decode("utf-8-sig"))))
    assert [r[1] for r in rows[1:]] == ["茶叶区域公用品牌", "茶农技术夜校"]
    with page.expect_download() as got:
        page.click("#export-docx")
    table = Docx(got.value.path()).tables[0]
    assert len(table.rows) == 3 and "青山茶" in table.rows[1].cells[1].text
    page.select_option("#f-cohort", "")
    # rates: by year, as a table and a bar per year
    page.select_option("#by", "year")
    expect(page.locator("#stats-table tbody tr", has_text="2024")).to_contain_text("100%")
    expect(page.locator("#stats-table tbody tr", has_text="2022")).to_contain_text("0%")
    expect(page.locator("#stats-chart li", has_text="2022")).to_contain_text("2 条 · 批示率 0%")
    # keyboard: from the list's 查看 button to the report's similar ideas
    button = page.locator("#ideas-table button", has_text="查看").first
    button.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#report")).to_be_focused()


def test_every_page_links_the_library(ipage: Page):
    page = ipage
    doc = page.request.get("/api/documents").json()["documents"][0]
    for path in ("/", "/search", "/documents", "/hit-test", "/eval", f"/documents/{doc['doc_id']}", "/ideas"):
        page.goto(path)
        expect(page.locator("header nav a[href='/ideas']")).to_have_text("金点子库")
    expect(page.locator("header nav a[aria-current=page]")).to_have_text("金点子库")
