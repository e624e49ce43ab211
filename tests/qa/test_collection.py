"""Questions about the collection itself, read into a query on document metadata (qa/collection.py)."""
from qa.collection import parse
from qa.question import analyse

REPORT_34 = {"type": "report", "cohort": "第34期中青班", "year": 2024, "pishi": True,
             "pishi_note": "获省政府分管副省长肯定性批示", "title": "推动乡村旅游从流量走向留量", "topics": "|乡村振兴|乡村旅游|",
             "access": "public"}
CASE_2025 = {"type": "case", "year": 2025, "pishi": False, "author": "潘晓东（党史党建教研部讲师）",
             "title": "党建引领物业治理的实践", "topics": "|社区治理|物业管理|", "access": "public"}
LECTURE = {"type": "lecture", "category": "能力课", "year": 2024, "pishi": False, "author": "杜文澜（公共管理教研部教授）",
           "title": "调查研究的方法", "topics": "|调查研究|", "access": "internal"}


def test_a_cohort_without_its_number_sign_and_a_class_without_its_number():
    q = parse("34期中青班学员写的报告有哪几份？")
    assert (q.cohort_no, q.cohort_class, q.types, q.topic_words) == ("34", "中青班", ("report",), ())
    assert q.matches(REPORT_34)
    assert parse("县处班写的调研报告有哪些？").cohort_class == "县处班"


def test_who_gave_the_instruction_and_every_word_must_be_found():
    assert parse("分管副省长批示过哪几份调研报告？").matches(REPORT_34)
    assert not parse("常务副省长批示过哪几份调研报告？").matches(REPORT_34)  # 副省长 alone is not enough


def test_years_departments_kinds_and_internal_material():
    assert parse("2025年新增的教学案例有哪些？").matches(CASE_2025)
    assert parse("Which teaching cases date from 2025?").matches(CASE_2025)
    assert parse("党史党建教研部写过哪些案例？").matches(CASE_2025)
    both = parse("讲社区治理的讲稿、案例有哪些？")
    assert set(both.types) == {"case", "lecture"} and both.matches(CASE_2025)
    internal = parse("哪些课程属于只限校内使用的内部资料？")
    assert internal.matches(LECTURE) and not internal.matches(CASE_2025)


def test_what_a_document_says_is_no_collection_question():
    for question in ("第33期中青班的调研报告提出了哪些建议？", "杜文澜讲的调研报告有哪些常见毛病？",
                     "石门县案例中的做法有哪些？"):
        assert analyse(question).kind != "collection", question
    for question in ("第32期中青班的报告里，哪篇得到了领导批示？", "2023年都讲过哪些课？", "库里专门写云溪县的材料有哪些？"):
        assert analyse(question).kind == "collection", question
