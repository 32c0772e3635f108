"""/api/reports/: duty reports for integrators — drafts and finalised versions (metadata) and their DOCX/PDF.

A finalised version's files are the stored, hashed ones; a draft's are rendered from today's records, as the
report page does. Writing and finalising stay on the report page."""

from __future__ import annotations

from urllib.parse import quote

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, ValidationError

from lvzhi.org.scoping import scope_for
from lvzhi.web.api_conventions import IntegerFilter
from lvzhi.web.params import FIRST_YEAR, LAST_YEAR

from . import pdf_render, services, templating
from .models import DutyReport, ReportStatus
from .views import CONTENT_TYPES

ERRORS = {"description": "错误说明", "type": "object"}


class RenderUnavailable(APIException):
    status_code = 503
    default_detail = "暂时无法生成该文件，请稍后重试或联系系统管理员。"


class ReportSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True, label="单位名称")
    status = serializers.ChoiceField(choices=ReportStatus.choices, read_only=True, label="状态")
    secretary_name = serializers.SerializerMethodField(label="述职人")
    template_name = serializers.CharField(source="template.name", read_only=True, label="模板")
    template_version = serializers.IntegerField(source="template.version", read_only=True, label="模板版本")
    has_pdf = serializers.SerializerMethodField(label="有 PDF")

    class Meta:
        model = DutyReport
        fields = ["id", "unit", "unit_name", "year", "number", "status", "secretary", "secretary_name",
                  "template", "template_name", "template_version", "report_date", "version", "created_at",
                  "updated_at", "finalised_at", "content_hash", "has_pdf"]
        read_only_fields = fields

    def get_secretary_name(self, obj) -> str:
        return obj.secretary.name if obj.secretary_id else ""

    def get_has_pdf(self, obj) -> bool:
        """A finalised version has a PDF when one was stored; a draft's PDF is rendered on request."""
        return bool(obj.pdf) if obj.is_final else True


class ReportDetailSerializer(ReportSerializer):
    intact = serializers.SerializerMethodField(label="文件完好",
                                               help_text="定稿的快照与文件仍与定稿时的哈希一致；草稿为 null")
    warnings = serializers.SerializerMethodField(label="提示", help_text="定稿时的提示（如缺少数据的数字）")

    class Meta(ReportSerializer.Meta):
        fields = [*ReportSerializer.Meta.fields, "intact", "warnings"]
        read_only_fields = fields

    def get_intact(self, obj) -> bool | None:
        return services.verify_integrity(obj) if obj.is_final else None

    def get_warnings(self, obj) -> list[str]:
        return [str(w) for w in (obj.snapshot or {}).get("warnings", [])] if obj.is_final else []


class ReportFilter(django_filters.FilterSet):
    unit = IntegerFilter(method="filter_unit", label="单位编号（含下级单位）")
    year = IntegerFilter(field_name="year", label="年度", min_value=FIRST_YEAR, max_value=LAST_YEAR)
    status = django_filters.ChoiceFilter(choices=ReportStatus.choices, label="状态")

    class Meta:
        model = DutyReport
        fields: list = []

    def filter_unit(self, qs, name, value):
        unit = scope_for(self.request.user).units().filter(pk=value).first()
        return qs.filter(unit.subtree_q("unit__")) if unit is not None else qs.none()


def _download_schema(fmt: str):
    return extend_schema(
        tags=["述职报告"], summary=f"下载述职报告 {services.FORMATS[fmt]}",
        responses={(200, CONTENT_TYPES[fmt]): OpenApiTypes.BINARY,
                   503: OpenApiResponse(description="暂时无法生成该文件（如 PDF 转换服务不可用）")})


@extend_schema_view(
    list=extend_schema(tags=["述职报告"], summary="述职报告列表（草稿与定稿各版本）"),
    retrieve=extend_schema(tags=["述职报告"], summary="述职报告详情", responses=ReportDetailSerializer),
)
class ReportViewSet(viewsets.ReadOnlyModelViewSet):
    """述职报告：草稿与定稿的各个版本，按您的单位范围过滤；定稿版本的 DOCX/PDF 为定稿时冻结并计算哈希的文件。"""

    serializer_class = ReportSerializer
    filterset_class = ReportFilter

    def get_queryset(self):
        qs = DutyReport.objects.select_related("unit", "template", "secretary").order_by("-year", "unit__path", "-number")
        return scope_for(self.request.user).filter(qs, "unit")

    def get_serializer_class(self):
        return ReportDetailSerializer if self.action == "retrieve" else ReportSerializer

    def _file(self, fmt: str) -> HttpResponse:
        report = self.get_object()
        try:
            data = services.report_file(report, fmt)
        except (templating.TemplateProblem, DjangoValidationError) as exc:
            raise ValidationError({"detail": getattr(exc, "messages", None) or [str(exc)]}) from None
        except (pdf_render.PdfUnavailable, RuntimeError) as exc:
            raise RenderUnavailable(f"无法生成 {services.FORMATS[fmt]}：{exc}") from None
        name = f"{report.unit.name}{report.year}年度述职报告（第{report.number}版）.{fmt}"
        response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
        return response

    @extend_schema(tags=["述职报告"], summary="“存在的问题和不足”“下步工作打算”的建议段落及其依据",
                   responses={(200, "application/json"): OpenApiTypes.OBJECT})
    @action(detail=True, methods=["get"], url_path="suggestions")
    def suggestions(self, request, pk=None):
        """The paragraphs the report page suggests, built only from the evidence, each with the evidence it cites
        (the same function as the page and ``lvzhi report --suggest``); the language model is not asked here."""
        from rest_framework.response import Response

        from . import suggest, templating

        report = self.get_object()
        found = suggest.suggest(scope_for(request.user), report.unit, report.year, kind=report.template.kind,
                                sections=templating.writer_sections(report.template.body))
        return Response({"sections": [{"key": s.key, "label": s.label, "paragraphs": [
            {"text": p.text, "evidence": [{"text": c["text"], "url": request.build_absolute_uri(c["url"]) if c["url"]
                                           else ""} for c in p.cites]} for p in s.paragraphs]} for s in found]})

    @_download_schema("docx")
    @action(detail=True, methods=["get"], url_path="docx")
    def docx(self, request, pk=None):
        return self._file("docx")

    @_download_schema("pdf")
    @action(detail=True, methods=["get"], url_path="pdf")
    def pdf(self, request, pk=None):
        return self._file("pdf")
