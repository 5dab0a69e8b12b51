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

  // The header's search box (finder): "/" or Ctrl-K (Cmd-K) focuses it; the arrow keys
  // walk its suggestions (a combobox: the focus stays in the box), Enter opens the one
  // chosen, Escape closes them.
  function searchBox() {
    return document.getElementById("site-search");
  }
  function searchOptions() {
    return Array.prototype.slice.call(document.querySelectorAll("#site-search-list [role=option]"));
  }
  function closeSearch(box) {
    var list = document.getElementById("site-search-suggest");
    if (list) list.innerHTML = "";
    box.setAttribute("aria-expanded", "false");
    box.removeAttribute("aria-activedescendant");
  }
  function chooseOption(box, options, index) {
    options.forEach(function (option, i) {
      option.classList.toggle("active", i === index);
      option.setAttribute("aria-selected", i === index ? "true" : "false");
    });
    if (index >= 0) {
      box.setAttribute("aria-activedescendant", options[index].id);
      options[index].scrollIntoView({ block: "nearest" });
    } else {
      box.removeAttribute("aria-activedescendant");
    }
  }

  document.addEventListener("keydown", function (event) {
    var box = searchBox();
    if (!box) return;
    var typing = event.target.closest("input, textarea, select, [contenteditable]");
    if ((event.key === "k" || event.key === "K") && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      box.focus();
      box.select();
      return;
    }
    if (event.key === "/" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
      event.preventDefault();
      box.focus();
      box.select();
      return;
    }
    if (event.target !== box) return;
    var options = searchOptions();
    var current = options.findIndex(function (option) {
      return option.classList.contains("active");
    });
    if (event.key === "ArrowDown" && options.length) {
      event.preventDefault();
      chooseOption(box, options, current + 1 < options.length ? current + 1 : 0);
    } else if (event.key === "ArrowUp" && options.length) {
      event.preventDefault();
      chooseOption(box, options, current > 0 ? current - 1 : options.length - 1);
    } else if (event.key === "Enter" && current >= 0) {
      event.preventDefault();
      window.location.assign(options[current].href);
    } else if (event.key === "Escape") {
      closeSearch(box);
    }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.target.id !== "site-search-suggest") return;
    var box = searchBox();
    box.setAttribute("aria-expanded", searchOptions().length ? "true" : "false");
    box.removeAttribute("aria-activedescendant");
  });

  document.addEventListener("click", function (event) {
    var box = searchBox();
    if (box && !event.target.closest("[data-site-search]")) closeSearch(box);
  });
})();
