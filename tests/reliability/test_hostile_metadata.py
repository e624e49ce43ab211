"""Hostile metadata YAML (front matter, sidecars): a short, clear IngestError, never a huge message (issue 10, #3)."""
import time

import pytest

from ingest.loaders import load_file
from ingest.metadata import build_meta, read_sidecar
from eval.hostile import ALIAS_BOMB
from kb.errors import IngestError

def _front(yaml_text: str) -> str:
    return f"---\n{yaml_text}---\n# 标题\n正文内容。\n"


def _load_md(tmp_path, text: str, name: str = "x.md"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_file(path)


def test_alias_bomb_in_front_matter_is_refused_with_a_short_message(tmp_path):
    assert len(ALIAS_BOMB.encode()) < 460
    started = time.perf_counter()
    with pytest.raises(IngestError) as info:
        _load_md(tmp_path, _front(ALIAS_BOMB))
    assert time.perf_counter() - started < 2
    assert "别名" in info.value.reason or "锚点" in info.value.reason
    assert info.value.file == "x.md" and len(str(info.value)) < 500


def test_alias_bomb_in_a_sidecar_is_refused(tmp_path):
    path = tmp_path / "a.md"
    path.write_text("# 标题\n正文。", encoding="utf-8")
    (tmp_path / "a.md.meta.yaml").write_text(ALIAS_BOMB, encoding="utf-8")
    with pytest.raises(IngestError) as info:
        read_sidecar(path, "a.md")
    assert "a.md.meta.yaml" in info.value.reason and len(str(info.value)) < 500


@pytest.mark.parametrize("yaml_text, words", [
    ("topics: " + "[" * 5000 + "]" * 5000 + "\n", "嵌套"),  # the composer would overflow its recursion
    ("title: " + "x" * 20_000 + "\n", "过大"),
    ("title: " + "长" * 3000 + "\n", "过长"),
    ("topics: [" + ", ".join(["t"] * 300) + "]\n", "条目过多"),
    ("date: 2024-13-45\n", "无效的值"),  # PyYAML's timestamp constructor raises ValueError
    ("cohort: " + "1" * 5000 + "\n", "无效的值"),  # int() refuses 5,000 digits with ValueError
    ("title: !!python/object:os.system ls\n", "YAML"),
    ("- a\n- b\n", "key: value"),
    ("title: [unclosed\n", "YAML"),
])
def test_bad_front_matter_is_a_clear_bounded_error(tmp_path, yaml_text, words):
    with pytest.raises(IngestError) as info:
        _load_md(tmp_path, _front(yaml_text))
    assert words in info.value.reason and len(str(info.value)) < 1300


def test_errors_never_echo_a_huge_value():
    with pytest.raises(IngestError) as info:
        build_meta({"type": "v" * 100_000}, name="x.md", rel_path="x.md", first_heading=None)
    assert len(str(info.value)) < 500 and "100000" in str(info.value)
    assert len(str(IngestError("n" * 10_000, "r" * 10_000))) < 1500


def test_ordinary_front_matter_still_loads(tmp_path):
    loaded = _load_md(tmp_path, _front("title: 专题\ntype: report\ndate: 2024-05-20\ntopics: [乡村振兴, 产业]\n"
                                       "pishi_note: 获省政府分管副省长肯定性批示\nextra: {a: [1, 2]}\n"))
    assert loaded.meta["title"] == "专题" and loaded.meta["topics"] == ["乡村振兴", "产业"]
