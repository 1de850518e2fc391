"use strict";
// Starts Swagger UI from the package's own copy (no CDN); kept out of the HTML so the CSP needs no inline script.
window.addEventListener("DOMContentLoaded", function () {
  var box = document.getElementById("swagger-ui");
  window.ui = window.SwaggerUIBundle({ url: box.getAttribute("data-url"), dom_id: "#swagger-ui", deepLinking: true });
});
