/* The project form: the investor is picked from the list that opens as its name or
   credit code is typed (htmx fills #investor-options); the pick goes in the hidden field. */
(function () {
  "use strict";

  function form() {
    return document.querySelector("form.project-form");
  }

  document.addEventListener("click", function (event) {
    var pick = event.target.closest("[data-investor-pick]");
    if (!pick || !form()) return;
    event.preventDefault();
    form().querySelector("input[name=investor]").value = pick.dataset.investorPick;
    var box = form().querySelector("#id_investor_query");
    box.value = pick.dataset.investorName;
    box.setAttribute("aria-expanded", "false");
    document.getElementById("investor-options").innerHTML = "";
  });

  // Typing after a pick starts a new search: forget the pick.
  document.addEventListener("input", function (event) {
    if (event.target.id === "id_investor_query" && form()) {
      form().querySelector("input[name=investor]").value = "";
      event.target.setAttribute("aria-expanded", "true");
    }
  });
})();
