/* Our own behaviour: small, no inline scripts (so a strict CSP can come later). */
(function () {
  "use strict";

  function pickOrganisation(id, name) {
    var form = document.getElementById("visit-form");
    if (!form) return;
    form.querySelector("input[name=organisation]").value = id;
    var box = form.querySelector("#id_organisation_query");
    box.value = name;
    box.setAttribute("aria-expanded", "false");
    document.getElementById("organisation-options").innerHTML = "";
    var details = document.getElementById("new-organisation");
    if (details) details.open = false;
    var contacts = document.getElementById("contacts-box");
    if (contacts && window.htmx) {
      window.htmx.ajax("GET", contacts.dataset.contactsUrl + "?organisation=" + encodeURIComponent(id), {
        target: "#contacts-box",
        swap: "innerHTML",
      });
    }
  }

  document.addEventListener("click", function (event) {
    var pick = event.target.closest("[data-org-pick]");
    if (pick) {
      event.preventDefault();
      pickOrganisation(pick.dataset.orgPick, pick.dataset.orgName);
      return;
    }
    var create = event.target.closest("[data-org-new]");
    if (create) {
      event.preventDefault();
      var form = document.getElementById("visit-form");
      form.querySelector("input[name=organisation]").value = "";
      document.getElementById("organisation-options").innerHTML = "";
      var details = document.getElementById("new-organisation");
      details.open = true;
      var name = form.querySelector("#id_new_organisation_name");
      var text = create.dataset.orgNew;
      // Latin text is most likely the English name.
      var target = /[\u4e00-\u9fff]/.test(text) ? name : form.querySelector("#id_new_organisation_name_en");
      if (!target.value) target.value = text;
      target.dispatchEvent(new Event("input", { bubbles: true }));
      name.focus();
    }
  });

  // Typing in the organisation box after a pick means a new search: forget the pick.
  document.addEventListener("input", function (event) {
    if (event.target.id === "id_organisation_query") {
      var hidden = document.querySelector("#visit-form input[name=organisation]");
      if (hidden) hidden.value = "";
      event.target.setAttribute("aria-expanded", "true");
    }
  });

  document.addEventListener("change", function (event) {
    if (event.target.matches("select[data-autosubmit]")) event.target.form.submit();
  });
})();
