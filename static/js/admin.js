// Every admin page. The autocomplete fields (select2) draw a combobox, and a box
// showing the value chosen, both named only by that value: an empty one has no name
// for a screen reader (axe: aria-input-field-name). Both are named by the field's
// label, then the value.
(function () {
  "use strict";
  function nameComboboxes(root) {
    root.querySelectorAll("select.admin-autocomplete").forEach(function (select) {
      var container = select.nextElementSibling;
      var box = container && container.querySelector('.select2-selection[role="combobox"]');
      var shown = container && container.querySelector(".select2-selection__rendered");
      var label = select.id && document.querySelector('label[for="' + select.id + '"]');
      if (!box || !label || box.dataset.named) return;
      if (!label.id) label.id = select.id + "-label";
      var value = box.getAttribute("aria-labelledby");
      box.setAttribute("aria-labelledby", value ? label.id + " " + value : label.id);
      if (shown && shown.id) shown.setAttribute("aria-labelledby", label.id + " " + shown.id);
      box.dataset.named = "1";
    });
  }
  // Django's autocomplete starts select2 when the document is ready (jQuery's ready,
  // registered before this deferred script): name them after it, and again at "load".
  if (window.django && window.django.jQuery) {
    window.django.jQuery(function () { nameComboboxes(document); });
  }
  window.addEventListener("load", function () { nameComboboxes(document); });
  document.addEventListener("formset:added", function (event) {
    window.setTimeout(function () { nameComboboxes(event.target); }, 0);
  });
})();

// On a phone the inline tables scroll sideways in their own box (admin.css); such a box
// must be reachable from the keyboard to be scrolled without a mouse (axe:
// scrollable-region-focusable).
(function () {
  "use strict";
  function focusable() {
    document.querySelectorAll(".inline-group .tabular").forEach(function (box) {
      if (!box.hasAttribute("tabindex")) box.setAttribute("tabindex", "0");
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusable);
  } else {
    focusable();
  }
})();
