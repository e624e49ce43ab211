"""The English bridge: dictionary senses and pinyin names, limited to the corpus's own words."""
from dataclasses import replace

from qa.bridge import EnglishBridge, bridged_query

VOCAB = ["石门县", "石门", "网格", "划分", "乡镇", "村庄", "茶叶", "云溪", "云溪县", "十分"]


def test_bridge_maps_senses_and_pinyin_names_to_corpus_words():
    terms = EnglishBridge(VOCAB).terms("How many grids is Shimen County divided into?")
    assert "网格" in terms and "石门" in terms and "石门县" in terms


def test_bridge_keeps_only_corpus_words_and_skips_asking_words():
    terms = EnglishBridge(VOCAB).terms("How many administrative villages does Yunxi County have?")
    assert set(terms) <= set(VOCAB)
    assert "村庄" in terms and "云溪县" in terms
    assert "十分" not in terms  # "very"/"how many" ask, they name nothing


def test_bridged_query_leaves_chinese_questions_alone():
    bridge = EnglishBridge(VOCAB)
    assert bridged_query("石门县划分了多少个网格？", bridge) == "石门县划分了多少个网格？"
    assert bridged_query("How many grids does Shimen have?", bridge).startswith("How many grids does Shimen have? ")
    assert bridged_query("How many grids does Shimen have?", None) == "How many grids does Shimen have?"


def test_concurrent_first_questions_read_the_dictionary_once(monkeypatch):
    """32 English questions arriving together once each parsed CC-CEDICT (RSS past 1.5 GB): now one reads it."""
    import gzip
    import threading

    from qa import bridge

    bridge._dictionary_entries.cache_clear()
    bridge._english_words.cache_clear()
    opened = []
    real_open = gzip.open
    monkeypatch.setattr(bridge.gzip, "open", lambda *a, **k: opened.append(1) or real_open(*a, **k))
    threads = [threading.Thread(target=fn) for fn in (bridge._dictionary, bridge._english_words) * 4]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(opened) == 1 and bridge._dictionary() is bridge._dictionary()


def test_senses_group_each_phrase_and_leave_chinese_questions_alone():
    from qa.bridge import with_senses
    from qa.question import analyse

    bridge = EnglishBridge(VOCAB)
    q = with_senses(analyse("How many grids is Shimen County divided into?"), bridge)
    assert ("网格",) in q.senses  # one phrase, one group
    assert any("石门" in g or "石门县" in g for g in q.senses)
    assert [w for g in q.senses for w in g] == bridge.terms(q.text)
    chinese = analyse("石门县划分了多少个网格？")
    assert with_senses(chinese, bridge) is chinese


def test_english_senses_feature_counts_a_phrase_present_by_any_of_its_words():
    """A unit holding the Chinese words of every phrase scores 1, one holding none 0; Chinese questions 0."""
    from index.bm25 import KeywordIndex, Record
    from index.retrieval import Hit
    from qa.bridge import with_senses
    from qa.features import UNIT_FEATURES, unit_features
    from qa.question import analyse
    from qa.units import chunk_units

    texts = ["石门县把全县划分为1236个网格。", "云溪县的茶叶远近闻名。"]
    records = [Record(f"d{i}:0", t, {"doc_id": f"d{i}", "title": "", "section": ""}) for i, t in enumerate(texts)]
    keyword = KeywordIndex.from_records(records, version="test")
    hits = [Hit(r.chunk_id, r.text, r.meta, 1.0) for r in records]
    units = [replace(u, hit_rank=rank) for rank, h in enumerate(hits) for u in chunk_units(h, None)]
    col = UNIT_FEATURES.index("english_senses")
    q = with_senses(analyse("How many grids is Shimen County divided into?"), EnglishBridge(VOCAB))
    rows = unit_features(q, units, hits, keyword)
    assert rows[0, col] == 1.0 and rows[1, col] == 0.0
    assert unit_features(analyse("石门县划分了多少个网格？"), units, hits, keyword)[:, col].max() == 0.0
