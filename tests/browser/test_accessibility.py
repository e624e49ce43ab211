"""axe-core inside the real Chromium: every page, at desktop and phone width, has no serious or critical violation.

axe-core comes from npm (`.ci/package.json`, fetched by `.ci/run`: `npm ci --prefix .ci`); set AXE_CORE_JS to use
another copy of axe.min.js.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

pytest.importorskip("playwright.sync_api")
if not Path("/usr/bin/chromium").exists():
    pytest.skip("Debian chromium (/usr/bin/chromium) not installed", allow_module_level=True)

from playwright.sync_api import Page, expect  # noqa: E402

from tests.browser.conftest import TEACHER_TOKEN, UPLOAD_TITLE, page_at, use_teacher_token  # noqa: E402
from tests.browser.test_pages import ask, search, set_teacher_token  # noqa: E402

AXE = Path(os.environ.get("AXE_CORE_JS") or Path(__file__).resolve().parents[2] / ".ci/node_modules/axe-core/axe.min.js")
if not AXE.exists():
    pytest.skip(f"axe-core not installed ({AXE} missing): run `npm ci --prefix .ci`", allow_module_level=True)

WIDTHS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


def check(page: Page) -> None:
    found = violations(page)
    assert not found, "axe-core violations:\n" + "\n".join(found)


def violations(page: Page) -> list[str]:
    """Serious and critical axe-core violations of the page as it is now, one line each."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, { resultTypes: ['violations'] })")
    return [f"{v['id']} ({v['impact']}): {v['help']} — " + "; ".join(n["target"][0] for n in v["nodes"][:3])
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("width", WIDTHS)
def test_chat_page_has_no_serious_violations(page: Page, width: str):
    page.set_viewport_size(WIDTHS[width])
    page.goto("/")
    check(page)
    answer = ask(page, "石门县把全县划分为多少个网格？")
    answer.locator("button.cite").first.click()
    expect(page.locator("#passage mark.quote")).to_be_visible()
    ask(page, "党校食堂几点开饭？")
    check(page)


@pytest.mark.parametrize("width", WIDTHS)
def test_search_page_has_no_serious_violations(page: Page, width: str):
    page.set_viewport_size(WIDTHS[width])
    page.goto("/search")
    expect(page.locator("#docs table")).to_be_visible()
    check(page)
    set_teacher_token(page)
    search(page, "茶产业")
    page.locator("#results .hit h3 button").first.click()
    expect(page.locator("#passage #passage-text mark").first).to_be_visible()
    check(page)


@pytest.mark.parametrize("width", WIDTHS)
def test_eval_and_document_pages_have_no_serious_violations(page: Page, width: str):
    page.set_viewport_size(WIDTHS[width])
    page.goto("/eval")
    expect(page.locator("#report table")).to_be_visible()
    check(page)
    doc = page.request.get("/api/documents").json()["documents"][0]
    page.goto(f"/documents/{doc['doc_id']}")
    expect(page.locator("#passage-text")).to_be_visible()
    check(page)


@pytest.mark.parametrize("width", WIDTHS)
def test_documents_page_has_no_serious_violations(browser, documents_url, width: str):
    context = browser.new_context(viewport=WIDTHS[width], base_url=documents_url, locale="zh-CN")
    page = context.new_page()
    try:
        page.goto("/documents")
        expect(page.locator("#docs table")).to_be_visible()
        check(page)
        use_teacher_token(page)
        page.locator("#docs tbody tr button.linklike", has_text=UPLOAD_TITLE).click()
        expect(page.locator("#chunks li").first).to_be_visible()
        expect(page.locator("#edit-form")).to_be_visible()  # an upload: its metadata form
        check(page)
        page.locator("#docs tbody tr button.linklike", has_text="湖滨镇民宿集群发展案例").click()
        expect(page.locator("#edit-note")).to_be_visible()  # a corpus file: the note instead
        check(page)
    finally:
        context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_hit_test_page_has_no_serious_violations(page: Page, width: str):
    page.set_viewport_size(WIDTHS[width])
    page.goto("/hit-test")
    expect(page.locator("#ht-status")).not_to_be_empty()
    check(page)
    use_teacher_token(page)
    page.fill("#ht-q", "石门县把全县划分为多少个网格？")
    page.press("#ht-q", "Enter")
    expect(page.locator("#verdict")).to_be_visible()
    check(page)


@pytest.mark.parametrize("width", WIDTHS)
def test_chat_page_with_export_has_no_serious_violations(page: Page, width: str):
    page.set_viewport_size(WIDTHS[width])
    page.goto("/")
    page.click("#export")
    expect(page.locator("#notice")).to_be_visible()
    check(page)


@pytest.mark.parametrize("width", WIDTHS)
def test_chat_page_with_feedback_form_has_no_serious_violations(page: Page, width: str):
    page.set_viewport_size(WIDTHS[width])
    page.goto("/")
    answer = ask(page, "石门县把全县划分为多少个网格？")
    answer.locator(".feedback button.fb", has_text="没用").click()
    expect(answer.locator(".fb-form textarea")).to_be_focused()
    check(page)


@pytest.mark.parametrize("width", WIDTHS)
def test_review_page_has_no_serious_violations(browser, review_url, width: str):
    teacher = {"Authorization": f"Bearer {TEACHER_TOKEN}"}
    with page_at(browser, review_url, **WIDTHS[width]) as page:
        page.goto("/review")
        expect(page.locator("#fb-status")).not_to_be_empty()
        check(page)  # before the token: the teachers-only notice
        answer = page.request.post("/api/ask", data={"question": "湖滨镇有多少家民宿？"}).json()
        page.request.post("/api/feedback", data={"question": "湖滨镇有多少家民宿？", "answer": answer["answer"],
                                                 "citations": answer["citations"], "verdict": "down", "comment": "太简略"})
        chunk = answer["citations"][0]["chunk_id"]
        page.request.post("/api/curated", headers=teacher, data={
            "question": f"湖滨镇有多少家民宿？（{width}）", "answer": "86家。[1]", "citations": [{"chunk_id": chunk}]})
        use_teacher_token(page)
        item = page.locator("#queue .review-item").first
        item.get_by_role("button", name="审核").click()
        expect(item.locator("label.pick").first).to_be_visible()
        expect(page.locator("#curated-table")).to_be_visible()
        check(page)


@pytest.mark.parametrize("width", WIDTHS)
def test_ideas_page_has_no_serious_violations(browser, ideas_url, width: str):
    context = browser.new_context(viewport=WIDTHS[width], base_url=ideas_url, locale="zh-CN")
    page = context.new_page()
    try:
        page.goto("/ideas")
        expect(page.locator("#sim-status")).not_to_be_empty()  # a trainee: the public report only
        expect(page.locator("#stats-chart")).to_be_visible()
        check(page)
        use_teacher_token(page)
        page.select_option("#report", label=page.locator("#report option", has_text="云溪县").inner_text())
        expect(page.locator("article.idea-card li.similar-item").first).to_be_visible()
        page.select_option("#by", "cohort")
        expect(page.locator("#stats-table")).to_contain_text("第33期中青班")
        check(page)
    finally:
        context.close()
