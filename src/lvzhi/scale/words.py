"""The scale generator's own words: names, schools, topics and titles it draws from with its seeded generator.

Independent of the demo company's story (``lvzhi.demo.story``), which tells one company's years and is edited
for that; here only the kind of text a province's records hold matters. Every list the generator draws from at
random has the length the story's list had, so a seed draws the same people and records as before (the query-count
and scale figures stay comparable with earlier runs), only named differently. Codes (campaign forms, visit kinds,
levels, co-building focus, fact keys) are the models' choices; everything a user reads is Chinese.
"""

from __future__ import annotations

SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
            "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
GIVEN_CHARS = ("国建文明志永红春海军平立新华德光金晓东亚洪庆伟宇辉俊峰鑫磊强涛斌浩超刚勇杰鹏飞洋林波宏毅振兴龙昊天宁"
               "安康泰和顺嘉瑞祥瑜琳璐婷娜丽静敏燕霞玲秀芳艳慧颖倩雪梅兰菊蓉洁莉媛佳怡欣悦晨晴月星雨雯思诗雅韵清源博"
               "远航川江河山石松柏桦楠森凯旭升锋锐铭铁钢鸿雁翔宾彬子明晓文思远嘉懿梓涵浩然子轩宇航一鸣雨泽俊熙睿哲昊"
               "然修杰天佑博文烨磊晟睿浩宇智宸正豪昊天明杰立诚立轩立辉峻熙弘文熠彤鸿煊烨霖哲瀚鑫鹏致远俊驰雨泽烨磊晟"
               "睿天佑文昊修洁黎昕远航旭尧鸿涛伟祺荣轩越泽浩宇瑾瑜皓轩擎苍擎宇志泽子轩睿渊弘文哲瀚雨泽楷瑞建辉致远俊"
               "驰雨泽烨磊国豪安邦定国承志怀远思源嘉树")

PLANT_NAMES = ["合成材料厂", "氯碱分厂", "硅材料厂", "聚酯厂", "精细化学品厂", "动力厂", "新能源材料厂", "氟材料厂",
               "机修厂", "物流储运厂", "炼油厂", "乙烯厂", "芳烃厂", "橡胶厂", "涂料厂", "化肥厂", "催化剂厂",
               "水处理厂", "电石厂", "甲醇厂"]
DEPARTMENT_NAMES = ["党委办公室", "组织人事部", "纪检监察部", "党群工作部", "生产技术部", "安全环保部",
                    "财务资产部", "物资供应部", "研发中心", "企业管理部"]

DOUBLE_FIRST_CLASS_SCHOOLS = ["北京大学", "复旦大学", "上海交通大学", "浙江大学", "天津大学", "华东理工大学",
                              "大连理工大学", "北京化工大学", "四川大学", "中国石油大学（北京）", "华南理工大学",
                              "中南大学", "山东大学", "西安交通大学", "哈尔滨工业大学"]
OTHER_SCHOOLS = ["青岛科技大学", "常州大学", "沈阳化工大学", "武汉工程大学", "南京工业大学", "辽宁石油化工大学",
                 "河北工业大学", "长江大学", "西南石油大学", "省石化职业技术学院", "化工技工学校", "省工业学校"]
MAJORS = ["化学工程与工艺", "应用化学", "高分子材料与工程", "材料科学与工程", "过程装备与控制工程",
          "机械工程", "电气工程及其自动化", "自动化", "会计学", "工商管理", "安全工程", "环境工程", "法学",
          "计算机科学与技术", "人力资源管理"]

UNIT_FACTS = [  # key (read by the report templates), label, value
    ("strategy", "发展战略", "做强主业、做优材料、做实服务"),
    ("party_brand", "党建品牌", "党旗红·化工强"),
    ("committee_brand", "党委品牌", "三个引领"),
    ("media_centre", "融媒体中心", "公司融媒体中心"),
]

WARNING_AUDIENCE = "领导班子成员、中层管理人员、重点岗位人员"
STYLE_MEETING_THEME = "四风"
LAB_NAME = "企业技术中心"
MODEL_BRANCH_BRANDS = ["红色先锋", "匠心党员", "安全卫士", "创效先锋"]

