from pathlib import Path

import pytest

from ingest.documents import build_document
from ingest.ideas import cn_number, idea_spans, is_idea_section, stated_count
from ingest.loaders import _load_text
from scripts.render import write_docx, write_pdf
from tests.conftest import REPORT

HEAD = "---\ntitle: 关于岚溪县生态补偿的调研报告\ntype: report\n---\n# 关于岚溪县生态补偿的调研报告\n## 一、基本情况\n岚溪县2023年补偿资金1850万元。\n"
TAIL = "## 六、结语\n以上建议供参考。\n"

FORMATS = {
    "建议一": "## 五、对策建议\n建议一：建立横向补偿机制。由上下游两县签订协议，按水质考核结果拨付资金。\n"
             "建议二：设立生态管护岗位。每村聘用2至3名生态管护员，优先从脱贫户中选聘。\n"
             "建议三：发展生态茶旅产业。依托白茶基地开发研学线路，带动农户增收。\n",
    "（一）": "## 五、意见建议\n（一）建立横向补偿机制。由上下游两县签订协议，按水质考核结果拨付资金。\n"
            "（二）设立生态管护岗位。每村聘用2至3名生态管护员，优先从脱贫户中选聘。\n"
            "（三）发展生态茶旅产业。依托白茶基地开发研学线路，带动农户增收。\n",
    "1．": "## 五、政策建议\n1．建立横向补偿机制。由上下游两县签订协议，按水质考核结果拨付资金。\n"
          "2．设立生态管护岗位。每村聘用2至3名生态管护员，优先从脱贫户中选聘。\n"
          "3．发展生态茶旅产业。依托白茶基地开发研学线路，带动农户增收。\n",
    "一是": "## 五、对策建议\n调研组建议：一是建立横向补偿机制，由上下游两县签订协议，按水质考核结果拨付资金；"
           "二是设立生态管护岗位，每村聘用2至3名生态管护员；三是发展生态茶旅产业，依托白茶基地开发研学线路。\n",
    "sub-headings": "## 五、几点建议\n### （一）建立横向补偿机制\n由上下游两县签订协议，按水质考核结果拨付资金。\n"
                    "### （二）设立生态管护岗位\n每村聘用2至3名生态管护员，优先从脱贫户中选聘。\n"
                    "### （三）发展生态茶旅产业\n依托白茶基地开发研学线路，带动农户增收。\n",
    "title lines": "## 五、对策建议\n建议一：建立横向补偿机制\n由上下游两县签订协议，按水质考核结果拨付资金。\n"
                   "建议二：设立生态管护岗位\n每村聘用2至3名生态管护员，优先从脱贫户中选聘。\n"
                   "建议三：发展生态茶旅产业\n依托白茶基地开发研学线路，带动农户增收。\n",
}
TITLES = ["建立横向补偿机制", "设立生态管护岗位", "发展生态茶旅产业"]


def _doc(markdown: str):
    from ingest.structure import assemble

    return assemble(_load_text(markdown.encode("utf-8"), "t.md", markdown=True).blocks)


@pytest.mark.parametrize("form", list(FORMATS))
def test_ideas_in_each_report_format(form):
    doc = _doc(HEAD + FORMATS[form] + TAIL)
    ideas = idea_spans(doc)
    assert [i.idea_no for i in ideas] == [1, 2, 3]
    assert [i.idea_title for i in ideas] == TITLES
    texts = [doc.text[i.start:i.end] for i in ideas]
    assert "按水质考核结果拨付资金" in texts[0] and "生态管护员" in texts[1] and "研学线路" in texts[2]
    assert not any("以上建议供参考" in t for t in texts)  # the next section is not a proposal


def test_golden_ideas_section_still_found():
    doc = _doc(REPORT)
    ideas = idea_spans(doc)
    assert [i.idea_no for i in ideas] == [1, 2]
    assert ideas[0].idea_title == "设立茶链长"
    assert doc.text[ideas[1].start:ideas[1].end].startswith("2. 建设数字茶园")


def test_no_proposal_section_no_ideas():
    doc = _doc(HEAD + "## 五、存在的问题\n1．补偿标准偏低，难以弥补保护成本。\n2．资金拨付滞后，影响农户积极性。\n")
    assert idea_spans(doc) == []


def test_stated_count_picks_the_matching_level():
    body = ("## 五、对策建议\n### （一）完善补偿机制\n1．建立横向补偿协议，按水质考核结果拨付资金。\n"
            "2．提高公益林补偿标准，逐年递增。\n### （二）壮大生态产业\n3．发展生态茶旅，开发研学线路。\n"
            "4．培育白茶区域公用品牌，统一包装标识。\n")
    doc = _doc(HEAD + body)
    assert len(idea_spans(doc)) == 2  # by default the sub-headings are the proposals
    assert [i.idea_no for i in idea_spans(doc, stated=4)] == [1, 2, 3, 4]


@pytest.mark.parametrize("text, count", [
    ("调研组共提出了31条对策建议。", 31), ("报告提出十二条建议", 12), ("形成3项政策建议", 3),
    ("梳理出二十一个金点子", 21), ("全县有31条河流。", 0),
])
def test_stated_count(text, count):
    assert stated_count(text) == count


@pytest.mark.parametrize("title, expected", [
    ("五、对策建议", True), ("（四）意见建议", True), ("五、金点子建议", True), ("六、政策建议", True),
    ("五、推进生态补偿的对策与建议", True), ("四、几点建议", True), ("四、问题与对策", True), ("二、存在的问题", False),
    ("一、基本情况", False), ("三、主要做法与举措", False),
])
def test_is_idea_section(title, expected):
    assert is_idea_section(title) is expected


def test_cn_number():
    assert [cn_number(t) for t in ("3", "十", "十二", "二十一", "三十", "一百零五", "甲")] == [3, 10, 12, 21, 30, 105, 0]


@pytest.mark.parametrize("writer, suffix", [(write_docx, ".docx"), (write_pdf, ".pdf")])
def test_ideas_from_real_files_and_stated_count_checked(tmp_path, writer, suffix):
    body = ("# 关于岚溪县生态补偿的调研报告\n## 一、基本情况\n调研组共提出了4条对策建议。\n" + FORMATS["1．"] + TAIL)
    path = writer(body, tmp_path / "reports" / f"r{suffix}", title="关于岚溪县生态补偿的调研报告")
    doc = build_document(path, doc_id="0" * 16, source=f"reports/r{suffix}", count_tokens=len, max_tokens=200,
                         overlap=0)
    ideas = [c for c in doc.chunks if c.kind == "idea"]
    assert [c.idea_title for c in ideas] == TITLES
    assert doc.meta.ideas_stated == 4
    assert any("stated 4 proposals, found 3" in w for w in doc.warnings)


def test_yi_shi_parts_on_successive_lines():
    doc = _doc(HEAD + "## 五、对策建议\n一是建立横向补偿机制，按水质考核结果拨付资金。\n二是设立生态管护岗位，每村聘用2至3名生态管护员。\n"
               "三是发展生态茶旅产业，依托白茶基地开发研学线路。\n" + TAIL)
    ideas = idea_spans(doc)
    assert [i.idea_title for i in ideas] == TITLES
    assert doc.text[ideas[1].start:ideas[1].end] == "二是设立生态管护岗位，每村聘用2至3名生态管护员。"


def test_lone_yi_shi_is_prose():
    doc = _doc(HEAD + "## 五、对策建议\n关键一是要落实责任，这是前提。\n" + TAIL)
    assert idea_spans(doc) == []
