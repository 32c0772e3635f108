"""What every API operation shares: strict paging (a maximum page size) and strict query strings (an unknown
parameter is refused with 400, naming the ones allowed, rather than silently ignored — a misspelt filter would
otherwise return everything)."""

from __future__ import annotations

from collections import OrderedDict

import django_filters
from django import forms
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema_field, inline_serializer
from rest_framework import renderers, serializers
from rest_framework.exceptions import ValidationError

from lvzhi.web import totals
from lvzhi.web.params import int_param

MAX_PAGE_SIZE = 1000


_ERROR_DETAIL = inline_serializer("ErrorDetail", {"detail": serializers.CharField()})  # = web.api_errors.DETAIL


def not_found(description: str = "记录不存在，或不在您的单位范围内") -> OpenApiResponse:
    """A 404 for an operation whose path has no id (the schema hook documents those with an id itself)."""
    return OpenApiResponse(_ERROR_DETAIL, description=description)
ALWAYS_ALLOWED = {"format"}  # DRF's response-format override


@extend_schema_field(OpenApiTypes.INT)
class IntegerFilter(django_filters.NumberFilter):
    """A whole number (an id, a year): typed ``integer`` in the schema, and 2022.5 is refused."""

    field_class = forms.IntegerField


def check_query(request, allowed) -> None:
    """400 for any query parameter outside ``allowed`` (plus paging and ``format``)."""
    known = set(allowed) | ALWAYS_ALLOWED
    unknown = sorted(k for k in request.query_params if k not in known)
    if unknown:
        usable = "、".join(sorted(known - ALWAYS_ALLOWED)) or "无"
        raise ValidationError({"detail": [f"不支持的查询参数：{'、'.join(unknown)}（可用：{usable}）。"]})


def paging_params(view) -> set[str]:
    paginator = getattr(view, "paginator", None)
    if paginator is None or getattr(view, "action", None) not in (None, "list"):
        return set()
    return {paginator.limit_query_param, paginator.offset_query_param}


class StrictFilterBackend(DjangoFilterBackend):
    """django-filter, refusing parameters its filter set does not declare."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        declared = set(filterset_class.base_filters) if filterset_class is not None else set()
        check_query(request, declared | paging_params(view))
        if filterset_class is not None and not (declared & set(request.query_params)) and not any(
                f.extra.get("required") for f in filterset_class.base_filters.values()):
            return queryset  # no filter asked for: every filter would pass the rows through (its form built for nothing)
        return super().filter_queryset(request, queryset, view)


class Pagination(totals.LimitOffsetPagination):
    """limit/offset paging with at most ``MAX_PAGE_SIZE`` rows a page; a bad or too large value is a 400, not a
    silently different page."""

    max_limit = MAX_PAGE_SIZE

    def get_limit(self, request):
        raw = request.query_params.get(self.limit_query_param)
        if raw is None:
            return self.default_limit
        limit = int_param(raw, low=1, high=self.max_limit)
        if limit is None:
            raise ValidationError({self.limit_query_param: [f"每页条数应为 1—{self.max_limit} 之间的整数（再多请用 offset 翻页）。"]})
        return limit

    def get_offset(self, request):
        raw = request.query_params.get(self.offset_query_param)
        if raw is None:
            return 0
        offset = int_param(raw, low=0)
        if offset is None:
            raise ValidationError({self.offset_query_param: ["offset 应为不小于 0 的整数。"]})
        return offset

    def get_schema_operation_parameters(self, view):
        params = super().get_schema_operation_parameters(view)
        for p in params:
            if p["name"] == self.limit_query_param:
                p["schema"].update(minimum=1, maximum=self.max_limit, default=self.default_limit)
                p["description"] = f"每页条数（默认 {self.default_limit}，最多 {self.max_limit}）"
            elif p["name"] == self.offset_query_param:
                p["schema"].update(minimum=0)
                p["description"] = "从第几条开始（0 起）"
        return params


class ReusedAnswer(dict):
    """An answer reused as is (``datacache``) by many requests: its JSON is encoded once per process, not per
    request (the metric API's answer lists every record id behind the figure — 550 KB on the province, whose
    encoding cost more than the rest of the request)."""

    def __init__(self, source: dict):
        super().__init__(source)
        self.source = source  # the reused object itself: the same while its entry is fresh


_ENCODED_KEPT = 16
_encoded: OrderedDict[int, tuple[dict, bytes]] = OrderedDict()


class JSONRenderer(renderers.JSONRenderer):
    """DRF's JSON renderer; a ``ReusedAnswer`` in the default format is encoded once per reused object."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if not isinstance(data, ReusedAnswer) or self.get_indent(accepted_media_type, renderer_context or {}):
            return super().render(data, accepted_media_type, renderer_context)
        found = _encoded.get(id(data.source))
        if found is not None and found[0] is data.source:
            return found[1]
        body = super().render(data, accepted_media_type, renderer_context)
        _encoded[id(data.source)] = (data.source, body)  # holding the object keeps its id from being reused
        while len(_encoded) > _ENCODED_KEPT:
            _encoded.popitem(last=False)
        return body
