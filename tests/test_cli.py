"""The `kb` command end to end on a small corpus (real embedder, real Chroma)."""
import re

import pytest
from typer.testing import CliRunner

from kb.cli import app
from kb.settings import get_settings


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.setenv("KB_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("KB_CHUNK_TOKENS", "120")
    get_settings.cache_clear()
    runner = CliRunner()
    yield lambda *args: runner.invoke(app, list(args))
    get_settings.cache_clear()


def test_cli_ingest_prints_summary_then_reingest_embeds_nothing(run, corpus):
    (corpus / "lectures" / "broken.pdf").write_bytes(b"%PDF-1.4 broken")
    first = run("ingest", str(corpus))
    assert first.exit_code == 0, first.output
    assert "导入结果" in first.output and "新增文件 added" in first.output
    assert "broken.pdf" in first.output and "PDF" in first.output
    again = run("ingest", str(corpus))
    embedded = [int(re.search(r"chunks embedded\s*│\s*(\d+)", out).group(1)) for out in (first.output, again.output)]
    assert embedded[0] > 0 and embedded[1] == 0


def test_cli_search_and_ask(run, corpus):
    run("ingest", str(corpus))
    search = run("search", "茶链长", "--ideas", "-k", "3")
    assert search.exit_code == 0 and "设立茶链长" in search.output
    filtered = run("search", "网格", "--type", "report")
    assert "基层治理现代化专题" not in filtered.output
    ask = run("ask", "石门县把全县划分为多少个网格？")
    assert ask.exit_code == 0 and "1236" in ask.output and "[1]" in ask.output


def test_cli_missing_folder_is_an_error(run, tmp_path):
    result = run("ingest", str(tmp_path / "nope"))
    assert result.exit_code == 2 and "目录不存在" in result.output


def test_cli_upload_reports_each_file_and_quarantines_a_bad_one(run, tmp_path):
    good, bad = tmp_path / "README.md", tmp_path / "bad.md"
    good.write_text("## 一、青蒿素示范园\n青蒿素示范园建在石门县。", encoding="utf-8")
    bad.write_text("---\na: &a [x]\ntype: *a\n---\n正文。", encoding="utf-8")
    result = run("upload", str(good), str(bad), "--access", "public")
    assert result.exit_code == 1, result.output
    assert "README.md → README.md: 已导入" in result.output and "bad.md → bad.md: 已隔离" in result.output
    listed = run("quarantine")
    assert listed.exit_code == 0 and "bad.md" in listed.output and "锚点" in listed.output
    assert run("quarantine", "--delete", "bad.md").exit_code == 0
    assert "隔离区为空" in run("quarantine").output
    (tmp_path / "x.exe").write_bytes(b"MZ")
    refused = run("upload", str(good), str(tmp_path / "x.exe"))
    assert refused.exit_code == 1 and "unsupported_type" in refused.output


def test_cli_ingest_reports_inferred_metadata(run, tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "qunzhong.txt").write_text("回首页\n践行群众路线\n来源：学习时报 2024-05-20\n党的群众路线是我们党的生命线。\n",
                                         encoding="utf-8")
    result = run("ingest", str(folder))
    assert result.exit_code == 0, result.output
    output = result.output.replace("\n", "")  # rich wraps long lines
    assert "说明 note qunzhong.txt: 元数据为推断 (inferred" in output
    assert "标题 title=践行群众路线" in output and "日期 date=2024-05-20" in output and "来源 origin=学习时报" in output


def test_cli_ingest_reports_the_dictionary(run, tmp_path, monkeypatch, fake_embedder):
    from index.tokenize import in_use, use

    monkeypatch.setattr("index.kbindex.make_embedder", lambda settings: fake_embedder)  # about words, not vectors
    words = in_use()
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "note.md").write_text("---\ntitle: 白茶\n---\n云溪白茶远销海外。\n", encoding="utf-8")
    first = run("ingest", str(tmp_path / "corpus"))
    assert first.exit_code == 0 and re.search(r"词典 dictionary\s*│\s*通用 \d+ \+ 用户 0 词", first.output)
    (tmp_path / "data" / "user_dict.txt").write_text("云溪白茶\n云溪·白茶\n", encoding="utf-8")
    second = run("ingest", str(tmp_path / "corpus"))
    use(words)
    assert second.exit_code == 0 and "用户 1 词" in second.output and "用户词典自上次导入后已修改" in second.output
    assert re.search(r"user_dict\.txt:\s*第 2 行 .*标点", second.output.replace("\n", ""))  # rich wraps lines
