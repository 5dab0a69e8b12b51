/* The project board and the stage form: drag a card to a column (desktop) or pick a
   stage from the card's menu (phones, keyboards); either way the server's stage form
   opens in a dialog and the stage service decides. No inline scripts: data comes from
   data-*. A card's menu is built when it is first opened, from the page's one menu
   template and the card's data-moves (a page of cards carries no menus). */
(function () {
  "use strict";

  var dialogBodyId = "stage-dialog-body";

  function openStageForm(url) {
    if (!window.htmx) {
      window.location.href = url;
      return;
    }
    window.htmx.ajax("GET", url, { target: "#" + dialogBodyId, swap: "innerHTML" });
  }

  function moveUrl(card, stage) {
    var board = document.getElementById("board");
    var next = board ? board.dataset.next : window.location.pathname;
    return card.dataset.moveUrl + "?to=" + encodeURIComponent(stage) + "&next=" + encodeURIComponent(next);
  }

  // The card's menu: the stages it may move to (data-moves), each opening the form.
  function ensureMenu(button) {
    var next = button.nextElementSibling;
    if (next && next.classList.contains("dropdown-menu")) return;
    var card = button.closest(".board-card");
    var template = document.getElementById("board-move-menu");
    if (!card || !template) return;
    var menu = template.content.firstElementChild.cloneNode(true);
    var moves = (card.dataset.moves || "").split(" ");
    menu.querySelectorAll("[data-stage-move]").forEach(function (link) {
      if (moves.indexOf(link.dataset.stage) === -1) {
        link.parentElement.remove();
      } else {
        link.href = moveUrl(card, link.dataset.stage);
      }
    });
    button.insertAdjacentElement("afterend", menu);
  }

  // Before Bootstrap's own handlers (which look for the menu beside the button).
  ["click", "keydown", "focusin"].forEach(function (type) {
    document.addEventListener(
      type,
      function (event) {
        var button = event.target.closest && event.target.closest(".board-card-menu");
        if (button) ensureMenu(button);
      },
      true
    );
  });

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-stage-move]");
    if (!link || !link.closest(".board-card")) return;
    event.preventDefault();
    openStageForm(link.href);
  });

  // Show only the fields the chosen stage asks for (signed amount, reason).
  function syncStageFields(form) {
    var select = form.querySelector("select[name=to_stage]");
    if (!select) return;
    form.querySelectorAll("[data-show-for]").forEach(function (box) {
      var stages = box.dataset.showFor.split(" ");
      box.classList.toggle("d-none", stages.indexOf(select.value) === -1);
    });
  }

  document.addEventListener("change", function (event) {
    if (event.target.matches(".stage-form select[name=to_stage]")) {
      syncStageFields(event.target.form);
    }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (target && target.id === dialogBodyId) {
      var dialog = document.getElementById("stage-dialog");
      if (dialog && window.bootstrap) window.bootstrap.Modal.getOrCreateInstance(dialog).show();
      var first = target.querySelector("input[name=on]");
      if (first) first.focus();
    }
    document.querySelectorAll(".stage-form").forEach(syncStageFields);
  });

  // --- Drag and drop (mouse; phones use the menu) ---
  var dragged = null;

  document.addEventListener("dragstart", function (event) {
    var card = event.target.closest && event.target.closest(".board-card[draggable=true]");
    if (!card) return;
    dragged = card;
    card.classList.add("is-dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.dataset.project);
  });

  document.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("is-dragging");
    dragged = null;
    document.querySelectorAll(".board-column.is-target").forEach(function (column) {
      column.classList.remove("is-target");
    });
  });

  document.addEventListener("dragover", function (event) {
    var column = event.target.closest && event.target.closest(".board-column");
    if (!column || !dragged) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    column.classList.add("is-target");
  });

  document.addEventListener("dragleave", function (event) {
    var column = event.target.closest && event.target.closest(".board-column");
    if (column && !column.contains(event.relatedTarget)) column.classList.remove("is-target");
  });

  document.addEventListener("drop", function (event) {
    var column = event.target.closest && event.target.closest(".board-column");
    if (!column || !dragged) return;
    event.preventDefault();
    column.classList.remove("is-target");
    var from = dragged.closest(".board-column");
    if (from === column) return;
    openStageForm(moveUrl(dragged, column.dataset.stage));
  });

  // "Scroll sideways for more columns" while some column is out of sight.
  function hintScroll() {
    var board = document.getElementById("board");
    var hint = document.querySelector(".board-scroll-hint");
    if (!board || !hint) return;
    var hidden = board.scrollLeft + board.clientWidth < board.scrollWidth - 4;
    hint.classList.toggle("d-none", !hidden);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".stage-form").forEach(syncStageFields);
    var board = document.getElementById("board");
    if (board) board.addEventListener("scroll", hintScroll, { passive: true });
    window.addEventListener("resize", hintScroll);
    hintScroll();
  });
})();
