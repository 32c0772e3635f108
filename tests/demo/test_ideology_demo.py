"""The demo company's ideology records (seed rows 26–31)."""

import datetime as dt

import pytest
from django.db.models import Count, Sum

from lvzhi.demo import story
from lvzhi.ideology.models import Campaign, IdeologyReport, MediaChannel, MediaPost, MediaRanking, Publication

pytestmark = pytest.mark.django_db
YEARS = (2021, 2022)
SEED_CAMPAIGNS = {1: ("讲、提、干", "situation_education"), 2: ("新长征、再出发", "special_lecture"),
                  3: ("我们的顶梁柱", "report_meeting"), 4: ("聚焦质量效益 践行价值理念", "discussion")}


def test_every_quarter_has_a_report_an_analysis_and_a_bulletin(company):
    for year in YEARS:
        for quarter in range(1, 5):
            months = range(quarter * 3 - 2, quarter * 3 + 1)
            reports = IdeologyReport.objects.filter(unit=company, date__year=year, date__month__in=months)
            assert sorted(reports.values_list("kind", flat=True)) == ["analysis", "bulletin", "thematic_report"]
            assert all(r.year == year and r.quarter == quarter for r in reports)
            assert reports.get(kind="thematic_report").recipient == "集团党委"


def test_the_media_centres_channel(company):
    channel = MediaChannel.objects.get(unit=company, name=story.MEDIA_CHANNEL)
    assert (channel.name, channel.platform, channel.operator, channel.date) == \
        ("江海号", "wechat", "公司融媒体中心", dt.date(2020, 3, 1))


def test_posts_reads_and_likes_of_2022_are_in_range_and_differ_from_2021(company):
    figures = {y: MediaPost.objects.filter(company.subtree_q("unit__"), date__year=y)
               .aggregate(n=Count("pk"), reads=Sum("reads"), likes=Sum("likes")) for y in YEARS}
    f22, f21 = figures[2022], figures[2021]
    assert 800 <= f22["n"] <= 1500 and f21["n"] < f22["n"]
    assert 100_000 <= f22["reads"] < 1_000_000  # 阅读量*万人次: hundreds of thousands
    assert 10_000 <= f22["likes"] < 100_000  # 点赞数**万人次: tens of thousands
    assert f21["reads"] != f22["reads"] and f21["likes"] != f22["likes"]
    titles = MediaPost.objects.filter(company.subtree_q("unit__")).values_list("date", "title")
    assert len(set(titles)) == len(titles)


def test_first_on_the_groups_ranking_every_month_of_2022(company):
    rankings = MediaRanking.objects.filter(unit=company, title=story.MEDIA_RANKING, date__year=2022)
    assert sorted(r.date.month for r in rankings) == list(range(1, 13))
    assert {r.position for r in rankings} == {1}
    assert {r.position for r in MediaRanking.objects.filter(unit=company, date__year=2021)} != {1}


def test_publications_above_company_level_in_range_and_company_media_do_not_count(company):
    counted = {y: Publication.objects.filter(company.subtree_q("unit__"), date__year=y,
                                             level__in=["central", "provincial", "group"]).count() for y in YEARS}
    assert 20 <= counted[2022] <= 50 and counted[2021] < counted[2022]
    for year in YEARS:
        assert Publication.objects.filter(company.subtree_q("unit__"), date__year=year, level="company").exists()


def test_2022_has_the_seeds_four_campaigns_and_2021_four_others(company):
    c22 = Campaign.objects.filter(unit=company, year=2022)
    assert {c.quarter: (c.title, c.form) for c in c22} == SEED_CAMPAIGNS and c22.count() == 4
    assert all(c.date.year == 2022 and (c.date.month - 1) // 3 + 1 == c.quarter for c in c22)
    c21 = Campaign.objects.filter(unit=company, year=2021)
    assert sorted(c21.values_list("quarter", flat=True)) == [1, 2, 3, 4]
    assert not set(c21.values_list("title", flat=True)) & {t for t, _ in SEED_CAMPAIGNS.values()}
    assert not any("“" in c.title or "”" in c.title for c in [*c21, *c22])
