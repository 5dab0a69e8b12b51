/* The chain map: picking an organisation in an "add a target" box. No inline
   scripts, so a strict CSP can come later. */
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var pick = event.target.closest("[data-target-pick]");
    if (!pick) return;
    event.preventDefault();
    var form = pick.closest("form.target-form");
    if (!form) return;
    form.querySelector("input[name=organisation]").value = pick.dataset.targetPick;
    form.querySelector("input[name=organisation_query]").value = pick.dataset.targetName;
    form.querySelector(".target-options").innerHTML = "";
  });

  // Typing again after a pick starts a new search: forget the pick.
  document.addEventListener("input", function (event) {
    if (event.target.name !== "organisation_query") return;
    var form = event.target.closest("form.target-form");
    if (form) form.querySelector("input[name=organisation]").value = "";
  });
})();
