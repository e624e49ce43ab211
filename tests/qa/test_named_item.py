"""An enumeration's item named by the question is answered alone (qa.extractive.named_item)."""
from qa import compose as cp
from qa.extractive import named_item
from qa.question import analyse

ITEMS = [
    cp.Item(0, 40, "惠企政策“计算器”：依托省、市政务服务平台建设惠企政策“计算器”。", 1),
    cp.Item(41, 90, "“扫码入企”登记：为开发区企业统一生成“入企码”。", 2),
    cp.Item(91, 140, "检查计划“一张表”：每年年初汇总各部门的涉企检查计划。", 3),
]


def test_label_named_with_or_without_quote_marks():
    for text in ("营商环境调研报告建议的“扫码入企”登记具体怎么操作？", "报告建议的扫码入企登记怎么操作？"):
        assert named_item(analyse(text), ITEMS) is ITEMS[1]


def test_quoted_term_held_by_one_item():
    assert named_item(analyse("“一张表”是怎么做的？"), ITEMS) is ITEMS[2]


def test_no_item_or_several_named_gives_none():
    assert named_item(analyse("营商环境调研报告提出了哪些建议？"), ITEMS) is None
    both = [*ITEMS, cp.Item(141, 180, "扫码入企登记：再一条。", 4)]
    assert named_item(analyse("“扫码入企”登记怎么操作？"), both) is None
    assert named_item(analyse("“计算器”和“一张表”怎么做？"), ITEMS) is None
