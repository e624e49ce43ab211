"""The word list jieba cuts with: the shipped general vocabulary plus the teachers' user dictionary.

`index/terms/general.txt` holds words of cadre training any party school uses; `KB_DATA_DIR/user_dict.txt`
holds what teachers add (their own programmes, places, local policy names). An ingest reads both and saves
the list with the keyword index it builds (index.bm25), so an edit applies at the next ingest and a served
index is always queried with the words its passages were cut with.

A bad line of the user dictionary is skipped with a message naming the line and the fix (the caller names the
file: `kb ingest` lists it as a warning of user_dict.txt); it never stops an ingest, and the other lines apply.
"""
from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path

DEFAULT_FREQ = 200000  # high enough that jieba keeps the word whole in any context
MAX_WORD_CHARS = 16  # 全过程人民民主 is 7; a longer "word" is a phrase or a pasted sentence
MAX_LINES = 100_000
MAX_BYTES = 4 * 1024 * 1024
# the characters jieba cuts as one run (jieba.re_han_default): a word with any other character (a space,
# punctuation, ·) can never come out of the cut, so adding it would do nothing
_JIEBA_RUN = re.compile(r"[\u4E00-\u9FD5a-zA-Z0-9+#&._%\-]+")
_COMMENT = re.compile(r"(^|\s)#.*$")


@dataclass(frozen=True)
class WordList:
    """The words added to jieba's dictionary, (word, frequency) each; user words after (and over) general ones."""

    general: tuple[tuple[str, int], ...]
    user: tuple[tuple[str, int], ...] = ()

    @cached_property
    def entries(self) -> tuple[tuple[str, int], ...]:
        merged = dict(self.general)
        merged.update(self.user)
        return tuple(merged.items())

    @cached_property
    def fingerprint(self) -> str:
        """What tokens depend on besides the text: saved tokens are reused only while it holds."""
        return hashlib.sha256("\n".join(f"{w} {f}" for w, f in self.entries).encode()).hexdigest()[:16]

    def to_json(self) -> dict:
        return {"general": [list(e) for e in self.general], "user": [list(e) for e in self.user]}

    @classmethod
    def from_json(cls, data: dict) -> "WordList":
        return cls(tuple((w, int(f)) for w, f in data["general"]), tuple((w, int(f)) for w, f in data["user"]))


@dataclass(frozen=True)
class DictionaryUse:
    """What `kb ingest` says about the dictionary it applied."""

    general: int
    user: int
    user_changed: bool  # the user words differ from those of the index this ingest replaced
    retokenized: bool  # the word list changed, so every passage was cut again


@lru_cache(maxsize=1)
def general_words() -> tuple[tuple[str, int], ...]:
    """The shipped vocabulary (package data, so an installed checkout has it too)."""
    text = resources.files("index").joinpath("terms/general.txt").read_text(encoding="utf-8")
    words, problems = parse(text)
    if problems:  # a shipped file is checked by its test; a broken one is a bug, not a teacher's typo
        raise ValueError("index/terms/general.txt: " + "; ".join(problems))
    return words


@lru_cache(maxsize=1)
def general_only() -> WordList:
    """The list of an ingest without user words (and of an index saved before lists were kept)."""
    return WordList(general_words())


def effective(user_dict: Path) -> tuple[WordList, list[str]]:
    """The general words plus the user dictionary's (absent: none), and the messages of its bad lines."""
    user, problems = read_user_dict(user_dict)
    return WordList(general_words(), user), problems


def read_user_dict(path: Path) -> tuple[tuple[tuple[str, int], ...], list[str]]:
    """The valid lines of a user dictionary; a missing file is an empty one, an oversized one is skipped whole."""
    try:
        if not path.exists():
            return (), []
        size = path.stat().st_size
        if size > MAX_BYTES:
            return (), [f"用户词典过大 ({size // 1024} KB > {MAX_BYTES // 1024 // 1024} MB), 整个文件未使用 "
                        "(file too large, ignored); 每行一个词, 删去不需要的行"]
        data = path.read_bytes()
    except OSError as exc:
        return (), [f"无法读取用户词典 (cannot read the user dictionary: {exc.strerror}), 整个文件未使用; "
                    "检查它是否为普通文件、是否可读"]
    return parse(data)


def parse(text: str | bytes) -> tuple[tuple[tuple[str, int], ...], list[str]]:
    """(word, frequency) of each valid line of `词` / `词 频次` / `词 频次 词性` (jieba's format), and a
    message per bad line; `#` starts a comment (after a space, so C# stays a word)."""
    raw_lines = text.splitlines() if isinstance(text, bytes) else [s.encode() for s in text.splitlines()]
    words: dict[str, int] = {}
    problems: list[str] = []
    for number, raw in enumerate(raw_lines, 1):
        if number > MAX_LINES:
            problems.append(f"第 {number} 行起未使用: 超过 {MAX_LINES} 行 (more than {MAX_LINES} lines, the rest "
                            "ignored); 删去不需要的词")
            break
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            problems.append(f"第 {number} 行 (line {number}): 不是 UTF-8 编码 (not UTF-8), 此行未使用; "
                            "用 UTF-8 另存该文件")
            continue
        line = _COMMENT.sub("", line.lstrip("\ufeff")).strip()
        if not line:
            continue
        reason = _bad(line)
        if reason is None:
            word, freq = _entry(line)
            if freq is None:
                reason = "频次须为正整数 (the frequency must be a positive integer), 如 “一网通办 200000”, 或只写词"
            else:
                words[word] = freq
                continue
        problems.append(f"第 {number} 行 (line {number}) “{_shown(line)}”: {reason}; 此行未使用 (line skipped)")
    return tuple(words.items()), problems


def _shown(line: str) -> str:
    """The line as a message can quote it: control characters escaped, clipped."""
    text = "".join(c if unicodedata.category(c) not in ("Cc", "Cf") else f"\\u{ord(c):04x}" for c in line)
    return text if len(text) <= 24 else text[:24] + "…"


def _bad(line: str) -> str | None:
    if any(unicodedata.category(c) in ("Cc", "Cf") and c != "\t" for c in line):  # a tab separates, as a space
        return "含控制字符 (control character); 删去此行重新输入"
    parts = line.split()
    if len(parts) > 3:
        return "一行只写一个词 (one word a line: `词` or `词 频次`); 词中不能有空格"
    word = parts[0]
    if len(word) > MAX_WORD_CHARS:
        return f"词过长 ({len(word)} 字 > {MAX_WORD_CHARS}; word too long); 只写词语, 不写句子"
    if len(word) < 2:
        return "单字不必加入 (a single character is already a token)"
    if not _JIEBA_RUN.fullmatch(word):
        return "含标点或符号, 切词时不会连在一起 (punctuation never joins a word); 只用汉字、字母和数字"
    return None


def _entry(line: str) -> tuple[str, int | None]:
    parts = line.split()
    if len(parts) == 1 or (len(parts) == 2 and re.fullmatch(r"[a-z]+", parts[1])):  # `词` or `词 词性`
        return parts[0], DEFAULT_FREQ
    freq = parts[1]
    # 0 would make jieba force-split the word (for every tokenizer of the process), so it is refused too
    return parts[0], int(freq) if freq.isascii() and freq.isdigit() and 0 < int(freq) < 10**9 else None


def load_snapshot(path: Path) -> WordList | None:
    """The word list saved with a keyword index (None for an index saved before lists were kept)."""
    if not path.exists():
        return None
    return WordList.from_json(json.loads(path.read_text(encoding="utf-8")))
