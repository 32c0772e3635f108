"""The metric catalogue: every figure a report or dashboard shows, defined as data.

A metric names a record type (registry key), a filter on it, an aggregate and a measure. ``compute()`` in
``metrics.compute`` turns it into a value for any unit (its whole subtree) and any period, with the records
behind it. Filters are plain Django lookups, so a metric reads like the sentence it backs.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dc_field

BORN_1980S = {"person__birth_date__year__gte": 1980, "person__birth_date__year__lte": 1989}
BORN_1990S = {"person__birth_date__year__gte": 1990, "person__birth_date__year__lte": 1999}
POSTGRADUATE = {"person__education__in": ["postgraduate", "doctorate"]}
ABOVE_COMPANY_MEDIA = {"level__in": ["central", "provincial", "group"]}


@dataclass(frozen=True)
class Metric:
    id: str
    label: str
    measure: str  # 次、人、人次、条、篇、个、万元、%、个百分点
    record_type: str  # registry key
    aggregate: str = "count"  # count | sum | distinct | person_times | share_at_end | pp_change | coverage
    filter: dict = dc_field(default_factory=dict)
    field: str = ""  # sum: the number field; distinct/person_times/coverage: the people field
    system: str = "party_building"
    date_field: str = ""  # default: the record type's date field
    numerator: dict = dc_field(default_factory=dict)  # share_at_end: which rows of the set count on top
    base: str = ""  # pp_change: the share metric whose change it is
    required: str = ""  # coverage: which people must be covered (see compute.REQUIRED_PEOPLE)
    precision: int = 0  # decimals kept for shares and changes (the rounding is part of the definition)
    description: str = ""
    person_field: str = ""  # a personal figure: the records where this field names the person reporting


CATALOGUE: list[Metric] = [
    # --- 基层党建：学习
    Metric("study.follow_up", "班子集中跟进学习次数", "次", "study_session", filter={"kind": "follow_up"}),
    Metric("study.central_group_seminar", "中心组专题研讨学习次数", "次", "study_session",
           filter={"kind": "central_group_seminar"}),
    Metric("study.central_group", "中心组学习次数（含专题研讨）", "次", "study_session",
           filter={"kind__in": ["central_group", "central_group_seminar"]}),
    Metric("study.first_agenda", "党委会第一议题学习次数", "次", "study_session", filter={"kind": "first_agenda"}),
    Metric("study.ideology", "意识形态专题学习次数", "次", "study_session", filter={"is_ideology": True}, system="ideology"),
    Metric("committee.meetings", "党委会次数", "次", "committee_meeting"),
    # --- 基层党建：联系点
    Metric("contact.research", "联系点调研次数", "次", "contact_visit", filter={"kind": "research"}),
    Metric("contact.supervision", "联系点督导次数", "次", "contact_visit", filter={"kind": "supervision"}),
    # --- 基层党建：支部建设
    Metric("branch.activities", "支部活动次数", "次", "branch_activity"),
    Metric("branch.committee_meetings", "支部委员会次数", "次", "branch_activity", filter={"kind": "committee_meeting"}),
    Metric("branch.general_meetings", "支部党员大会次数", "次", "branch_activity", filter={"kind": "general_meeting"}),
    Metric("branch.party_lectures", "党课次数", "次", "branch_activity", filter={"kind": "party_lecture"}),
    Metric("branch.themed_days", "主题党日次数", "次", "branch_activity", filter={"kind": "themed_day"}),
    Metric("branch.mutual_exchanges", "三互交流次数", "次", "branch_activity", filter={"kind": "mutual_exchange"}),
    Metric("honour.provincial_model_branches", "省级示范党支部（个）", "个", "honour",
           filter={"kind": "model_branch", "level": "provincial"}),
    Metric("honour.all", "获得荣誉（项）", "项", "honour"),
    Metric("cobuilding.activities", "拉手共建活动次数", "次", "co_building_activity"),
    Metric("external_visits", "迎接考评考核、参观交流次数", "次", "external_visit"),
    Metric("innovation.gap_fillers", "填补国内空白的新产品（个）", "个", "innovation",
           filter={"kind": "product", "fills_gap": True}),
    Metric("members.new", "发展党员人数", "人", "person", date_field="member_since",
           filter={"party_status__in": ["member", "probationary"]}),
    # --- 三重一大
    Metric("governance.pre_reviews", "党委前置研究讨论“三重一大”事项次数", "次", "pre_review", system="governance"),
    Metric("governance.major_matters", "“三重一大”事项数", "项", "major_matter", system="governance"),
    # --- 干部人才
    Metric("recruitment.double_first_class", "招聘“双一流”高校毕业生人数", "名", "recruitment",
           filter={"person__double_first_class": True}, system="cadres"),
    Metric("recruitment.all", "招聘人数", "名", "recruitment", system="cadres"),
    Metric("cadres.leadership_promoted", "新进入班子人数", "名", "appointment",
           filter={"level": "leadership", "kind": "promotion"}, system="cadres"),
    Metric("cadres.leadership_promoted_80s", "80后干部进入班子人数", "名", "appointment",
           filter={"level": "leadership", "kind": "promotion", **BORN_1980S}, system="cadres"),
    Metric("cadres.middle_promoted", "新进入中层干部序列人数", "人", "appointment",
           filter={"level": "middle", "kind": "promotion"}, system="cadres"),
    Metric("cadres.middle_promoted_80s_postgrad", "新任80后研究生中层干部人数", "名", "appointment",
           filter={"level": "middle", "kind": "promotion", **BORN_1980S, **POSTGRADUATE}, system="cadres",
           description="用于联系点：配备80后研究生担当班子“领头雁”"),
    Metric("cadres.reserve_entered", "入选后备干部人数", "名", "reserve_entry", filter={"action": "enter"}, system="cadres"),
    Metric("cadres.reserve_entered_90s", "90后入选后备干部人数", "名", "reserve_entry",
           filter={"action": "enter", **BORN_1990S}, system="cadres"),
    Metric("cadres.reserve_entered_80s", "80后入选后备干部人数", "名", "reserve_entry",
           filter={"action": "enter", **BORN_1980S}, system="cadres"),
    Metric("cadres.middle_80s_share", "80后中层干部占比（期末）", "%", "appointment", aggregate="share_at_end",
           filter={"level": "middle"}, numerator=BORN_1980S, precision=1, system="cadres"),
    Metric("cadres.middle_80s_share_change", "80后中层干部占比提高", "个百分点", "appointment", aggregate="pp_change",
           base="cadres.middle_80s_share", precision=1, system="cadres",
           description="期末占比减去上年同期末占比"),
    # --- 党风廉政
    Metric("integrity.letters", "签订“两个责任”目标责任书（份）", "份", "responsibility_letter",
           filter={"kind": "two_responsibilities"}, system="integrity"),
    Metric("integrity.inspections", "监督检查次数", "次", "inspection", system="integrity"),
    Metric("integrity.inspections.safety_production", "安全生产监督次数", "次", "inspection",
           filter={"kind": "safety_production"}, system="integrity"),
    Metric("integrity.inspections.wage_distribution", "工资分配监督次数", "次", "inspection",
           filter={"kind": "wage_distribution"}, system="integrity"),
    Metric("integrity.inspections.bidding", "招投标监督次数", "次", "inspection", filter={"kind": "bidding"},
           system="integrity"),
    Metric("integrity.inspections.other", "其他监督次数", "次", "inspection", filter={"kind": "other"}, system="integrity"),
    Metric("integrity.findings", "检查发现问题数", "个", "finding", system="integrity"),
    Metric("integrity.rectifications_open", "未完成整改数", "项", "rectification", filter={"status": "open"},
           system="integrity", date_field="deadline"),
    Metric("integrity.rectification_rate", "整改完成率", "%", "rectification", aggregate="share_at_end",
           numerator={"status__in": ["done", "verified"]}, precision=1, system="integrity", date_field="deadline",
           description="期内到期的整改中已完成的比例"),
    Metric("integrity.routine_talks", "干部廉政谈话次数", "次", "integrity_talk", filter={"kind": "routine"},
           system="integrity"),
    Metric("integrity.routine_talk_people", "干部廉政谈话人数", "人", "integrity_talk", aggregate="distinct",
           field="people", filter={"kind": "routine"}, system="integrity"),
    Metric("integrity.collective_pre_appointment_person_times", "任职前集体廉政谈话人次", "人次", "integrity_talk",
           aggregate="person_times", field="people", filter={"kind": "collective_pre_appointment"}, system="integrity"),
    Metric("integrity.talk_coverage", "廉政谈话覆盖率", "%", "integrity_talk", aggregate="coverage", field="people",
           filter={"kind": "routine"}, required="cadres_and_key_posts", precision=1, system="integrity",
           description="期末在岗的班子成员、中层干部和人财物关键岗位人员中，期内接受例行廉政谈话的比例"),
    Metric("integrity.warning_education", "警示教育次数", "次", "warning_education", system="integrity"),
    Metric("integrity.accountability", "问责人数", "人", "accountability", system="integrity"),
    # --- 意识形态
    Metric("ideology.reports", "意识形态专题报告次数", "次", "ideology_report", filter={"kind": "thematic_report"},
           system="ideology"),
    Metric("ideology.analyses", "意识形态分析研判次数", "次", "ideology_report", filter={"kind": "analysis"},
           system="ideology"),
    Metric("ideology.bulletins", "意识形态通报次数", "次", "ideology_report", filter={"kind": "bulletin"}, system="ideology"),
    Metric("media.posts", "推送信息条数", "条", "media_post", system="ideology"),
    Metric("media.reads", "阅读量", "人次", "media_post", aggregate="sum", field="reads", system="ideology"),
    Metric("media.likes", "点赞数", "人次", "media_post", aggregate="sum", field="likes", system="ideology"),
    Metric("media.shares", "转发数", "人次", "media_post", aggregate="sum", field="shares", system="ideology"),
    Metric("publications.above_company", "在省（行业）、集团以上媒体发表稿件数", "篇", "publication",
           filter=ABOVE_COMPANY_MEDIA, system="ideology"),
    Metric("publications.all", "发表宣传稿件数", "篇", "publication", system="ideology"),
    Metric("ideology.campaigns", "主题宣传教育活动次数", "次", "campaign", system="ideology"),
    # --- 述职人本人（述责述廉和报告中“本人”的部分）：the person reporting, in the unit's subtree and the period
    Metric("personal.talks_led", "本人开展廉政谈话次数", "次", "integrity_talk", person_field="talker",
           filter={"kind__in": ["routine", "pre_appointment", "collective_pre_appointment", "heart"]},
           system="integrity", description="述职人作为谈话人的例行、任前、集体任前廉政谈话和谈心谈话（不含保密类谈话）"),
    Metric("personal.talk_people", "本人廉政谈话人数", "人", "integrity_talk", aggregate="distinct", field="people",
           person_field="talker",
           filter={"kind__in": ["routine", "pre_appointment", "collective_pre_appointment", "heart"]},
           system="integrity"),
    Metric("personal.lectures_given", "本人讲党课次数", "次", "branch_activity", person_field="lecturer",
           filter={"kind": "party_lecture"}),
    Metric("personal.contact_visits", "本人到联系点调研督导次数", "次", "contact_visit",
           person_field="contact_point__leader"),
    Metric("personal.study_attended", "本人参加学习次数", "次", "study_session", person_field="attendees",
           filter={"kind__in": ["central_group", "central_group_seminar", "first_agenda", "follow_up", "branch_study"]}),
    Metric("personal.speeches", "本人在学习中主讲或交流发言次数", "次", "study_session", person_field="speaker"),
]

BY_ID: dict[str, Metric] = {m.id: m for m in CATALOGUE}


def get(metric_id: str) -> Metric:
    try:
        return BY_ID[metric_id]
    except KeyError:
        raise LookupError(f"未知指标“{metric_id}”") from None
