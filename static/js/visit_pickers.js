/* The visit forms' pickers (crm.forms.MissionPicker, OfficerPicker).
   Mission: the drop-down lists a few likely missions; the search box under it asks
   crm:mission_autocomplete for others, and a pick becomes the drop-down's choice.
   Officers: a pick from crm:officer_autocomplete becomes a chip holding a hidden
   input with the id (what the form posts); the chip's cross removes it. */
(function () {
  "use strict";

  // The chosen mission's full name under the drop-down (a phone cuts long ones).
  function showChosen() {
    var select = document.getElementById("id_mission");
    var chosen = document.querySelector("[data-mission-chosen]");
    if (!select || !chosen) return;
    var option = select.options[select.selectedIndex];
    chosen.textContent = option && option.value ? option.text : "";
  }

  function reveal() {
    // Without JavaScript the mission search box stays hidden: the drop-down is enough.
    document.querySelectorAll(".mission-picker .mission-search[hidden]").forEach(function (box) {
      box.hidden = false;
    });
    showChosen();
  }

  document.addEventListener("change", function (event) {
    if (event.target.id === "id_mission") showChosen();
  });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", reveal);
  else reveal();

  function closeOptions(picker, box) {
    picker.querySelector(".picker-options").innerHTML = "";
    box.value = "";
    box.setAttribute("aria-expanded", "false");
  }

  document.addEventListener("click", function (event) {
    // The mission under way, offered: a tap puts the visit under it (and its place,
    // if none is typed yet); nothing is chosen without that tap.
    var apply = event.target.closest("[data-mission-apply]");
    if (apply) {
      var missions = document.getElementById("id_mission");
      if (missions) {
        if (!missions.querySelector('option[value="' + apply.dataset.missionApply + '"]')) {
          missions.add(new Option(apply.dataset.missionLabel, apply.dataset.missionApply));
        }
        missions.value = apply.dataset.missionApply;
        missions.dispatchEvent(new Event("change", { bubbles: true }));
      }
      var place = document.getElementById("id_location");
      if (place && !place.value && apply.dataset.missionLocation) place.value = apply.dataset.missionLocation;
      apply.closest("[data-mission-suggestion]").remove();
      return;
    }
    var mission = event.target.closest("[data-mission-pick]");
    if (mission) {
      event.preventDefault();
      var picker = mission.closest(".mission-picker");
      var select = picker.querySelector("select");
      var option = select.querySelector('option[value="' + mission.dataset.missionPick + '"]');
      if (!option) {
        option = new Option(mission.dataset.missionLabel, mission.dataset.missionPick);
        select.add(option);
      }
      select.value = mission.dataset.missionPick;
      select.dispatchEvent(new Event("change", { bubbles: true }));
      closeOptions(picker, picker.querySelector(".mission-search"));
      return;
    }
    var officer = event.target.closest("[data-officer-pick]");
    if (officer) {
      event.preventDefault();
      var officers = officer.closest(".officer-picker");
      var chips = officers.querySelector(".officer-chips");
      if (!chips.querySelector('[data-officer="' + officer.dataset.officerPick + '"]')) {
        var chip = document.createElement("span");
        chip.className =
          "badge rounded-pill text-bg-light border officer-chip d-inline-flex align-items-center gap-1 fs-6 fw-normal";
        chip.dataset.officer = officer.dataset.officerPick;
        var hidden = document.createElement("input");
        hidden.type = "hidden";
        hidden.name = officers.dataset.field;
        hidden.value = officer.dataset.officerPick;
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "btn-close btn-close-sm";
        remove.setAttribute("data-officer-remove", "");
        remove.setAttribute("aria-label", officers.dataset.removeLabel + " " + officer.dataset.officerName);
        chip.appendChild(hidden);
        chip.appendChild(document.createTextNode(officer.dataset.officerName));
        chip.appendChild(remove);
        chips.appendChild(chip);
      }
      var box = officers.querySelector(".officer-search");
      closeOptions(officers, box);
      box.focus();
      return;
    }
    var removeChip = event.target.closest("[data-officer-remove]");
    if (removeChip) {
      event.preventDefault();
      removeChip.closest(".officer-chip").remove();
    }
  });

  // Enter in a search box picks the first match instead of sending the form half filled.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || !event.target.matches(".mission-search, .officer-search")) return;
    event.preventDefault();
    var picker = event.target.closest(".mission-picker, .officer-picker");
    var first = picker.querySelector("[data-mission-pick], [data-officer-pick]");
    if (first) first.click();
  });

  document.addEventListener("input", function (event) {
    if (event.target.matches(".mission-search, .officer-search")) {
      event.target.setAttribute("aria-expanded", event.target.value ? "true" : "false");
    }
  });
})();
