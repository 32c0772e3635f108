"""Units, Party organisations and people as record types (pages, API, Excel)."""

from lvzhi.records.registry import Column, Hooks, RecordType, register

from .api import UnitViewSetBase
from .models import PartyOrg, Person, Unit, UnitFact
from .services import unit_create


def _parent(unit: Unit):
    if getattr(unit, "moves_as_root", False):  # the top of a subtree exported on its own (imports.dataset)
        return None
    return unit.parent_unit


UNIT = register(RecordType(
    key="unit",
    model=Unit,
    system="org",
    slug="units",
    unit_field="",
    date_field=None,
    search_fields=("name", "code"),
    columns=[
        Column("code", example="C01-P01"),
        Column("name", example="一号厂"),
        Column("parent", header="上级单位", kind="unit", getter=_parent, creatable_only=True, example="示范化工股份有限公司",
               help="按编码或名称匹配；新建顶级单位时留空（仅系统管理员）"),
        Column("kind", example="厂"),
        Column("category", example="基层"),
        Column("established_on", example="2000-05-01"),
        Column("dissolved_on"),
        Column("tracked_since"),
    ],
    list_columns=("code", "name", "kind", "category"),
    natural_key=("code",),
    ordering=("path",),
    create_func=unit_create,
    description="集团 → 公司 → 厂/部门 → 车间的单位树",
    hooks=Hooks(viewset_base=UnitViewSetBase),
))

PARTY_ORG = register(RecordType(
    key="party_org",
    model=PartyOrg,
    system="org",
    slug="party-orgs",
    date_field=None,
    search_fields=("name", "code"),
    columns=[
        Column("code", example="C01-P01-B01"),
        Column("name", example="一号厂第一党支部"),
        Column("kind", example="党支部"),
        Column("unit", example="一号厂"),
        Column("parent", example="C01-P01-GB"),
        Column("secretary", example="P000123"),
        Column("committee_members", example="P000123、P000124"),
        Column("established_on"),
        Column("dissolved_on"),
    ],
    list_columns=("code", "name", "kind", "unit", "secretary"),
    natural_key=("code",),
    ordering=("code",),
))

PERSON = register(RecordType(
    key="person",
    model=Person,
    system="org",
    slug="people",
    date_field=None,
    kind_field="cadre_level",
    search_fields=("name", "code", "pinyin_initials__istartswith", "pinyin__istartswith"),
    columns=[
        Column("code", example="P009999"),
        Column("name", example="张三"),
        Column("gender", example="男"),
        Column("birth_date", example="1986-03-15"),
        Column("education", example="硕士研究生"),
        Column("degree", example="硕士"),
        Column("school", example="天津大学"),
        Column("double_first_class", example="是"),
        Column("major", example="化学工程"),
        Column("unit", example="一号厂"),
        Column("post", example="副厂长"),
        Column("cadre_level", example="中层干部"),
        Column("is_key_post", example="否"),
        Column("is_reserve_cadre", example="否"),
        Column("party_status", example="正式党员"),
        Column("member_since", example="2010-07-01"),
        Column("party_org", example="C01-P01-B01"),
        Column("joined_on", example="2012-07-01"),
        Column("left_on"),
    ],
    list_columns=("code", "name", "unit", "post", "cadre_level", "party_status"),
    natural_key=("code",),
    ordering=("code",),
))

UNIT_FACT = register(RecordType(
    key="unit_fact",
    model=UnitFact,
    system="org",
    slug="unit-facts",
    kind_field=None,
    search_fields=("label", "value", "key"),
    columns=[
        Column("unit", example="江海化工股份有限公司"),
        Column("key", example="strategy"),
        Column("label", example="发展战略"),
        Column("value", example="化工新材料为本、相关多元"),
        Column("date", example="2019-01-01"),
    ],
    list_columns=("unit", "label", "value", "date"),
    natural_key=("unit", "key", "date"),
    description="报告引用的单位事实：发展战略、党建品牌等",
))
