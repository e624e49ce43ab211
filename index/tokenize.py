"""Chinese keyword tokens for BM25 and lexical matching: jieba search-mode cut with a word list (index.dictionary).

Each word list gets its own `jieba.Tokenizer` (jieba's global dictionary is never changed), so the list of a
newly built index can be used beside the one still served, and swapped in without a restart. Without a `words`
argument the list in use is the one of the keyword index this process serves (`use`, called when the index is
installed or loaded): a question is cut like the passages it is matched against. One knowledge base a process.
"""
from __future__ import annotations

import logging
import re
import threading
from collections import OrderedDict

import jieba

from index.dictionary import WordList, general_only

_STOP = set(
    "的 了 是 在 和 与 及 或 等 有 也 就 都 而 对 为 以 把 被 将 从 向 于 之 其 这 那 哪 什么 怎么 怎样 "
    "如何 吗 呢 吧 啊 呀 么 哪些 一个 一些 我们 你们 他们 它 我 你 他 她 请问 请 是否 多少 几 个 中 上 下 "
    "可以 哪里 哪儿 哪个 哪一 什么样 为什么 怎么样 具体 分别 主要 有没有 是不是 能否 "
    "the a an of to in and or is are was were be for on with by as at what which how who".split()
)
_KEEP = re.compile(r"[\w\u4e00-\u9fff]")
_ORDINAL_WORD = re.compile(r"^第[一二三四五六七八九十\d]+[条点项个期]?$")
_KEEP_TOKENIZERS = 3  # the served list, one being built by an ingest, one spare

jieba.setLogLevel(logging.WARNING)

_lock = threading.RLock()  # made once: the base dictionary, the tagger, each word list's tokenizer
_base: jieba.Tokenizer | None = None  # jieba's own dictionary, loaded once, never cut with
_tagger = None  # jieba.posseg.POSTokenizer over _base, made on first use
_tokenizers: "OrderedDict[str, jieba.Tokenizer]" = OrderedDict()  # fingerprint -> tokenizer with those words
_in_use: WordList | None = None


def use(words: WordList) -> None:
    """Cut with `words` from now on when no list is given (the served index's list)."""
    global _in_use
    _in_use = words


def in_use() -> WordList:
    global _in_use
    if _in_use is None:
        _in_use = general_only()  # before any index is served: what an ingest without user words makes
    return _in_use


def fingerprint(words: WordList | None = None) -> str:
    """What the tokens depend on besides the text (the added words): saved tokens are reused only while it holds."""
    return (words or in_use()).fingerprint


def tokenizer(words: WordList | None = None) -> jieba.Tokenizer:
    """The jieba tokenizer of a word list, made once (questions arrive on many threads)."""
    words = words or in_use()
    made = _tokenizers.get(words.fingerprint)
    if made is not None:
        return made
    with _lock:
        made = _tokenizers.get(words.fingerprint)
        if made is None:
            made = _tokenizers[words.fingerprint] = _make(words)
            while len(_tokenizers) > _KEEP_TOKENIZERS:
                _tokenizers.popitem(last=False)  # a thread still cutting with it keeps its reference
    return made


def _base_dictionary() -> jieba.Tokenizer:
    global _base
    if _base is None:
        with _lock:
            if _base is None:
                base = jieba.Tokenizer()
                base.initialize()  # ~1.5 s (from jieba's cache file) and ~70 MB
                _base = base
    return _base


def tagged(text: str) -> list[tuple[str, str]]:
    """(word, part of speech) by jieba's tagger over its own dictionary, which it shares with the tokenizers
    (jieba.posseg.cut would load that dictionary a second time, ~1 s and ~70 MB, on first use)."""
    global _tagger
    if _tagger is None:
        import jieba.posseg

        with _lock:
            if _tagger is None:
                _tagger = jieba.posseg.POSTokenizer(_base_dictionary())
    return [(pair.word, pair.flag) for pair in _tagger.cut(text)]


def in_dictionary(word: str) -> bool:
    """Whether jieba's own dictionary knows the word (no added words)."""
    return _base_dictionary().FREQ.get(word, 0) > 0


def _make(words: WordList) -> jieba.Tokenizer:
    base = _base_dictionary()
    # a copy of the loaded prefix dictionary (~20 ms, the word strings shared) instead of loading it again
    made = jieba.Tokenizer()
    made.FREQ, made.total, made.initialized = dict(base.FREQ), base.total, True
    for word, freq in words.entries:
        made.add_word(word, freq=freq)
    return made


def tokenize(text: str, *, words: WordList | None = None) -> list[str]:
    """Search-mode tokens, lower-cased, without punctuation and stop words (duplicates kept)."""
    return [
        token for token in (t.strip().lower() for t in tokenizer(words).lcut_for_search(text))
        if token and token not in _STOP and _KEEP.search(token)
    ]


def keywords(text: str, *, words: WordList | None = None) -> list[str]:
    """Whole words (jieba precise mode) of two or more characters, without stop words: a question's key terms."""
    return [t for t in (w.strip().lower() for w in tokenizer(words).lcut(text))
            if len(t) > 1 and t not in _STOP and _KEEP.search(t) and not _ORDINAL_WORD.match(t)]
