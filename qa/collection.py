"""Questions about the collection itself ("哪些调研报告获得了领导批示？", "第33期中青班写了哪些调研报告？"),
answered from document metadata: each matching document is listed with its cohort, date and 批示, cited."""
from __future__ import annotations

import re
from dataclasses import dataclass

from index.bm25 import KeywordIndex, Record
from index.filters import Filters
from index.tokenize import keywords

_TYPES = (("report", re.compile(r"调研报告|报告|report", re.I)), ("case", re.compile(r"案例|case", re.I)),
          ("lecture", re.compile(r"讲稿|课程|专题课|讲座|[理党实能][论性践力]课|lecture|course", re.I)))
_CATEGORY = re.compile(r"(理论课|党性课|实践课|能力课)")
_COHORT = re.compile(r"第\s*(\d{1,3})\s*期\s*(中青班|中青年干部培训班|县处班|县处级干部进修班|乡镇书记班|乡镇党委书记培训班)?")
_YEAR = re.compile(r"(20\d\d)\s*年")
_NO_PISHI = re.compile(r"(没有|未|未曾|没)(获得|得到|拿到)?[^，。？]{0,4}批示")
_PISHI = re.compile(r"批示|instruction|endorse", re.I)
# words that only say what is being asked for; what is left names the topic
_GENERIC = set(
    "调研报告 报告 讲稿 课程 专题 专题课 案例 哪些 哪几篇 几篇 多少篇 获得 得到 拿到 领导 省领导 批示 肯定性 写 写了 提交 形成 "
    "关于 有关 涉及 方面 主题 期 班 中青班 县处班 乡镇书记班 学员 列出 所有 全部 一共 共有 篇 份 理论课 党性课 实践课 能力课 "
    "年 讲 哪 有 什么 学校 开设 开设的 专题 讲了 都 几讲 哪几讲 哪几 哪几个 一共 教学 教学案例 案例库 库 涉及 属于 门 research report reports which list cases lectures got received leader leaders instruction".split()
)


@dataclass(frozen=True)
class Entry:
    record: Record  # the document's first passage (cited)
    meta: dict


def catalogue(keyword: KeywordIndex) -> list[Entry]:
    """One entry per document of the keyword index (its first passage), in document order."""
    cached = getattr(keyword, "_catalogue", None)
    if cached is not None:
        return cached
    first: dict[str, Record] = {}
    for record in keyword.records:
        doc_id = record.meta.get("doc_id", "")
        if record.meta.get("kind") != "chunk":
            continue
        if doc_id not in first or record.meta.get("ordinal", 0) < first[doc_id].meta.get("ordinal", 0):
            first[doc_id] = record
    entries = [Entry(r, r.meta) for r in first.values()]
    entries.sort(key=lambda e: (e.meta.get("type", ""), e.meta.get("date", ""), e.meta.get("title", "")))
    keyword._catalogue = entries  # the index is immutable once built: cache on it
    return entries


@dataclass(frozen=True)
class CollectionQuery:
    types: tuple[str, ...]
    cohort_no: str | None
    cohort_class: str | None
    year: int | None
    pishi: bool | None
    category: str | None
    topic_words: tuple[str, ...]

    def matches(self, meta: dict) -> bool:
        if self.types and meta.get("type") not in self.types:
            return False
        cohort = meta.get("cohort") or ""
        if self.cohort_no and f"第{self.cohort_no}期" not in cohort:
            return False
        if self.cohort_class and self.cohort_class[:2] not in cohort:
            return False
        if self.year and int(meta.get("year") or 0) != self.year:
            return False
        if self.pishi is not None and bool(meta.get("pishi")) != self.pishi:
            return False
        if self.category and meta.get("category") != self.category:
            return False
        if self.topic_words:
            where = f"{meta.get('title', '')}|{meta.get('topics', '')}"
            return any(w in where for w in self.topic_words)
        return True


def parse(question: str) -> CollectionQuery:
    types = tuple(t for t, pattern in _TYPES if pattern.search(question))
    cohort = _COHORT.search(question)
    year = _YEAR.search(question)
    category = _CATEGORY.search(question)
    pishi = False if _NO_PISHI.search(question) else (True if _PISHI.search(question) else None)
    rest = question
    for pattern in (_COHORT, _YEAR, _CATEGORY):
        rest = pattern.sub(" ", rest)
    topic = tuple(w for w in keywords(rest) if w not in _GENERIC and not w.isdigit())
    return CollectionQuery(types=types[:1] if types else (), cohort_no=cohort.group(1) if cohort else None,
                           cohort_class=cohort.group(2) if cohort and cohort.group(2) else None,
                           year=int(year.group(1)) if year else None, pishi=pishi,
                           category=category.group(1) if category else None, topic_words=topic)


def find(question: str, keyword: KeywordIndex, filters: Filters | None) -> tuple[CollectionQuery, list[Entry]]:
    query = parse(question)
    allowed = filters or Filters()
    found = [e for e in catalogue(keyword) if allowed.matches(e.meta) and query.matches(e.meta)]
    return query, found


def describe(meta: dict) -> str:
    """《title》（cohort，date，批示） for one listed document."""
    bits = [b for b in (meta.get("cohort"), meta.get("category"), meta.get("date")) if b]
    if meta.get("pishi"):
        bits.append(meta.get("pishi_note") or "获领导批示")
    inner = f"（{'，'.join(bits)}）" if bits else ""
    return f"《{meta.get('title', '')}》{inner}"
