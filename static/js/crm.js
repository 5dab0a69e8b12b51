/* The crm lists: a filter left at "Any" stays out of the address, so the address
   a page shows (and pushes into the history) is the API's query string too. */
(function () {
  "use strict";

  document.addEventListener("htmx:configRequest", function (event) {
    var form = event.detail.elt;
    if (!form.matches || !form.matches("form.filters")) return;
    var data = event.detail.formData;
    var names = [];
    data.forEach(function (value, name) {
      if (names.indexOf(name) < 0) names.push(name);
    });
    names.forEach(function (name) {
      var values = data.getAll(name).filter(function (value) {
        return value !== "" && value !== "unknown";
      });
      data.delete(name);
      values.forEach(function (value) {
        data.append(name, value);
      });
    });
  });
})();
