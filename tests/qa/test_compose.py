"""Composition: lists in the document's structure, inline enumerations, clean quoted text."""
from ingest.documents import Document
from ingest.metadata import DocMeta
from ingest.structure import Block, assemble
from qa import compose as cp

TEXT = [
    Block("四、修炼党性的五面镜子", 2),
    Block("我提出了五面镜子自我检视法。"),
    Block("1. 以党章为镜", 4), Block("党章是党的根本大法。"),
    Block("2. 以党规为镜", 4), Block("党规明确了行为边界。"),
    Block("3. 以群众为镜", 4), Block("群众是最好的裁判。"),
    Block("五、几点要求", 2),
    Block("一是坚持学习，每天读书；二是从小事严起；三是敢于担当。"),
    Block("本质要求是：坚持党的领导，坚持社会主义，实现高质量发展，发展全过程人民民主。"),
    Block("网格员每天巡查；发现问题当场登记；小事不出网格。"),
]


def _doc() -> Document:
    s = assemble(TEXT)
    return Document("d1", "x.md", DocMeta(title="t", type="lecture"), s.text, s.headings, s.pages)


def test_a_heading_list_gives_every_item_with_its_first_sentence():
    doc = _doc()
    heading = doc.headings[0]
    run = cp.list_after(doc, heading.start, cp.heading_body_end(doc, heading.start))
    items = cp.items_of(doc, run)
    assert [i.number for i in items] == [1, 2, 3]
    assert items[0].text == "以党章为镜：党章是党的根本大法。"
    assert "四、" in cp.parent_text(doc, run)


def test_inline_enumerations():
    doc = _doc()
    lines = {line.text[:4]: line for line in cp.lines(doc)}
    shi = lines["一是坚持"]
    assert [i.text for i in cp.inline_list(doc, shi.start, shi.end)] == ["一是坚持学习，每天读书", "二是从小事严起", "三是敢于担当。"]
    colon = lines["本质要求"]
    assert [i.text for i in cp.inline_list(doc, colon.start, colon.end)][-1] == "发展全过程人民民主"
    semi = lines["网格员每"]
    assert len(cp.inline_list(doc, semi.start, semi.end)) == 3


def test_speech_style_numbering_is_a_list():
    # "第一，…第二，…" as list lines and inside one paragraph (speeches, 公文)
    s = assemble([Block("三、几点建议", 2), Block("第一，找准产业方向。要研究资源禀赋。"),
                  Block("第二，发挥党组织作用。"), Block("第三，守住联农带农底线。"),
                  Block("座谈会要开好并不容易。第一，参会人员要有代表性；第二，要提前发提纲。第三，要营造氛围。")])
    doc = Document("d2", "y.md", DocMeta(title="t", type="lecture"), s.text, s.headings, s.pages)
    heading = doc.headings[0]
    run = cp.list_after(doc, heading.start, cp.heading_body_end(doc, heading.start))
    assert [i.text for i in cp.items_of(doc, run)] == ["找准产业方向。要研究资源禀赋。", "发挥党组织作用。", "守住联农带农底线。"]
    para = next(line for line in cp.lines(doc) if line.text.startswith("座谈会"))
    assert [i.number for i in cp.inline_list(doc, para.start, para.end)] == [1, 2, 3]


def test_clean_text_has_no_dangling_semicolon_unmatched_quote_or_bold():
    assert cp.clean("网格员每天巡查；") == "网格员每天巡查。"
    assert cp.clean("“渔家贷单户最高可贷30万元") == "渔家贷单户最高可贷30万元。"
    assert cp.clean("**设立茶链长**：由县领导担任") == "设立茶链长：由县领导担任。"
