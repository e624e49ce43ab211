"""Questions about the collection itself ("哪些调研报告获得了领导批示？", "第33期中青班写了哪些调研报告？"),
answered from document metadata: each matching document is listed with its cohort, date and 批示, cited."""
from __future__ import annotations

import re
from dataclasses import dataclass

from index.bm25 import KeywordIndex, Record
from index.filters import Filters
from index.tokenize import keywords, tokenize

_TYPES = (("report", re.compile(r"调研报告|报告|report", re.I)), ("case", re.compile(r"案例|case", re.I)),
          ("lecture", re.compile(r"讲稿|课程|专题课|讲座|[理党实能][论性践力]课|(?<![理党实能])课(?![题后])|讲过|几讲|"
                                 r"lecture|course", re.I)))
_CATEGORY = re.compile(r"(理论课|党性课|实践课|能力课)")
_CLASSES = r"中青班|中青年干部培训班|县处班|县处级干部进修班|乡镇书记班|乡镇党委书记培训班"
_COHORT = re.compile(rf"第\s*(\d{{1,3}})\s*期\s*({_CLASSES})?|(?<!\d)(\d{{1,3}})\s*期\s*({_CLASSES})")
_CLASS = re.compile(_CLASSES)  # a class named without its number ("县处班写的调研报告")
_ASKING_PHRASES = re.compile(r"专门[讲写]?|都算|题材|都有|有哪几[篇份个讲门]?|哪几[篇份个讲门]|几[篇份讲门]|写的|讲的|讲过|写过")
_INTERNAL = re.compile(r"只限校内使用|校内使用|内部资料|内部材料|\binternal\b", re.I)
_MATERIALS = re.compile(r"材料|资料|库里|\bmaterials?\b", re.I)
_YEAR = re.compile(r"(?<!\d)(20\d\d)(?!\d)")
_NO_PISHI = re.compile(r"(没有|未|未曾|没)(获得|得到|拿到)?[^，。？]{0,4}批示")
_PISHI = re.compile(r"批示|instruction|endorse", re.I)
# words that only say what is being asked for; what is left names the topic
_GENERIC = set(
    "调研报告 报告 讲稿 课程 专题 专题课 案例 哪些 哪几篇 几篇 多少篇 获得 得到 拿到 领导 省领导 批示 肯定性 写 写了 提交 形成 "
    "关于 有关 涉及 方面 主题 期 班 中青班 县处班 乡镇书记班 学员 列出 所有 全部 一共 共有 篇 份 理论课 党性课 实践课 能力课 "
    "年 讲 哪 有 什么 学校 开设 开设的 讲了 都 几讲 哪几讲 哪几 哪几个 教学 教学案例 案例库 库 属于 门 讲过 课 哪篇 "
    "哪几份 些 写的 交 交了 老师 教师 新增 完成 完成的 专门 材料 资料 库里 算 想 系统 了解 这件 这件事 件事 事 专门讲 "
    "专门写 是 的 过 里 中 做 只限 "
    "research report reports which list cases lectures got received leader leaders instruction".split()
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
    materials: bool = False  # the question asks for materials of any kind ("库里专门写云溪县的材料有哪些？")
    internal: bool = False  # … for the internal ones ("只限校内使用的内部资料"; a trainee's view has none)

    @property
    def constrained(self) -> bool:
        """The question names something the metadata holds (else it is answered from the passages)."""
        return bool(self.types or self.cohort_no or self.cohort_class or self.year or self.pishi is not None
                    or self.category or self.internal or (self.materials and self.topic_words))

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
        if self.internal and meta.get("access") != "internal":
            return False
        if self.topic_words:
            # every word the question adds must be found: in the title, the topics, the author (教研部) or the 批示
            where = "|".join(str(meta.get(k) or "") for k in ("title", "topics", "author", "pishi_note"))
            return all(_found(w, where) for w in self.topic_words)
        return True


def _found(word: str, where: str) -> bool:
    """A topic word is found as it is or as all its search-mode parts ("老旧小区改造" under 老旧小区 and 改造)."""
    if word in where:
        return True
    parts = [p for p in tokenize(word) if p != word and len(p) >= 2]
    return bool(parts) and all(p in where for p in parts)


def parse(question: str) -> CollectionQuery:
    types = tuple(t for t, pattern in _TYPES if pattern.search(question))
    m = _COHORT.search(question)
    cohort_no = (m.group(1) or m.group(3)) if m else None
    cohort_class = (m.group(2) or m.group(4)) if m else None
    if cohort_class is None and (alone := _CLASS.search(question)):
        cohort_class = alone.group(0)
    year = _YEAR.search(question)
    category = _CATEGORY.search(question)
    pishi = False if _NO_PISHI.search(question) else (True if _PISHI.search(question) else None)
    rest = question
    for pattern in (_COHORT, _CLASS, _YEAR, _CATEGORY, _NO_PISHI, _PISHI):
        rest = pattern.sub(" ", rest)
    for _, pattern in _TYPES:
        rest = pattern.sub(" ", rest)
    rest = _INTERNAL.sub(" ", _ASKING_PHRASES.sub(" ", rest))  # before the cut: "专门写云溪县" would cut into 写云溪
    topic = tuple(w for w in keywords(rest) if w not in _GENERIC and not w.isdigit() and re.search(r"[\u4e00-\u9fff]", w))
    # every kind of document the question names ("讲稿、案例和报告有哪些"); "课程、案例、报告都算" names all three
    return CollectionQuery(types=types, cohort_no=cohort_no, cohort_class=cohort_class,
                           year=int(year.group(1)) if year else None, pishi=pishi,
                           category=category.group(1) if category else None, topic_words=topic,
                           materials=bool(_MATERIALS.search(question)), internal=bool(_INTERNAL.search(question)))


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
