"""The demo company's story (see docs/design DEMO-STORY): names and magnitudes, all invented.

A provincial chemical group; under it 江海化工股份有限公司, a manufacturer whose strategy is
“化工新材料为本、相关多元”. Its 有机硅厂 has lost money for most of the 22 years since it started production
in 2000; in 2022 the secretary makes it their contact point and it turns its first annual profit.
"""

SEED = 20221231
REPORT_YEAR = 2022
TRACKED_SINCE = "2021-01-01"  # the company's records are kept in lvzhi from 2021; the group and siblings are context

GROUP = {"code": "JH", "name": "江海化工集团有限公司", "short": "集团"}
COMPANY = {"code": "JH01", "name": "江海化工股份有限公司", "short": "公司"}
SIBLINGS = [  # other subsidiaries of the group: out of the company's scope, there to prove scoping
    {"code": "JH02", "name": "江海新能源有限公司"},
    {"code": "JH03", "name": "江海物流有限公司"},
]

# Plants: (code suffix, name, workshops, started production)
PLANTS = [
    ("P01", "合成氨厂", ["造气车间", "合成车间", "尿素车间", "仪电车间", "维修车间"], 1985),
    ("P02", "氯碱厂", ["电解车间", "聚氯乙烯车间", "盐酸车间", "仪电车间"], 1990),
    ("P03", "有机硅厂", ["单体车间", "精馏车间", "硅橡胶车间", "公用工程车间"], 2000),
    ("P04", "聚氨酯厂", ["光气车间", "异氰酸酯车间", "聚醚车间", "储运车间", "仪电车间"], 2005),
    ("P05", "精细化工厂", ["医药中间体车间", "农药中间体车间", "助剂车间", "质检车间"], 1998),
    ("P06", "热电厂", ["锅炉车间", "汽机车间", "电气车间", "化水车间", "燃料车间"], 1988),
    ("P07", "新材料厂", ["特种树脂车间", "膜材料车间", "中试车间"], 2015),
    ("P08", "氟化工厂", ["氟化车间", "制冷剂车间", "含氟聚合物车间", "环保车间"], 2008),
    ("P09", "机械修造厂", ["机加工车间", "铆焊车间", "检测车间"], 1983),
    ("P10", "储运厂", ["铁路运输车间", "罐区车间", "仓储车间", "装卸车间"], 1986),
]
CONTACT_PLANT = "P03"  # 有机硅厂: the secretary's contact point in 2022
CONTACT_PLANT_START = 2000

# Organ departments (机关): (code suffix, name)
DEPARTMENTS = [
    ("D01", "党委办公室（党委工作部）"),
    ("D02", "组织部（人力资源部）"),
    ("D03", "纪委办公室（监察审计部）"),
    ("D04", "宣传部（企业文化部）"),
    ("D05", "生产运营部"),
    ("D06", "安全环保部"),
    ("D07", "财务部"),
    ("D08", "采购与物流部"),
    ("D09", "技术中心"),
]
LAB_NAME = "省有机硅材料重点实验室"
STRATEGY = "化工新材料为本、相关多元"
BRAND = "红色引擎"  # 深化“红色引擎”…
COMMITTEE_BRAND = "四强四优"  # 打造“四强四优”党委
MODEL_BRANCHES = [("P03", "单体车间", "攀登者"), ("P06", "锅炉车间", "先锋号")]
MEDIA_CHANNEL = "江海号"
STYLE_MEETING_THEME = "四风"  # 开展反“四风”主题组织生活会

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN_CHARS = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬芳燕彩春菊兰凤洁梅琳素云莲真环雪荣爱妹霞香月"
    "莺媛艳瑞凡佳嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾颖露瑶怡婵雁蓓纨仪荷丹蓉眉君琴蕊薇菁梦岚苑婕"
    "馨瑗琰韵融园艺咏卿聪澜纯毓悦昭冰爽琬茗羽希宁欣飘育滢馥筠柔竹霭凝晓欢霄枫芸菲寒伊亚宜可姬舒影荔枝思丽秀飞彬富顺信子"
    "杰涛昌成康星光天达安岩中茂进林有坚和彪博诚先敬震振壮会思群豪心邦承乐绍功松善厚庆磊民友裕河哲江超浩亮政谦亨奇固之轮"
    "翰朗伯宏言若鸣朋斌梁栋维启克伦翔旭鹏泽晨辰士以建家致树炎德行时泰盛雄琛钧冠策腾楠榕风航弘"
)
DOUBLE_FIRST_CLASS_SCHOOLS = [
    "清华大学", "浙江大学", "天津大学", "华东理工大学", "大连理工大学", "北京化工大学", "南京大学", "四川大学",
    "中国石油大学（华东）", "华南理工大学", "西北工业大学", "中南大学", "山东大学", "南京理工大学", "东南大学",
]
OTHER_SCHOOLS = [
    "青岛科技大学", "常州大学", "沈阳化工大学", "武汉工程大学", "南京工业大学", "齐鲁工业大学", "河北科技大学",
    "山东理工大学", "济南大学", "化工职业技术学院", "石油化工学院", "省化工学校",
]
MAJORS_MAIN = ["化学工程与工艺", "应用化学", "高分子材料与工程", "材料科学与工程", "化学工程"]
MAJORS_OTHER = ["机械设计制造及其自动化", "电气工程及其自动化", "会计学", "工商管理", "汉语言文学", "安全工程", "环境工程",
                "法学", "计算机科学与技术", "人力资源管理"]

LEADERSHIP_POSTS = [  # company leadership team (班子成员) at the end of 2022, in order
    ("党委书记、董事长", 1966), ("党委副书记、总经理", 1969), ("党委副书记、工会主席", 1967), ("纪委书记", 1970),
    ("副总经理", 1972), ("副总经理", 1975), ("总会计师", 1974), ("副总经理", 1983), ("总工程师", 1985),
]
SECRETARY_NAME = "王振华"
DISCIPLINE_SECRETARY_NAME = "陈立新"
