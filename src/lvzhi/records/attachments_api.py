"""/api/attachments/: the files kept with records — list a record's, upload one (multipart), read and download.

An attachment is readable exactly when its record is (out of scope or confidential: 404); uploading is writing
to the record (services.attach_file: scope, type and size checks, audit)."""

from __future__ import annotations

from django.http import FileResponse, Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from lvzhi.org.scoping import scope_for
from lvzhi.web.api_conventions import check_query, not_found, paging_params
from lvzhi.web.params import int_param

from . import registry, selectors, services
from .models import Attachment

NOT_FOUND = not_found()


def _type_choices():
    return [(rt.key, rt.verbose_name) for rt in registry.all_types()]


class AttachmentSerializer(serializers.ModelSerializer):
    record_type = serializers.SerializerMethodField(help_text="所属记录的类型")
    record = serializers.IntegerField(source="object_id", read_only=True, help_text="所属记录编号")
    uploaded_by_name = serializers.SerializerMethodField(label="上传人")

    class Meta:
        model = Attachment
        fields = ["id", "record_type", "record", "name", "size", "uploaded_at", "uploaded_by_name"]
        read_only_fields = fields

    def get_record_type(self, obj) -> str:
        rt = registry.for_model(obj.content_type.model_class())
        return rt.key if rt else ""

    def get_uploaded_by_name(self, obj) -> str:
        user = obj.uploaded_by
        return (user.get_full_name() or user.get_username()) if user else ""


class AttachmentQuery(serializers.Serializer):
    record_type = serializers.ChoiceField(choices=_type_choices(), help_text="记录类型")
    record = serializers.IntegerField(min_value=1, help_text="记录编号")


class AttachmentUploadSerializer(AttachmentQuery):
    file = serializers.FileField(help_text=f"附件（{'、'.join(sorted(services.ALLOWED_ATTACHMENTS))}）")


def _record(scope, record_type: str, pk: int):
    rt = registry.get(record_type)
    obj = selectors.visible(rt, scope).filter(pk=pk).first()
    if obj is None:
        raise Http404("未找到该记录，或您无权查看。")
    return rt, obj


class AttachmentViewSet(viewsets.GenericViewSet):
    """附件：记录的附件列表、上传、下载；与所属记录同一可见范围。"""

    serializer_class = AttachmentSerializer
    queryset = Attachment.objects.none()  # every read goes through the record (below)
    filter_backends: list = []
    parser_classes = [MultiPartParser]  # the upload; the other operations take no body

    def get_object(self):
        check_query(self.request, ())
        pk = int_param(self.kwargs["pk"])
        att = Attachment.objects.select_related("content_type", "uploaded_by").filter(pk=pk).first() if pk else None
        rt = registry.for_model(att.content_type.model_class()) if att is not None else None
        if rt is None:
            raise Http404("未找到该附件。")
        _record(scope_for(self.request.user), rt.key, att.object_id)
        return att

    @extend_schema(tags=["附件"], summary="记录的附件列表", parameters=[AttachmentQuery],
                   responses={200: AttachmentSerializer(many=True), 404: NOT_FOUND})
    def list(self, request):
        check_query(request, set(AttachmentQuery().fields) | paging_params(self))
        query = AttachmentQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        _, obj = _record(scope_for(request.user), query.validated_data["record_type"], query.validated_data["record"])
        page = self.paginate_queryset(selectors.attachments_of(obj).select_related("content_type", "uploaded_by"))
        return self.get_paginated_response(AttachmentSerializer(page, many=True).data)

    @extend_schema(tags=["附件"], summary="上传附件", request=AttachmentUploadSerializer,
                   responses={201: AttachmentSerializer, 404: NOT_FOUND})
    def create(self, request):
        form = AttachmentUploadSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        scope = scope_for(request.user)
        rt, obj = _record(scope, form.validated_data["record_type"], form.validated_data["record"])
        att = services.attach_file(rt, obj, form.validated_data["file"], actor=request.user, scope=scope)
        return Response(AttachmentSerializer(att).data, status=status.HTTP_201_CREATED)

    @extend_schema(tags=["附件"], summary="附件信息")
    def retrieve(self, request, pk=None):
        return Response(AttachmentSerializer(self.get_object()).data)

    @extend_schema(tags=["附件"], summary="下载附件", responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        att = self.get_object()
        return FileResponse(att.file.open("rb"), as_attachment=True, filename=att.name,
                            content_type="application/octet-stream")
