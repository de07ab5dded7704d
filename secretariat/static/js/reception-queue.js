// Waiting room and compact queue: the board refreshes itself every 5 s (htmx). A refresh must not
// steal the keyboard: it waits while a select of the board is in use, and puts the focus back on
// the same button (same id) after the swap.
(function () {
  "use strict";
  var focusedId = null;

  document.addEventListener("htmx:beforeRequest", function (event) {
    var source = event.detail.elt;
    if (!source.classList || !source.classList.contains("q-poller")) return;
    var active = document.activeElement;
    if (active && active.tagName === "SELECT" && active.closest("#board, #panel")) event.preventDefault();
  });
  document.addEventListener("htmx:beforeSwap", function () {
    var active = document.activeElement;
    focusedId = active && active.id && active.closest("#board, #panel") ? active.id : null;
  });
  document.addEventListener("htmx:afterSwap", function () {
    if (!focusedId) return;
    var again = document.getElementById(focusedId);
    if (again) again.focus({ preventScroll: true });
    focusedId = null;
  });
})();
