"""Sentence-level support checks: claims (numbers, dates, terms), normalisation, coverage, cited sentences."""
from __future__ import annotations

import pytest

from qa.support import DEFAULT_MIN_COVERAGE, Claims, Support, check_support, claims, split_cited_sentences

GRID = "基层是国家治理的最末端。石门县把全县划分为1236个网格，每个网格配备一名专职网格员。" \
       "老百姓说：“有事找网格员，小事不出网格。”"
TEA = "2023年5月，云溪县茶园面积达12.6万亩，茶产业综合产值58亿元，比上年增长12%。" \
      "全县推行“1+1+N”帮扶模式，开发了“云溪茶”APP。该项目已实施12年。"


# --- claims --------------------------------------------------------------------------------------------

def test_claims_arabic_numbers_dates_and_terms():
    c = claims("2023年5月，云溪县茶园面积12.6万亩，增长12%，推行“1+1+N”模式，上线App[2]。")
    assert isinstance(c, Claims)
    assert c.numbers == ["12.6万", "12%"]
    assert c.dates == ["2023年5月"]
    assert c.terms == ["1+1+N", "App"]
    assert "2" not in list(c)  # the citation marker is not a claim


def test_claims_normalise_thousands_and_full_width():
    assert claims("全县划分为1,236个网格。").numbers == ["1236"]
    assert claims("全县划分为１２３６个网格，占比５０％。").numbers == ["1236", "50%"]
    assert claims("占比百分之五十。").numbers == ["50%"]


def test_claims_chinese_numerals_need_a_measure_word():
    assert claims("该项目已实施十二年，覆盖三百个村，两个维护。").numbers == ["12", "300", "2"]
    assert claims("一千二百三十六个网格").numbers == ["1236"]
    # 一个 (an article), 千家万户 (an idiom), 十分 (very), 十四五 (a plan's name): no numbers
    assert claims("这是一个重要举措，千家万户十分满意，“十四五”开局。").numbers == []


def test_claims_dates():
    c = claims("截至2024年底，5月12日召开会议，二〇二三年启动。")
    assert c.dates == ["2024年底", "5月12日", "2023年"] and c.numbers == []


def test_claims_quoted_terms_of_every_kind():
    c = claims("《基层治理现代化专题》提出“网格连心”、「积分制」和\"爱心超市\"。")
    assert c.terms == ["基层治理现代化专题", "网格连心", "积分制", "爱心超市"]


# --- check_support -------------------------------------------------------------------------------------

def test_wrong_number_is_unsupported_and_listed():
    s = check_support("石门县把全县划分为1300个网格[1]。", GRID)
    assert isinstance(s, Support) and not s.supported and s.missing == ["1300"]


def test_paraphrase_with_the_right_number_and_term_is_supported():
    s = check_support("石门县将全县划成1236个网格，群众说“有事找网格员”[1]。", GRID)
    assert s.supported and s.missing == [] and s.coverage >= DEFAULT_MIN_COVERAGE


def test_quoted_term_absent_from_the_passage_is_missing():
    s = check_support("石门县划分了1236个网格，群众称之为“网格连心”[1]。", GRID)
    assert not s.supported and s.missing == ["网格连心"]


@pytest.mark.parametrize("sentence", ["全县划分为1,236个网格[1]。", "全县划分为1236个网格[1]。",
                                      "全县划分为１２３６个网格[1]。", "全县划分为一千二百三十六个网格[1]。"])
def test_thousands_separator_width_and_numerals_are_the_same_number(sentence):
    assert check_support(sentence, GRID).supported
    assert check_support(sentence, GRID.replace("1236", "1,236")).supported


def test_chinese_and_arabic_small_integers_match_both_ways():
    assert check_support("该项目已实施十二年[3]。", TEA).supported
    assert check_support("该项目已实施12年[3]。", TEA.replace("12年", "十二年")).supported
    assert check_support("该项目已实施十三年[3]。", TEA).missing == ["13"]


def test_numbers_match_only_whole():
    # 12 is neither 1236 nor 12.6万; 12.6 is not 12.6万; 6 is not the tail of 12.6
    assert "12" in check_support("划分为12个网格。", GRID).missing
    assert check_support("茶园面积达12.6亩。", TEA).missing == ["12.6"]
    assert check_support("增长6%。", TEA).missing == ["6%"]
    assert check_support("比上年增长12%，茶园面积达12.6万亩[1]。", TEA).supported


def test_dates_and_latin_terms():
    assert check_support("2023年5月，茶园面积达12.6万亩[1]。", TEA).supported
    assert check_support("2023年6月，茶园面积达12.6万亩[1]。", TEA).missing == ["2023年6月"]
    assert check_support("云溪县开发了“云溪茶”App[1]。", TEA).supported  # case-insensitive
    assert check_support("全县推行“1+2+N”帮扶模式[1]。", TEA).missing == ["1+2+N"]
    assert check_support("全县推行1+1+N帮扶模式，开发Application[1]。", TEA).missing == ["Application"]


def test_markers_are_ignored():
    plain = check_support("石门县把全县划分为1236个网格。", GRID)
    marked = check_support("石门县把全县划分为1236个网格[1][2]。", GRID)
    assert marked == plain and plain.coverage == 1.0


def test_coverage_and_threshold():
    off_topic = check_support("天气晴朗，适合出游[1]。", GRID)
    assert off_topic.missing == [] and off_topic.coverage == 0.0 and not off_topic.supported
    half = check_support("石门县的网格员每天巡查三次[1]。", GRID)
    assert 0.0 < half.coverage < 1.0
    assert check_support("石门县的网格员每天巡查[1]。", GRID, min_coverage=0.0).supported
    assert not check_support("石门县把全县划分为1236个网格[1]。", GRID, min_coverage=1.01).supported
    assert check_support("[1]", GRID).coverage == 0.0


# --- split_cited_sentences -----------------------------------------------------------------------------

def test_split_cited_sentences():
    text = "茶园面积12.6万亩[1]。产值58亿元。[2]品牌“云溪茶”享誉全省。[1][3]没有引用的一句。"
    assert split_cited_sentences(text) == [
        ("茶园面积12.6万亩[1]。", [1]),
        ("产值58亿元。[2]", [2]),
        ("品牌“云溪茶”享誉全省。[1][3]", [1, 3]),
        ("没有引用的一句。", []),
    ]


def test_split_cited_sentences_edge_cases():
    assert split_cited_sentences("") == []
    assert split_cited_sentences("[1]开头就引用。第二句[2][2]。") == [("[1]开头就引用。", [1]), ("第二句[2][2]。", [2])]
    assert split_cited_sentences("老百姓说：“有事找网格员。”[1]") == [("老百姓说：“有事找网格员。”[1]", [1])]
    assert split_cited_sentences("产值58亿元[1,2]。") == [("产值58亿元[1,2]。", [1, 2])]
