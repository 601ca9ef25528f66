// The "Your duties" notice: the print button (no inline script under the Content-Security-Policy).
document.addEventListener("DOMContentLoaded", function () {
  var button = document.getElementById("notice-print");
  if (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      window.print();
    });
  }
});
