"""Party-life events and posts as record types (pages, API, Excel import and export)."""

from lvzhi.records.registry import Column, Hooks, RecordType, register

from .models import (
    Attendance,
    Development,
    DuesPayment,
    GroupMembership,
    MembershipEvent,
    OrgPost,
    TrainingRecord,
)
from .signals import after_bulk_events, after_bulk_posts

MEMBERSHIP_EVENT = register(RecordType(
    key="membership_event",
    model=MembershipEvent,
    system="org",
    slug="membership-events",
    search_fields=("person__name", "person__code", "counterpart", "letter_number"),
    columns=[
        Column("person", example="P000123"),
        Column("kind", example="组织关系转接"),
        Column("date", example="2022-07-15"),
        Column("party_org", example="ZB-JH01-P1-W1"),
        Column("from_org"),
        Column("counterpart", example="中共某某公司委员会"),
        Column("letter_number", example="组转〔2022〕15号"),
        Column("status"),
        Column("notes"),
    ],
    list_columns=("person", "kind", "date", "party_org", "from_org"),
    natural_key=("person", "kind", "date"),
    description="党员的党籍变动：入党、转正、组织关系转入转出、外出流动、停止党籍、出党、去世；名册由此按日推算",
    hooks=Hooks(after_bulk_create=after_bulk_events),
))

ORG_POST = register(RecordType(
    key="org_post",
    model=OrgPost,
    system="org",
    slug="org-posts",
    date_field="start_on",
    kind_field="role",
    search_fields=("person__name", "person__code", "party_org__name"),
    columns=[
        Column("party_org", example="ZB-JH01-P1-W1"),
        Column("person", example="P000123"),
        Column("role", example="委员"),
        Column("start_on", example="2021-06-30"),
        Column("end_on"),
        Column("notes"),
    ],
    list_columns=("party_org", "person", "role", "start_on", "end_on"),
    natural_key=("party_org", "person", "role", "start_on"),
    description="党组织书记、副书记、委员、党小组组长的任职与离任日期；某日的支委会由此推算",
    hooks=Hooks(after_bulk_create=after_bulk_posts),
))

GROUP_MEMBERSHIP = register(RecordType(
    key="group_membership",
    model=GroupMembership,
    system="org",
    date_field="start_on",
    search_fields=("person__name", "person__code", "group__name"),
    columns=[
        Column("group", example="ZB-JH01-P1-W1-XZ1"),
        Column("person", example="P000123"),
        Column("start_on", example="2022-03-01"),
        Column("end_on"),
        Column("notes"),
    ],
    list_columns=("group", "person", "start_on", "end_on"),
    natural_key=("group", "person", "start_on"),
    description="党员编入、调出党小组的日期；某日党小组会的应到人员由此推算",
))

DEVELOPMENT = register(RecordType(
    key="development",
    model=Development,
    system="party_building",
    slug="developments",
    date_field="applied_on",
    search_fields=("person__name", "person__code"),
    columns=[
        Column("person", example="P000123"),
        Column("party_org", example="ZB-JH01-P1-W1"),
        Column("applied_on", example="2021-03-02"),
        Column("talked_on", example="2021-03-20"),
        Column("activist_on", example="2021-04-15"),
        Column("assessment_dates", example="2021-10-12、2022-04-10"),
        Column("candidate_on", example="2022-04-20"),
        Column("training_start", example="2022-05-09"),
        Column("training_end", example="2022-05-11"),
        Column("training_hours", example="24"),
        Column("publicity_start", example="2022-09-28"),
        Column("publicity_end", example="2022-10-11"),
        Column("branch_meeting_on", example="2022-10-20"),
        Column("approved_on", example="2022-12-15"),
        Column("full_meeting_on"),
        Column("notes"),
    ],
    list_columns=("person", "party_org", "applied_on", "candidate_on", "branch_meeting_on"),
    natural_key=("person", "applied_on"),
    description="入党申请人→入党积极分子→发展对象→预备党员→正式党员，各环节日期；检查缺少、顺序颠倒或超时的环节",
))

DUES_PAYMENT = register(RecordType(
    key="dues_payment",
    model=DuesPayment,
    system="party_building",
    slug="dues-payments",
    date_field="month_from",
    kind_field="category",
    search_fields=("person__name", "person__code"),
    columns=[
        Column("person", example="P000123"),
        Column("party_org", example="ZB-JH01-P1-W1"),
        Column("category", example="在职"),
        Column("monthly_income", example="6800"),
        Column("month_from", example="2022-01-01"),
        Column("month_to", example="2022-06-01"),
        Column("amount_paid", example="612"),
        Column("paid_on", example="2022-01-12"),
        Column("notes"),
    ],
    list_columns=("person", "month_from", "month_to", "amount_paid", "paid_on"),
    natural_key=("person", "month_from"),
    description="党费按月或预交；应交金额按月收入与《关于中国共产党党费收缴、使用和管理的规定》的比例计算；逐月检查欠交",
))

ATTENDANCE = register(RecordType(
    key="attendance",
    model=Attendance,
    system="party_building",
    slug="attendance",
    date_field=None,
    kind_field="status",
    search_fields=("person__name", "person__code", "activity__number", "activity__title"),
    columns=[
        Column("activity", example="HD-2022-0001", help="支部活动的活动编号（支部活动列表中可查）"),
        Column("person", example="P000123"),
        Column("status", example="缺席"),
        Column("reason", example="因公"),
        Column("notes"),
    ],
    list_columns=("activity", "person", "status", "reason"),
    natural_key=("activity", "person"),
    description="支部会议的到会情况：应到人员中谁出席、谁缺席（及原因）、谁列席；按支部活动编号导入",
))

TRAINING_RECORD = register(RecordType(
    key="training_record",
    model=TrainingRecord,
    system="party_building",
    search_fields=("person__name", "person__code", "title", "organiser"),
    columns=[
        Column("person", example="P000123"),
        Column("date", example="2022-06-24"),
        Column("hours", example="8"),
        Column("title", example="党的二十大精神专题培训"),
        Column("organiser", example="市委党校"),
        Column("notes"),
    ],
    list_columns=("person", "date", "hours", "title", "organiser"),
    natural_key=("person", "date", "title"),
    description="党员参加党校、上级党组织或网上培训的学时；与“学习”中的每人学时合计，检查每年不少于32学时（书记56学时）",
))
