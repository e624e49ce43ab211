"""Chinese keyword tokens for BM25 and lexical matching: jieba search-mode cut plus domain words."""
from __future__ import annotations

import logging
import re
from functools import lru_cache

import jieba

# Words of cadre training that jieba's general dictionary splits apart.
DOMAIN_WORDS = (
    "中青班", "县处班", "乡镇书记班", "金点子", "党性教育", "党性修养", "三新", "新质生产力",
    "全过程人民民主", "中国式现代化", "一网通办", "网格化", "积分制", "网格员", "老旧小区",
    "乡村振兴", "基层治理", "营商环境", "调研报告", "批示", "肯定性批示", "党校", "行政学院",
    "警示教育", "作风建设", "群众路线", "初心使命", "红色资源", "数字政府", "数字乡村",
    "集体经济", "强村公司", "人居环境", "托育服务", "招商引资", "基层减负", "形式主义",
    "茶产业", "云溪白茶", "民宿", "中青年干部", "县处级", "乡镇党委书记", "调研组",
)
_STOP = set(
    "的 了 是 在 和 与 及 或 等 有 也 就 都 而 对 为 以 把 被 将 从 向 于 之 其 这 那 哪 什么 怎么 怎样 "
    "如何 吗 呢 吧 啊 呀 么 哪些 一个 一些 我们 你们 他们 它 我 你 他 她 请问 请 是否 多少 几 个 中 上 下 "
    "可以 哪里 哪儿 哪个 哪一 什么样 为什么 怎么样 具体 分别 主要 有没有 是不是 能否 "
    "the a an of to in and or is are was were be for on with by as at what which how who".split()
)
_KEEP = re.compile(r"[\w\u4e00-\u9fff]")
_ORDINAL_WORD = re.compile(r"^第[一二三四五六七八九十\d]+[条点项个期]?$")

jieba.setLogLevel(logging.WARNING)


def fingerprint() -> str:
    """What the tokens depend on besides the text (the added words): saved tokens are reused only while it holds."""
    import hashlib

    return hashlib.sha256("\n".join(DOMAIN_WORDS).encode()).hexdigest()[:16]


@lru_cache(maxsize=1)
def _init() -> None:
    for word in DOMAIN_WORDS:
        jieba.add_word(word, freq=200000)
    jieba.initialize()


def tokenize(text: str) -> list[str]:
    """Search-mode tokens, lower-cased, without punctuation and stop words (duplicates kept)."""
    _init()
    return [
        token for token in (t.strip().lower() for t in jieba.lcut_for_search(text))
        if token and token not in _STOP and _KEEP.search(token)
    ]


def keywords(text: str) -> list[str]:
    """Whole words (jieba precise mode) of two or more characters, without stop words: a question's key terms."""
    _init()
    return [t for t in (w.strip().lower() for w in jieba.lcut(text))
            if len(t) > 1 and t not in _STOP and _KEEP.search(t) and not _ORDINAL_WORD.match(t)]
