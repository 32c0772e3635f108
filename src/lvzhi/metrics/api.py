"""/api/metrics/: the catalogue, and one figure for a unit and period with the records behind it."""

import datetime as dt

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from lvzhi.org.scoping import scope_for
from lvzhi.org.selectors import readable_unit, top_units
from lvzhi.web import clock
from lvzhi.web.api_conventions import ReusedAnswer, check_query

from . import catalogue
from .compute import Period
from .selectors import RECORD_IDS_MAX, RECORD_IDS_PAGE, reader_figure

METRIC_FIELDS = {
    "id": serializers.CharField(), "label": serializers.CharField(), "measure": serializers.CharField(),
    "record_type": serializers.CharField(), "aggregate": serializers.CharField(), "system": serializers.CharField(),
    "description": serializers.CharField(),
}
FigureSerializer = inline_serializer("Figure", {
    "metric": serializers.CharField(), "label": serializers.CharField(), "measure": serializers.CharField(),
    "unit": serializers.CharField(), "period": serializers.ListField(child=serializers.DateField()),
    "value": serializers.CharField(allow_null=True), "missing": serializers.CharField(),
    "detail": serializers.DictField(), "record_type": serializers.CharField(),
    "record_ids": serializers.ListField(child=serializers.IntegerField(),
                                        help_text="依据记录的编号（按编号排序，一页；用 limit/offset 翻页）"),
    "records_total": serializers.IntegerField(help_text="您可查看的依据记录总数"),
    "records_offset": serializers.IntegerField(), "records_limit": serializers.IntegerField(),
    "next": serializers.CharField(allow_null=True, help_text="下一页依据记录的地址；没有下一页时为空"),
    "hidden_records": serializers.IntegerField(allow_null=True),
    "withheld": serializers.CharField(help_text="不为空时：该数字计入了您无权查看的保密记录，且期间或单位过小、可能指向个人，"
                                                "故以【保密】代替（value 与 hidden_records 为空）"),
})


def _metric_dict(m):
    return {"id": m.id, "label": m.label, "measure": m.measure, "record_type": m.record_type,
            "aggregate": m.aggregate, "system": m.system, "description": m.description}


class MetricViewSet(viewsets.ViewSet):
    """指标目录；按单位（含下级）和期间计算指标值，并给出依据记录。"""

    lookup_value_regex = r"[a-z0-9_.]+"

    @extend_schema(tags=["指标"], summary="指标目录", responses=inline_serializer("Metric", METRIC_FIELDS, many=True))
    def list(self, request):
        check_query(request, ())
        return Response([_metric_dict(m) for m in catalogue.CATALOGUE])

    @extend_schema(tags=["指标"], summary="计算指标", responses=FigureSerializer, parameters=[
        OpenApiParameter("unit", OpenApiTypes.INT, description="单位编号（默认：用户的最高单位），含下级单位"),
        OpenApiParameter("year", OpenApiTypes.INT, description="年度（与 date_from/date_to 二选一）"),
        OpenApiParameter("date_from", OpenApiTypes.DATE), OpenApiParameter("date_to", OpenApiTypes.DATE),
        OpenApiParameter("limit", OpenApiTypes.INT,
                         description=f"每页依据记录数（默认 {RECORD_IDS_PAGE}，至多 {RECORD_IDS_MAX}）"),
        OpenApiParameter("offset", OpenApiTypes.INT, description="从第几条依据记录起（默认 0）"),
    ])
    def retrieve(self, request, pk=None):
        check_query(request, ("unit", "year", "date_from", "date_to", "limit", "offset"))
        try:
            metric = catalogue.get(pk)
        except LookupError:
            raise NotFound("未知指标。") from None
        scope = scope_for(request.user)
        unit_id = request.query_params.get("unit")
        unit = readable_unit(scope, unit_id) if unit_id else top_units(scope).first()
        if unit is None:
            raise NotFound("未找到该单位，或您无权查看。")
        period = _period(request.query_params)
        offset, limit = _page(request.query_params)
        answer = reader_figure(metric, unit, period, scope, offset, limit)
        following = offset + limit
        nxt = (request.build_absolute_uri(_with(request, offset=following, limit=limit))
               if following < answer["records_total"] else None)
        return Response(ReusedAnswer(answer) if nxt is None else {**answer, "next": nxt})


def _page(params) -> tuple[int, int]:
    try:
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or RECORD_IDS_PAGE)
        if offset < 0 or not 1 <= limit <= RECORD_IDS_MAX:
            raise ValueError
    except ValueError:
        raise ValidationError({"detail": [f"翻页参数无效：offset 为不小于 0 的整数，limit 为 1 至 {RECORD_IDS_MAX} 的整数。"]}) \
            from None
    return offset, limit


def _with(request, **changes) -> str:
    query = request.query_params.copy()
    for name, value in changes.items():
        query[name] = str(value)
    return f"{request.path}?{query.urlencode()}"


def _period(params) -> Period:
    try:
        if params.get("date_from") or params.get("date_to"):
            start = dt.date.fromisoformat(params["date_from"])
            end = dt.date.fromisoformat(params["date_to"])
            if end < start:
                raise ValueError
            return Period(start, end)
        year = int(params.get("year") or clock.today().year)
        if not 1900 <= year <= 2999:
            raise ValueError
        return Period.year(year)
    except (KeyError, ValueError):
        raise ValidationError({"detail": ["期间参数无效：请给 year（如 2022），或同时给 date_from 与 date_to（YYYY-MM-DD）。"]}) from None
