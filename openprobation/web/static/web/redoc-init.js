/* Starts ReDoc on the API docs page (kept out of the page: the Content-Security-Policy forbids inline script). */
(function () {
  "use strict";
  var container = document.getElementById("redoc-container");
  if (!container || typeof Redoc === "undefined") {
    return;
  }
  var settings = {};
  try {
    settings = JSON.parse(container.getAttribute("data-settings") || "{}");
  } catch (error) {
    settings = {};
  }
  Redoc.init(container.getAttribute("data-spec-url"), settings, container);
})();
