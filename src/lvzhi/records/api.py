"""One REST viewset per record type, generated from its declaration and scoped by the user's units."""

from __future__ import annotations

import django_filters
from django.conf import settings
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import permissions, renderers, serializers, viewsets

from lvzhi.org.models import Unit
from lvzhi.org.scoping import scope_for
from lvzhi.web.api_conventions import IntegerFilter
from lvzhi.web.params import FIRST_YEAR, LAST_YEAR

from . import api_rows, registry, selectors, services
from .registry import RecordType


class _VirtualRelated(serializers.PrimaryKeyRelatedField):
    """A relation that is not a model field (a unit's parent): read through the column's getter."""

    def __init__(self, getter, **kwargs):
        self._getter = getter
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        return self._getter(instance)


def serializer_for(rt: RecordType) -> type[serializers.ModelSerializer]:
    """The type's API serializer: its hand-written one (``rt.hooks.serializer``) or the one generated from its
    columns, built once and kept as ``rt.generated.serializer``."""
    if rt.hooks.serializer is not None:
        return rt.hooks.serializer
    if rt.generated.serializer is None:
        rt.generated.serializer = _build_serializer(rt)
    return rt.generated.serializer


def _build_serializer(rt: RecordType) -> type[serializers.ModelSerializer]:
    real = [c.field for c in rt.columns if not rt.is_virtual(c)]
    if rt.date_field and rt.date_field not in real:
        real.append(rt.date_field)
    virtual = {c.field: c for c in rt.columns if rt.is_virtual(c)}

    state = ["row_state"] if rt.list_state is not None else []

    class Meta:
        model = rt.model
        fields = ["id", *real, *virtual, "version", *state]

    attrs: dict = {"Meta": Meta, "version": serializers.IntegerField(
        required=False, min_value=1, help_text="修改时必须回传读取到的版本号；若记录已被他人修改将返回 409。")}
    if rt.list_state is not None:
        choices = [(k, label) for k, (label, _) in rt.list_state.labels.items()]
        attrs["row_state"] = serializers.ChoiceField(choices=choices, read_only=True, label=rt.list_state.header)
    for name, col in virtual.items():
        if col.kind == "unit":
            attrs[name] = _VirtualRelated(col.getter, queryset=Unit.objects.all(), required=False, allow_null=True,
                                          label=col.header)

    def get_fields(self):
        # Related choices are the user's own scope, so a foreign id fails exactly like a missing one.
        fields = serializers.ModelSerializer.get_fields(self)
        request = self.context.get("request")
        scope = scope_for(request.user) if request is not None else None
        for f in fields.values():
            target = getattr(f, "child_relation", f)
            if isinstance(target, serializers.PrimaryKeyRelatedField) and scope is not None and not target.read_only:
                target.queryset = selectors.readable(scope, target.queryset.model)
        return fields

    attrs["get_fields"] = get_fields
    return type(f"{rt.model.__name__}Serializer", (serializers.ModelSerializer,), attrs)


def filterset_for(rt: RecordType) -> type[django_filters.FilterSet]:
    """The type's API filters (unit with or without its subtree, year, dates, kind, keyword): ``rt.generated.filterset``."""
    if rt.generated.filterset is None:
        rt.generated.filterset = _build_filterset(rt)
    return rt.generated.filterset


