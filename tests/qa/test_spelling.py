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


def test_a_trainee_is_not_corrected_towards_an_internal_word(kbase):
    teacher = speller_for(kbase.keyword_index(Role.TEACHER))
    trainee = speller_for(kbase.keyword_index(Role.TRAINEE))
    assert teacher.correct("拖管茶园有多大？")[0] == "托管茶园有多大？"
    assert trainee.correct("拖管茶园有多大？")[1] == []  # 托管 occurs only in internal documents


def test_the_answer_says_how_the_question_was_read(kbase):
    answer = KnowledgeService(kbase, llm=None).ask("茶圆的面积有多大？")
    assert "已按“茶园”理解" in answer.notice and answer.resolved_question == "茶园的面积有多大？"
