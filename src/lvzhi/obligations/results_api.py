"""/api/checks/: the obligation engine's results for integrators — one row per rule × subject × period, filtered by
unit (with its subtree), year, rule, responsibility, period and state, paged. Read through the engine exactly as
the compliance dashboard is (same scope, same "today", same reuse of results while the database is unchanged)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.exceptions import NotFound

from lvzhi.org.scoping import scope_for
from lvzhi.org.selectors import readable_unit, top_units
from lvzhi.records import registry
from lvzhi.records import selectors as record_selectors
from lvzhi.web import clock
from lvzhi.web.api_conventions import check_query, not_found, paging_params
from lvzhi.web.params import FIRST_YEAR, LAST_YEAR

from .engine import STATE_ORDER, STATES
from .models import Responsibility
from .selectors import check_results

STATE_CHOICES = [(s, STATES[s]) for s in STATE_ORDER]


class CheckQuery(serializers.Serializer):
    unit = serializers.IntegerField(required=False, min_value=1, help_text="单位编号（含下级单位）；默认为您的最高单位")
    year = serializers.IntegerField(required=False, min_value=FIRST_YEAR, max_value=LAST_YEAR,
                                    help_text="检查年度；默认为当前工作年度（2 月底前为上一年）")
    as_of = serializers.DateField(required=False, help_text="按哪一天的情况判断（YYYY-MM-DD）；默认今天")
    rule = serializers.CharField(required=False, max_length=100, help_text="规则编号，如 branch.committee_meeting")
    responsibility = serializers.ChoiceField(required=False, choices=Responsibility.choices, help_text="责任制")
    period = serializers.CharField(required=False, max_length=20, help_text="期间，如 2022、2022-Q3、2022-05、2022-W07")
    state = serializers.ChoiceField(required=False, choices=STATE_CHOICES, help_text="状态")


class CheckResultSerializer(serializers.Serializer):
    rule_id = serializers.CharField(help_text="规则编号")
    rule = serializers.CharField(help_text="规则名称")
    responsibility = serializers.ChoiceField(choices=Responsibility.choices)
    version_from = serializers.DateField(help_text="判断所依据的规则版本的生效日期")
    subject = serializers.CharField(help_text="对象（党组织、人员、单位或事项）")
    subject_ref = serializers.CharField(help_text="对象标识，如 party_org:12")
    unit_id = serializers.IntegerField(help_text="对象所在单位编号")
    period = serializers.CharField(help_text="期间标识")
    period_label = serializers.CharField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    state = serializers.ChoiceField(choices=STATE_CHOICES)
    state_label = serializers.CharField()
    count = serializers.IntegerField(help_text="实有次数")
    required = serializers.IntegerField(help_text="应有次数")
    due = serializers.DateField(allow_null=True, help_text="到期日")
    detail = serializers.CharField(help_text="说明")
    record_type = serializers.CharField(help_text="依据记录的类型（/api/ 下对应的记录接口）")
    record_ids = serializers.ListField(child=serializers.IntegerField(), help_text="您可查看的依据记录编号")
    hidden_records = serializers.IntegerField(help_text="您无权查看的依据记录条数（保密）")


def _visible_ids(rows: list[dict], scope) -> None:
    """Keep only the record ids the reader may open (confidential ones are counted, not named): one query per
    record type on the page."""
    wanted: dict[str, set[int]] = {}
    for r in rows:
        if r["record_type"] and r["record_ids"]:
            wanted.setdefault(r["record_type"], set()).update(r["record_ids"])
    visible: dict[str, set[int]] = {}
    for key, ids in wanted.items():
        try:
            rt = registry.get(key)
        except LookupError:
            visible[key] = set()
            continue
        visible[key] = set(record_selectors.visible(rt, scope).filter(pk__in=ids).values_list("pk", flat=True))
    for r in rows:
        ids = r.pop("record_ids")
        r["record_ids"] = [i for i in ids if i in visible.get(r["record_type"], ())]
        r["hidden_records"] = len(ids) - len(r["record_ids"])


class CheckResultViewSet(viewsets.GenericViewSet):
    """检查结果：按规则 × 对象 × 期间给出已完成 / 未到期 / 即将到期 / 逾期 / 不适用，与“合规看板”一致。"""

    serializer_class = CheckResultSerializer
    filter_backends: list = []

    @extend_schema(tags=["检查结果"], summary="检查结果列表", parameters=[CheckQuery],
                   responses={200: CheckResultSerializer(many=True),
                              404: not_found("单位不存在，或不在您的单位范围内")})
    def list(self, request):
        check_query(request, set(CheckQuery().fields) | paging_params(self))
        query = CheckQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        q = query.validated_data
        scope = scope_for(request.user)
        if "unit" in q:
            unit = readable_unit(scope, q["unit"])
        else:
            unit = top_units(scope).first()
        if unit is None:
            raise NotFound("未找到该单位，或您无权查看。")
        year = q.get("year") or clock.working_year()
        as_of = q.get("as_of") or clock.today()
        rows = check_results(scope, unit, year, as_of, q.get("rule"), q.get("responsibility"), q.get("state"),
                             q.get("period"))
        page = [dict(r) for r in self.paginate_queryset(rows)]
        _visible_ids(page, scope)
        return self.get_paginated_response(CheckResultSerializer(page, many=True).data)
