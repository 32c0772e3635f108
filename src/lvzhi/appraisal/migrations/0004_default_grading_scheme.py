"""The default 党支部分类定级 scheme (every organisation, every year, until a committee sets its own): levels
先进 ≥ 95, 较好 ≥ 85, 一般 ≥ 70, 后进 below; indicators from the checks, the 述职评议 and the records; a 问责
caps the level at 一般."""

from decimal import Decimal

from django.db import migrations

LEVELS = {"先进": 95, "较好": 85, "一般": 70, "后进": 0}
SOURCE = ("《中国共产党支部工作条例（试行）》（2018年）关于党支部标准化规范化建设、整顿软弱涣散党支部的要求；"
          "《中国共产党国有企业基层组织工作条例（试行）》（2019年）关于党建工作考核的要求；"
          "党支部分类定级（先进、较好、一般、后进）为各地、各企业的通行做法，分数线为本地做法，可按上级通知修改。")
INDICATORS = [
    {"name": "“三会一课”按期开展", "kind": "checks", "weight": Decimal("45"),
     "rule_ids": ["branch.general_meeting", "branch.committee_meeting", "branch.group_meeting",
                  "branch.party_lecture", "secretary.party_lecture"]},
    {"name": "组织生活制度落实", "kind": "checks", "weight": Decimal("25"),
     "rule_ids": ["branch.themed_day", "branch.org_life_meeting", "branch.member_appraisal"]},
    {"name": "支部书记述职评议测评", "kind": "rating", "weight": Decimal("20")},
    {"name": "支部活动记录", "kind": "records", "weight": Decimal("10"), "record_type": "branch_activity",
     "target": Decimal("24")},
    {"name": "问责一票否决", "kind": "veto", "weight": Decimal("0"), "cap": "一般"},
]


def seed(apps, schema_editor):
    Scheme = apps.get_model("appraisal", "GradingScheme")
    Indicator = apps.get_model("appraisal", "GradingIndicator")
    if Scheme.objects.filter(unit__isnull=True, year__isnull=True).exists():
        return
    scheme = Scheme.objects.create(name="党支部分类定级默认方案", levels=LEVELS, source=SOURCE)
    for i, row in enumerate(INDICATORS):
        Indicator.objects.create(scheme=scheme, order=i, **row)


def unseed(apps, schema_editor):
    apps.get_model("appraisal", "GradingScheme").objects.filter(unit__isnull=True, year__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("appraisal", "0003_grading_schemes")]
    operations = [migrations.RunPython(seed, unseed)]
