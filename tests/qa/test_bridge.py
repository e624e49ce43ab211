"""The English bridge: dictionary senses and pinyin names, limited to the corpus's own words."""
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
