"""The scale scenarios of DESIGN.md and the proportions every generated organisation follows.

| scenario | units / branches | members | records a year |
|---|---|---|---|
| company  | 12 / 60          | 1,500   | ~5,000         |
| province | 300 / 1,500      | 40,000  | ~150,000       |
| central  | 2,000 / 20,000   | 400,000 | ~2,000,000     |

The tree is a group (or, for ``company``, one company) with levels of subsidiary companies and, at the bottom,
plants (基层) and organ departments (机关). Every company has a Party committee; every plant a general branch;
branches sit on plants and departments; branches with more than 30 members have Party groups. Per-branch and
per-committee record counts follow the demo company (DEMO-STORY.md), which reproduces the seed report.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scenario:
    key: str
    name: str  # the top unit's name
    code: str  # the top unit's code (also the prefix of every generated code)
    companies: tuple[int, ...]  # company units per level below the top (the top is level 0)
    leaves: int  # plants and organ departments under the lowest companies
    branches: int
    members: int
    top_is_company: bool = False  # the company scenario: the top unit is the company itself

    @property
    def units(self) -> int:
        return 1 + sum(self.companies) + self.leaves


SCENARIOS = {
    "company": Scenario("company", "滨江化工股份有限公司", "SCC", (), 11, 60, 1_500, top_is_company=True),
    "province": Scenario("province", "东岳省化工投资集团有限公司", "SCP", (14,), 285, 1_500, 40_000),
    "central": Scenario("central", "中华化工控股集团有限公司", "SCZ", (40, 199), 1_760, 20_000, 400_000),
}

# A tiny tree for tests of query counts: the same code paths as the scenarios, in a fraction of a second.
TINY = Scenario("tiny", "微型测试集团", "SCT", (2,), 6, 12, 200)

PLANT_SHARE = 0.7  # of the leaves: plants (基层); the rest are organ departments (机关)
NON_MEMBER_SHARE = 0.3  # people who are not Party members, relative to members
LEADERSHIP_PER_COMPANY = 8
MIDDLE_CADRE_SHARE = 0.05  # of people
KEY_POST_SHARE = 0.03
GROUP_THRESHOLD = 30  # a branch with more members than this has Party groups
COMMITTEE_FROM = 7  # full members from which a branch has a 支部委员会

# Records a year, per Party branch
BRANCH_YEAR = {
    "committee_meeting": 12,  # only branches with a committee
    "general_meeting": 4,
    "party_lecture": 4,
    "themed_day": 12,
    "org_life_meeting": 1,
    "member_appraisal": 1,
    "mutual_exchange": 2,
    "branch_study": 36,  # StudySession(kind=branch_study): three times a month
}
HEART_TALK_PEOPLE = 3  # members per 谈心谈话 record; every member is talked to about once a year
MISS_RATE = 0.03  # share of owed meetings that are simply not held (the checks must find something)

# Records a year, per company (Party committee)
COMMITTEE_YEAR = {
    "committee_meetings": 30,
    "follow_up": 48,
    "central_group": 8,
    "central_group_seminar": 10,
    "major_matters": 60,
    "media_posts": 600,
    "publications": 40,
    "inspections_per_plant": 8,
}
