"""The chat and teachers' search pages in a real Chromium against the real app (see conftest.py)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest.importorskip("playwright.sync_api")
if not Path("/usr/bin/chromium").exists():
    pytest.skip("Debian chromium (/usr/bin/chromium) not installed", allow_module_level=True)

from playwright.sync_api import Page, expect  # noqa: E402

from tests.browser.conftest import TEACHER_TOKEN, XSS  # noqa: E402


def ask(page: Page, question: str):
    """Type a question, submit with Enter, wait until the streamed answer is rendered; the answer node."""
    page.fill("#question", question)
    page.press("#question", "Enter")
    answer = page.locator("#chat .msg.a").last
    # .answer-text only exists once the stream has ended (renderAnswer after the done event)
    expect(answer.locator(".answer-text")).to_be_visible()
    expect(page.locator("#ask-btn")).to_be_enabled()
    expect(answer).not_to_contain_text("出错了")
    return answer


def search(page: Page, query: str, scope: str = "search"):
    """Run a search on /search and wait until its results are rendered."""
    page.fill("#q", query)
    if page.locator("#scope").input_value() != scope:
        with page.expect_response(lambda r: f"/api/{scope}?" in r.url):
            page.select_option("#scope", scope)
        expect(page.locator("#summary")).to_have_text(re.compile(r"^共 \d+ 条结果"))
    with page.expect_response(lambda r: f"/api/{scope}?" in r.url):
        page.click("#search-form button[type=submit]")
    expect(page.locator("#summary")).to_have_text(re.compile(r"^共 \d+ 条结果"))


def set_teacher_token(page: Page) -> None:
    """Type the teacher token on /search; it is stored once the server accepted it."""
    expect(page.locator("#docs-status")).not_to_be_empty()  # the page's own token check has run
    page.fill("#token", TEACHER_TOKEN)
    page.dispatch_event("#token", "change")
    expect(page.locator("#token-status")).to_have_text("已验证：教师")
    assert page.evaluate("localStorage.getItem('kbToken')") == TEACHER_TOKEN


def type_badges(page: Page) -> list[str]:
    return page.locator("#results .hit .meta > .badge:not(.internal):not(.pishi)").all_inner_texts()


def test_chat_answer_with_citation_opens_passage(page: Page, shots: Path):
    page.goto("/")
    answer = ask(page, "石门县把全县划分为多少个网格？")
    expect(answer.locator(".answer-text")).to_contain_text("1236")
    cite = answer.locator("button.cite").first
    expect(cite).to_have_text("1")
    expect(page.locator("#passage")).to_be_hidden()

    cite.click()
    passage = page.locator("#passage")
    expect(passage).to_be_visible()
    expect(passage.locator(".row strong")).to_have_text("基层治理现代化专题")
    quote = passage.locator("#passage-text mark.quote")
    expect(quote).to_have_count(1)  # the quoted sentence, marked strongly inside the cited passage
    expect(quote).to_have_text("石门县把全县划分为1236个网格，每个网格配备一名专职网格员。")
    expect(answer.locator(".sources li").first).to_contain_text("基层治理现代化专题")
    page.screenshot(path=str(shots / "chat.png"))


def test_unanswerable_question_says_not_found(page: Page):
    page.goto("/")
    answer = ask(page, "党校食堂几点开饭？")
    expect(answer).to_have_class(re.compile(r"\brefused\b"))
    # the refusal says so once (no "资料中未找到 · 资料中未找到…" label doubled in front of it)
    expect(answer.locator(".answer-text")).to_contain_text("资料中未找到能够回答")
    assert answer.locator(".answer-text").inner_text().count("资料中未找到") == 1
    expect(answer.locator(".answer-text button.cite")).to_have_count(0)


def test_document_html_is_shown_as_text_not_markup(page: Page):
    page.goto("/")
    answer = ask(page, "湖滨镇有多少家民宿？")
    expect(answer.locator(".answer-text")).to_contain_text("86")
    answer.locator("button.cite").first.click()
    text = page.locator("#passage #passage-text")
    expect(text).to_contain_text(XSS)
    expect(page.locator("#passage img")).to_have_count(0)

    page.goto("/search")
    search(page, "网页安全提示")
    hit = page.locator("#results .hit", has_text="湖滨镇民宿集群发展案例").first
    expect(hit).to_contain_text(XSS)
    expect(page.locator("#results img")).to_have_count(0)
    hit.locator("h3 button").click()
    expect(page.locator("#passage #passage-text")).to_contain_text(XSS)
    expect(page.locator("#passage img")).to_have_count(0)

    page.wait_for_load_state("networkidle")  # had an <img src=x> been created, its onerror would have run by now
    assert page.evaluate("typeof window.__pwned") == "undefined"


def test_trainee_search_never_shows_internal_report(page: Page):
    page.goto("/search")
    search(page, "茶链长 茶产业")  # words only the internal report has: nothing for a trainee
    expect(page.locator("#results")).to_contain_text("没有找到相关资料")
    assert "调研报告" not in type_badges(page)
    expect(page.locator("#results .hit")).to_have_count(0)
    expect(page.locator("#results .badge.internal")).to_have_count(0)
    search(page, "民宿")  # a public document's word still finds it
    expect(page.locator("#results .hit").first).to_contain_text("湖滨镇民宿集群发展案例")
    expect(page.locator("#results .badge.internal")).to_have_count(0)


def test_teacher_search_ideas_and_type_filter(page: Page, shots: Path):
    page.goto("/search")
    set_teacher_token(page)
    search(page, "茶链长", scope="ideas")
    idea = page.locator("#results .hit", has_text="茶链长").first
    expect(idea.locator("h3")).to_contain_text("金点子")
    expect(idea.locator("mark", has_text="茶链长")).to_have_count(1)
    expect(idea.locator(".badge.internal")).to_be_visible()

    search(page, "发展", scope="search")  # in the report and in the case
    before = type_badges(page)
    assert set(before) - {"调研报告"}, f"unfiltered passages should include other types: {before}"
    with page.expect_response(lambda r: "/api/search?" in r.url and "type=report" in r.url):
        page.select_option("#f-type", "report")
    expect(page.locator("#summary")).to_have_text(re.compile(r"^共 \d+ 条结果"))
    after = type_badges(page)
    assert after and set(after) == {"调研报告"}, after
    expect(page.locator("#results mark", has_text="发展").first).to_be_visible()
    page.screenshot(path=str(shots / "search.png"))


def test_teacher_upload_is_ingested_and_searchable(page: Page, tmp_path: Path):
    word = "青蒿素示范园"
    upload = tmp_path / "qinghao.md"
    upload.write_text(
        "# 关于建设青蒿素示范园的调研报告\n\n"
        f"建议在武陵山区建设{word}，带动中药材种植户增收，首期规划面积三千亩。\n",
        encoding="utf-8")
    page.goto("/search")
    set_teacher_token(page)
    page.set_input_files("#files", str(upload))
    page.click("#upload-form button[type=submit]")
    status = page.locator("#u-result li[data-status]")
    expect(status).to_have_count(1)
    expect(status).to_have_attribute("data-status", "ingested", timeout=30_000)
    expect(status).to_contain_text("qinghao.md：已导入")

    search(page, word)
    hit = page.locator("#results .hit", has_text=word).first
    expect(hit.locator("mark", has_text=word).first).to_be_visible()
    expect(hit.locator("h3")).to_have_text("关于建设青蒿素示范园的调研报告")


def test_chat_fits_phone_width(page: Page):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    answer = ask(page, "石门县把全县划分为多少个网格？")
    answer.locator("button.cite").first.click()
    expect(page.locator("#passage mark.quote")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"horizontal scroll on a phone: scrollWidth {width} > 390"


def test_example_questions_are_buttons_that_ask(page: Page):
    page.goto("/")
    examples = page.locator("#examples button")
    expect(examples).to_have_count(6)
    expect(page.locator("#examples")).not_to_contain_text("[object")
    page.locator("#examples button", has_text="湖滨镇有多少家民宿").click()
    answer = page.locator("#chat .msg.a").last
    expect(answer.locator(".answer-text")).to_contain_text("86")
    expect(page.locator("#chat .msg.q").last).to_contain_text("湖滨镇有多少家民宿？")


def test_teacher_sees_and_deletes_a_quarantined_upload(page: Page, tmp_path: Path):
    bad = tmp_path / "坏文件.md"
    bad.write_text("---\na: &a [x]\ntype: *a\n---\n正文。\n", encoding="utf-8")
    page.goto("/search")
    set_teacher_token(page)
    page.set_input_files("#files", str(bad))
    page.click("#upload-form button[type=submit]")
    status = page.locator("#u-result li[data-status]")
    expect(status).to_have_attribute("data-status", "quarantined", timeout=30_000)
    expect(status).to_contain_text("坏文件.md：无法导入，已移入隔离区")
    entry = page.locator("#q-list li[data-name='坏文件.md']")
    expect(entry).to_contain_text("锚点")
    page.once("dialog", lambda dialog: dialog.accept())
    entry.locator("button", has_text="删除").click()
    expect(page.locator("#q-list")).to_contain_text("隔离区为空")
