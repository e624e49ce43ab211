"""Question analysis: kinds, ordinals (第十条 and beyond), English and quoted terms."""
import pytest

from qa.question import analyse, char_grams, chinese_number, question_ordinal


@pytest.mark.parametrize("raw, n", [("3", 3), ("十", 10), ("十二", 12), ("二十", 20), ("二十三", 23), ("一百零五", 105)])
def test_chinese_numbers(raw, n):
    assert chinese_number(raw) == n


@pytest.mark.parametrize("question, n", [
    ("云溪县茶产业调研报告提出的第三条金点子是什么？", 3), ("第二十条是什么", 20), ("第十二点建议", 12),
    ("第3项", 3), ("头一条金点子", 1), ("最后一条建议是什么", -1), ("What is the third golden idea?", 3),
    ("What's the 2nd point?", 2), ("How many trainees of the 32nd cohort took part?", None),  # a cohort, no item
    ("When was the base first established?", None),
    ("为什么把党的领导放在第一位？", None), ("排在第二位的金点子讲的是什么？", 2),  # a rank is no item; this is
    ("那第二条呢？", 2), ("石门县有多少个网格", None),
])
def test_ordinals(question, n):
    assert question_ordinal(question) == n


@pytest.mark.parametrize("question, kind", [
    ("石门县网格化管理一共划了多少个网格", "quantity"),
    ("修炼党性的“五面镜子”是哪五面？", "list"),
    ("石门县的“三色积分”有哪些？", "list"),
    ("新质生产力的“三个不等于”", "list"),
    ("为什么云溪县的夏秋茶没有得到充分开发？", "why"),
    ("石门县如何推行积分制？", "how"),
    ("全过程人民民主是什么", "definition"),
    ("What is the forest coverage rate of Yunxi County?", "quantity"),  # a value, not a definition
    ("What is whole-process people's democracy?", "definition"),
    ("云溪县茶产业调研报告提出的第四条金点子是什么？", "ordinal"),
    ("哪些调研报告获得了领导批示？", "collection"),
    ("第33期中青班写了哪些调研报告？", "collection"),
    ("学校开设的党性课有哪些？", "collection"),  # the school's courses by category
    ("能力课一共有哪几讲？", "collection"),
    ("石门县案例中的做法有哪些？", "list"),  # what a case says, not which cases there are
    ("How many grids is Shimen County divided into?", "quantity"),
    ("Why was the summer tea not developed?", "why"),
])
def test_kinds(question, kind):
    assert analyse(question).kind == kind


def test_english_and_quoted_terms():
    q = analyse("How many grids is Shimen County divided into?")
    assert q.english and "shimen" in q.tokens
    assert analyse("“渔家贷”是什么？").quoted == ("渔家贷",)
    assert analyse("修炼党性的“五面镜子”是哪五面？").count == 5


def test_character_grams_tolerate_a_typo():
    right, typo = analyse("石门县的网格化管理划了多少个网格").grams, analyse("石门县的往格化管理划了多少个网格").grams
    assert len(right & typo) / len(right) > 0.6
    assert char_grams("A b") == frozenset({"ab"})


def test_the_parts_of_a_multi_part_question():
    from qa.question import parts

    assert parts("青川省电子证照库汇聚了多少类证照？实现“秒批秒办”的事项有多少个？") == [
        "青川省电子证照库汇聚了多少类证照？", "实现“秒批秒办”的事项有多少个？"]
    assert parts("调研组考察了多少家茶叶企业，走访了多少户茶农？") == ["调研组考察了多少家茶叶企业，", "走访了多少户茶农？"]
    # context before an ask stays with it; one ask is one part
    assert parts("如果按照这个标准，石门县一共划分了多少个网格？") == ["如果按照这个标准，石门县一共划分了多少个网格？"]
    assert parts("石门县的网格里，农村网格和城镇网格各有多少个？") == ["石门县的网格里，农村网格和城镇网格各有多少个？"]


def test_the_question_proper_of_a_long_question():
    from qa.question import core

    text = ("我在山区乡镇当党委书记，住在顶楼的老人几个月下不了一次楼，不知道村里到底有没有人看到预警。"
            "去年有个村就是预警在群里发了，监测员却一直没看手机，差点酿成大祸，大家都很着急，领导也催了好几次。"
            "听说桐岭县有一套逐级叫应的机制。请问这套机制叫什么，具体是怎样叫应下去的？")
    # the situation asks nothing ("几个月", "有没有人"); 请问 opens the question, the sentence before names "这套机制"
    assert core(text) == "听说桐岭县有一套逐级叫应的机制。请问这套机制叫什么，具体是怎样叫应下去的？"
    assert core("石门县一共划了多少个网格？") == "石门县一共划了多少个网格？"  # a short question is itself
