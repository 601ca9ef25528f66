/* OpenProbation: progressive enhancement only; every page works without this script. */
(function () {
  "use strict";
  document.documentElement.classList.remove("no-js");
  // After htmx replaces the caseload results, tell screen readers how many cases were found.
  document.addEventListener("htmx:afterSwap", function (event) {
    var summary = event.target.querySelector ? document.getElementById("caseload-summary") : null;
    if (summary) {
      summary.setAttribute("tabindex", "-1");
    }
  });
  // "Same as registered address": copy the registered address into the actual address fields.
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box || box.id !== "id_actual_same") {
      return;
    }
    var names = ["region", "locality", "street", "building", "apartment", "postcode"];
    names.forEach(function (name) {
      var from = document.getElementById("id_reg-" + name);
      var to = document.getElementById("id_act-" + name);
      if (from && to && box.checked) {
        to.value = from.value;
      }
    });
  });
})();
