"""Answers by kind on the chat page, in a real Chromium against the real app and the fitted answer layer:
lists, ordinal items, typos, English, quote marks, a question that matches a heading, a collection question."""
from __future__ import annotations

import textwrap

import pytest

pytest.importorskip("playwright.sync_api")

from playwright.sync_api import Page  # noqa: E402

from tests.browser.conftest import ingested, serve_app  # noqa: E402
from tests.browser.test_pages import ask  # noqa: E402

LECTURE = textwrap.dedent("""\
    ---
    title: 党性修养与作风建设
    type: lecture
    category: 党性课
    date: 2024-04-10
    topics: [党性教育, 作风建设]
    access: public
    ---
    # 党性修养与作风建设
    ## 一、作风建设的意义
    作风建设是党的建设的重要内容，关系人心向背。好的作风不是一朝一夕形成的，需要长期坚持。
    ## 二、修炼党性的“五面镜子”
    我在教学中提出了“五面镜子”自我检视法，就是经常用五面镜子照一照自己。
    ### 1. 以党章为镜
    党章是党的根本大法，对照党章看自己是否履行了党员义务。
    ### 2. 以党规为镜
    党内法规明确了党员干部的行为边界，对照党规看自己有没有踩线越界。
    ### 3. 以先进典型为镜
    以先进典型为镜，就是要看到差距，学习他们的公仆情怀。
    ### 4. 以反面案例为镜
    反面案例是最好的清醒剂，要从中汲取教训。
    ### 5. 以群众评价为镜
    群众是最好的裁判，要把群众满意作为检验标准。
    ## 三、锤炼作风的要求
    锤炼过硬作风，一是坚持日省三问，二是从小事小节上严起，三是敢于担当、真抓实干。
    """)

REPORT = textwrap.dedent("""\
    ---
    title: 关于石门县网格化治理的调研报告
    type: report
    cohort: 第32期中青班
    date: 2023-12-01
    topics: [基层治理]
    access: public
    pishi: true
    pishi_note: 获省委组织部负责同志批示
    ---
    # 关于石门县网格化治理的调研报告
    ## 一、基本情况
    石门县把全县划分为1236个网格，每个网格配备一名专职网格员。县农商银行推出“网格贷”，单户最高可贷20万元。
    石门县将积分分为三类：红色积分主要针对党员；绿色积分主要针对人居环境；金色积分主要针对文明风尚。
    ## 二、金点子建议
    1. 网格员职业化：建立网格员等级评定制度，让优秀网格员有上升通道。
    2. 积分通兑：推动全县积分在各村爱心超市通用通兑。
    3. 数据一张网：整合各部门的基层数据，避免网格员重复录入。
    4. 网格议事会：每月召开一次网格议事会，群众的事由群众商量着办。
    5. 应急网格：把网格纳入应急体系，汛期实行网格员二十四小时值守。
    6. 党员联户：每名党员联系十户群众，定期走访。
    7. 积分激励升级：积分可兑换公共服务，如优先办理事项。
    8. 网格减负清单：明确网格员职责清单，清单外事项不得随意摊派。
    9. 老年网格员退出：网格员年满六十周岁有序退出。
    10. 村规民约进网格：把村规民约写进网格公约，由网格员督促落实。
    11. 网格评议公开：每季度公开网格评议结果，接受群众监督。
    """)


@pytest.fixture(scope="module")
def answers_url(tmp_path_factory, embedder):
    settings, kbase = ingested(tmp_path_factory.mktemp("answers"), {"dangxing.md": LECTURE, "shimen.md": REPORT},
                               embedder)
    with serve_app(settings, kbase) as url:
        yield url


@pytest.fixture
def chat(browser, answers_url):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=answers_url, locale="zh-CN")
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto("/")
    yield page
    context.close()
    assert not errors, errors


def _text(answer) -> str:
    return answer.locator(".answer-text").inner_text()


def test_list_question_gets_every_item_each_cited(chat: Page):
    answer = ask(chat, "修炼党性的“五面镜子”是哪五面？")
    text = _text(answer)
    for mirror in ("以党章为镜", "以党规为镜", "以先进典型为镜", "以反面案例为镜", "以群众评价为镜"):
        assert mirror in text, text
    assert answer.locator("button.cite").count() >= 5
    semicolons = ask(chat, "石门县的“三色积分”有哪些？")
    for colour in ("红色积分", "绿色积分", "金色积分"):
        assert colour in _text(semicolons)
    assert "；[" not in _text(semicolons)  # no dangling fragment before a citation


def test_inline_enumeration_is_split_into_items(chat: Page):
    text = _text(ask(chat, "锤炼过硬作风有哪些要求？"))
    for point in ("日省三问", "小事小节", "敢于担当"):
        assert point in text, text


def test_ordinal_golden_idea_is_exactly_that_item(chat: Page):
    third = _text(ask(chat, "石门县网格化治理调研报告的第三条金点子是什么？"))
    assert "数据一张网" in third and "积分通兑" not in third and "网格议事会" not in third
    eleventh = _text(ask(chat, "石门县网格化调研报告第十一条金点子是什么？"))
    assert "网格评议公开" in eleventh and "网格员职业化" not in eleventh


def test_typo_and_colloquial_question_is_answered(chat: Page):
    answer = ask(chat, "石门县往格化管理一共划了多少个网格")
    assert "refused" not in (answer.get_attribute("class") or "")
    assert "1236" in _text(answer)


def test_english_question_is_answered_from_chinese_text(chat: Page):
    answer = ask(chat, "How many grids is Shimen County divided into?")
    assert "1236" in _text(answer), _text(answer)


def test_quoted_term_is_answered(chat: Page):
    assert "20万元" in _text(ask(chat, "“网格贷”单户最高可贷多少？"))


def test_heading_question_is_answered_with_its_content_not_the_heading(chat: Page):
    text = _text(ask(chat, "作风建设的意义是什么？"))
    assert "关系人心向背" in text or "党的建设的重要内容" in text, text
    assert not text.strip().startswith("一、")


def test_collection_question_is_answered_from_metadata(chat: Page):
    answer = ask(chat, "哪些调研报告获得了领导批示？")
    text = _text(answer)
    assert "关于石门县网格化治理的调研报告" in text and "第32期中青班" in text
    assert answer.locator("button.cite").count() == 1
