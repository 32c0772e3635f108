"""Demo section "ideology": the company's ideology-work records of 2021–2022.

Quarterly reports, analyses and bulletins; the media centre's channel “江海号” with every post of the two years and its
monthly place on the group's new-media ranking; articles placed in outside media; one themed campaign a quarter (2022's
are the seed's four). All compliant: the ideology rules have no planted gap.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import random

from lvzhi.audit.models import AuditAction
from lvzhi.audit.services import Change, snapshot
from lvzhi.ideology.models import Campaign, IdeologyReport, MediaChannel, MediaPost, MediaRanking, Publication
from lvzhi.org.models import Person, Unit

from . import story

YEARS = (2021, 2022)
QUARTERS = {1: "一", 2: "二", 3: "三", 4: "四"}
REPORTS = [  # kind, title pattern, recipient, day of the quarter's last month
    ("analysis", "{y}年{q}季度意识形态领域情况分析研判", "公司党委", 12),
    ("thematic_report", "{y}年{q}季度意识形态工作专题报告", "集团党委", 20),
    ("bulletin", "{y}年{q}季度意识形态工作情况通报", "各党总支、党支部", 26),
]
CAMPAIGN_TEXT = {
    "学党史、悟思想": ("全体党员", "以党史学习教育为主线开展形势任务教育，引导党员干部学史明理、学史增信。"),
    "百年恰是风华正茂": ("全体党员", "庆祝建党100周年，各级党组织书记讲专题党课，追寻初心、赓续使命。"),
    "身边的榜样": ("全体员工", "举办先进人物事迹报告会，宣传一线劳动模范和技术能手。"),
    "学全会精神 谋发展新篇": ("全体干部员工", "围绕党的十九届六中全会精神开展大家谈，谋划“十四五”发展。"),
    "讲、提、干": ("全体干部员工", "在最艰难时刻开展形势任务教育，讲形势、提信心、干实事，坚定了信心，鼓舞了士气。"),
    "新长征、再出发": ("全体党员", "推出专题党课，激发全员增产促销提负荷，大干快干增效益。"),
    "我们的顶梁柱": ("全体员工", "举办先进人物报告会，“有技术光荣、技术高吃香”理念深入人心、导向鲜明。"),
    "聚焦质量效益 践行价值理念": ("全体干部员工", "精心策划大家谈活动，引发强烈反响，汇聚起高质量发展的磅礴伟力。"),
}
CAMPAIGN_MONTH = {1: 2, 2: 5, 3: 8, 4: 11}  # each quarter's campaign starts in its middle month

# Posts: section tag and title patterns; {plant}, {ws}, {name}, {campaign} are filled in.
POSTS = [
    ("党建引领", ["{plant}党总支开展主题党日活动", "{plant}{ws}党支部推行“三会一课”标准化", "{plant}基层、机关党支部“拉手共建”",
              "公司党委召开理论学习中心组学习会", "{plant}{ws}党支部书记讲党课"]),
    ("安全生产", ["{plant}{ws}顺利完成年度大修", "{plant}开展应急救援演练", "{plant}{ws}安全生产“百日攻坚”纪实",
              "{plant}{ws}实现安全生产1000天"]),
    ("一线风采", ["{name}：{ws}里的“老师傅”", "{name}：扎根一线的技术能手", "{name}：把班组当作家来守护"]),
    ("经营动态", ["{plant}{ws}产量创月度新高", "{plant}降本增效见成效", "{plant}新产品通过客户认证", "公司召开经济运行分析会"]),
    ("廉洁文化", ["{plant}开展廉洁文化进班组活动", "节日廉洁提醒", "以案为鉴 警钟长鸣"]),
    ("学习园地", ["学习贯彻集团党委会议精神", "每周一学", "理论微课堂"]),
]
HIGHLIGHTS = [  # (date, title, reads): the year's most-read posts
    ("2021-07-01", "庆祝中国共产党成立100周年 公司党委表彰“两优一先”", 9600),
    ("2022-02-14", "“讲、提、干”形势任务教育全面启动", 8400),
    ("2022-09-02", "我们的顶梁柱｜先进人物事迹报告会侧记", 10300),
    ("2022-12-28", "攻坚克难 有机硅厂实现投产以来首次年度盈利", 15800),
]
MEDIA = {  # level → media
    "central": ["人民网", "新华网", "工人日报", "中国纪检监察报"],
    "provincial": ["中国化工报", "中国石油和化工", "江海日报", "江海工人报", "省国资委网站"],
    "group": ["江海化工集团报", "集团官网", "集团微信公众号"],
    "company": ["江化股份报", "公司内网"],
}
PUBLICATION_SHARES = {"central": 0.1, "provincial": 0.48, "group": 0.42}
HEADLINES = [  # (only in year, 0 = any; headline)
    (0, "“四不两直”织密监督网"), (0, "{plant}：技改挖潜增效益"), (0, "一家化工企业的人才“引育用”之道"),
    (0, "融媒体中心让党的声音直达一线"), (0, "前置研究把好“三重一大”关"), (0, "{plant}：安全生产“百日攻坚”"),
    (0, "基层党支部“拉手共建”促降本增效"), (0, "{plant}劳模工作室的“金点子”"), (0, "绿色化工 智能制造：{plant}的转型答卷"),
    (0, "从“0到1”：重点实验室的创新之路"), (0, "{plant}：班组建设的“微创新”"), (0, "{plant}党员先锋岗攻坚记"),
    (2021, "百年党史映初心 化工儿女担使命"), (2021, "“我为群众办实事”：{plant}解决职工急难愁盼"),
    (2021, "“两优一先”风采：扎根一线的{plant}党员"),
    (2022, "“讲、提、干”凝聚发展合力"), (2022, "“新长征、再出发”专题党课进车间"), (2022, "一线“顶梁柱”的匠心坚守"),
    (2022, "有机硅厂：党建引领攻坚 扭亏增效见实效"), (2022, "“攀登者”党支部的攻坚故事"),
]
HEADLINE_MONTHS = {"“讲、提、干”": (3, 4), "“新长征、再出发”": (5, 7), "“顶梁柱”": (8, 10), "扭亏增效": (10, 12)}


def _created(objs, m2m=None) -> list[Change]:
    return [Change(AuditAction.CREATE, o, after=snapshot(o, m2m(o) if m2m else {}), unit_id=o.unit_id) for o in objs]


def _days(rng: random.Random, year: int, n: int) -> list[dt.date]:
    """n publishing days in the year, weekdays about twice as busy as weekends."""
    start, days = dt.date(year, 1, 1), []
    span = (dt.date(year, 12, 31) - start).days
    while len(days) < n:
        day = start + dt.timedelta(days=rng.randint(0, span))
        if day.weekday() < 5 or rng.random() < 0.5:
            days.append(day)
    return sorted(days)


def _posts(rng: random.Random, channel: MediaChannel, staff: list[Person],
           campaigns: list[Campaign]) -> list[MediaPost]:
    plants = [(name, workshops) for _, name, workshops, _ in story.PLANTS]
    running = {(c.year, c.quarter): c for c in campaigns}
    posts, seen = [], set()
    for year in YEARS:
        issue = {}  # the study column's series are numbered within the year
        highlights = [(dt.date.fromisoformat(d), t, r) for d, t, r in HIGHLIGHTS if d.startswith(str(year))]
        median = 520 if year == 2022 else 470  # the audience grew in 2022
        for day, title, reads in highlights:
            posts.append(MediaPost(channel=channel, date=day, title=title, reads=reads, likes=int(reads * 0.08),
                                   shares=int(reads * 0.05)))
            seen.add((day, title))
        for day in _days(rng, year, story.MEDIA_POSTS[year] - len(highlights)):
            while True:
                plant, workshops = rng.choice(plants)
                campaign = running[(year, (day.month - 1) // 3 + 1)]
                if day >= campaign.date and rng.random() < 0.15:  # a running campaign gets its own column
                    tag = campaign.title
                    title = f"【{tag}】{plant}{rng.choice(['开展', '推进', '深化'])}“{tag}”活动"
                else:
                    tag, patterns = rng.choice(POSTS)
                    title = "【{}】{}".format(tag, rng.choice(patterns).format(
                        plant=plant, ws=rng.choice(workshops), name=rng.choice(staff).name))
                    if title.endswith(("每周一学", "理论微课堂")):
                        issue[title] = issue.get(title, 0) + 1
                        title = f"{title}（第{issue[title]}期）"
                if (day, title) not in seen:
                    break
            seen.add((day, title))
            reads = int(median * math.exp(rng.gauss(0, 0.6)))
            posts.append(MediaPost(channel=channel, date=day, title=title, reads=reads,
                                   likes=int(reads * rng.uniform(0.035, 0.075)),
                                   shares=int(reads * rng.uniform(0.01, 0.04))))
    for post in posts:
        post.fill_derived()
    return sorted(posts, key=lambda p: (p.date, p.title))


def _publications(rng: random.Random, company: Unit, authors: list[Person]) -> list[Publication]:
    plants = [name for _, name, *_ in story.PLANTS]
    out = []
    for year in YEARS:
        n = story.PUBLICATIONS[year]
        levels = [lvl for lvl, share in PUBLICATION_SHARES.items() for _ in range(round(n * share))]
        levels = (levels + ["provincial"] * n)[:n] + ["company"] * rng.randint(10, 16)  # company media never count
        headlines = [h for y, h in HEADLINES if y in (0, year)]
        used = set()
        for level in levels:
            headline = rng.choice(headlines).format(plant=rng.choice(plants))
            while headline in used:  # one article per story a year, placed in one medium
                headline = rng.choice(headlines).format(plant=rng.choice(plants))
            used.add(headline)
            low, high = next((m for key, m in HEADLINE_MONTHS.items() if key in headline), (1, 12))
            day = dt.date(year, rng.randint(low, high), rng.randint(1, 28))  # stories about a campaign follow it
            out.append(Publication(unit=company, date=day, title=headline, medium=rng.choice(MEDIA[level]), level=level,
                                   author=rng.choice(authors)))
    return sorted(out, key=lambda p: (p.date, p.title))


def load(password: str) -> list[Change]:
    rng = random.Random(story.SEED + 6)
    company = Unit.objects.get(code=story.COMPANY["code"])
    changes: list[Change] = []

    reports = []
    for year in YEARS:
        for q, qname in QUARTERS.items():
            for kind, title, recipient, mday in REPORTS:
                day = dt.date(year, q * 3, mday + rng.randint(-3, 2))
                reports.append(IdeologyReport(unit=company, kind=kind, year=year, quarter=q, date=day,
                                              title=title.format(y=year, q=qname), recipient=recipient))
    IdeologyReport.objects.bulk_create(reports)

    campaigns = []
    for year, items in story.CAMPAIGNS.items():
        for quarter, title, form in items:
            audience, description = CAMPAIGN_TEXT[title]
            day = dt.date(year, CAMPAIGN_MONTH[quarter], rng.randint(6, 12))
            campaigns.append(Campaign(unit=company, title=title, form=form, year=year, quarter=quarter, date=day,
                                      audience=audience, description=description))
    Campaign.objects.bulk_create(campaigns)

    channel = MediaChannel.objects.create(unit=company, name=story.MEDIA_CHANNEL, platform="wechat",
                                          date=dt.date.fromisoformat(story.MEDIA_SINCE), operator=story.MEDIA_OPERATOR)
    staff = list(Person.objects.filter(company.subtree_q("unit__"), left_on__isnull=True, unit__kind="workshop")
                 .order_by("code"))
    posts = _posts(rng, channel, staff, campaigns)
    MediaPost.objects.bulk_create(posts, batch_size=1000)

    rankings = []
    for year in YEARS:
        for month in range(1, 13):
            # 2022: first every month (“稳居…第一名”); 2021: near the top
            position = 1 if year == 2022 else rng.choice((1, 1, 2, 2, 3))
            end = dt.date(year, month, calendar.monthrange(year, month)[1])
            rankings.append(MediaRanking(unit=company, channel=channel, title=story.MEDIA_RANKING, date=end,
                                         period=f"{year}年{month}月", position=position, total=16))
    MediaRanking.objects.bulk_create(rankings)

    propaganda = list(Person.objects.filter(unit__code=f"{company.code}-D04", left_on__isnull=True).order_by("code"))
    publications = _publications(rng, company, propaganda or staff)
    Publication.objects.bulk_create(publications)

    changes += _created(reports) + _created([channel]) + _created(posts) + _created(rankings)
    changes += _created(publications) + _created(campaigns)
    return changes