def _build_filterset(rt: RecordType) -> type[django_filters.FilterSet]:
    attrs: dict = {}

    def filter_unit(self, qs, name, value):
        scope = scope_for(self.request.user)
        unit = scope.units().filter(pk=value).first()
        if unit is None:
            return qs.none()
        subtree = str(self.data.get("subtree", "true")).lower() not in {"false", "0", "no"}
        prefix = f"{rt.unit_field}__" if rt.unit_field else ""
        if subtree:
            return qs.filter(unit.subtree_q(prefix))
        return qs.filter(**({rt.unit_field: unit} if rt.unit_field else {"pk": unit.pk}))

    def filter_nothing(self, qs, name, value):
        return qs  # read by filter_unit

    attrs.update(filter_unit=filter_unit, filter_nothing=filter_nothing)
    attrs["unit"] = IntegerFilter(method="filter_unit", label="单位编号（默认含下级单位）")
    attrs["subtree"] = django_filters.BooleanFilter(method="filter_nothing", label="是否包含下级单位")
    if rt.date_field:
        # Bounded: the year lookup turns the number into dates, and year 0 or 99999 has none (a server error).
        attrs["year"] = IntegerFilter(field_name=rt.date_field, lookup_expr="year", label="年度",
                                                    min_value=FIRST_YEAR, max_value=LAST_YEAR)
        attrs["date_from"] = django_filters.DateFilter(field_name=rt.date_field, lookup_expr="gte", label="起始日期")
        attrs["date_to"] = django_filters.DateFilter(field_name=rt.date_field, lookup_expr="lte", label="截止日期")
    if rt.kind_field:
        kind = rt.model_field(rt.kind_field)
        attrs["kind"] = django_filters.ChoiceFilter(field_name=rt.kind_field, choices=kind.choices or [],
                                                    label=str(kind.verbose_name))

    def filter_search(self, qs, name, value):
        return qs.filter(selectors.search_q(rt, value))

    attrs["filter_search"] = filter_search
    attrs["search"] = django_filters.CharFilter(method="filter_search", label="关键词")
    attrs["Meta"] = type("Meta", (), {"model": rt.model, "fields": []})
    return type(f"{rt.model.__name__}FilterSet", (django_filters.FilterSet,), attrs)


class RecordViewSet(viewsets.ModelViewSet):
    rt: RecordType

    # A role that may not write this system at all is refused (403) before its data is looked at, as on the pages:
    # for a new record at once, for an existing one once it is found (a record out of reach stays 404).
    def check_permissions(self, request):
        super().check_permissions(request)
        if self.action == "create":
            self._require_write(request)

    def check_object_permissions(self, request, obj):
        super().check_object_permissions(request, obj)
        if request.method not in permissions.SAFE_METHODS:
            self._require_write(request)

    def _require_write(self, request):
        if not scope_for(request.user).can_write_any(self.rt.system):
            self.permission_denied(request, message=f"您没有录入或修改{self.rt.verbose_name}的权限。")

    def get_queryset(self):
        qs = selectors.ordered(self.rt, selectors.visible(self.rt, scope_for(self.request.user)))
        related = [f.name for f in self.rt.model._meta.concrete_fields if f.many_to_one and f.name != "created_by"]
        qs = qs.select_related(*related) if related else qs
        # People lists (attendees …) in one query per page, not one per row (scale benchmark: record list API).
        return qs.prefetch_related(*self.rt.m2m_fields) if self.rt.m2m_fields else qs

    def list(self, request, *args, **kwargs):
        # JSON pages of a generated serializer are read as values (api_rows: the same output, a third of the CPU);
        # the browsable page and any serializer api_rows cannot reproduce go through DRF.
        plan = api_rows.plan_for(self.get_serializer_class()) if settings.API_LIST_AS_VALUES else None
        paginator = self.paginator
        if (plan is None or paginator is None or type(request.accepted_renderer) is renderers.BrowsableAPIRenderer
                or not isinstance(request.accepted_renderer, renderers.JSONRenderer)):
            return super().list(request, *args, **kwargs)
        queryset = self.filter_queryset(self.get_queryset())
        page = _page_of_values(paginator, queryset, request, plan.columns)
        if page is None:
            return super().list(request, *args, **kwargs)
        return self.get_paginated_response(api_rows.rows(plan, page))

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("version", None)
        serializer.instance = self._with_state(services.create_record(
            self.rt, data, actor=self.request.user, scope=scope_for(self.request.user)))

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        expected = data.pop("version", None)
        if expected is None:
            # Without the version the client read, a save could silently overwrite someone else's change.
            raise serializers.ValidationError(
                {"version": ["修改时必须回传读取到的版本号（version），以免覆盖他人的修改。"]})
        for col in self.rt.columns:
            if col.creatable_only:
                data.pop(col.field, None)
        serializer.instance = self._with_state(services.update_record(
            self.rt, serializer.instance, data, actor=self.request.user, scope=scope_for(self.request.user),
            expected_version=expected))

    def _with_state(self, obj):
        """The saved record as lists return it: with its computed ``row_state`` (逾期 …), which the schema promises."""
        if self.rt.list_state is None:
            return obj
        return selectors.ordered(self.rt, self.rt.model._default_manager.filter(pk=obj.pk)).get()

    def perform_destroy(self, instance):
        services.delete_record(self.rt, instance, actor=self.request.user, scope=scope_for(self.request.user))


