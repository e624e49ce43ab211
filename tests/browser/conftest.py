"""Browser tests: a small real index, the real app under uvicorn in a thread, Debian's Chromium via Playwright."""
from __future__ import annotations

import os
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


# An upload (internal, with a cohort) for the documents view: its metadata can be edited there.
UPLOAD = textwrap.dedent("""\
    ---
    title: 临溪镇垃圾分类调研
    type: report
    cohort: 第40期进修班
    date: 2023-04-02
    topics: [生态环保]
    access: internal
    ---
    # 临溪镇垃圾分类调研
    ## 一、基本情况
    临溪镇推行垃圾分类积分兑换，全镇设置分类投放点两百余个，居民参与率明显提高。
    ## 二、主要做法
    镇里组建垃圾分类督导队，每天早晚在投放点值守，指导居民正确分类。
    """)
UPLOAD_TITLE = "临溪镇垃圾分类调研"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# Every page load, ask and API call of a module's tests comes from one address: on a fast machine they passed the
# default 120 a minute and an answer came back as 请求过于频繁. Rate limiting is tested in tests/api; here it is set
# out of the way (a test may still pass its own rate_limit_per_minute).
BROWSER_RATE_LIMIT = 100_000


def ingested(root: Path, files: dict[str, str], embedder, **settings):
    """(settings, knowledge base) over `files` (name → text) written to root/corpus and ingested for real."""
    from index.kbindex import KnowledgeBase
    from kb.settings import Settings

    settings.setdefault("rate_limit_per_minute", BROWSER_RATE_LIMIT)

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


@pytest.fixture(scope="module")
def documents_url(tmp_path_factory, embedder):
    """An app of its own per module (an edit changes its index): two public corpus files and an internal upload."""
    settings, kbase = ingested(tmp_path_factory.mktemp("documents-app"), {"hubin.md": CASE, "jiceng.md": LECTURE},
                               embedder, teacher_token=TEACHER_TOKEN)
    settings.uploads_dir.mkdir(parents=True, exist_ok=True)
    (settings.uploads_dir / "linxi.md").write_text(UPLOAD, encoding="utf-8")
    report = kbase.ingest(settings.uploads_dir, conventions=False)
    assert report.added == ["linxi.md"], report
    with serve_app(settings, kbase) as url:
        yield url


def use_teacher_token(page) -> None:
    """Type the teacher token in the header of a teachers' page, once the page's own token check has run."""
    from playwright.sync_api import expect

    expect(page.locator("#token-status")).not_to_be_empty()
    page.fill("#token", TEACHER_TOKEN)
    page.dispatch_event("#token", "change")
    expect(page.locator("#token-status")).to_have_text("已验证：教师")


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    """Where screenshots go: a temporary folder, unless KB_SCREENSHOTS_DIR names one (`make screenshots`
    points it at docs/screenshots to refresh the README's)."""
    target = os.environ.get("KB_SCREENSHOTS_DIR")
    folder = Path(target) if target else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


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


# The upload of the documents view made public: a trainee may be given a curated answer that cites it.
PUBLIC_UPLOAD = UPLOAD.replace("access: internal", "access: public")


@pytest.fixture(scope="module")
def review_url(tmp_path_factory, embedder):
    """An app of its own per module (feedback, curated answers and an edit change its state): the lecture and the
    case from the corpus, a public upload whose metadata can be edited."""
    settings, kbase = ingested(tmp_path_factory.mktemp("review-app"), {"jiceng.md": LECTURE, "hubin.md": CASE},
                               embedder, teacher_token=TEACHER_TOKEN)
    settings.uploads_dir.mkdir(parents=True, exist_ok=True)
    (settings.uploads_dir / "linxi.md").write_text(PUBLIC_UPLOAD, encoding="utf-8")
    report = kbase.ingest(settings.uploads_dir, conventions=False)
    assert report.added == ["linxi.md"], report
    with serve_app(settings, kbase) as url:
        yield url


@contextmanager
def page_at(browser, url: str, *, width: int = 1280, height: int = 800):
    """A fresh context on another app than base_url's; uncaught page errors fail the test."""
    context = browser.new_context(viewport={"width": width, "height": height}, base_url=url, locale="zh-CN",
                                  accept_downloads=True)
    context.set_default_timeout(20_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        yield page
    finally:
        context.close()
    assert not errors, f"uncaught errors in the page: {errors}"
# An earlier report of another cohort (public): its tea-chain idea is what the internal 第33期 report's 设立茶链长
# and a later upload's rewording of it are compared with in the 金点子 library.
EARLY_REPORT = textwrap.dedent("""\
    ---
    title: 关于青山县茶叶产销的调研报告
    type: report
    cohort: 第28期中青班
    date: 2022-11-15
    topics: [乡村振兴, 茶产业]
    access: public
    pishi: false
    ---
    # 关于青山县茶叶产销的调研报告
    ## 一、基本情况
    青山县茶园面积8万亩，茶叶销售以本地茶商收购为主，品牌影响力不足。
    ## 二、金点子建议
    1. **茶叶区域公用品牌**：整合全县分散的茶叶品牌，统一注册“青山茶”区域公用品牌，制定统一的生产标准和包装标识，授权符合标准的企业使用。
    2. **茶农技术夜校**：在产茶乡镇开办茶农技术夜校，农闲时节邀请农技专家讲授茶园管理、病虫害防治和制茶工艺，每年培训茶农不少于两千人次。
    """)


@pytest.fixture(scope="module")
def ideas_url(tmp_path_factory, embedder):
    """An app of its own per module (an upload changes its index): the internal 第33期 report, an earlier public
    report of another cohort, the public case."""
    settings, kbase = ingested(tmp_path_factory.mktemp("ideas-app"),
                               {"yunxi.md": REPORT, "qingshan.md": EARLY_REPORT, "hubin.md": CASE},
                               embedder, teacher_token=TEACHER_TOKEN)
    with serve_app(settings, kbase) as url:
        yield url
