"""The answer slot: what shape of value a question asks for, and whether a sentence holds one."""
import pytest

from qa.question import analyse
from qa.slots import Slot, asked_slot, fills


@pytest.mark.parametrize("question, slot", [
    ("河东区一共聘请了多少名社区规划师？", Slot("measure", "名")),
    ("湖滨镇的“护湖基金”按民宿经营收入的百分之几提取？", Slot("percent")),
    ("檀溪县强村公司聘请的职业经理人年薪是多少？", Slot("money")),
    ("苍岭革命纪念馆的馆长是谁？", Slot("person")),
    ("“长辈版”界面是哪一年上线的？", Slot("year")),
    ("去湖滨镇玩的游客一般只待多久？", Slot("duration")),
    ("采茶工的平均年龄是多少？", Slot("age")),
    ("云溪县把四百多家小作坊归并成了多少个初加工点？", Slot("count")),
    ("How many tons of tea did Yunxi County produce in 2023?", Slot("measure", "吨")),
    ("河东区由居民提需求、居民打分验收的改造工作方法叫什么？", Slot("term")),
    ("修炼党性的“五面镜子”是哪五面？", None),
    ("岚山县试点“生态积分”的是哪两个乡镇？", Slot("place")),
    ("另外3个是哪几个县？", Slot("place")),  # names, not a count
    ("跟哪几个周边省份签的合作协议？", Slot("place")),
    ("开设12个“订单班”的那所高职院校叫什么名字？", Slot("org")),  # a school, not a “term”
    ("Which company developed the app?", Slot("org")),
    ("由哪个部门牵头负责日常工作？", Slot("org")),
    ("哪几类企业参加了座谈？", Slot("count")),  # kinds of firms are no firm's name
    ("无会日定在星期几？", Slot("date")),
    # an age word that describes whom the question is about asks for no age
    ("“青川通”专门给上了年纪的人做的那个界面叫什么？", Slot("term")),
    ("参训学员年纪多大？", Slot("age")),
    # "那几天" is when, not how long; "多长" without 时间 a length; a rate or degree named before the ask a percentage
    ("桐岭抗洪那几天，县委在前线组建的临时党支部有多少个？", Slot("count")),
    ("那场特大暴雨把桐岭的公路冲坏了多长？", Slot("measure", "米")),
    ("赤岭市依申请政务服务事项的网上可办率具体是多少？", Slot("percent")),
    ("现在枫林街道的居民对物业服务的满意度有多高？", Slot("percent")),
    # a sum of money named by what it is
    ("檀溪县强村发展有限公司的注册资本是多少？", Slot("money")),
    ("在云溪，茶农一个人一年光靠茶叶能挣多少？", Slot("money")),
    ("县里为这项工程投入了多少人？", Slot("measure", "人")),
    # English: the measure is the noun counted, right after "how many", not a word elsewhere in the question
    ("Before the people's deputies voted, how many candidate projects were shortlisted?", Slot("count")),
    ("Of the 45 villages, how many have paid dividends to members?", Slot("count")),
    ("How many village and group cadres fanned out to the villages when the flood hit?", Slot("measure", "名")),
    ("How many companies did Fengqi's cadres visit?", Slot("count")),
    ("When was the base set up, and how many counties did it cover?", Slot("date")),
    ("How much do elderly people usually pay per meal?", Slot("money")),
    ("What is the forest coverage rate of Yunxi County?", Slot("percent")),
])
def test_the_slot_asked_for(question, slot):
    assert asked_slot(question) == slot


