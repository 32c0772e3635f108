from lvzhi.records.registry import Column, Hooks, RecordType, register

from . import models as m


def _quorum_preview(data: dict) -> dict:
    """Before saving a meeting: what the quorum check will say (against the roster of its day)."""
    from lvzhi.membership.attendance import preview_activity

    return preview_activity(data)

register(RecordType(
    key="committee_meeting", model=m.CommitteeMeeting, system="party_building", search_fields=("title", "number"),
    columns=[Column("party_org", example="中共江海化工股份有限公司委员会（DW-JH01）"), Column("number", example="2022-05"),
             Column("date", example="2022-03-08"), Column("title", example="2022年第5次党委会"),
             Column("chair", example="王振华"), Column("attendees", example="王振华、陈立新"), Column("expected_count"),
             Column("notes")],
    list_columns=("number", "date", "title", "chair"), natural_key=("party_org", "number"),
    ref_key=("party_org", "number"),
    description="党委会及其议题；第一议题学习指向所在党委会",
))
register(RecordType(
    key="agenda_item", model=m.AgendaItem, system="party_building",
    columns=[Column("meeting", example="DW-JH01/2022-05", help="党组织编码/会议编号；会议编号在您的范围内唯一时可只写编号"),
             Column("order", example="2"),
             Column("kind", example="前置研究讨论"), Column("title", example="关于采购有机硅单体原料的议题"),
             Column("date"), Column("notes")],
    list_columns=("meeting", "order", "kind", "title"), natural_key=("meeting", "order"),
))
register(RecordType(
    key="study_session", model=m.StudySession, system="party_building", search_fields=("title", "materials", "host"),
    columns=[Column("unit", example="江海化工股份有限公司"), Column("party_org"), Column("kind", example="中心组专题研讨"),
             Column("date", example="2022-03-15"), Column("title", example="学习贯彻党的二十大精神"),
             Column("materials"), Column("speaker"), Column("host"), Column("meeting", help="第一议题学习所在的党委会：党组织编码/会议编号"),
             Column("is_ideology", example="否"), Column("attendees", example="王振华、陈立新"), Column("expected_count"),
             Column("hours", example="2"), Column("notes")],
    list_columns=("date", "kind", "title", "unit", "speaker"), natural_key=("unit", "party_org", "kind", "date", "title"),
    description="中心组学习、专题研讨、第一议题、班子集中跟进学习、支部学习、外部交流发言",
))
register(RecordType(
    key="branch_activity", model=m.BranchActivity, system="party_building", search_fields=("title", "theme"),
    columns=[Column("number", example="HD-2022-0001"),
             Column("party_org", example="有机硅厂单体车间党支部"), Column("kind", example="支部委员会"), Column("kind_other"),
             Column("date", example="2022-03-10"), Column("title", example="研究发展党员工作"), Column("theme"),
             Column("lecturer"), Column("attendees"), Column("expected_count"), Column("notes")],
    list_columns=("number", "date", "party_org", "kind", "title"), natural_key=("number",),
    description="三会一课、主题党日、组织生活会、民主评议党员、谈心谈话、三互交流等",
    hooks=Hooks(preview=_quorum_preview),
))
register(RecordType(
    key="contact_point", model=m.ContactPoint, system="party_building", search_fields=("title",),
    columns=[Column("number", example="LXD-2022-0001"), Column("leader", example="王振华"), Column("unit", example="有机硅厂"),
             Column("date", example="2022-01-05"),
             Column("end_date"), Column("title", example="长期困难单位"), Column("notes")],
    list_columns=("number", "leader", "unit", "date", "title"), natural_key=("leader", "unit", "date"),

))
register(RecordType(
    key="contact_visit", model=m.ContactVisit, system="party_building", search_fields=("title", "findings"),
    columns=[Column("contact_point", example="LXD-2022-0001", help="联系点编号（联系点列表中可查）"),
             Column("kind", example="调研"), Column("date", example="2022-01-12"), Column("title", example="生产经营调研"),
             Column("findings"), Column("follow_ups"), Column("notes")],
    list_columns=("date", "kind", "title", "unit"), natural_key=("contact_point", "kind", "date", "title"),
))
register(RecordType(
    key="initiative", model=m.Initiative, system="party_building",
    columns=[Column("unit", example="有机硅厂"), Column("contact_point", example="LXD-2022-0001", help="与联系点有关时填写联系点编号"),
             Column("kind", example="出台政策"),
             Column("date", example="2022-02-20"), Column("title", example="产量销量上台阶激励政策"),
             Column("description"), Column("notes")],
    list_columns=("date", "kind", "title", "unit"), natural_key=("unit", "kind", "date", "title"),
))
register(RecordType(
    key="business_result", model=m.BusinessResult, system="party_building", kind_field="indicator",
    search_fields=("measure",),
    columns=[Column("unit", example="有机硅厂"), Column("date", example="2022-10-01"), Column("indicator", example="减亏增效"),
             Column("value", example="286.5"), Column("measure", example="万元"), Column("notes")],
    list_columns=("date", "unit", "indicator", "value", "measure"), natural_key=("unit", "indicator", "date"),
))
register(RecordType(
    key="co_building", model=m.CoBuilding, system="party_building",
    columns=[Column("number", example="GJ-2022-0001"), Column("grassroots_branch", example="有机硅厂单体车间党支部"),
             Column("organ_branch", example="财务部党支部"),
             Column("date", example="2022-02-15"), Column("title", example="“拉手共建”降本增效"), Column("notes")],
    list_columns=("number", "title", "grassroots_branch", "organ_branch", "date"),
    natural_key=("grassroots_branch", "organ_branch", "date", "title"),
))
register(RecordType(
    key="co_building_activity", model=m.CoBuildingActivity, system="party_building", kind_field="focus",
    columns=[Column("co_building", example="GJ-2022-0001", help="共建结对编号"), Column("date", example="2022-04-08"),
             Column("title", example="联合攻关降低单耗"), Column("focus", example="降本增效"), Column("participants"),
             Column("notes")],
    list_columns=("date", "title", "focus", "unit"), natural_key=("co_building", "date", "title"),
))
register(RecordType(
    key="honour", model=m.Honour, system="party_building", search_fields=("title", "brand", "issuer"),
    columns=[Column("unit"), Column("kind", example="示范党支部"), Column("title", example="省级示范党支部"),
             Column("level", example="省部（行业）级"), Column("party_org"), Column("person"), Column("brand", example="攀登者"),
             Column("issuer", example="省国资委党委"), Column("date", example="2022-06-28"), Column("notes")],
    list_columns=("date", "title", "level", "party_org", "person"),
    natural_key=("unit", "kind", "title", "date", "party_org", "person"),
))
register(RecordType(
    key="external_visit", model=m.ExternalVisit, system="party_building", search_fields=("visitor", "title"),
    columns=[Column("unit"), Column("kind", example="考评考核"), Column("visitor", example="省国资委党委"),
             Column("level", example="省部（行业）级"), Column("date", example="2022-05-18"),
             Column("title", example="基层党建工作考核"), Column("notes")],
    list_columns=("date", "kind", "visitor", "title"), natural_key=("unit", "kind", "visitor", "date", "title"),
))
register(RecordType(
    key="innovation", model=m.Innovation, system="party_building", search_fields=("title", "platform"),
    columns=[Column("unit"), Column("kind", example="新产品"), Column("title", example="高透明硅橡胶"), Column("platform"),
             Column("fills_gap", example="是"), Column("date", example="2022-09-01"), Column("description"),
             Column("notes")],
    list_columns=("date", "kind", "title", "fills_gap"), natural_key=("unit", "kind", "date", "title"),
))
