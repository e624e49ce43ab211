"""Hostile and broken input: each file gets a clear error or is handled; nothing indexed is lost."""
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest import loaders
from ingest import pdf as pdf_module
from ingest.loaders import load_file
from ingest.structure import assemble
from kb.errors import IngestError
from tests.api.conftest import TEACHER


def test_pdf_with_too_many_pages_is_refused(tmp_path, monkeypatch):
    from fpdf import FPDF

    pdf = FPDF()
    for _ in range(12):
        pdf.add_page()
    path = tmp_path / "bomb.pdf"
    pdf.output(str(path))
    monkeypatch.setattr(pdf_module, "MAX_PDF_PAGES", 10)
    with pytest.raises(IngestError) as info:
        load_file(path)
    assert "页数过多" in info.value.reason


def test_overlong_document_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(loaders, "MAX_DOC_CHARS", 1000)
    path = tmp_path / "dump.txt"
    path.write_text("无标点的长文本" * 500, encoding="utf-8")
    with pytest.raises(IngestError) as info:
        load_file(path)
    assert "文本过长" in info.value.reason


def test_text_without_punctuation_is_chunked_within_limits(tmp_path, embedder):
    from ingest.chunking import chunk_spans

    path = tmp_path / "nopunct.txt"
    path.write_text("没有任何标点符号的一大段文字" * 3000, encoding="utf-8")  # ~42k characters, one "sentence"
    doc = assemble(load_file(path).blocks)
    chunks = chunk_spans(doc, count_tokens=embedder.count_tokens, max_tokens=200, overlap=1)
    assert len(chunks) > 100 and all(embedder.count_tokens(doc.text[c.start:c.end]) <= 200 for c in chunks)


def test_mixed_encodings_keep_utf8_and_warn(tmp_path):
    path = tmp_path / "mixed.txt"
    path.write_bytes("第一段是UTF-8中文内容。".encode() * 20 + "第二段".encode("gbk") + "又是UTF-8。".encode())
    loaded = load_file(path)
    assert "第一段是UTF-8中文内容" in assemble(loaded.blocks).text
    assert any("混合编码" in w for w in loaded.warnings)


def test_binary_renamed_txt_and_zero_byte_are_clear_errors(tmp_path):
    exe = tmp_path / "program.txt"
    exe.write_bytes(b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 8)
    empty = tmp_path / "空文件.md"
    empty.write_bytes(b"")
    for path, words in ((exe, "二进制"), (empty, "文件为空")):
        with pytest.raises(IngestError) as info:
            load_file(path)
        assert info.value.file == path.name and words in info.value.reason


def test_odd_filenames_are_ingested(kbase, tmp_path):
    root = tmp_path / "odd"
    root.mkdir()
    names = ["带 空格 的 文件.md", "中文名称.md", "x" * 200 + ".md", "-dash start.md"]
    for n, name in enumerate(names):
        (root / name).write_text(f"## 一、标题\n第{n}个文件的内容。", encoding="utf-8")
    report = kbase.ingest(root)
    assert sorted(report.added) == sorted(names) and not report.failed


@pytest.mark.parametrize("name", ["../../escape.md", "..\\..\\win.md", "/etc/passwd.md", "a/../../b.md",
                                  "名字 带空格.md", "x" * 300 + ".md", ".hidden.md", "nul\x00byte.md"])
def test_uploads_stay_inside_the_uploads_folder(client, api_settings, name):
    body = f"## 一、测试\n上传内容：{name!r}。".encode()  # each its own content (a second copy would be a 409 duplicate)
    resp = client.post("/api/documents", files={"files": (name, body)}, headers=TEACHER)
    assert resp.status_code in (202, 422), resp.text
    # staged under incoming/<job>/ until the background job moves it (under load it may not have run yet)
    allowed = {api_settings.uploads_dir.resolve(), api_settings.incoming_dir.resolve()}
    for path in api_settings.data_dir.parent.rglob("*"):
        if path.is_file() and path.suffix == ".md" and "corpus" not in path.parts:
            assert allowed & set(path.resolve().parents), path
    if resp.status_code == 202:
        stored = resp.json()["files"][0]["stored_as"]
        assert "/" not in stored and "\\" not in stored and len(stored) <= 120


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(name=st.text(min_size=0, max_size=80), body=st.binary(max_size=400))
def test_upload_fuzz_never_500_and_never_escapes(client, api_settings, name, body):
    resp = client.post("/api/documents", files={"files": (name or "x", io.BytesIO(body))}, headers=TEACHER)
    assert resp.status_code in (202, 413, 415, 422), resp.text
    assert "Traceback" not in resp.text and resp.json().get("error", {}).get("message", "x")
    uploads = api_settings.uploads_dir.resolve()
    if uploads.exists():
        for path in uploads.rglob("*"):
            assert uploads in path.resolve().parents
