from pathlib import Path

import pytest

from ingest.cleaning import join_runs, join_wrapped
from ingest.loaders import load_file
from ingest.structure import assemble, heading_level
from scripts.render import _font


def _runs_pdf(path: Path) -> Path:
    """A PDF whose text runs break inside numbers and Chinese as real layouts do (wraps, kerned runs)."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_font("zh", "", _font())
    pdf.add_page()
    pdf.set_font("zh", size=12)

    def runs(y: float, *parts: str) -> None:
        x = 20.0
        for part in parts:
            pdf.text(x, y, part)
            x += pdf.get_string_width(part) + 3  # a gap pypdf reads as a space
    runs(20, "产品价值实现的重要制度安排。20")
    runs(27, "24年5月，第33期中青班第六调研组赴岚溪县调研。")
    runs(40, "每平方米1", "2元，是下游鹤洲市约30")
    runs(47, "0万人口的主要饮用水水源。")
    runs(60, "rural", "revitalization and")
    runs(67, "common prosperity in 2023", "2024.")
    pdf.output(str(path))
    return path


def test_pdf_breaks_inside_numbers_and_chinese_are_not_spaces(tmp_path):
    from pypdf import PdfReader

    path = _runs_pdf(tmp_path / "runs.pdf")
    raw = PdfReader(path).pages[0].extract_text()
    assert "20\n24年" in raw and "米1 2元" in raw  # the file really has the breaks
    text = assemble(load_file(path).blocks).text
    assert "2024年5月" in text
    assert "每平方米12元" in text
    assert "约300万人口" in text
    assert "rural revitalization and common prosperity in 2023 2024." in text  # Latin words keep spaces


@pytest.mark.parametrize("line, expected", [
    ("每平方米1 2元", "每平方米12元"),
    ("。20 24年5月", "。2024年5月"),
    ("2022年 2023年", "2022年 2023年"),  # a table row's columns stay apart
    ("年份 2023 2024 2025", "年份 2023 2024 2025"),
    ("1 000 000 yuan", "1 000 000 yuan"),
])
def test_join_runs(line, expected):
    assert join_runs(line) == expected


def test_join_wrapped_joins_digits_and_chinese_only():
    lines = [("约30", 1), ("0万人口，rural", 1), ("area 2023", 1), ("年", 1)]
    assert join_wrapped(lines, is_heading=heading_level) == [("约300万人口，rural area 2023年", 1)]
