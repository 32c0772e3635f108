from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from lvzhi.imports.api import ImportJobViewSet
from lvzhi.metrics.api import MetricViewSet
from lvzhi.obligations.results_api import CheckResultViewSet
from lvzhi.records.api import former_paths, register_all
from lvzhi.records.attachments_api import AttachmentViewSet
from lvzhi.reports.api import ReportViewSet
from lvzhi.tokens.api import TokenViewSet
from lvzhi.web.apidocs import ApiDocsView

router = DefaultRouter()
register_all(router)
router.register("metrics", MetricViewSet, basename="metric")
router.register("checks", CheckResultViewSet, basename="check")
router.register("reports", ReportViewSet, basename="report")
router.register("imports", ImportJobViewSet, basename="import_job")
router.register("attachments", AttachmentViewSet, basename="attachment")
router.register("tokens", TokenViewSet, basename="token")

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", ApiDocsView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/", include(router.urls)),
    *former_paths(),
    path("records/", include("lvzhi.records.urls")),
    path("imports/", include("lvzhi.imports.urls")),
    path("org/", include("lvzhi.org.urls")),
    path("audit/", include("lvzhi.audit.urls")),
    path("obligations/", include("lvzhi.obligations.urls")),
    path("metrics/", include("lvzhi.metrics.urls")),
    path("reports/", include("lvzhi.reports.urls")),
    path("appraisal/", include("lvzhi.appraisal.urls")),
    path("account/tokens/", include("lvzhi.tokens.urls")),
    path("", include("lvzhi.web.urls")),
]

handler404 = "lvzhi.web.views.page_not_found"
handler500 = "lvzhi.web.views.server_error"
