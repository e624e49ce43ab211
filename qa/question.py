"""Question analysis: what kind of answer is asked for, its ordinal, and the words and characters to match.

The kind decides how an answer is composed (qa/compose.py): a quantity or a name is one sentence, a list is
every item of one list, how/why/definition are the key sentences of one section, an ordinal is item N of a
list, a collection question is answered from document metadata. English and mixed questions are analysed
too; their Chinese-free part is matched by the multilingual embedder, not by words.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from index.tokenize import fingerprint, keywords, tokenize
from qa.slots import Slot, asked_slot

KINDS = ("collection", "ordinal", "list", "why", "how", "definition", "quantity", "name", "yesno", "other")

_CN_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNIT = {"十": 10, "百": 100}
_NUM = r"[零〇一二两三四五六七八九十百\d]{1,4}"
# "放在第一位", "居全省第14位" rank something, they name no item of a list
_ORDINAL = re.compile(rf"(?<!放在)(?<!摆在)(?<!位居)(?<![居省市县])第\s*({_NUM})\s*"
                      r"(?:条|点|项|个|方面|部分|种|类|步|位)")
_ORDINAL_FIRST = re.compile(r"(头一|首)(条|点|项)")
_ORDINAL_LAST = re.compile(r"最后一(条|点|项)")
_EN_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
                "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth")
# an English ordinal names an item only before what is counted ("the third golden idea", "the 2nd point"): "the
# 32nd cohort", "the first form", "first established" are no items of a list
_EN_ITEM = r"(?:\s+[a-z-]+){0,2}?\s+(?:proposals?|ideas?|suggestions?|recommendations?|points?|items?|measures?|steps?|" \
           r"requirements?|principles?|standards?|tasks?|one|mirrors?|aspects?|policy|policies)\b"
_EN_ORDINAL = re.compile(r"\b(?:(?:(\d{1,2})(?:st|nd|rd|th)|(" + "|".join(_EN_ORDINALS) + r"))(?=" + _EN_ITEM
                         + r")|(?:no\.|item|number)\s*(\d{1,2}))\b", re.I)

_META_CUE = r"(?:\d{1,3}\s*期|中青班|县处班|乡镇书记班|培训班|进修班|(?<!\d)20\d\d|批示|教研部|教研室|专门[讲写]|库里)"
# the documents themselves are asked for: the noun closes the asking phrase ("写了些什么调研报告？"), or the asking
# word closes the clause ("报告有哪几份？") or asks which of them drew a 批示 ("报告里，哪篇得到了领导批示？") — not
# "报告提出了哪些建议", which asks what they say
_DOCS_ASKED = (r"(?:(?:哪些|哪几篇|哪几份|哪篇|哪几个|哪几讲|几篇|多少篇|几份|什么)[^，。？?]{0,8}"
               r"(?:调研报告|报告|讲稿|课程|课|案例|材料)(?![中里的]|提出|写到|讲到|指出)"
               r"|(?:调研报告|报告|讲稿|课程|课|案例|材料)[^，。？?]{0,8}(?:哪些|哪几[篇份个讲门]?|哪篇|几篇|多少篇|几份)"
               r"(?=\s*(?:[？?。，,]|$|呢|啊|吧))"
               r"|(?:调研报告|报告|讲稿|案例)(?:里|中)?[，,]?\s*有?(?:哪篇|哪几篇|哪几份|哪些)(?=[^，。？?]{0,10}批示))")
# the kinds, most specific first; each pattern is Chinese | English
_COLLECTION = re.compile(
    r"(哪些|哪几篇|哪几份|几篇|多少篇|几份|列出|有什么)[^，。？?]{0,12}(调研报告|报告|讲稿|课程|专题课|案例)(?!中|里|提出|写到|讲到|指出)|"
    r"(调研报告|报告|讲稿|案例)(?!中|里|提出|写到|讲到|指出)[^，。？?]{0,6}(有哪些|有哪几篇|有哪几个|有几篇|共几篇)"
    r"(?=\s*(?:[？?。，,]|$|呢|啊|吧))|"
    # the school's courses by category ("学校开设的党性课有哪些？", "能力课一共有哪几讲？")
    r"(理论课|党性课|实践课|能力课)[^，。？?]{0,8}(有哪些|哪些专题|有哪几|哪几讲|几讲|几门)|"
    r"(获得|得到|拿到)(了)?(领导|省领导|省委|市委)?[^，。？?]{0,6}批示的|"
    # documents asked for by what the metadata holds — a cohort or class, a year, a 批示, a teaching department,
    # "专门讲/写…的材料" — in the clause that asks for them ("34期中青班学员写的报告有哪几份？", "2023年都讲过哪些课？")
    rf"(?={_META_CUE})[^。？?]{{0,24}}{_DOCS_ASKED}|{_DOCS_ASKED}[^。？?]{{0,24}}{_META_CUE}|"
    r"(哪些|which)\s*(?:research\s+)?reports?\b|\breports?\b.{0,30}\b(instruction|pishi|endorse)|"
    r"\bwhich\s+(?:teaching\s+)?(?:cases|lectures|courses)\b",
    re.I,
)
_LIST = re.compile(
    r"有哪些|哪些|哪几|分别|包括什么|包括哪|有几[个种类项条点方面]|几个方面|哪[五六七八九十两三四][个种项条点面]|"
    r"[一二三四五六七八九十两三]个(?:不等于|坚持|必须|务必|方面|原则|要求|特征|特点|环节|步骤|机制|统一|不|字)|"
    r"是哪[一二三四五六七八九十几]|"
    r"\bwhat (?:are|were) (?:the )?\w|\blist\b|\bwhich\b.*\b(?:are|were)\b|\bname (?:the|all)\b",
    re.I,
)
_WHY = re.compile(r"为什么|为何|原因|缘故|why\b|\breasons?\b", re.I)
_HOW = re.compile(r"如何|怎样|怎么(?!样)|怎么样做|采取了?什么|哪些(措施|做法|办法|举措)|\bhow (?:do|does|did|can|could|should|to|is|are|was|were)\b|\bin what way", re.I)
_DEFINITION = re.compile(r"是什么|指什么|什么是|是指|何谓|含义|内涵|意思|what (?:is|does|was) (?:the |an? )?\w|\bmean(?:s|ing)?\b|\bdefin", re.I)
_QUANTITY = re.compile(
    r"多少|几[个名家项次条年月天万亿人位所座户倍]|哪一?年|何时|什么时候|哪天|几月|几号|数量|比例|面积|金额|人数|百分之|"
    r"\bhow (?:many|much|long|large|big|old)\b|\bwhat (?:year|percentage|share|proportion|number|amount)\b|\bwhen\b|"
    # "What is the forest coverage rate of …", "What's the property-fee collection rate …": a value, not a definition
    r"\bwhat(?:'s|\s+is|\s+was)\s+(?:the\s+)?(?:[\w-]+\s+){0,3}(?:rate|ratio|percentage|proportion|number|amount|total)\b",
    re.I,
)
_NAME = re.compile(r"叫什么|名称|称为|称作|谁|哪位|哪个(单位|部门|地方|县|市|镇)|什么名字|\bwho\b|\bcalled\b|\bname of\b", re.I)
_YESNO = re.compile(r"是否|是不是|有没有|能不能|可不可以|吗[？?]?$|^(is|are|does|do|did|can|was|were)\b", re.I)
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]+|\d+(?:[.,]\d+)*%?")
_QUOTED = re.compile(r"[“\"「『《‘']([^”\"」』》’']{1,24})[”\"」』》’']")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_EN_STOP = set(
    "the a an of to in and or is are was were be been for on with by as at what which how who whom whose when where why "
    "did do does can could should would will shall may might has have had it its this that these those there their they "
    "from about into than then so such not no yes any all some many much more most please tell me us i you we he she "
    "one ones each also just only very".split()
)
# characters of a question that ask, not name: they are left out of the character match
_ASKING = re.compile(r"有哪些|哪些|哪几|是什么|什么|多少|几个|如何|怎样|怎么|为什么|为何|是否|是不是|有没有|请问|分别|哪一|哪|吗|呢|吧|啊|呀")


@dataclass(frozen=True)
class Question:
    """One analysed question."""

    text: str
    kind: str
    ordinal: int | None  # N of "第N条"; -1 for "最后一条"
    english: bool  # mostly Latin script: words cannot be matched against Chinese passages
    tokens: tuple[str, ...]  # search-mode tokens (for idf-weighted coverage)
    words: tuple[str, ...]  # whole key words of two or more characters
    quoted: tuple[str, ...]  # terms inside quote marks: “渔家贷”
    grams: frozenset[str]  # character bigrams of the asking-free question (typo-tolerant match)
    count: int | None = None  # "五面镜子", "三个不等于": how many items a list question expects
    slot: Slot | None = None  # the shape of the value asked for ("多少名" → a count of people), qa/slots.py
    # an English question's phrases, each as the Chinese words of the corpus it may stand for (qa.bridge)
    senses: tuple[tuple[str, ...], ...] = ()

    @property
    def wants_list(self) -> bool:
        return self.kind == "list"


def chinese_number(raw: str) -> int | None:
    """12, "十二", "二十", "二十三", "一百零五" → int (None when it is not a number)."""
    raw = raw.strip()
    if raw.isdigit():
        return int(raw)
    total, current = 0, 0
    for ch in raw:
        if ch in _CN_DIGIT:
            current = _CN_DIGIT[ch]
        elif ch in _CN_UNIT:
            total += (current or 1) * _CN_UNIT[ch]
            current = 0
        else:
            return None
    return total + current or (0 if raw in ("零", "〇") else None)


def question_ordinal(question: str) -> int | None:
    """N of the last "第N条/点/项" (a follow-up's ordinal wins over the earlier one); -1 for the last item."""
    found = _ORDINAL.findall(question)
    if found:
        return chinese_number(found[-1])
    if _ORDINAL_FIRST.search(question):
        return 1
    if _ORDINAL_LAST.search(question):
        return -1
    m = None
    for m in _EN_ORDINAL.finditer(question):
        pass
    if m is not None:
        if m.group(2):
            return _EN_ORDINALS.index(m.group(2).lower()) + 1
        return int(m.group(1) or m.group(3))
    return None


def char_grams(text: str) -> frozenset[str]:
    """Bigrams of Chinese characters and of lower-cased letters/digits (punctuation and spaces dropped)."""
    chars = [c for c in text.lower() if c.isalnum()]
    return frozenset(a + b for a, b in zip(chars, chars[1:]))


def _kind(text: str, ordinal: int | None) -> str:
    if _COLLECTION.search(text) and not ordinal:
        return "collection"
    if ordinal is not None:
        return "ordinal"
    if _WHY.search(text):
        return "why"
    if _LIST.search(text) and not _QUANTITY.search(re.sub(r"[有哪]几[个种类项条点方面]|几个方面", "", text)):
        return "list"
    if _HOW.search(text):
        return "how"
    if _QUANTITY.search(text):
        return "quantity"
    if _NAME.search(text):
        return "name"
    if _DEFINITION.search(text):
        return "definition"
    if _YESNO.search(text.strip()):
        return "yesno"
    return "other"


_COUNT = re.compile(r"([一二两三四五六七八九十]{1,3}|\d{1,2})\s*(?:个|种|条|项|点|面|大|方面)?(?=不等于|坚持|必须|统一|面镜子|个?方面|大|字|要求|原则|特征|特点|环节|步骤|机制|镜子|色)")


# "是哪四慎", "哪三步"; a quoted name that opens with its count and holds no other number (“四慎”, “三色积分”, not
# “四减一优”, whose items are five)
_WHICH_N = re.compile(r"哪([一二两三四五六七八九十]{1,2})(?![一二三四五六七八九十])")
_QUOTED_N = re.compile(r"[“\"「]([一二两三四五六七八九十])([^”\"」一二两三四五六七八九十百]{1,4})[”\"」]")


LONG_QUESTION = 80  # characters: longer questions are context followed by the question proper (all short
#                     questions of the eval and training sets are under 70 characters)
_SENTENCE_END = re.compile(r"(?<=[。！？?!；;])")
_ASKS = re.compile(r"[？?]|多少|几|什么|哪|如何|怎样|怎么|为什么|是否|吗|\b(?:how|what|which|why|when|who)\b", re.I)


_ASK_WORD = re.compile(r"多少|几[个名家项次条年月天万亿人位所座户倍岁种类部份成]|什么|哪|如何|怎样|怎么|为什么|是否|谁|"
                       r"多大|多高|多久|多长|多远|何时|有没有|\b(?:how|what|which|why|when|who)\b", re.I)
_PART_END = re.compile(r"(?<=[？?])")


def parts(text: str) -> list[str]:
    """The separate asks of a multi-part question, each with the context before it ("电子证照库汇聚了多少类证照？
    实现'秒批秒办'的事项有多少个？" → two parts; "考察了多少家企业，走访了多少户茶农？" → two); [text] for one ask."""
    text = core(" ".join(text.split()))
    for splitter in (_PART_END, re.compile(r"(?<=[，,；;])")):
        pieces = [p for p in splitter.split(text) if p.strip()]
        if sum(1 for p in pieces if _ASK_WORD.search(p)) < 2:
            continue
        out, context = [], ""
        for piece in pieces:
            if _ASK_WORD.search(piece):
                out.append((context + piece).strip())
                context = ""
            else:
                context += piece
        if context and out:
            out[-1] += context
        return out
    return [text]


_PLEASE = re.compile(r"^\s*(?:请问|想问|我想问|想请教|请教|我想知道|想了解|麻烦问)")


def core(text: str) -> str:
    """The question proper of a long question and the sentence before it, which names what "这个联盟", "这种
    模式" refer to. A long question tells the asker's situation first (its "几个月", "有没有人看到" ask nothing):
    the question proper opens with 请问 (想问, 我想知道…), else it is the run of sentences ending in ？ that closes
    the text; without either, the sentences from the first that asks something."""
    if len(text) <= LONG_QUESTION:
        return text
    parts = [p for p in _SENTENCE_END.split(text) if p.strip()]
    first = next((i for i, p in enumerate(parts) if _PLEASE.search(p)), None)
    if first is None and parts and parts[-1].rstrip().endswith(("？", "?")):
        first = len(parts) - 1
        while first > 0 and parts[first - 1].rstrip().endswith(("？", "?")):
            first -= 1
    if first is None:
        asking = [p for p in parts if _ASKS.search(p)]
        if not asking:
            return text
        return "".join(parts[parts.index(asking[0]):]).strip() or text
    return "".join(parts[max(0, first - 1):]).strip() or text


def analyse(question: str) -> Question:
    return _analyse(question, fingerprint())


@lru_cache(maxsize=4096)
def _analyse(question: str, words: str) -> Question:  # keyed by the word list: an index with new words re-cuts
    text = core(" ".join(question.split()))
    latin = sum(1 for c in text if c.isascii() and c.isalpha())
    han = len(_HAN.findall(text))
    english = latin > 2 * han
    ordinal = question_ordinal(text)
    kind = _kind(text, ordinal)
    quoted = tuple(q.strip() for q in _QUOTED.findall(text) if q.strip())
    latin_words = tuple(w.lower() for w in _LATIN_WORD.findall(text) if w.lower() not in _EN_STOP)
    words = tuple(dict.fromkeys([*keywords(text), *quoted]))
    tokens = tuple(dict.fromkeys([*tokenize(text), *latin_words]))
    count = None
    m = (_COUNT.search(text) or _WHICH_N.search(text) or _QUOTED_N.search(text)) if kind == "list" else None
    if m:
        count = chinese_number(m.group(1))
    return Question(text=text, kind=kind, ordinal=ordinal, english=english, tokens=tokens, words=words,
                    quoted=quoted, grams=char_grams(_ASKING.sub(" ", text)), count=count,
                    slot=_slot(text, kind))


def _slot(text: str, kind: str) -> Slot | None:
    """The value asked for by a factual question; a list question asks for one only when it wants places or bodies
    by name ("是哪两个乡镇": the names, which a near miss lacks)."""
    slot = asked_slot(text) if kind in ("quantity", "name", "other", "yesno", "list") else None
    return slot if kind != "list" or (slot is not None and slot.kind in ("place", "org")) else None
