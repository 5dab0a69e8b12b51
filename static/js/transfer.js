/* Import pages: refuse a too-large file before uploading it, avoid double submits,
   and size the progress bar (no inline styles or scripts: strict CSP). */
(function () {
  "use strict";

  function sizeBars(root) {
    (root || document).querySelectorAll(".transfer-bar[data-percent]").forEach(function (bar) {
      bar.style.width = bar.dataset.percent + "%";
    });
  }

  document.addEventListener("DOMContentLoaded", function () { sizeBars(document); });
  document.body.addEventListener("htmx:afterSwap", function (event) { sizeBars(event.target); });

  document.addEventListener("change", function (event) {
    var input = event.target;
    var form = input.closest && input.closest("form.transfer-upload");
    if (!form || input.type !== "file" || !input.files.length) return;
    var limit = parseInt(form.dataset.maxBytes, 10);
    input.setCustomValidity(input.files[0].size > limit ? form.dataset.tooLarge : "");
    input.reportValidity();
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("form.transfer-upload, form.transfer-commit")) return;
    form.querySelectorAll("button[type=submit]").forEach(function (button) {
      window.setTimeout(function () { button.disabled = true; }, 0);
    });
  });
})();