@pytest.mark.parametrize("question, text, filled", [
    # a near miss: the subject is there, the value is not
    ("河东区一共聘请了多少名社区规划师？", "从规划设计单位、高校中聘请专业人员担任社区规划师", False),
    ("河东区一共聘请了多少名社区规划师？", "全区共聘请社区规划师46名", True),
    ("青岚市一共有多少名乡镇干部？", "个别访谈乡镇党委书记等共76人", True),  # 名 and 人 count the same things
    ("护湖基金按民宿经营收入的百分之几提取？", "从民宿经营收入中按一定比例提取", False),
    ("护湖基金按民宿经营收入的百分之几提取？", "按经营收入的3%提取", True),
    ("职业经理人年薪是多少？", "薪酬与公司经营业绩挂钩", False),
    ("职业经理人年薪是多少？", "年薪30万元", True),
    ("湖滨镇目前评上五盏渔灯的民宿有多少家？", "分为一盏渔灯至五盏渔灯五个等级", False),  # values of the question
    # a single numeral with a character that is a measure only inside a word ("一小区") counts nothing
    ("枫林街道73个小区党组织中，联合党支部有多少个？", "按照“一小区一支部”的原则，在73个住宅小区全部建立党支部", False),
    ("服务中心每天开放多少个小时？", "服务中心每天开放两小时", True),
    ("现在注册开一家企业要多长时间？", "企业开办时间压缩至0.5个工作日", True),
    ("公路冲坏了多长？", "冲毁道路86公里", True),
    ("苍岭革命纪念馆的馆长是谁？", "该馆始建于1985年，现有馆藏文物1,683件", False),
    ("苍岭革命纪念馆的馆长是谁？", "馆长李秀英介绍，", True),
    ("江城市2024年举办了多少场“夜市招聘”？", "2023年共举办“夜市招聘”18场", True),  # the year is another feature
    ("河东区居民打分验收的改造工作方法叫什么？", "河东区探索形成“四单工作法”", True),
    ("“首违不罚”的做法叫什么？", "出台轻微违法行为“首违不罚”清单", False),  # the question's own term
    # a place or a body by name; the kind of place or body alone, or the question's own names, fill nothing
    ("岚山县试点“生态积分”的是哪两个乡镇？", "岚山县在2个乡镇试点“生态积分”制度", False),
    ("岚山县试点“生态积分”的是哪两个乡镇？", "调研组赴岚山县白沙镇和青石乡调研", True),
    ("跟哪几个周边省份签的合作协议？", "与周边省份签订政务服务合作协议", False),
    ("那起化工企业异味事件发生在哪个省？", "是外省某地发生的一起化工企业异味事件", False),
    ("石门县归哪个地级市管？", "2021年全县信访总量在所在地级市排名靠前，农贸市场", False),
    ("开设12个“订单班”的那所高职院校叫什么名字？", "推动省内高职院校与重点产业链企业共建“订单班”", False),
    ("开设12个“订单班”的那所高职院校叫什么名字？", "青川职业技术学院开设12个“订单班”", True),
    ("“石门智治”平台是哪家公司开发建设的？", "由县国有平台公司负责建设", False),
    ("“石门智治”平台是哪家公司开发建设的？", "由青川数智科技有限公司开发建设", True),
    ("推行“五必访”制度的是青川省哪个县？", "青川省某县在全县推行“五必访”制度", False),
    ("没人用的文化广场在哪个乡镇？", "附近的几个自然村，积分可到村里的“生态超市”兑换", False),
    ("那5家保洁企业都叫什么？", "鼓励有条件的村成立村级保洁合作社", False),
    ("无会日定在星期几？", "规定每周三为全县“无会日”", True),  # a weekday is a date
    ("无会日定在星期几？", "推行“无会日”，减少会议", False),
    ("At what time did the headquarters go up to the Level I response?", "16日14时，县防指将应急响应提升至Ⅰ级", True),
])
def test_whether_a_sentence_fills_it(question, text, filled):
    assert fills(asked_slot(question), text, question) is filled


def test_person_names_by_the_tagger_only_when_thorough():
    q = "“归雁”驿站的负责人是谁？"
    text = "驿站由返乡创业青年周晓梅负责日常运营"
    assert fills(asked_slot(q), text, q, thorough=True)


def test_lists_and_methods_ask_for_no_value():
    assert analyse("石门县的“三色积分”有哪些？").slot is None
    assert analyse("如何提高基层治理效能？").slot is None
    assert analyse("河东区一共聘请了多少名社区规划师？").slot == Slot("measure", "名")

