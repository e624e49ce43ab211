from pathlib import Path

import pytest

from ingest.documents import build_document
from ingest.loaders import load_file
from ingest.structure import assemble
from kb.errors import IngestError


def _deck(path: Path) -> Path:
    """A lecture deck: title slide, a bullet slide with speaker notes, a table slide, an untitled slide."""
    from pptx import Presentation
    from pptx.util import Inches

    deck = Presentation()
    deck.core_properties.title = "PowerPoint 演示文稿"  # the program's default: no title at all
    first = deck.slides.add_slide(deck.slide_layouts[0])
    first.shapes.title.text = "新质生产力的内涵与要求"
    first.placeholders[1].text = "主讲：省委党校经济学教研部"
    bullets = deck.slides.add_slide(deck.slide_layouts[1])
    bullets.shapes.title.text = "一、为什么要发展新质生产力"
    body = bullets.placeholders[1].text_frame
    body.text = "科技创新是核心要素"
    body.add_paragraph().text = "产业升级是重要载体"
    bullets.notes_slide.notes_text_frame.text = "这里举岚溪县白茶数字化的例子，讲五分钟。"
    table_slide = deck.slides.add_slide(deck.slide_layouts[5])
    table_slide.shapes.title.text = "二、主要指标"
    table = table_slide.shapes.add_table(3, 3, Inches(1), Inches(2), Inches(6), Inches(2)).table
    for r, row in enumerate([("指标", "2022年", "2023年"), ("研发投入（亿元）", "12", "15"),
                             ("高新技术企业（家）", "86", "120")]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    blank = deck.slides.add_slide(deck.slide_layouts[6])
    box = blank.shapes.add_textbox(Inches(1), Inches(1), Inches(6), Inches(1))
    box.text_frame.text = "谢谢大家！"
    deck.save(str(path))
    return path


def test_pptx_slide_sections_notes_and_table(tmp_path):
    path = _deck(tmp_path / "lecture.pptx")
    loaded = load_file(path)
    doc = assemble(loaded.blocks)
    assert [(h.level, h.title) for h in doc.headings] == [
        (1, "新质生产力的内涵与要求"), (2, "一、为什么要发展新质生产力"), (2, "二、主要指标"), (2, "第4页")]
    assert "主讲：省委党校经济学教研部" in doc.text
    assert "科技创新是核心要素\n产业升级是重要载体" in doc.text
    assert "【讲者备注】这里举岚溪县白茶数字化的例子，讲五分钟。" in doc.text
    assert "指标：研发投入（亿元）；2022年：12；2023年：15" in doc.text
    assert doc.page_at(doc.text.index("【讲者备注】")) == 2  # a citation names the slide
    assert doc.page_at(doc.text.index("谢谢大家")) == 4
    assert "title" not in loaded.meta  # "PowerPoint 演示文稿" is no title


def test_pptx_document_title_and_sections(tmp_path):
    path = _deck(tmp_path / "lecture.pptx")
    doc = build_document(path, doc_id="0" * 16, source="lectures/lecture.pptx", count_tokens=len,
                         max_tokens=200, overlap=0)
    assert doc.meta.title == "新质生产力的内涵与要求" and doc.meta.type == "lecture"
    note = next(c for c in doc.chunks if "讲者备注" in c.text)
    assert note.section == "一、为什么要发展新质生产力" and note.page == 2


def test_pptx_zip_bomb_is_refused_before_parsing(tmp_path):
    import zipfile

    path = _deck(tmp_path / "bomb.pptx")
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("ppt/media/image9.bin", bytes(40 << 20))  # 40 MB of zeros: ~40 KB deflated
    with pytest.raises(IngestError) as info:
        load_file(path)
    assert info.value.file == "bomb.pptx" and "PowerPoint" in info.value.reason


def test_corrupt_pptx_names_file_and_fix(tmp_path):
    path = tmp_path / "broken.pptx"
    path.write_bytes(b"PK\x03\x04 not really a deck")
    with pytest.raises(IngestError) as info:
        load_file(path)
    assert info.value.file == "broken.pptx" and "PPTX" in info.value.reason


def test_pptx_nested_groups_and_many_shapes_stay_bounded(tmp_path):
    import time

    from pptx import Presentation
    from pptx.util import Inches

    deck = Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[6])
    group = slide.shapes
    for depth in range(20):  # deeper than any real deck
        group = group.add_group_shape().shapes
        group.add_textbox(Inches(1), Inches(1), Inches(1), Inches(1)).text_frame.text = f"第{depth}层"
    crowded = deck.slides.add_slide(deck.slide_layouts[6])
    for i in range(300):
        crowded.shapes.add_textbox(Inches(1), Inches(1), Inches(1), Inches(1)).text_frame.text = f"框{i}"
    deck.save(str(tmp_path / "deep.pptx"))
    started = time.perf_counter()
    text = assemble(load_file(tmp_path / "deep.pptx").blocks).text
    assert time.perf_counter() - started < 8
    assert "第0层" in text and "第7层" in text and "第12层" not in text  # groups below the depth bound are skipped
    assert "框299" in text


def test_pptx_crowded_slide_is_read_up_to_the_shape_bound(tmp_path, monkeypatch):
    from pptx import Presentation
    from pptx.util import Inches

    from ingest import slides

    deck = Presentation()
    crowded = deck.slides.add_slide(deck.slide_layouts[6])
    for i in range(120):
        crowded.shapes.add_textbox(Inches(1), Inches(1), Inches(1), Inches(1)).text_frame.text = f"框{i}"
    deck.save(str(tmp_path / "crowded.pptx"))
    monkeypatch.setattr(slides, "MAX_SHAPES", 100)
    loaded = load_file(tmp_path / "crowded.pptx")
    text = assemble(loaded.blocks).text
    assert "框99" in text and "框100" not in text
    assert any("too many shapes" in w for w in loaded.warnings)
