"""The first run (`make run` = `kb serve --ingest corpus/`) in a real Chromium: the chat page shows the background
ingest's progress, says when it is done, and answers afterwards.

The ingest is the server's own (index.background) on a few Markdown files with the fake embedder (the banner is
behaviour, not answer quality). It is held after each stored document until the test lets it go on, so the page
is checked at a known N/M instead of racing the clock.
"""
from __future__ import annotations

import re
import textwrap
import threading
from pathlib import Path

import pytest

pytest.importorskip("playwright.sync_api")
if not Path("/usr/bin/chromium").exists():
    pytest.skip("Debian chromium (/usr/bin/chromium) not installed", allow_module_level=True)

from playwright.sync_api import expect  # noqa: E402

import api.app  # noqa: E402
from index.background import BackgroundIngest  # noqa: E402
from index.kbindex import KnowledgeBase  # noqa: E402
from tests.api.conftest import fake_settings  # noqa: E402
from tests.browser.conftest import TEACHER_TOKEN, page_at, serve_app  # noqa: E402
from tests.browser.test_pages import ask  # noqa: E402
from tests.conftest import LECTURE  # noqa: E402

try:  # axe-core is optional here (test_accessibility skips as a whole without it); the banner test is not
    from tests.browser.test_accessibility import violations
except pytest.skip.Exception:
    violations = None

# The banner polls /api/health every 2 s (common.js watchIngest) and is removed 4 s after "done": waits well past
# both, on what the page shows, never a sleep.
BANNER_SECONDS = 30


def town_report(n: int) -> str:
    return textwrap.dedent(f"""\
        ---
        title: 第{n}号乡镇调研简报
        type: report
        date: 2024-0{n}-01
        access: public
        ---
        # 第{n}号乡镇调研简报
        该镇组织干部走村入户，收集群众意见{n * 10}条，逐条建立台账并限期办结。
        """)


class HeldIngest(BackgroundIngest):
    """The server's real background ingest, held after each stored document (its progress already reported)
    until `step()` lets it store the next one; `release()` lets it run to the end."""

    def __init__(self) -> None:
        super().__init__()
        self._steps = threading.Semaphore(0)
        self._released = threading.Event()

    def _progress(self, done: int, total: int) -> None:
        super()._progress(done, total)
        if done < total and not self._released.is_set():
            # bounded: a failed test that never releases it leaves no thread waiting forever
            self._steps.acquire(timeout=120)

    def step(self) -> None:
        self._steps.release()

    def release(self) -> None:
        self._released.set()
        self._steps.release()


def banner(page):
    return page.locator("#ingest-progress")


def test_first_ingest_banner_shows_progress_then_done_then_answers(browser, tmp_path, fake_embedder, monkeypatch):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    files = {"a-jiceng.md": LECTURE, **{f"town{n}.md": town_report(n) for n in (1, 2, 3)}}
    for name, text in files.items():
        (corpus / name).write_text(text, encoding="utf-8")
    settings = fake_settings(tmp_path, serve_ingest=corpus)
    held = HeldIngest()
    monkeypatch.setattr(api.app, "BackgroundIngest", lambda: held)
    kbase = KnowledgeBase.open(settings, embedder=fake_embedder)
    try:
        with serve_app(settings, kbase) as url, page_at(browser, url) as page, page_at(browser, url) as trainee:
            page.add_init_script(f"localStorage.setItem('kbToken', {TEACHER_TOKEN!r})")  # teachers see the counts
            page.goto("/")
            # held after the first of four documents
            expect(banner(page)).to_have_text(re.compile(r"^正在导入资料 1/4："), timeout=BANNER_SECONDS * 1000)
            expect(banner(page)).to_have_attribute("role", "status")
            held.step()
            # the same page follows the ingest (no reload)
            expect(banner(page)).to_have_text(re.compile(r"^正在导入资料 2/4："), timeout=BANNER_SECONDS * 1000)
            if violations is not None:
                found = violations(page)
                assert not found, "axe-core violations with the banner shown:\n" + "\n".join(found)
            # a trainee gets the share done, never the counts (they include internal files)
            trainee.goto("/")
            expect(banner(trainee)).to_have_text(re.compile(r"^正在导入资料 50%："), timeout=BANNER_SECONDS * 1000)

            held.release()
            expect(banner(page)).to_have_text("资料已全部导入", timeout=BANNER_SECONDS * 1000)
            expect(banner(page)).to_have_count(0, timeout=BANNER_SECONDS * 1000)
            health = page.request.get("/api/health", headers={"Authorization": f"Bearer {TEACHER_TOKEN}"}).json()
            assert health["ingest"]["running"] is False and health["ingest"]["summary"]["added"] == 4

            answer = ask(page, "石门县把全县划分为多少个网格？")
            expect(answer.locator(".answer-text")).to_contain_text("1236")
            expect(answer.locator("button.cite").first).to_be_visible()
    finally:
        held.release()
        held.join(timeout=60)
