"""The API documentation page (Swagger UI) under the Content-Security-Policy.

drf-spectacular's page starts Swagger UI with an inline script; here the page carries its configuration as JSON
(``json_script``, not executed) and ``lvzhi/swagger-init.js``, a static file, starts Swagger UI with it. Swagger UI
and its styles come from the sidecar package (no CDN); ``validatorUrl`` is off, so nothing is sent outside.
"""

from django.conf import settings
from django.middleware.csrf import get_token
from drf_spectacular.settings import spectacular_settings
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularSwaggerView


class ApiDocsView(SpectacularSwaggerView):
    template_name = "web/swagger_ui.html"

    @extend_schema(exclude=True)  # a page, not an operation (as on the parent's get)
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        header = settings.CSRF_HEADER_NAME
        header = (header[5:] if header.startswith("HTTP_") else header).replace("_", "-")
        response.data["swagger_config"] = {
            "url": response.data["schema_url"],
            "settings": spectacular_settings.SWAGGER_UI_SETTINGS,
            "csrfHeader": header,
            "csrfToken": get_token(request),
        }
        return response
