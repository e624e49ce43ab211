"""Text cleaning: invisible characters, whitespace, Markdown marks and PDF line wraps."""
from __future__ import annotations

import re

_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACES = re.compile(r"[ \t\u00a0\u3000]+")
_CJK = r"\u2018-\u201f\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef"
_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}]) (?=[{_CJK}])")
# A PDF's text-run breaks inside a number set among Chinese: pypdf turns a gap between two runs into a
# space ("每平方米1 2元"). Chinese prose never spaces inside a number; a space beside a whole number stays,
# since table rows set numbers apart by spaces ("2022年 2023年", "年份 2023 2024").
_DIGITS_IN_CJK = re.compile(rf"([{_CJK}]\d{{1,12}}) (?=\d{{1,12}}[{_CJK}])")
# Every pattern here runs on untrusted lines of any length, so each must be linear: no scan may
# cross the place where the next attempt starts. The link text stops at "[" and the target at "(",
# else a line of 100k "[" (or "[a](") is rescanned from every bracket — quadratic (issue 10, #4).
# Emphasis and code scan to the next closing mark, which ends the next attempt's scan too.
_MD_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1")
_MD_LINK = re.compile(r"!?\[([^\[\]]*)\]\([^()]*\)")
_MD_CODE = re.compile(r"`([^`]*)`")

# A run of one repeated mark ("[[[[…", "！！！！", "-----") says no more than three of it; a 64k-character
# run became 525 chunks of brackets in the index (issue 10, kb loadtest --hostile). Linear: one pass.
_MARK_RUN = re.compile(r"([^\w\s])\1{3,}")
MARK_RUN_KEEP = 3

_LIST_ITEM = re.compile(r"^\d{1,2}[.．、]\s*\S")

SENTENCE_END = "。！？!?；;…"


def clean_line(line: str) -> str:
    """One line without invisible/control characters, runs of spaces or of one mark, or spaces between Chinese."""
    line = _INVISIBLE.sub("", line)
    line = _CONTROL.sub("", line)
    line = _SPACES.sub(" ", line).strip()
    line = _MARK_RUN.sub(lambda m: m.group(1) * MARK_RUN_KEEP, line)
    return _BETWEEN_CJK.sub("", line)


def join_runs(line: str) -> str:
    """A cleaned PDF line without the spaces pypdf put at text-run breaks between digits and Chinese."""
    return _DIGITS_IN_CJK.sub(r"\1", line)


def strip_markdown(line: str) -> str:
    """Inline Markdown marks removed, their text kept."""
    line = _MD_LINK.sub(r"\1", line)
    line = _MD_EMPHASIS.sub(r"\2", line)
    return _MD_CODE.sub(r"\1", line)


def join_wrapped(lines: list[tuple[str, int]], *, is_heading) -> list[tuple[str, int]]:
    """Re-join (line, page) pairs a PDF wrapped mid-sentence, across page breaks too.

    A paragraph ends at a heading, a list item, an empty line, or a line that ends a sentence
    well before the right margin; it keeps the page it starts on.
    """
    paragraphs: list[tuple[str, int]] = []
    current, page = "", 0
    width = max((len(line) for line, _ in lines), default=0)
    for line, line_page in lines:
        if not line or is_heading(line) or _LIST_ITEM.match(line):
            if current:
                paragraphs.append((current, page))
            current = ""
            if not line:
                continue
            if is_heading(line):
                paragraphs.append((line, line_page))
                continue
        if not current:
            current, page = line, line_page
        elif _tight(current[-1]) and _tight(line[0]):
            current += line  # a wrap inside Chinese or inside a number ("20\n24年") is no space
        else:
            current += " " + line
        if line[-1] in SENTENCE_END + "”」』" and len(line) < 0.9 * width:
            paragraphs.append((current, page))
            current = ""
    if current:
        paragraphs.append((current, page))
    return paragraphs


_CJK_CHAR = re.compile(f"[{_CJK}]")


def _is_cjk(ch: str) -> bool:
    return bool(_CJK_CHAR.match(ch))


def _tight(ch: str) -> bool:
    """Chinese or a digit: a line wrap between two of them is no word break."""
    return ch.isdigit() or _is_cjk(ch)
