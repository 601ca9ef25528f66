/* Progressive enhancement: show a group of fields only when the choice it belongs to is made.
   Without this script every group is shown and the server checks what is needed. */
(function () {
  "use strict";
  function update(form) {
    var groups = form.querySelectorAll("[data-op-when]");
    Array.prototype.forEach.call(groups, function (group) {
      var parts = group.getAttribute("data-op-when").split("=");
      var chosen = form.querySelector('input[name="' + parts[0] + '"]:checked');
      var show = chosen !== null && parts[1].split("|").indexOf(chosen.value) !== -1;
      group.hidden = !show;
    });
  }
  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-op-reveal]"), function (form) {
      update(form);
      form.addEventListener("change", function () { update(form); });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
