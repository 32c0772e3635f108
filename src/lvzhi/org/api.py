"""API additions for the unit tree: moving a subtree (the generic viewset does the rest)."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from lvzhi.records.api import RecordViewSet

from .scoping import scope_for
from .selectors import readable_unit
from .services import unit_move


class UnitViewSetBase(RecordViewSet):
    @extend_schema(
        tags=["单位"], summary="移动单位（连同下级单位）",
        request=inline_serializer("UnitMove", {"parent": serializers.IntegerField(help_text="新的上级单位编号")}),
    )
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        unit = self.get_object()
        scope = scope_for(request.user)
        target = readable_unit(scope, request.data.get("parent"))
        if target is None:
            raise serializers.ValidationError({"parent": ["上级单位不存在或您无权访问。"]})
        unit = unit_move(unit, target, actor=request.user, scope=scope)
        return Response(self.get_serializer(unit).data)
