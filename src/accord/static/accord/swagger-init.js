// Starts django-ninja's Swagger UI on the API documentation page (templates/pages/api_docs.html)
// from the settings the page carries as JSON: a file rather than ninja's template's script,
// which the Content-Security-Policy would block. A browser session's requests carry the CSRF
// token; a token-signed script needs none.
(function () {
  var holder = document.getElementById("swagger-ui");
  var source = document.getElementById("swagger-settings");
  if (!holder || !source || typeof window.SwaggerUIBundle !== "function") return;
  var config = JSON.parse(source.textContent);
  config.dom_id = "#swagger-ui";
  config.presets = [window.SwaggerUIBundle.presets.apis, window.SwaggerUIBundle.SwaggerUIStandalonePreset];
  var csrf = holder.getAttribute("data-csrf-token");
  if (csrf) {
    config.requestInterceptor = function (request) {
      request.headers["X-CSRFToken"] = csrf;
      return request;
    };
  }
  window.SwaggerUIBundle(config);
})();
