"""Obligation rules as a record type: list, detail, Excel and the API come from the shared mechanism.

Correcting a version in place (a typo in its source) goes through the generic pages; changing what a rule
requires goes through 修订 (``services.revise_rule``), which adds a version and keeps the old one for the
periods it judged.
"""

from lvzhi.records.registry import Column, Hooks, RecordType, register

from .api import RuleViewSetBase
from .models import ObligationRule

register(RecordType(
    key="obligation_rule", model=ObligationRule, system="obligations", slug="obligation-rules",
    date_field="effective_from", kind_field="responsibility",
    search_fields=("rule_id", "name", "source", "document_number"),
    columns=[
        Column("rule_id", example="branch.committee_meeting"), Column("unit", example="江海化工股份有限公司",
                                                                     help="留空为默认规则（仅系统管理员）"),
        Column("name", example="支部委员会会议"), Column("responsibility", example="党建"),
        Column("check_type", example="按期计数（含覆盖率）"), Column("subject", example="党组织"),
        Column("subject_filter", example="kinds=branch; with_committee=是"),
        Column("record_type", example="branch_activity"), Column("record_filter", example="kind=committee_meeting"),
        Column("link", example="party_org"), Column("cadence", example="每月"), Column("min_count", example="1"),
        Column("grace_days", example="10"), Column("warning_days", example="7"), Column("params"),
        Column("source", example="中国共产党支部工作条例（试行）（2018年）"), Column("article", example="第十二条"),
        Column("document_number"), Column("effective_from", example="2023-01-01"), Column("effective_to"),
        Column("notes"),
    ],
    list_columns=("rule_id", "name", "cadence", "min_count", "effective_from", "effective_to"),
    natural_key=("rule_id", "unit", "effective_from"), ordering=("rule_id", "effective_from", "pk"),
    description="应办事项检查规则（按版本保存；修订生成新版本）",
    in_navigation=False,
    hooks=Hooks(viewset_base=RuleViewSetBase,
                detail_context=lambda obj, scope: {"template": "obligations/_rule_detail_extra.html", "rule": obj}),
))
