from ingest.sentences import sentence_spans


def _sentences(text: str) -> list[str]:
    return [text[a:b] for a, b in sentence_spans(text)]


def test_split_ends_at_chinese_terminators():
    assert _sentences("第一句。第二句！第三句？第四句；第五句……") == [
        "第一句。", "第二句！", "第三句？", "第四句；", "第五句……"]


def test_split_keeps_quotation_whole():
    text = "他说：“我们要干。你们呢？”然后走了。"
    assert _sentences(text) == ["他说：“我们要干。你们呢？”", "然后走了。"]


def test_split_keeps_closing_quote_with_sentence():
    assert _sentences("要“先立后破。”再看。") == ["要“先立后破。”", "再看。"]


def test_split_handles_english_and_decimals():
    assert _sentences("Version 3.5 is out. It works!") == ["Version 3.5 is out.", "It works!"]


def test_split_breaks_at_newline_and_skips_blank():
    assert _sentences("标题\n\n正文一句。") == ["标题", "正文一句。"]
