"""Browser tests: a small real index, the real app under uvicorn in a thread, Debian's Chromium via Playwright."""
from __future__ import annotations

import socket
import textwrap
import threading
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import LECTURE, REPORT

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TEACHER_TOKEN = "teacher-secret"
XSS = '<img src=x onerror="window.__pwned=1">'

# A public case; one line carries HTML that the pages must show as text, never as markup.
CASE = textwrap.dedent(f"""\
    ---
    title: 湖滨镇民宿集群发展案例
    type: case
    date: 2023-09-01
    topics: [乡村振兴, 文旅融合]
    access: public
    ---
    # 湖滨镇民宿集群发展案例
    湖滨镇依托湖泊资源发展民宿产业，目前全镇共有民宿86家，带动就业1200余人。
    镇里成立民宿协会，统一服务标准和价格公示。
    网页安全提示：{XSS} 这样的文字应当原样显示。
    """)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ingested(root: Path, files: dict[str, str], embedder, **settings):
    """(settings, knowledge base) over `files` (name → text) written to root/corpus and ingested for real."""
    from index.kbindex import KnowledgeBase
    from kb.settings import Settings

    corpus = root / "corpus"
    corpus.mkdir()
    for name, text in files.items():
        (corpus / name).write_text(text, encoding="utf-8")
    config = Settings(data_dir=root / "data", _env_file=None, **settings)
    kbase = KnowledgeBase.open(config, embedder=embedder)
    report = kbase.ingest(corpus)
    assert sorted(report.added) == sorted(files), report
    return config, kbase


@pytest.fixture(scope="session")
def browser_kbase(tmp_path_factory, embedder):
    """A real knowledge base over the lecture, the internal report and the public case."""
    return ingested(tmp_path_factory.mktemp("browser"), {"jiceng.md": LECTURE, "yunxi.md": REPORT, "hubin.md": CASE},
                    embedder, teacher_token=TEACHER_TOKEN)


@contextmanager
def serve_app(settings, kbase):
    """The real app served by uvicorn on a free port in a background thread; yields its URL."""
    import uvicorn

    from api.app import create_app

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings, kbase=kbase), host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, name="uvicorn-browser-tests", daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(url + "/api/health", timeout=2) as res:
                if res.status == 200:
                    break
        except OSError:
            pass
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            pytest.fail("uvicorn did not answer /api/health")
        time.sleep(0.1)
    try:
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def base_url(browser_kbase):
    with serve_app(*browser_kbase) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not installed")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, base_url):
    """A fresh context (empty localStorage/sessionStorage) per test; uncaught page errors fail the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=base_url, locale="zh-CN")
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.errors = errors
    yield page
    context.close()
    assert not errors, f"uncaught errors in the page: {errors}"
