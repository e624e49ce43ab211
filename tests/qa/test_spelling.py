"""Typo correction from the collection's own words: homophones of pinyin input, never towards what the caller
may not see, never a real word or a number."""
import pytest

from index.access import Role
from index.kbindex import KnowledgeBase
from qa.service import KnowledgeService
from qa.spelling import speller_for
from tests.conftest import FakeEmbedder

DOC = """---
title: {title}
type: case
date: 2024-05-01
access: {access}
---
## 一、基本情况
云溪县茶园面积12.6万亩，苍岭革命纪念馆接待参观者。{extra}
"""


@pytest.fixture
def kbase(settings, tmp_path):
    root = tmp_path / "c"
    (root / "cases").mkdir(parents=True)
    for n in range(2):
        (root / "cases" / f"pub{n}.md").write_text(DOC.format(title=f"公开{n}", access="public", extra=""),
                                                   encoding="utf-8")
    for n in range(2):  # a word only internal documents use
        (root / "cases" / f"int{n}.md").write_text(
            DOC.format(title=f"内部{n}", access="internal", extra="托管茶园由强村公司经营。"), encoding="utf-8")
    kb = KnowledgeBase.open(settings, embedder=FakeEmbedder())
    kb.ingest(root)
    return kb


def test_homophone_typos_are_corrected_from_the_collection(kbase):
    speller = speller_for(kbase.keyword_index(Role.TEACHER))
    assert speller.correct("云溪县生态茶圆认证面积有多少万亩？")[0] == "云溪县生态茶园认证面积有多少万亩？"  # chá yuán
    assert speller.correct("苍岭革命纪念管接待了谁？")[0] == "苍岭革命纪念馆接待了谁？"  # guǎn
    # a real word, a number, a character that sounds different: left as written
    assert speller.correct("云溪县茶园面积有多少亩？")[1] == []
    assert speller.correct("三字要求是什么？")[1] == []
    assert speller.correct("云溪县茶农面积有多大？")[1] == []  # 农 ≠ 园 in sound
    # a function character is a word boundary a long question runs across, not a slip (是 → 市 would give 各市)
    assert speller.correct("各是怎么落实的？")[1] == []


def test_a_trainee_is_not_corrected_towards_an_internal_word(kbase):
    teacher = speller_for(kbase.keyword_index(Role.TEACHER))
    trainee = speller_for(kbase.keyword_index(Role.TRAINEE))
    assert teacher.correct("拖管茶园有多大？")[0] == "托管茶园有多大？"
    assert trainee.correct("拖管茶园有多大？")[1] == []  # 托管 occurs only in internal documents


def test_the_answer_says_how_the_question_was_read(kbase):
    answer = KnowledgeService(kbase, llm=None).ask("茶圆的面积有多大？")
    assert "已按“茶园”理解" in answer.notice and answer.resolved_question == "茶园的面积有多大？"


LAKE = """---
title: 湖滨镇{n}
type: case
date: 2024-05-01
access: public
---
## 一、基本情况
截至2024年底，湖滨镇共有民宿132家，全镇常住人口1.2万人。
"""


@pytest.fixture
def lake(settings, tmp_path):
    root = tmp_path / "lake"
    (root / "cases").mkdir(parents=True)
    for n in range(2):
        (root / "cases" / f"lake{n}.md").write_text(LAKE.format(n=n), encoding="utf-8")
    kb = KnowledgeBase.open(settings, embedder=FakeEmbedder())
    kb.ingest(root)
    return kb


def test_a_slip_that_is_a_word_is_read_from_the_passages_found(lake):
    speller = speller_for(lake.keyword_index(Role.TEACHER))
    passages = ["湖滨镇一 基本情况 截至2024年底，湖滨镇共有民宿132家，全镇常住人口1.2万人。"]
    # 民俗 and 常驻 are words of the language, so correct() leaves them; the passage shows what was meant
    assert speller.correct("湖滨镇有多少家民俗？")[1] == []
    assert speller.correct_against("湖滨镇有多少家民俗？", passages)[0] == "湖滨镇有多少家民宿？"
    assert speller.correct_against("湖滨镇常驻人口有多少？", passages)[0] == "湖滨镇常住人口有多少？"
    # passages without such a word, a word the passages hold, a change that does not sound the same: left
    assert speller.correct_against("湖滨镇有多少家民俗？", ["云溪县茶园面积12.6万亩。"])[1] == []
    assert speller.correct_against("湖滨镇有多少家民宿？", passages)[1] == []
    assert speller.correct_against("湖滨镇有多少家民众？", passages)[1] == []  # 众 ≠ 宿 in sound


def test_the_service_reads_a_word_slip_from_the_passages_and_says_so(lake):
    answer = KnowledgeService(lake, llm=None).ask("湖滨镇有多少家民俗？")
    assert "已按“民宿”理解" in answer.notice and answer.resolved_question == "湖滨镇有多少家民宿？"
