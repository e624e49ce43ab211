"""The tokenizer's word list: the shipped general file, the teachers' user dictionary, the snapshot an index keeps."""
import json
import threading
import tomllib
from pathlib import Path

import pytest

from index import dictionary
from index.bm25 import KeywordIndex
from index.dictionary import DEFAULT_FREQ, WordList, general_only, general_words, parse, read_user_dict
from index.kbindex import KnowledgeBase
from index.tokenize import fingerprint, in_use, keywords, tokenize, tokenizer, use
from tests.api.conftest import fake_settings

ROOT = Path(__file__).resolve().parents[2]
# names the bundled corpus made up or uses as its subject: the shipped list must not favour its own eval
CORPUS_NAMES = ("云溪白茶", "云溪", "云溪县", "茶产业", "民宿", "石门县", "檀溪县", "茶链长", "数字茶园")
NOTE = "云溪白茶远销海外。云溪县的白茶产业带动了乡村振兴。"


@pytest.fixture(autouse=True)
def _restore_words():
    before = in_use()
    yield
    use(before)


def test_general_file_loads_and_holds_no_corpus_names():
    text = (ROOT / "index" / "terms" / "general.txt").read_text(encoding="utf-8")
    words, problems = parse(text)
    assert problems == [] and words == general_words()
    names = {w for w, _ in words}
    assert {"中青班", "金点子", "全过程人民民主", "一网通办", "肯定性批示"} <= names
    assert not names & set(CORPUS_NAMES)


def test_general_file_is_package_data():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "terms/*.txt" in config["tool"]["setuptools"]["package-data"]["index"]


def test_parse_accepts_jieba_formats_and_comments():
    text = "\ufeff# 我们学校的词\n强村公司\n云溪白茶 300\n茶链长 200 n\n数字茶园\tnz\n\nC# 10\n党建引领  # 常用\r\n"
    words, problems = parse(text.encode("utf-8"))
    assert problems == []
    assert dict(words) == {"强村公司": DEFAULT_FREQ, "云溪白茶": 300, "茶链长": 200, "数字茶园": DEFAULT_FREQ,
                           "C#": 10, "党建引领": DEFAULT_FREQ}


@pytest.mark.parametrize("line, says", [
    ("全过程人民民主全过程人民民主全过程人民民主".encode(), "词过长"),
    ("一网\x07通办".encode(), "控制字符"),
    ("一网·通办".encode(), "标点"),
    ("茶".encode(), "单字"),
    ("一网通办 很多".encode(), "正整数"),
    ("一网通办 0".encode(), "正整数"),
    ("一网 通办 10 n".encode(), "一行只写一个词"),
    ("一网通办".encode("gbk"), "UTF-8"),
])
def test_parse_names_the_bad_line_and_keeps_the_rest(line, says):
    words, problems = parse("强村公司\n".encode() + line + "\n数字茶园\n".encode())
    assert dict(words) == {"强村公司": DEFAULT_FREQ, "数字茶园": DEFAULT_FREQ}
    assert len(problems) == 1 and problems[0].startswith("第 2 行") and says in problems[0]


def test_read_user_dict_limits(tmp_path, monkeypatch):
    path = tmp_path / "user_dict.txt"
    assert read_user_dict(path) == ((), [])  # none yet: no words, no complaint
    path.write_text("强村公司\n数字茶园\n茶链长\n", encoding="utf-8")
    monkeypatch.setattr(dictionary, "MAX_LINES", 2)
    words, problems = read_user_dict(path)
    assert [w for w, _ in words] == ["强村公司", "数字茶园"] and "第 3 行起" in problems[0]
    monkeypatch.setattr(dictionary, "MAX_BYTES", 10)
    words, problems = read_user_dict(path)
    assert words == () and "过大" in problems[0]


