"""Is a generated answer sentence supported by the passage it cites? Pure functions: no model, no I/O.

A sentence is checked two ways against its passage:
- claims: every number, date and named term of the sentence must occur in the passage;
- coverage: the share of the sentence's character bigrams (CJK characters, letters, digits) found in it.

Both sides are normalised first: full-width → half-width (NFKC), thousands separators dropped (1,236 → 1236),
百分之五十 → 50%, and Chinese numerals before a measure word or unit turned into Arabic (十二年 → 12年).
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field

from ingest.sentences import sentence_spans

# used only when a weights file predates the fitted floor: scripts/fit_answer_model.py writes
# `support_min_coverage` per embedder (qa.scoring.AnswerModel), fitted on statements of training answers
DEFAULT_MIN_COVERAGE = 0.5

# citation markers: [2]  [1,2]  ［3］
_MARKER = re.compile(r"[\[［](\d+(?:\s*[,，、]\s*\d+)*)[\]］]")
_LEADING_MARKERS = re.compile(rf"^(?:\s*{_MARKER.pattern})+")

_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_RUN = "零〇一二两三四五六七八九十百千"
# what may follow a Chinese numeral for it to count as a number (万/亿 stay, as in "12.6万")
_UNITS = "个家条项年万亿人次%元户名位所座台件种批期届天月日号倍岁亩吨篇部处类轮场份张本周"
_CN_NUMBER = re.compile(rf"[{_CN_RUN}]+(?=[{_UNITS}])")
_POSITIONAL = re.compile(r"^(?:([一二两三四五六七八九])?千)?零?(?:([一二两三四五六七八九])?百)?零?"
                         r"(?:([一二两三四五六七八九])?十)?零?([一二两三四五六七八九])?$")
# lone characters that are mostly not numbers in running text: 一个(a), 千家万户, 百年大计
_AMBIGUOUS = set("零〇一百千")

_QUOTED = re.compile(r"“([^”]{1,80})”|「([^」]{1,80})」|『([^』]{1,80})』|‘([^’]{1,80})’|\"([^\"\n]{1,80})\"|《([^》]{1,80})》")
_LATIN = re.compile(r"[A-Za-z0-9]+(?:[+\-_.&/][A-Za-z0-9]+)*")
_DATE = re.compile(r"(?<!\d)(?:\d{4}-\d{1,2}-\d{1,2}(?!\d)"
                   r"|\d{4}年(?:\d{1,2}月(?:\d{1,2}[日号])?|[底初末]|上半年|下半年)?"
                   r"|\d{1,2}月(?:\d{1,2}[日号])?)")
_NUMBER = re.compile(r"(?<![\d.])\d+(?:\.\d+)?(?:万亿|[万亿])?%?")
_SPACES = re.compile(r"\s+")
_ALNUM = re.compile(r"[A-Za-z0-9]")
_PERCENT = re.compile(rf"百分之([{_CN_RUN}]+|\d+(?:\.\d+)?)")
_GRAM_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fffa-z0-9]+")


@dataclass(frozen=True)
class Claims:
    """What a sentence asserts that its passage must contain (normalised: 1236, 12, 50%, 2023年5月)."""

    numbers: list[str] = field(default_factory=list)
    dates: list[str] = field(default_factory=list)
    terms: list[str] = field(default_factory=list)

    def __iter__(self) -> Iterator[str]:
        yield from (*self.numbers, *self.dates, *self.terms)

    def __len__(self) -> int:
        return len(self.numbers) + len(self.dates) + len(self.terms)


@dataclass(frozen=True)
class Support:
    supported: bool
    missing: list[str]  # claims of the sentence not found in the passage
    coverage: float     # share of the sentence's character bigrams found in the passage


def _cn_to_int(run: str, strict: bool) -> int | None:
    """十二 → 12, 三百零五 → 305, 二〇二三 → 2023; None when the run is not an unambiguous number."""
    if len(run) == 1 and strict and run in _AMBIGUOUS:
        return None
    if all(ch in _DIGIT for ch in run):
        if len(run) == 1 or len(run) >= 3:  # 二〇二三 (a year); but 三五 is "three or five"
            return int("".join(str(_DIGIT[ch]) for ch in run))
        return None
    m = _POSITIONAL.match(run)
    if not m:
        return None
    th, hu, te, one = (_DIGIT[g] if g else None for g in m.groups())
    return ((th or 1) * 1000 if "千" in run else 0) + ((hu or 1) * 100 if "百" in run else 0) \
        + ((te or 1) * 10 if "十" in run else 0) + (one or 0)


def _normalize(text: str, *, strict: bool = False) -> str:
    """Full-width → half-width, no thousands separators or stray spaces, Chinese numerals as Arabic.

    strict (for the sentence's claims) leaves the ambiguous lone 一/百/千 alone; the passage side is loose."""
    text = unicodedata.normalize("NFKC", text)
    # whitespace survives only between two Latin letters/digits ("App Store"); "1236 个" → "1236个"
    text = _SPACES.sub(lambda m: " " if 0 < m.start() and m.end() < len(text) and _ALNUM.match(text[m.start() - 1])
                       and _ALNUM.match(text[m.end()]) else "", text)
    text = re.sub(r"(?<=\d),(?=\d{3}(?!\d))", "", text)
    text = re.sub(r"年年([底初末])", r"年\1", text)
    text = _PERCENT.sub(_percent, text)

    def arabic(m: re.Match) -> str:
        n = _cn_to_int(m.group(0), strict)
        return m.group(0) if n is None else str(n)

    return _CN_NUMBER.sub(arabic, text)


def _percent(m: re.Match) -> str:
    """百分之五十 / 百分之12.5 → 50% / 12.5%."""
    n = m.group(1) if m.group(1)[0].isdigit() else _cn_to_int(m.group(1), False)
    return m.group(0) if n is None else f"{n}%"


def _strip_markers(text: str) -> str:
    return _MARKER.sub("", text)


def claims(sentence: str) -> Claims:
    """The numbers, dates and named terms (quoted text, Latin/alphanumeric tokens) of a sentence."""
    text = _normalize(_strip_markers(sentence), strict=True)
    terms = [next(g for g in m.groups() if g).strip() for m in _QUOTED.finditer(text)]
    rest = list(text)

    def blank(m: re.Match) -> None:  # a span already claimed is not claimed again as a number
        rest[m.start():m.end()] = " " * (m.end() - m.start())

    for m in _LATIN.finditer(text):
        if re.search("[A-Za-z]", m.group(0)):
            terms.append(m.group(0))
            blank(m)
    dates = []
    for m in _DATE.finditer("".join(rest)):
        dates.append(m.group(0))
        blank(m)
    numbers = [m.group(0) for m in _NUMBER.finditer("".join(rest))]
    return Claims(_unique(numbers), _unique(dates), _unique(terms))


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(x for x in items if x))


