"""API additions for rules: everyone sees the default rules too, and POST …/revise/ adds a new version."""

from __future__ import annotations

from django.db.models import Q
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from lvzhi.org.scoping import scope_for
from lvzhi.records import selectors
from lvzhi.records.api import RecordViewSet

from .models import ObligationRule
from .services import REVISABLE, revise_rule


class ReviseSerializer(serializers.ModelSerializer):
    effective_from = serializers.DateField(help_text="新版本的生效日期（当前版本在前一天失效）")
    unit = serializers.IntegerField(required=False, allow_null=True,
                                    help_text="为哪个单位修订（默认：规则自己的单位；修订默认规则时填本单位，生成本单位的版本）")
    version = serializers.IntegerField(required=False, help_text="读取到的版本号；若规则已被他人修改将返回 409")

    class Meta:
        model = ObligationRule
        fields = [*REVISABLE, "effective_from", "unit", "version"]
        extra_kwargs = {f: {"required": False} for f in REVISABLE}


class RuleViewSetBase(RecordViewSet):
    def get_queryset(self):
        # Default rules (no unit) apply to everyone, so everyone may read them; copies follow the unit scope.
        scoped = selectors.visible(self.rt, scope_for(self.request.user)).values("pk")
        return (ObligationRule.objects.filter(Q(unit__isnull=True) | Q(pk__in=scoped)).select_related("unit")
                .order_by(*self.rt.ordering))

    @extend_schema(tags=["检查规则"], summary="修订规则（生成新版本）", request=ReviseSerializer,
                   responses={201: inline_serializer("RuleRevised", {"id": serializers.IntegerField()})})
    @action(detail=True, methods=["post"])
    def revise(self, request, pk=None):
        rule = self.get_object()
        scope = scope_for(request.user)
        data = ReviseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        effective_from = values.pop("effective_from")
        expected = values.pop("version", None)
        unit = None
        if values.get("unit") is not None:
            unit = scope.units().filter(pk=values["unit"]).first()
            if unit is None:
                raise serializers.ValidationError({"unit": ["单位不存在或您无权访问。"]})
        values.pop("unit", None)
        new = revise_rule(rule, values, effective_from=effective_from, actor=request.user, scope=scope, unit=unit,
                          expected_version=expected)
        return Response(self.get_serializer(new).data, status=201)

