"""The answer slot: the shape of the value a question asks for, and whether a piece of evidence holds one.

"多少名社区规划师" asks for a count of people, "百分之几" a percentage, "哪一年" a year, "是谁" a person. A near
miss — the corpus has the subject, not the fact — usually fails exactly here: the passage about 社区规划师
says how they are chosen but gives no number of them; the one about 护湖基金 says "按一定比例", no percentage.
Whether a unit *fills* the slot is a feature of the fitted unit and answerability models (qa/features.py); no
constant here decides an answer. A value the question itself contains ("五盏渔灯", "2024年") does not fill it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from index.tokenize import tagged

_CN_NUM = "零〇一二两三四五六七八九十百千万亿"
_NUM = rf"(?:\d+(?:[.,，]\d+)*|[{_CN_NUM}]{{1,8}}|[{_CN_NUM}]?[十百千])"
_APPROX = r"(?:余|多|来|近|约|左右)?"
_SCALE = r"(?:万|亿|千|百)?"

# measure words that count the same things: "多少名" is answered by "76人" as well as by "76名"
_MEASURE_GROUPS = (
    "名人位",
    "元块",
    "家所座处",
    "项条件款",
    "次场届轮期",
    "亩公顷",
    "吨斤公斤",
    "户",
    "岁",
    "倍",
    "天日",
    "年",
    "月",
    "小时分钟",
    "公里千米米",
)
_MEASURES = "".join(_MEASURE_GROUPS)
# "那几天", "这几项" name what the question is about, not a number asked for
_ASK_MEASURE = re.compile(rf"(?:多少|(?<![那这前头近])几)\s*(?:万|亿)?\s*(人次|平方米|平方公里|万元|亿元|[{_MEASURES}])")
_ASK_PERCENT = re.compile(r"百分之几|百分比|比例|占比|几成|比重|多大比|\bpercent|\bshare\b|\bproportion\b", re.I)
_ASK_MONEY = re.compile(r"多少钱|多少资金|金额|预算|投资|年薪|工资|报酬|薪酬|补贴|补助|奖励资金|\bhow much money\b|\bcost\b", re.I)
_ASK_YEAR = re.compile(r"哪一?年|哪年|何年|\bwhat year\b|\bwhich year\b|\bin what year\b", re.I)
_ASK_DATE = re.compile(r"何时|什么时候|哪一?天|几月|几号|几日|哪个月|星期几|周几|礼拜几|几点|几时|\bwhen\b|\bwhat date\b|"
                       r"\bwhich day\b|\bwhat day\b|\bwhat time\b", re.I)
# an English question asks for a number when "how many / how much" comes before any "when": "how many cadres
# fanned out to the villages when the flood hit" asks for a count, "When was …, and how many …" for a date first
_EN_COUNT_FIRST = re.compile(r"\bhow (?:many|much)\b(?!.*\bwhen\b.*\bhow (?:many|much)\b)(?=.*\bwhen\b)", re.I)
# the noun phrase counted: up to four words after "how many", ending before a verb or preposition ("how many
# companies did Fengqi's cadres visit" counts companies, not cadres)
_EN_HOW_MANY = re.compile(r"\bhow (?:many|much)\b((?:\s+(?!(?:did|does|do|is|are|was|were|has|have|had|will|can|could|"
                          r"would|should|there|in|on|at|of|from|to|for|with|by|per|each)\b)[\w'-]+){0,4})", re.I)
# "how much … pay / cost / spend": money, whatever stands after "how much"
_EN_MONEY = re.compile(r"\b(?:pay|paid|pays|cost|costs|price|prices|money|salary|salaries|wages?|fees?|subsid(?:y|ies)|"
                       r"spend|spent|invest(?:ed|ment)?|budget|fund(?:s|ing)?|earn(?:s|ed)?|yuan|rmb)\b", re.I)
# a sum of money named by what it is ("注册资本是多少", "一年能挣多少", "投入了多少"): the noun or verb of money right
# before the ask, not a counted thing after it ("投入多少人" asks for people: the measure word is read first)
_ASK_MONEY_BY_NAME = re.compile(r"(?:资本|资本金|资金|经费|收入|利润|营收|产值|税收|税款|价格|价钱|售价|单价|费用|成本|租金|"
                                r"贷款|奖金|罚款|罚金|收益|分红|补贴|补助|工资|薪酬|年薪|月薪|投资|投入|花费|开支|支出|挣|赚|"
                                r"花了|募集|筹集|融资|捐款|拨付|总额)"
                                r"(?:总额|总量|规模|金额|额)?(?:是|为|有|达到|达|共|一共|累计|总共|大约|约|了|能|可以|可|就)*"
                                r"(?:多少|几)(?![个名家项次条位所座户倍人])")
_EN_RATE = re.compile(r"\b(?:rate|ratio)\b", re.I)
# an age is asked for when the age word is what is asked ("平均年龄是多少", "多大年纪"), not when it describes
# whom the question is about ("给上了年纪的人做的那个界面叫什么" asks for a name)
_ASK_AGE = re.compile(r"多大年纪|多大岁数|(?:年纪|岁数|年龄)(?:是|为|有|在|大约|约|一般|普遍)?(?:多少|多大|几)|几岁|多少岁|"
                      r"\bhow old\b|\b(?:what|average|mean|median) age\b|\bat what age\b|\bage of\b", re.I)
# English measure words of "how many …": the Chinese measure a passage writes after the number
_EN_MEASURE = (
    (re.compile(r"\b(?:people|persons|cadres|officials|staff|members|residents|villagers|students|workers)\b", re.I), "名"),
    (re.compile(r"\btons?\b|\btonnes?\b", re.I), "吨"),
    (re.compile(r"\bhouseholds?\b|\bfamilies\b", re.I), "户"),
    (re.compile(r"\bmu\b", re.I), "亩"),
    (re.compile(r"\b(?:yuan|rmb)\b", re.I), "元"),
)
# "那几天" / "这几天" name a time the question is about, not a length of time it asks for
_ASK_DURATION = re.compile(r"多久|多长时间|多少天|(?<![那这前头近])几天|\bhow long\b", re.I)
# "多长" without 时间 asks for a length ("公路冲坏了多长" → "86公里")
_ASK_LENGTH = re.compile(r"多长(?!时间|的时间|时期)")
# a rate or a degree named before the ask ("网上可办率具体是多少", "满意度有多高") is a percentage
_ASK_RATE = re.compile(r"(?<![频效])率|满意度|知晓度|认可度|参与度|覆盖面")
_ASK_RATE_VALUE = re.compile(r"(?:率|度|覆盖面)(?:是|为|有|达到|达|大约|约|能|具体|目前|现在|提高到|提升到|降到|降至|一般)*"
                             r"(?:多少|多高|几)")
_ASK_TERM = re.compile(r"叫什么|叫做什么|称为什么|称作什么|被称为|被叫作|被称作|什么名字|名称|简称|概括为|归纳为|"
                       r"\bcalled\b|\bname of\b|\bterm\b", re.I)
_ASK_PERSON = re.compile(r"是谁|谁|哪位|\bwho\b|\bwhom\b", re.I)
# a place or an organisation by its name: "哪两个乡镇" is answered by "白沙镇和青石乡", not by "在2个乡镇试点";
# "哪所高职院校" by "青川职业技术学院", not by "省内高职院校" (a near miss names the kind, not the one asked for)
_WHICH = r"哪(?:一|两|几|[二三四五六七八九十])?\s*(?:个|座|家|所|些)?"
_ASK_PLACE = re.compile(rf"{_WHICH}(?:周边|相邻|邻近|省内|省外|地级)?(?:乡镇|镇|乡|村|县|市|区|省份|省|设区市|地级市|街道|社区)(?![长委政域级民])|"
                        r"\bwhich (?:towns?|townships?|villages?|count(?:y|ies)|cit(?:y|ies)|provinces?|districts?)\b|"
                        r"\bin what (?:province|city|county)\b", re.I)
_ASK_ORG = re.compile(rf"{_WHICH}(?:(?![类种样方])[\u4e00-\u9fff]){{0,6}}?(?:企业|公司|学校|院校|高校|医院|银行|合作社|大学|学院|集团|部门)|"
                      r"(?:企业|公司|院校|学校|医院|大学|学院|集团)[^，。？?]{0,3}(?:叫什么|什么名字|名称)|"
                      r"\bwhich (?:compan(?:y|ies)|firms?|schools?|universit(?:y|ies)|colleges?|hospitals?|"
                      r"enterprises?|banks?|departments?)\b", re.I)
_ASK_COUNT = re.compile(r"多少|几[个名家项次条位所座户倍]?|\bhow many\b|\bhow much\b|\bnumber of\b|\bamount\b", re.I)

# a named term: quoted (“四单工作法”, 《…》) or introduced by 称为/叫做/简称
_TERM = re.compile(r"[“\"「『《]([^”\"」』》]{2,16})[”\"」』》]|(?:称为|称作|叫做|叫作|简称|命名为|概括为|归纳为|总结为)([^，。；,;]{2,16})")
_PERCENT = re.compile(rf"\d+(?:\.\d+)?\s*[%％]|百分之[{_CN_NUM}\d]+|[{_CN_NUM}]成|\d+(?:\.\d+)?个百分点")
_MONEY = re.compile(rf"{_NUM}\s*{_APPROX}\s*{_SCALE}\s*(?:元|块)")
_YEAR = re.compile(r"(?:19|20)\d{2}\s*年|[一二〇零][〇零一二三四五六七八九]{3}年")
_DATE = re.compile(rf"(?:19|20)\d{{2}}\s*年|{_NUM}\s*月(?:{_NUM}\s*[日号])?|{_NUM}\s*[日号]|春|夏|秋|冬|上旬|中旬|下旬|当天|次日|"
                   r"(?:星期|礼拜|周)[一二三四五六日天](?![一二三四五六七八九十])|\d{1,2}\s*[时点](?:\d{1,2}分)?")
_AGE = re.compile(rf"{_NUM}\s*{_APPROX}\s*(?:周岁|岁)")
_DURATION = re.compile(rf"{_NUM}\s*{_APPROX}\s*(?:个)?\s*(?:工作日|天|日|小时|分钟|周|星期|个月|月|年|晚)")
# a single numeral counts with a measure word after it ("三项", "一户", "两小时"); the characters that are a measure
# only as part of a word (小时, 分钟, 公里, 千米) do not count alone: "一小区一支部" holds no number of anything
_WORD_ONLY = "小时钟公千"
_ONE_CHAR_MEASURES = "".join(c for c in _MEASURES if c not in _WORD_ONLY)
_ANY_NUMBER = re.compile(rf"\d+(?:[.,]\d+)*|[{_CN_NUM}]{{2,8}}|"
                         rf"[一二两三四五六七八九十]\s*(?:[{_ONE_CHAR_MEASURES}]|小时|分钟|公里|公顷|公斤|千米)")
# a place by name: two to four characters and an administrative unit ("白沙镇", "岚山县"), the character before
# the unit no generic word's ("全县", "各乡镇", "周边省份", "一个中部县", "地级市" name no place), not 市场, 区域…
_GENERIC_BEFORE = "全各该本每此其这那某外邻周边个多数级部在大小上下同原新老旧一二两三四五六七八九十百几省市县区乡镇村" \
    "然政心困范点壳弱进超夜集股菜农强"  # 农村, 强村; 自然村, 行政村, 中心村, 贫困县, 示范村, 试点村, 空壳村…; 超市, 夜市…
_PLACE = re.compile(rf"[\u4e00-\u9fff]{{1,3}}[^\W\d_A-Za-z{_GENERIC_BEFORE}](?:省|市|县|区|镇|乡|村|街道|社区)"
                    r"(?![场民域别庄委长级政城化里内外属直])")
# an organisation by name: a name and the kind of body ("青川职业技术学院", "云溪茶业有限公司", "县农业农村局"); a
# generic modifier before a bare 公司 ("物业公司", "强村公司", "平台公司") names none
_ORG = re.compile(r"[\u4e00-\u9fffA-Za-z·]{2,12}?(?:有限责任公司|股份有限公司|有限公司|公司|集团|大学|学院|学校|中学|小学|"
                  r"医院|银行|合作社|研究院|研究所|局|委员会)")
_GENERIC_ORG = re.compile(r"(?:物业|保洁|平台|国有|民营|上市|科技|投资|建设|运营|第三方|强村|村级|县级|市级|省级|子|母|分|总|"
                          r"外资|合资|私营|控股|龙头|一家|这家|该|有关|相关|各|本|两家|几家|多家|专业|股份|农民|高职|职业|"
                          r"普通|民办|公办|重点|各类|这些|那些|上级|乡镇|基层|社会|中|小|大|高等|几所|一所)"
                          r"(?:公司|集团|大学|学院|学校|中学|小学|医院|银行|合作社|研究院|研究所|局|委员会)$")  # "…有限公司" names one
# a person, cheaply: "张某", a title followed by a name ("馆长李秀英"), a name followed by what people do ("李秀英介绍");
# jieba's person-name tags (about 10 ms a sentence) only where asked for: `fills(..., thorough=True)`
_SOMEONE = re.compile(
    r"[\u4e00-\u9fff]某[某甲乙丙]?|"
    r"(?:书记|主任|局长|县长|市长|镇长|乡长|村长|馆长|团长|组长|院长|校长|厂长|经理|站长|所长|处长|科长|社长|教授|老师|同志)"
    r"[\u4e00-\u9fff]{2,3}(?=[，,。、：:（(说介表指认])|"
    r"[\u4e00-\u9fff]{2,3}(?=同志|说|介绍|表示|指出|认为|回忆)")


@dataclass(frozen=True)
class Slot:
    kind: str  # "percent" | "money" | "year" | "date" | "age" | "duration" | "place" | "org" | "measure" | "count" |
    #            "person" | "term"
    measure: str = ""  # the measure word asked for ("名", "项"), for kind "measure"


def asked_slot(question: str) -> Slot | None:
    """The value a question asks for, most specific shape first (None: it asks for no value)."""
    if _ASK_PERCENT.search(question) or (_EN_RATE.search(question) and _latin(question)) or \
            (_ASK_RATE.search(question) and _ASK_RATE_VALUE.search(question)):
        return Slot("percent")
    if _ASK_AGE.search(question):
        return Slot("age")
    if _ASK_YEAR.search(question):
        return Slot("year")
    if _ASK_DATE.search(question) and not _EN_COUNT_FIRST.search(question):
        return Slot("date")
    if _ASK_DURATION.search(question):
        return Slot("duration")
    if _ASK_LENGTH.search(question):
        return Slot("measure", "米")
    if _ASK_PLACE.search(question):  # before the count: "另外3个是哪几个县" asks for names, not a number
        return Slot("place")
    if _ASK_ORG.search(question):  # before the term: "那所高职院校叫什么名字" asks for a school, not a “term”
        return Slot("org")
    m = _ASK_MEASURE.search(question)
    word = m.group(1) if m else ""
    english = _EN_HOW_MANY.search(question) if not word else None
    if english:
        if english.group(0).lower().startswith("how much") and _EN_MONEY.search(question):
            return Slot("money")
        # the measure is the noun counted, right after "how many" ("how many village and group cadres"), not a
        # word elsewhere in the question ("the people's deputies", "members")
        word = next((w for pattern, w in _EN_MEASURE if pattern.search(english.group(1))), "")
    if word == "个":  # the general measure word: any counted number answers it
        return Slot("count")
    if word:
        if word in ("元", "块", "万元", "亿元"):
            return Slot("money")
        return Slot("measure", word)
    if (_ASK_MONEY.search(question) and _ASK_COUNT.search(question)) or _ASK_MONEY_BY_NAME.search(question):
        return Slot("money")
    if _ASK_PERSON.search(question):
        return Slot("person")
    if _ASK_TERM.search(question):
        return Slot("term")
    if _ASK_COUNT.search(question):
        return Slot("count")
    return None


def _latin(question: str) -> bool:
    return len(re.findall(r"[A-Za-z]", question)) > 2 * len(re.findall(r"[\u4e00-\u9fff]", question))


def _group(word: str) -> str:
    for group in _MEASURE_GROUPS:
        if word in group:
            return group
    return word


def _pattern(slot: Slot) -> re.Pattern | None:
    if slot.kind == "measure":
        words = re.escape(slot.measure) if len(slot.measure) > 1 else f"[{_group(slot.measure)}]"
        return _measure_pattern(words)
    return {"percent": _PERCENT, "money": _MONEY, "year": _YEAR, "date": _DATE, "age": _AGE, "duration": _DURATION,
            "count": _ANY_NUMBER, "person": _SOMEONE, "term": _TERM, "place": _PLACE, "org": _ORG}.get(slot.kind)


@lru_cache(maxsize=64)
def _measure_pattern(words: str) -> re.Pattern:
    return re.compile(rf"{_NUM}\s*{_APPROX}\s*{_SCALE}\s*(?:个)?\s*{words}")


def value_spans(slot: Slot | None, text: str, question: str) -> list[tuple[int, int]]:
    """Where `text` holds a value of the slot's shape that the question does not already contain."""
    pattern = _pattern(slot) if slot is not None else None
    if pattern is None or not text:
        return []
    out = []
    named = slot.kind in ("place", "org")
    for m in pattern.finditer(text):
        value = next((g for g in m.groups() if g), m.group(0)) if m.groups() else m.group(0)
        if named and (_named_in(value, question) or (slot.kind == "org" and _GENERIC_ORG.search(value))):
            continue
        if value.strip() and value.strip() not in question:
            out.append(m.span())
    return out


def _named_in(value: str, question: str) -> bool:
    """A name found without word boundaries ("组赴岚山县") is the question's own when one of its tails of three
    characters or more is in the question ("岚山县")."""
    return any(value[i:] in question for i in range(max(1, len(value) - 2)))


def _people(text: str) -> list[str]:
    return [word for word, flag in tagged(text) if flag in ("nr", "nrfg", "nrt") and len(word) >= 2]


def fills(slot: Slot | None, text: str, question: str, *, thorough: bool = False) -> bool:
    """Whether `text` holds a value of the slot's shape that the question does not already contain (thorough:
    also person names found by jieba's tagger, for the one or two units an answerability check looks at)."""
    if slot is None or not text:
        return False
    if value_spans(slot, text, question):
        return True
    return slot.kind == "person" and thorough and any(v not in question for v in _people(text))
