"""Files built to exhaust the server: zip bombs, paragraph floods, slow parses (issue 10, #1 and #2)."""
import random
import time

import pytest

from ingest import archives, budget
from ingest.loaders import load_file
from kb.errors import IngestError
from eval import hostile


def test_docx_zip_bomb_is_refused_before_inflating(tmp_path):
    path = hostile.zip_bomb_docx(tmp_path / "炸弹.docx")  # 1 GB of zeros in about 1 MB
    assert path.stat().st_size < 2 << 20
    started = time.perf_counter()
    growth, result = hostile.peak_rss_growth_mb(lambda: load_file(path))
    assert isinstance(result, IngestError), result
    assert time.perf_counter() - started < 5 and growth < 100
    assert result.file == "炸弹.docx" and "1024 MB" in result.reason and "另存为新文件" in result.reason


@pytest.mark.parametrize("limit, value, words", [
    ("MAX_MEMBERS", 2, "文件过多"),
    ("MAX_TOTAL_BYTES", 1 << 10, "解压后共"),
    ("MAX_MEMBER_BYTES", 1 << 10, "解压后"),
])
def test_zip_limits_name_the_file_and_the_fix(tmp_path, monkeypatch, limit, value, words):
    monkeypatch.setattr(archives, limit, value)
    path = hostile.write_docx(tmp_path / "a.docx", "".join(hostile.paragraph(f"第{i}段。") for i in range(200)))
    with pytest.raises(IngestError) as info:
        load_file(path)
    assert info.value.file == "a.docx" and words in info.value.reason


def test_million_empty_paragraphs_docx_fails_fast(tmp_path):
    path = hostile.million_paragraph_docx(tmp_path / "空段落.docx")
    assert path.stat().st_size < 12_000
    started = time.perf_counter()
    with pytest.raises(IngestError):
        load_file(path)
    assert time.perf_counter() - started < 5  # the probe measured 43 s


def test_paragraph_budget_stops_a_flood_that_compresses_normally(tmp_path, monkeypatch):
    monkeypatch.setattr(budget, "MAX_UNITS", 2000)
    rng = random.Random(7)
    path = hostile.write_docx(tmp_path / "many.docx",
                              "".join(hostile.paragraph(f"{rng.getrandbits(32):08x}") for _ in range(5000)))
    with pytest.raises(IngestError) as info:
        load_file(path)
    assert "段落或行数过多" in info.value.reason


def test_a_million_empty_lines_fail_fast(tmp_path):
    path = tmp_path / "lines.md"
    path.write_bytes(b"\n" * 1_000_000 + "正文。".encode())
    started = time.perf_counter()
    with pytest.raises(IngestError) as info:
        load_file(path)
    assert "段落或行数过多" in info.value.reason and time.perf_counter() - started < 5


def test_parse_deadline_stops_a_slow_file(tmp_path, monkeypatch):
    monkeypatch.setattr(budget, "PARSE_SECONDS", 0.0)
    path = tmp_path / "slow.md"
    path.write_text("\n".join(f"第{i}行。" for i in range(500)), encoding="utf-8")
    with pytest.raises(IngestError) as info:
        load_file(path)
    assert "解析超时" in info.value.reason and info.value.file == "slow.md"
