"""Every page at phone width (390 px): nothing wider than the screen, its main controls visible; screenshots.

The screenshots go to a temporary folder, or to docs/screenshots with `make screenshots` (the README's).
"""
from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("playwright.sync_api")
if not Path("/usr/bin/chromium").exists():
    pytest.skip("Debian chromium (/usr/bin/chromium) not installed", allow_module_level=True)

from playwright.sync_api import expect  # noqa: E402

from tests.browser.conftest import TEACHER_TOKEN  # noqa: E402

PHONE = {"width": 390, "height": 844}
# page, a control that must be visible on it, whether it is a teachers' page, screenshot name
PAGES = [
    ("/", "#question", False, "chat-phone.png"),
    ("/search", "#q", True, "search-phone.png"),
    ("/documents", "main", True, "documents-phone.png"),
    ("/hit-test", "main", True, "hittest-phone.png"),
    ("/review", "main", True, "review-phone.png"),
    ("/ideas", "main", True, "ideas-phone.png"),
    ("/eval", "main", False, "eval-phone.png"),
]


@pytest.mark.parametrize("path, control, teacher, shot", PAGES, ids=[p[0] for p in PAGES])
def test_page_fits_a_phone(browser, base_url, shots, path, control, teacher, shot):
    context = browser.new_context(viewport=PHONE, base_url=base_url, locale="zh-CN", device_scale_factor=2)
    if teacher:  # the token a teacher typed earlier (the pages store it once the server accepted it)
        context.add_init_script(f"localStorage.setItem('kbToken', {TEACHER_TOKEN!r})")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(path)
        page.wait_for_load_state("networkidle")
        expect(page.locator(control).first).to_be_visible()
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{path} is {overflow}px wider than a 390px screen"
        page.screenshot(path=str(shots / shot))
    finally:
        context.close()
    assert not errors, f"uncaught errors on {path}: {errors}"
