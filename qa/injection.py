"""Passage text that tries to instruct the answerer ("忽略之前的指令…", "Disregard previous instructions…").

Passages are data: a sentence that reads as an instruction to the model is never quoted as an answer and
is blanked out of LLM prompts. Matching runs on a normalised copy, so spelling tricks do not get through:
NFKC (full-width → half-width), case folding, zero-width characters removed, separators between Chinese
characters removed ("忽-略 之·前" → "忽略之前"), and runs of separators between Latin words made one space.
"""
from __future__ import annotations

import re
import unicodedata

_ZERO_WIDTH = re.compile(r"[\u200b-\u200f\u2060-\u2064\ufeff\u00ad]")
_HAN = r"\u3400-\u9fff\uf900-\ufaff"
_SEP = r"\s\-_·・•.*~|/\\'\"`^+=#"  # not ，、： — those join innocent clauses
_BETWEEN_HAN = re.compile(rf"(?<=[{_HAN}])[{_SEP}]+(?=[{_HAN}])")
_LATIN_SEP = re.compile(r"[\s\-_·・•.*~|/\\+=#]+")

_EN_VERB = r"(?:ignore|disregard|forget|override|bypass|skip|drop|discard)"
_EN_WHICH = r"(?:all |any |the |your |of )*(?:previous|prior|above|earlier|preceding|foregoing|former|system)"
_EN_WHAT = r"(?:instructions?|prompts?|rules?|directions?|guidelines?|commands?|context)"
_CN_VERB = r"(?:忽略|忽视|无视|不要理会|不用理会|别管|跳过|抛开|忘记|忘掉|丢弃|绕过)"
_CN_WHICH = r"(?:之前|以上|上述|上面|前面|先前|此前|刚才|所有|全部|一切|系统)"
_CN_ORDER = r"(?:指令|指示|提示词|设定|命令)"  # what only a model is given
_CN_RULE = r"(?:要求|规则|限制|约束|设置|提示)"  # words a policy text uses too: flagged only after "all/previous"
PATTERNS = re.compile("|".join([
    # English
    rf"\b{_EN_VERB} {_EN_WHICH} {_EN_WHAT}",
    rf"\b{_EN_VERB} (?:all |any )?(?:of )?(?:your|these|those|the) {_EN_WHAT}",
    r"\bsystem prompt",
    r"\byou are now\b",
    r"\bfrom now on,? you (?:are|will|must|act)",
    r"\b(?:act|behave|pretend|respond) as (?:an? |the )?(?:admin|administrator|root|system|developer|dan)\b",
    r"\bdeveloper mode\b",
    r"\bjailbreak",
    r"\bforget (?:everything|all) (?:above|before|you were told)",
    # Chinese
    rf"{_CN_VERB}掉?(?:你|您)?的?{_CN_WHICH}?的?(?:所有|全部|一切)?的?{_CN_ORDER}",
    rf"(?:忽略|无视|忘记|忘掉|不要理会|绕过)掉?{_CN_WHICH}的?(?:所有|全部)?的?{_CN_RULE}",
    r"(?:从现在(?:起|开始)|从此刻(?:起|开始)|接下来|今后)[\s,，]*(?:你|您)(?:就|将|要|必须|只能)?(?:是|作为|扮演|充当|变成|成为)",
    r"(?:你|您)现在(?:的身份)?就?是",
    r"(?:你|您)的新?身份(?:是|为)",
    r"(?:扮演|充当|切换为|切换到|进入)(?:系统)?(?:管理员|开发者|超级用户|root)",
    r"系统提示词|系统指令|开发者模式|越狱模式",
    r"(?:输出|打印|泄露|显示|告诉我)(?:你的)?(?:系统)?(?:提示词|系统提示|初始指令)",
]))


def normalise(text: str) -> str:
    """The comparable form of a sentence: NFKC, case-folded, without zero-width characters or separators
    inside Chinese runs, Latin separators collapsed to one space."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _ZERO_WIDTH.sub("", text)
    text = _BETWEEN_HAN.sub("", text)
    return _LATIN_SEP.sub(" ", text)


def looks_like_injection(text: str) -> bool:
    """True when the text reads as an instruction to the model (after normalising)."""
    return PATTERNS.search(normalise(text)) is not None