def _page_of_values(paginator, queryset, request, columns) -> list[dict] | None:
    """DRF's ``LimitOffsetPagination.paginate_queryset`` (the same total, counted on the same query, and the same
    slice) returning the page's rows as ``values(*columns)``; None when the paginator is not that one."""
    from rest_framework.pagination import LimitOffsetPagination

    if not isinstance(paginator, LimitOffsetPagination):
        return None
    paginator.request = request
    paginator.limit = paginator.get_limit(request)
    if paginator.limit is None:
        return None
    paginator.count = paginator.get_count(queryset)
    paginator.offset = paginator.get_offset(request)
    if paginator.count > paginator.limit and paginator.template is not None:
        paginator.display_page_controls = True
    if paginator.count == 0 or paginator.offset > paginator.count:
        return []
    rows = queryset.prefetch_related(None).values(*columns)
    return list(rows[paginator.offset:paginator.offset + paginator.limit])


def viewset_for(rt: RecordType) -> type[RecordViewSet]:
    """The type's API viewset on ``rt.hooks.viewset_base`` (default ``RecordViewSet``): ``rt.generated.viewset``."""
    if rt.generated.viewset is None:
        rt.generated.viewset = _build_viewset(rt, rt.hooks.viewset_base or RecordViewSet)
    return rt.generated.viewset


def _build_viewset(rt: RecordType, base: type[RecordViewSet]) -> type[RecordViewSet]:
    tag = rt.verbose_name
    cls = type(f"{rt.model.__name__}ViewSet", (base,), {
        "rt": rt,
        "serializer_class": serializer_for(rt),
        "filterset_class": filterset_for(rt),
        "__doc__": f"{tag}：{rt.description or '按当前用户的单位范围过滤'}",
    })
    return extend_schema_view(
        list=extend_schema(tags=[tag], summary=f"{tag}列表"),
        retrieve=extend_schema(tags=[tag], summary=f"{tag}详情"),
        create=extend_schema(tags=[tag], summary=f"新增{tag}"),
        update=extend_schema(tags=[tag], summary=f"修改{tag}"),
        partial_update=extend_schema(tags=[tag], summary=f"部分修改{tag}"),
        destroy=extend_schema(tags=[tag], summary=f"删除{tag}"),
    )(cls)


def register_all(router) -> None:
    for rt in registry.all_types():
        router.register(rt.slug, viewset_for(rt), basename=rt.key)


def former_paths() -> list:
    """URL patterns for the API paths renamed when their plurals were fixed (/api/branch-activitys/… →
    /api/branch-activities/…): a permanent redirect keeping method and body (308), marked deprecated."""
    from django.urls import re_path

    return [re_path(rf"^api/{rt.former_slug}/(?P<rest>.*)$", _moved_to(rt.slug), name="api-former-path")
            for rt in registry.all_types() if rt.former_slug]


def _moved_to(slug: str):
    from django.http import HttpResponsePermanentRedirect

    def view(request, rest: str):
        query = request.META.get("QUERY_STRING", "")
        target = f"/api/{slug}/{rest}" + (f"?{query}" if query else "")
        response = HttpResponsePermanentRedirect(target, status=308)
        response["Deprecation"] = "true"
        response["Link"] = f'<{target}>; rel="successor-version"'
        return response

    return view