def _found(claim: str, passage: str) -> bool:
    """claim in the (normalised, lower-cased) passage; numbers and Latin tokens only as whole tokens."""
    c = _normalize(claim).lower()
    if not c:
        return True
    before = r"(?<![a-z0-9])(?<!\d\.)" if c[0].isascii() and c[0].isalnum() else ""
    if c[-1].isdigit():
        after = r"(?![0-9]|\.\d|[万亿%])"  # 12 is not 120, 12.6, 12万 or 12%
    elif c[-1].isascii() and c[-1].isalpha():
        after = r"(?![a-z0-9])"
    elif c[-1] in "万亿":
        after = r"(?![万亿])"
    else:
        after = ""
    return re.search(before + re.escape(c) + after, passage) is not None


def _bigrams(text: str) -> list[str]:
    """Character bigrams inside runs of CJK characters, letters and digits (punctuation breaks a run)."""
    runs = _GRAM_RUN.findall(_normalize(_strip_markers(text)).lower())
    return [run[i:i + 2] for run in runs for i in range(len(run) - 1)]


def check_support(sentence: str, passage: str, *, min_coverage: float = DEFAULT_MIN_COVERAGE) -> Support:
    """Whether the passage supports the sentence: all its claims found, and enough of its bigrams.

    A sentence without any bigram (e.g. only a marker) has coverage 0.0: nothing shows it is supported."""
    haystack = _normalize(passage).lower()
    missing = [c for c in claims(sentence) if not _found(c, haystack)]
    grams = _bigrams(sentence)
    passage_grams = set(_bigrams(passage))
    coverage = sum(g in passage_grams for g in grams) / len(grams) if grams else 0.0
    return Support(not missing and coverage >= min_coverage, missing, round(coverage, 4))


def cited_passage(text: str, meta: dict) -> str:
    """What a citation shows its reader: the document's title, cohort, date and 批示 beside the passage, so a
    sentence that states them (a collection answer's "《…》（第31期中青班，2023-06-12，获…批示）") is supported."""
    from qa.collection import describe

    return f"{describe(meta)}\n{text}"


def split_cited_sentences(answer_text: str) -> list[tuple[str, list[int]]]:
    """The sentences of an answer, each with the marker numbers it cites, in order.

    A marker right after a full stop ("…。[2]", or "[2]" opening the next sentence) belongs to the
    sentence before it."""
    out: list[tuple[str, list[int]]] = []
    for start, end in sentence_spans(answer_text):
        piece = answer_text[start:end]
        lead = _LEADING_MARKERS.match(piece)
        if lead and out:
            text, cited = out[-1]
            out[-1] = (text + lead.group(0).strip(), cited + _numbers(lead.group(0)))
            piece = piece[lead.end():].strip()
        if _strip_markers(piece).strip(" 。，,；;！!？?"):
            out.append((piece, _numbers(piece)))
        elif out and piece:  # a stray "。" or a marker-only fragment
            text, cited = out[-1]
            out[-1] = (text + piece, cited + _numbers(piece))
    return [(text, list(dict.fromkeys(cited))) for text, cited in out]


def _numbers(text: str) -> list[int]:
    return [int(n) for m in _MARKER.finditer(text) for n in re.split(r"\s*[,，、]\s*", m.group(1))]
