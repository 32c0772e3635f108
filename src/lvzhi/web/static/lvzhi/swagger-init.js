// Starts Swagger UI on the API documentation page (lvzhi.web.apidocs) from the page's JSON configuration
// (#swagger-config: schema url, Swagger UI settings, CSRF header and token). A static file, so the page passes the
// Content-Security-Policy (script-src 'self'). Requests that change data carry the CSRF token of the signed-in
// session; the schema validator is off (validatorUrl null), so the page calls nothing outside.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("swagger-config").textContent);
  var options = {
    url: config.url,
    dom_id: "#swagger-ui",
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    requestInterceptor: function (request) {
      if (["GET", undefined].indexOf(request.method) === -1 && request.credentials === "same-origin") {
        request.headers[config.csrfHeader] = config.csrfToken;
      }
      return request;
    }
  };
  Object.keys(config.settings || {}).forEach(function (key) { options[key] = config.settings[key]; });
  window.ui = SwaggerUIBundle(options);
})();
