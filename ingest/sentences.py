"""Chinese-aware sentence spans: end at 。！？；… (with closing quotes), never inside a quotation."""
from __future__ import annotations

_END = set("。！？!?；;…")
_CLOSE = set("”’」』）)》〉】\"'")
_OPEN_QUOTES = {"“": "”", "「": "」", "『": "』"}
_SOFT = set("，,、：:")


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Spans (start, end) of the sentences of text[start:end]; whitespace between them is skipped."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    open_quotes: list[str] = []
    i = sent_start = start
    while i < end:
        ch = text[i]
        if ch == "\n":
            _push(text, spans, sent_start, i)
            open_quotes.clear()
            sent_start = i + 1
        elif ch in _OPEN_QUOTES:
            open_quotes.append(_OPEN_QUOTES[ch])
        elif open_quotes and ch == open_quotes[-1]:
            open_quotes.pop()
            if not open_quotes and i > start and text[i - 1] in _END:
                _push(text, spans, sent_start, i + 1)
                sent_start = i + 1
        elif not open_quotes and (ch in _END or _is_english_full_stop(text, i, end)):
            j = i + 1
            while j < end and (text[j] in _END or text[j] in _CLOSE - {"“", "「", "『"}):
                j += 1
            _push(text, spans, sent_start, j)
            sent_start = i = j
            continue
        i += 1
    _push(text, spans, sent_start, end)
    return spans


def soft_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Clause spans inside one over-long sentence, cut after ，、： (used only as a fallback)."""
    spans: list[tuple[int, int]] = []
    s = start
    for i in range(start, end):
        if text[i] in _SOFT:
            _push(text, spans, s, i + 1)
            s = i + 1
    _push(text, spans, s, end)
    return spans


def _is_english_full_stop(text: str, i: int, end: int) -> bool:
    # "3.5" and "1." list numbers are not sentence ends; "word. Next" is.
    return (
        text[i] == "."
        and (i + 1 >= end or text[i + 1].isspace())
        and i > 0
        and text[i - 1].isalpha()
    )


def _push(text: str, spans: list[tuple[int, int]], s: int, e: int) -> None:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    if e > s:
        spans.append((s, e))