CAMPAIGNS = [  # per quarter: title, form (ideology.CampaignForm)
    ("形势任务大宣讲", "situation_education"),
    ("奋进新征程 建功新时代", "special_lecture"),
    ("身边的榜样", "report_meeting"),
    ("提质增效大家谈", "discussion"),
]
THEMED_DAYS = ["新年重温入党誓词", "春节保供党员先锋岗", "学雷锋志愿服务", "缅怀革命先烈", "青年党员岗位建功",
               "安全生产月党员示范", "七一党员政治生日", "迎峰度夏党员攻坚", "合理化建议征集", "国庆主题党日",
               "学习贯彻全会精神", "冬季安全大检查"]
BRANCH_COMMITTEE_TOPICS = ["研究月度支部工作计划", "研究入党积极分子培养", "研究主题党日安排", "研究党费收缴情况",
                           "研究党员积分考评", "研究班组安全和成本工作", "研究困难职工帮扶", "研究评优评先推荐",
                           "研究下半年学习计划", "研究职工意见处理", "研究党员示范岗设置", "研究支部品牌建设"]
PARTY_LECTURE_TOPICS = ["坚定理想信念 践行初心使命", "发扬斗争精神 勇于担当作为", "争当岗位先锋 助力提质增效",
                        "学习全会精神 奋进新征程"]  # one per quarter
COMMITTEE_LECTURE = "廉洁党课：严守纪律规矩，涵养清风正气"
STUDY_THEMES = ["党的创新理论", "国资国企改革", "安全生产", "全面从严治党", "新发展理念", "生态环境保护",
                "科技自立自强", "人才强企", "作风建设", "高质量发展", "统筹发展和安全", "风险防范化解", "党史学习",
                "调查研究", "基层党建", "稳产保供", "绿色低碳", "依法治企", "意识形态工作"]
GROUP_MEETING_TOPICS = ["传达上级会议精神", "讨论班组安全隐患", "交流技术革新经验", "开展谈心交流", "征集节能降耗建议",
                        "学习党纪党规", "分享读书心得", "讨论党员责任区分工"]
MUTUAL_EXCHANGE_TOPICS = ["交流安全管理做法", "帮助解决设备难题", "共促支部规范化建设", "学习品牌创建经验",
                          "结对培养青年党员", "共同推进节能降耗"]
EXTERNAL_SPEECH_HOST = "上级党委理论学习中心组专题学习会"
CONTACT_RESEARCH = ["生产装置运行情况调研", "产品市场与客户调研", "设备管理状况调研", "技术创新项目调研",
                    "经营管理和成本调研", "领导班子建设调研", "党建与业务融合调研", "职工思想状况调研"]
CONTACT_SUPERVISION = ["重点工作推进督导", "问题整改落实督导", "安全环保督导", "生产计划执行督导", "成本管控督导",
                       "研发项目进度督导", "产销协同督导", "检修质量督导"]
EXTERNAL_VISITORS = [  # kind (partybuilding.ExternalVisitKind), visitor, level (records.fields.Level), title
    ("evaluation", "省国资委党委", "provincial", "基层党建工作考核"),
    ("evaluation", "省国资委党委", "provincial", "党建示范点验收"),
    ("evaluation", "集团党委", "group", "党建工作责任制考核"),
    ("evaluation", "集团纪委", "group", "党风廉政建设责任制检查"),
    ("evaluation", "集团党委宣传部", "group", "意识形态工作责任制检查"),
    ("research", "集团党委组织部", "group", "基层组织建设调研"),
    ("research", "省应急管理厅", "provincial", "危化品安全专项检查"),
    ("research", "省生态环境厅", "provincial", "环保专项督察"),
    ("research", "省发展改革委", "provincial", "产业项目调研"),
    ("media", "行业报社", "central", "技术创新采访"),
    ("media", "中央媒体记者站", "central", "国企改革采访"),
    ("media", "国家级行业期刊", "central", "新材料专题采访"),
    ("media", "省广播电视台", "provincial", "国企担当专题采访"),
    ("visit", "兄弟企业党委", "company", "党建工作交流"),
    ("visit", "集团所属企业", "group", "班组建设参观交流"),
    ("visit", "高校化工学院", "provincial", "校企合作交流"),
    ("visit", "省行业协会", "provincial", "行业对标交流"),
]
CO_BUILDING_TOPICS = [  # focus (the co-building activity's choices), title
    ("production", "联合攻关装置稳产"), ("cost", "机关部门下沉降本"), ("production", "共同排查设备隐患"),
    ("cost", "采购成本对标"), ("study", "支部联学共建"), ("production", "产销协同现场会"),
    ("cost", "财务进班组算效益"), ("service", "党员志愿服务"), ("production", "骨干结对技术攻关"),
    ("cost", "节能降耗项目评审"),
]
