"""Text cleaning: invisible characters, whitespace, Markdown marks and PDF line wraps."""
from __future__ import annotations

import re

_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACES = re.compile(r"[ \t\u00a0\u3000]+")
_CJK = r"\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef"
_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}]) (?=[{_CJK}])")
_MD_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1")
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_CODE = re.compile(r"`([^`]*)`")

_LIST_ITEM = re.compile(r"^\d{1,2}[.．、]\s*\S")

SENTENCE_END = "。！？!?；;…"


def clean_line(line: str) -> str:
    """One line without invisible/control characters, runs of spaces or spaces between Chinese."""
    line = _INVISIBLE.sub("", line)
    line = _CONTROL.sub("", line)
    line = _SPACES.sub(" ", line).strip()
    return _BETWEEN_CJK.sub("", line)


def strip_markdown(line: str) -> str:
    """Inline Markdown marks removed, their text kept."""
    line = _MD_LINK.sub(r"\1", line)
    line = _MD_EMPHASIS.sub(r"\2", line)
    return _MD_CODE.sub(r"\1", line)


def join_wrapped(lines: list[str], *, is_heading) -> list[str]:
    """Re-join lines a PDF wrapped mid-sentence; a paragraph ends at a sentence end or a heading."""
    paragraphs: list[str] = []
    current = ""
    width = max((len(line) for line in lines), default=0)
    for line in lines:
        if not line or is_heading(line) or _LIST_ITEM.match(line):
            if current:
                paragraphs.append(current)
            current = ""
            if not line:
                continue
            if is_heading(line):
                paragraphs.append(line)
                continue
        if current and _is_cjk(current[-1]) and _is_cjk(line[0]):
            current += line
        elif current:
            current += " " + line
        else:
            current = line
        if line[-1] in SENTENCE_END + "”」』" and len(line) < 0.9 * width:
            # a line that ends a sentence well before the right margin ends its paragraph
            paragraphs.append(current)
            current = ""
    if current:
        paragraphs.append(current)
    return paragraphs


def _is_cjk(ch: str) -> bool:
    return bool(re.match(f"[{_CJK}]", ch))
