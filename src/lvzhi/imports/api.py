"""/api/imports/: upload a file to import (multipart), then follow the job — status, progress, row errors.

The job is created and started exactly as the import page does (``services.start_job``); the API only reads what
the job records. A user sees their own jobs."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from lvzhi.org.scoping import scope_for
from lvzhi.org.selectors import readable_unit
from lvzhi.records import registry

from .models import ImportJob, ImportMode, ImportStatus
from .services import create_job, job_state


def type_choices():
    return [(rt.key, rt.verbose_name) for rt in registry.all_types()]


class ImportErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(allow_null=True, help_text="行号（文件中的行）；整个文件的问题为 null")
    column = serializers.CharField(allow_blank=True, help_text="列名")
    message = serializers.CharField(help_text="原因")
    text = serializers.CharField(help_text="完整说明：第N行「列名」：原因")


class ImportJobSerializer(serializers.ModelSerializer):
    record_type_label = serializers.SerializerMethodField(label="记录类型名称")
    status = serializers.ChoiceField(choices=ImportStatus.choices, read_only=True, label="状态")
    phase = serializers.SerializerMethodField(label="阶段")
    done = serializers.SerializerMethodField(label="已处理行数")
    total = serializers.SerializerMethodField(label="总行数")
    percent = serializers.SerializerMethodField(label="进度（%）")
    error_count = serializers.SerializerMethodField(label="错误条数")

    class Meta:
        model = ImportJob
        fields = ["id", "record_type", "record_type_label", "filename", "unit", "mode", "status", "phase", "done",
                  "total", "percent", "rows", "created", "updated", "error_count", "created_at", "finished_at"]
        read_only_fields = fields

    def get_record_type_label(self, obj) -> str:
        try:
            return registry.get(obj.record_type).verbose_name
        except LookupError:
            return obj.record_type

    def to_representation(self, obj):
        self._progress(obj)  # first: a dead job's status turns 中断 before it is read
        return super().to_representation(obj)

    def _progress(self, obj) -> dict:
        """The running job's progress (kept outside the database); a job whose worker died becomes 中断 here."""
        cache = self.context.setdefault("progress", {})
        if obj.pk not in cache:
            cache[obj.pk] = job_state(obj)["progress"] or {}
        return cache[obj.pk]

    def get_phase(self, obj) -> str:
        return self._progress(obj).get("phase", "")

    def get_done(self, obj) -> int:
        return int(self._progress(obj).get("done") or 0)

    def get_total(self, obj) -> int | None:
        return self._progress(obj).get("total")

    def get_percent(self, obj) -> int:
        p = self._progress(obj)
        return min(100, round(p["done"] * 100 / p["total"])) if p.get("total") else (100 if obj.finished_at else 0)

    def get_error_count(self, obj) -> int:
        return len(obj.errors or [])


class ImportJobDetailSerializer(ImportJobSerializer):
    errors = ImportErrorSerializer(many=True, read_only=True, help_text="导入被拒绝的原因（有任何错误则整个文件不写入）")

    class Meta(ImportJobSerializer.Meta):
        fields = [*ImportJobSerializer.Meta.fields, "errors"]
        read_only_fields = fields


class ImportUploadSerializer(serializers.Serializer):
    record_type = serializers.ChoiceField(choices=type_choices(), help_text="记录类型（与“下载模板”的类型相同）")
    file = serializers.FileField(help_text="Excel（.xlsx）或 CSV 文件")
    unit = serializers.IntegerField(required=False, min_value=1, help_text="“单位”列为空的行归入的单位编号")
    mode = serializers.ChoiceField(choices=ImportMode.choices, required=False, default=ImportMode.CREATE,
                                   help_text="导入方式：新增（已有的记录报错）、按编号更新已有记录、新增或更新")


@extend_schema_view(
    list=extend_schema(tags=["导入"], summary="我的导入任务"),
    retrieve=extend_schema(tags=["导入"], summary="导入任务状态与错误", responses=ImportJobDetailSerializer),
    create=extend_schema(tags=["导入"], summary="上传文件并导入", request=ImportUploadSerializer,
                         responses={202: ImportJobDetailSerializer,
                                    413: OpenApiResponse(description="文件超过上传大小上限")}),
)
class ImportJobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                       viewsets.GenericViewSet):
    """导入：上传 Excel/CSV，全部校验通过才写入；任务状态、进度与逐行错误。只列出您自己的导入任务。"""

    serializer_class = ImportJobSerializer
    queryset = ImportJob.objects.none()  # the schema's model; get_queryset gives the user's own
    parser_classes = [MultiPartParser]

    def get_queryset(self):
        return ImportJob.objects.filter(created_by=self.request.user).order_by("-created_at", "-pk")

    def get_serializer_class(self):
        return ImportJobDetailSerializer if self.action == "retrieve" else ImportJobSerializer

    def create(self, request, *args, **kwargs):
        form = ImportUploadSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        rt = registry.get(form.validated_data["record_type"])
        scope = scope_for(request.user)
        if not scope.can_write_any(rt.system):
            self.permission_denied(request, message=f"您没有导入{rt.verbose_name}的权限。")
        upload = form.validated_data["file"]
        if upload.size > settings.MAX_UPLOAD_BYTES:
            raise serializers.ValidationError(
                {"file": [f"文件过大（{upload.size / 1048576:.1f} MB），上限 {settings.MAX_UPLOAD_BYTES // 1048576} MB。"]})
        unit = None
        if "unit" in form.validated_data:
            unit = readable_unit(scope, form.validated_data["unit"])
            if unit is None:
                raise serializers.ValidationError({"unit": ["未找到该单位，或您无权查看。"]})
        try:
            job = create_job(record_type=rt.key, upload=upload, user=request.user, unit=unit,
                             mode=form.validated_data.get("mode", "create"),
                             background=getattr(settings, "IMPORT_IN_BACKGROUND", True))
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"file": exc.messages}) from None
        job.refresh_from_db()
        return Response(ImportJobDetailSerializer(job).data, status=status.HTTP_202_ACCEPTED)