def test_a_user_word_changes_tokens_and_fingerprint():
    with_user = WordList(general_words(), (("云溪白茶", DEFAULT_FREQ),))
    assert "云溪白茶" not in tokenize(NOTE) and "云溪白茶" not in keywords(NOTE)
    assert "云溪白茶" in tokenize(NOTE, words=with_user) and "云溪白茶" in keywords(NOTE, words=with_user)
    assert fingerprint(with_user) != fingerprint(general_only())
    assert "云溪白茶" not in tokenize(NOTE)  # jieba's global dictionary was not touched


def test_tokenizer_is_made_once_per_word_list_across_threads():
    words = WordList(general_words(), (("数字茶园", DEFAULT_FREQ),))
    made = []
    threads = [threading.Thread(target=lambda: made.append(tokenizer(words))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({id(t) for t in made}) == 1 and tokenizer(words) is made[0]


def _vocab(kbase: KnowledgeBase) -> set[str]:
    return set(kbase.keyword_index().bm25.vocab_dict)


def test_user_dictionary_applies_at_the_next_ingest(tmp_path, fake_embedder):
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "note.md").write_text(f"---\ntitle: 白茶\n---\n{NOTE}\n", encoding="utf-8")
    settings = fake_settings(tmp_path)
    kbase = KnowledgeBase.open(settings, embedder=fake_embedder)
    first = kbase.ingest(tmp_path / "corpus").dictionary
    assert (first.general, first.user, first.user_changed, first.retokenized) == (len(general_words()), 0, False, False)
    served = kbase.keyword_index()
    assert "云溪白茶" not in _vocab(kbase)

    settings.user_dict.write_text("云溪白茶\n", encoding="utf-8")
    # edited, not ingested: the served index, one loaded by another process and the question tokens keep the old words
    assert kbase.keyword_index() is served and served.words.user == ()
    loaded = KeywordIndex.load(kbase.bm25_dir)
    assert loaded.words == served.words and loaded.search("云溪白茶", k=3)
    assert "云溪白茶" not in tokenize("云溪白茶") and fingerprint() == served.tokenizer

    second = kbase.ingest(tmp_path / "corpus")
    assert not second.changed  # no document changed, yet the keyword index was cut again
    assert (second.dictionary.user, second.dictionary.user_changed, second.dictionary.retokenized) == (1, True, True)
    assert "云溪白茶" in _vocab(kbase) and "云溪白茶" in tokenize("云溪白茶")
    assert fingerprint() != served.tokenizer
    snapshot = json.loads((kbase.bm25_dir / kbase.keyword.version / "dictionary.json").read_text(encoding="utf-8"))
    assert snapshot["user"] == [["云溪白茶", DEFAULT_FREQ]]

    settings.user_dict.write_text("", encoding="utf-8")
    use(general_only())
    restarted = KnowledgeBase.open(settings, embedder=fake_embedder)  # a server started after the next edit
    assert restarted.keyword_index().words.user == (("云溪白茶", DEFAULT_FREQ),)  # the snapshot, not the file
    assert "云溪白茶" in tokenize("云溪白茶")

    third = kbase.ingest(tmp_path / "corpus").dictionary
    assert (third.user, third.user_changed, third.retokenized) == (0, True, True)
    fourth = kbase.ingest(tmp_path / "corpus").dictionary
    assert (fourth.user_changed, fourth.retokenized) == (False, False)


def test_bad_user_dictionary_lines_are_warnings_and_the_ingest_goes_on(tmp_path, fake_embedder):
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "note.md").write_text(f"---\ntitle: 白茶\n---\n{NOTE}\n", encoding="utf-8")
    settings = fake_settings(tmp_path)
    settings.data_dir.mkdir(parents=True)
    settings.user_dict.write_bytes("云溪白茶\n云溪·白茶\n".encode() + "白茶产业".encode("gbk") + b"\n")
    kbase = KnowledgeBase.open(settings, embedder=fake_embedder)
    report = kbase.ingest(tmp_path / "corpus")
    assert len(report.added) == 1 and report.dictionary.user == 1
    warned = [w for source, w in report.warnings if source == str(settings.user_dict)]
    assert [w[:5] for w in warned] == ["第 2 行", "第 3 行"] and "UTF-8" in warned[1]
    assert "云溪白茶" in _vocab(kbase)
