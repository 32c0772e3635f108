"""The default 党支部分类定级 scheme (every organisation, every year, until a committee sets its own): levels
先进 ≥ 95, 较好 ≥ 85, 一般 ≥ 70, 后进 below; indicators from the checks, the 述职评议 and the records; a 问责
caps the level at 一般. Loaded by the migration ``0004_default_grading_scheme`` (and by tests that empty the
database)."""

from __future__ import annotations

from decimal import Decimal

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


def ensure_default_scheme(scheme_model=None, indicator_model=None):
    """The default scheme, created when missing (models may be a migration's historical ones)."""
    if scheme_model is None:
        from .grading_models import GradingIndicator as indicator_model
        from .grading_models import GradingScheme as scheme_model
    found = scheme_model.objects.filter(unit__isnull=True, year__isnull=True).first()
    if found is not None:
        return found
    scheme = scheme_model.objects.create(name="党支部分类定级默认方案", levels=dict(LEVELS), source=SOURCE)
    for i, row in enumerate(INDICATORS):
        indicator_model.objects.create(scheme=scheme, order=i, **row)
    return scheme
