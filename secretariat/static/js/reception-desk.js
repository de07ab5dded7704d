// Today at the desk: find a name in the list, move with the keyboard, check in with Enter.
// The list is refreshed by htmx every five seconds: the filter and the selected row are put
// back after each refresh. No inline handlers (strict CSP).
(function () {
  "use strict";

  var selectedKey = null;

  function rowsBox() { return document.getElementById("desk-rows"); }
  function panel() { return document.getElementById("desk-panel"); }
  function filterBox() { return document.getElementById("desk-filter"); }

  function isTyping(target) {
    return target.closest("input, textarea, select, [contenteditable=true]") !== null;
  }

  function fold(text) {
    return (text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/[-'’]/g, " ").trim();
  }

  function visibleRows() {
    var box = rowsBox();
    if (!box) return [];
    return Array.prototype.slice.call(box.querySelectorAll("tr[data-row]")).filter(function (row) { return !row.hidden; });
  }

  function applyFilter() {
    var box = rowsBox();
    var input = filterBox();
    if (!box || !input) return;
    var words = fold(input.value).split(/\s+/).filter(Boolean);
    var shown = 0;
    box.querySelectorAll("tr[data-row]").forEach(function (row) {
      var name = fold(row.dataset.name);
      var match = words.every(function (word) { return name.indexOf(word) !== -1; });
      row.hidden = !match;
      if (match) shown += 1;
    });
    var none = box.querySelector(".desk-nomatch");
    if (none) none.hidden = !(words.length && shown === 0);
    var current = selectedRow();
    if (words.length && (!current || current.hidden)) select(visibleRows()[0] || null);
  }

  function selectedRow() {
    var box = rowsBox();
    if (!box || !selectedKey) return null;
    return box.querySelector('tr[data-row][data-key="' + selectedKey + '"]');
  }

  function select(row, scroll) {
    var box = rowsBox();
    if (!box) return;
    box.querySelectorAll("tr.is-selected").forEach(function (other) {
      other.classList.remove("is-selected");
      other.removeAttribute("aria-selected");
    });
    selectedKey = row ? row.dataset.key : null;
    if (!row) return;
    row.classList.add("is-selected");
    row.setAttribute("aria-selected", "true");
    if (scroll) row.scrollIntoView({ block: "nearest" });
  }

  function move(step) {
    var rows = visibleRows();
    if (!rows.length) return;
    var index = rows.indexOf(selectedRow());
    var next = index === -1 ? (step > 0 ? 0 : rows.length - 1) : Math.max(0, Math.min(rows.length - 1, index + step));
    select(rows[next], true);
  }

  function closePanel() {
    var box = panel();
    if (!box) return;
    box.innerHTML = "";
    var row = selectedRow();
    var button = row && row.querySelector("[data-primary]");
    if (button) button.focus();
  }

  // Capture phase: runs before the shell's shortcuts, so "/" searches this list, not the whole app.
  window.addEventListener("keydown", function (event) {
    if (!rowsBox() || event.altKey || event.metaKey || event.ctrlKey) return;
    var input = filterBox();
    var inFilter = event.target === input;
    var typing = isTyping(event.target) && !inFilter;
    var inPanel = panel() && panel().contains(event.target);
    if (event.key === "Escape") {
      if (panel() && panel().innerHTML.trim() && !typing) { event.preventDefault(); closePanel(); return; }
      if (inFilter && input.value) { event.preventDefault(); input.value = ""; applyFilter(); return; }
      return;
    }
    if (typing || inPanel) return;
    if (event.key === "/" && !inFilter) {
      event.preventDefault();
      event.stopPropagation();
      input.focus();
      input.select();
      return;
    }
    var down = event.key === "ArrowDown" || (!inFilter && event.key === "j");
    var up = event.key === "ArrowUp" || (!inFilter && event.key === "k");
    if (down || up) { event.preventDefault(); event.stopPropagation(); move(down ? 1 : -1); return; }
    if (event.key === "Enter" && (inFilter || !event.target.closest("a, button, input, select, textarea, summary"))) {
      var row = selectedRow();
      var primary = row && !row.hidden && row.querySelector("[data-primary]");
      if (primary) { event.preventDefault(); event.stopPropagation(); primary.click(); }
      else if (inFilter) event.preventDefault();
    }
  }, true);

  document.addEventListener("input", function (event) {
    if (event.target === filterBox()) applyFilter();
  });

  document.addEventListener("click", function (event) {
    var close = event.target.closest("[data-panel-close]");
    if (close) { closePanel(); return; }
    var row = event.target.closest("#desk-rows tr[data-row]");
    if (row) select(row, false);
  });

  document.addEventListener("change", function (event) {
    if (event.target.matches("input[data-autosubmit-check]")) event.target.form.submit();
  });

  // Enter in the filter box never submits the filters form (it checks in the selected row).
  document.addEventListener("submit", function (event) {
    if (event.target.id === "desk-filters" && event.submitter == null && document.activeElement === filterBox()) {
      event.preventDefault();
    }
  }, true);

  // The refresh sends the version of the list it shows: the server answers 204 (nothing to swap)
  // when nothing changed; a check-in or undo asks for the list anyway (desk-refresh event).
  var forceRefresh = false;
  var refreshAsked = false;
  document.body.addEventListener("desk-refresh", function () { forceRefresh = true; refreshAsked = true; });
  document.body.addEventListener("htmx:configRequest", function (event) {
    if (event.detail.elt !== rowsBox()) return;
    var marker = rowsBox().querySelector("[data-desk-version]");
    if (marker && !forceRefresh) event.detail.headers["X-Desk-Version"] = marker.dataset.deskVersion;
    forceRefresh = false;
  });

  // The refresh replaces the scrolling boxes: keep where the secretary had scrolled to.
  var kept = null;
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.target !== rowsBox()) return;
    kept = Array.prototype.map.call(rowsBox().querySelectorAll(".desk-walk-ins, .desk-appointments"), function (box) {
      return [box.className, box.scrollTop];
    });
  });

  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target === rowsBox()) {
      (kept || []).forEach(function (entry) {
        var box = rowsBox().querySelector("." + entry[0].split(" ")[0]);
        if (box) box.scrollTop = entry[1];
      });
      applyFilter();
      var row = selectedRow();
      if (row) { row.classList.add("is-selected"); row.setAttribute("aria-selected", "true"); }
    } else if (event.detail.target === panel()) {
      var target = panel().querySelector("[data-panel-default]") || panel().querySelector("#desk-panel-content");
      if (target) target.focus();
    }
  });

  // On arrival the list shows "now": the done rows of the morning are scrolled above, two kept in view.
  function listBox() { return document.querySelector("#desk-rows .desk-appointments"); }

  function scrollToNow() {
    var box = listBox();
    if (!box) return;
    var rows = Array.prototype.slice.call(box.querySelectorAll("tr[data-row][data-key^='a']"));
    var index = rows.findIndex(function (row) { return !/\bst-(seen|missed|excused_late)\b/.test(row.className); });
    if (index <= 2) return;
    var bottom = box.getBoundingClientRect().bottom;
    if (rows[Math.min(index + 3, rows.length - 1)].getBoundingClientRect().bottom <= bottom) return; // already in view
    var anchor = rows[index - 2];
    var head = box.querySelector("thead");
    box.scrollTop += anchor.getBoundingClientRect().top - box.getBoundingClientRect().top - (head ? head.offsetHeight : 0);
  }
  scrollToNow();

  // A refresh never replaces the list while a check-in button is being pressed, except the one the
  // check-in's own answer asks for (desk-refresh): it comes while that form is still marked
  // htmx-request, and the row must show the ticket at once.
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    if (event.detail.elt !== rowsBox()) return;
    var asked = refreshAsked;
    refreshAsked = false;
    if (!asked && rowsBox().querySelector("form.htmx-request")) event.preventDefault();
  });
})();
