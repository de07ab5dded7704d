// Agenda: keyboard moves between appointments, the side panel, and drag and drop to move an
// appointment. Everything else is plain links and forms (app.js already clicks [data-key]
// elements: ← → for days, t for today). No inline handlers (strict CSP).
(function () {
  "use strict";

  var STEP = 5; // minutes: drops snap to this grid, as the CSS rows do
  document.documentElement.classList.add("agenda-js"); // the date field then submits by itself

  function isTyping(target) {
    return target.closest("input, textarea, select, [contenteditable=true]") !== null;
  }

  function panel() { return document.getElementById("agenda-panel"); }

  function isOverlay() { return panel() !== null && panel().classList.contains("agenda-panel"); }

  function blocks() {
    return Array.prototype.slice.call(document.querySelectorAll(".appt[data-seq]"))
      .sort(function (a, b) { return a.dataset.seq - b.dataset.seq; });
  }

  function toast(text, level) {
    document.body.dispatchEvent(new CustomEvent("toast", { detail: { text: text, level: level || "success" } }));
  }

  function closePanel() {
    var box = panel();
    if (!box || !isOverlay()) return;
    box.innerHTML = "";
    var open = document.querySelector(".appt.is-open");
    if (open) { open.classList.remove("is-open"); open.focus(); }
  }

  // j / k or ↓ / ↑ go to the next or previous appointment, in time order; Escape closes the panel.
  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.altKey || event.metaKey || event.ctrlKey) return;
    if (event.key === "Escape" && panel() && panel().innerHTML.trim() && !isTyping(event.target)) {
      event.preventDefault();
      closePanel();
      return;
    }
    if (isTyping(event.target) || (panel() && panel().contains(event.target))) return;
    var forward = event.key === "j" || event.key === "ArrowDown";
    var backward = event.key === "k" || event.key === "ArrowUp";
    if (!forward && !backward) return;
    var list = blocks();
    if (!list.length) return;
    event.preventDefault();
    var index = list.indexOf(document.activeElement);
    var next;
    if (index === -1) next = forward ? 0 : list.length - 1;
    else next = Math.max(0, Math.min(list.length - 1, index + (forward ? 1 : -1)));
    list[next].focus();
    list[next].scrollIntoView({ block: "nearest", inline: "nearest" });
  });

  // The panel: mark the block it shows, focus its title, close with its button.
  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target !== panel() || !isOverlay()) return;
    var title = panel().querySelector("#panel-title");
    if (title) title.focus();
  });
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    // A live refresh of the grid waits while an appointment is being dragged.
    if (dragging && event.detail.target && event.detail.target.id === "agenda-grid") event.preventDefault();
    var source = event.detail.elt;
    if (source && source.classList && source.classList.contains("appt")) {
      document.querySelectorAll(".appt.is-open").forEach(function (item) { item.classList.remove("is-open"); });
      source.classList.add("is-open");
    }
  });
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    // A refresh that was already on its way when a drag began is dropped: the next one redraws.
    if (dragging && dragging.moved && event.detail.target && event.detail.target.id === "agenda-grid") {
      event.detail.shouldSwap = false;
    }
  });
  document.addEventListener("click", function (event) {
    var close = event.target.closest("[data-close-panel]");
    if (close && isOverlay() && panel().contains(close)) { event.preventDefault(); closePanel(); }
    var print = event.target.closest("[data-print]");
    if (print) { event.preventDefault(); window.print(); }
  });

  // The date field of the toolbar goes to the date as soon as one is picked.
  document.addEventListener("change", function (event) {
    if (event.target.matches("input[data-autosubmit-date]") && event.target.value) event.target.form.submit();
  });

  // Drag and drop -------------------------------------------------------------------------
  var dragging = null; // {block, origin, next, pointerId, startX, startY, grabY, moved, target, steps}

  function csrfToken() {
    try { return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"]; } catch (error) { return ""; }
  }

  function gridOf(element) { return element.closest(".agenda-grid"); }

  function stepHeight(column) {
    var grid = gridOf(column);
    var hours = grid.dataset.lastHour - grid.dataset.firstHour;
    return column.getBoundingClientRect().height / (hours * 60 / STEP);
  }

  function two(number) { return (number < 10 ? "0" : "") + number; }

  function place(block, column, clientY) {
    var grid = gridOf(column);
    var first = parseInt(grid.dataset.firstHour, 10);
    var total = (grid.dataset.lastHour - first) * 60 / STEP;
    var length = Math.ceil(parseInt(block.dataset.minutes, 10) / STEP);
    var top = clientY - dragging.grabY - column.getBoundingClientRect().top;
    var steps = Math.max(0, Math.min(total - length, Math.round(top / stepHeight(column))));
    var minutes = first * 60 + steps * STEP;
    if (block.parentNode !== column) column.appendChild(block);
    block.style.setProperty("--h", Math.floor(minutes / 60));
    block.style.setProperty("--f", (minutes % 60) / STEP);
    block.style.setProperty("--lane", 0);
    block.style.setProperty("--lanes", 1);
    block.dataset.dragTime = two(Math.floor(minutes / 60)) + ":" + two(minutes % 60);
    dragging.target = { column: column, minutes: minutes };
  }

  // The column under the pointer, by position (a toast or the panel may cover the grid).
  function columnAt(grid, clientX) {
    var columns = grid.querySelectorAll(".day-col[data-practitioner]");
    for (var index = 0; index < columns.length; index++) {
      var rect = columns[index].getBoundingClientRect();
      if (clientX >= rect.left && clientX < rect.right) return columns[index];
    }
    return null;
  }

  function restore(block) {
    ["--h", "--f", "--lane", "--lanes"].forEach(function (name) { block.style.removeProperty(name); });
    delete block.dataset.dragTime;
  }

  function endDrag() {
    document.body.classList.remove("agenda-dragging");
    document.querySelectorAll(".day-col.drop-target").forEach(function (c) { c.classList.remove("drop-target"); });
  }

  document.addEventListener("dragstart", function (event) {
    if (event.target.closest && event.target.closest(".appt")) event.preventDefault();
  });

  document.addEventListener("pointerdown", function (event) {
    var block = event.target.closest(".appt[data-move-url]");
    if (!block || event.button !== 0 || dragging) return;
    var rect = block.getBoundingClientRect();
    dragging = {
      block: block, origin: block.parentNode, next: block.nextSibling, pointerId: event.pointerId,
      startX: event.clientX, startY: event.clientY, grabY: event.clientY - rect.top, moved: false, target: null,
    };
  });

  document.addEventListener("pointermove", function (event) {
    if (!dragging || event.pointerId !== dragging.pointerId) return;
    if (!dragging.moved) {
      if (Math.abs(event.clientX - dragging.startX) + Math.abs(event.clientY - dragging.startY) < 5) return;
      dragging.moved = true;
      dragging.block.classList.add("dragging");
      document.body.classList.add("agenda-dragging");
    }
    event.preventDefault();
    var column = columnAt(gridOf(dragging.origin), event.clientX) || dragging.block.parentNode;
    document.querySelectorAll(".day-col.drop-target").forEach(function (c) { if (c !== column) c.classList.remove("drop-target"); });
    column.classList.add("drop-target");
    place(dragging.block, column, event.clientY);
  });

  function putBack(state) {
    restore(state.block);
    state.origin.insertBefore(state.block, state.next && state.next.parentNode === state.origin ? state.next : null);
  }

  document.addEventListener("pointerup", function (event) {
    if (!dragging || event.pointerId !== dragging.pointerId) return;
    var state = dragging;
    dragging = null;
    if (!state.moved) return; // a click: the link opens the panel
    endDrag();
    state.block.classList.remove("dragging");
    // The click that follows the drop (same task as the pointerup) must not open the panel.
    var swallow = function (click) { click.preventDefault(); click.stopPropagation(); };
    document.addEventListener("click", swallow, { capture: true, once: true });
    setTimeout(function () { document.removeEventListener("click", swallow, { capture: true }); }, 0);
    var target = state.target;
    var column = target && target.column;
    var start = column && column.dataset.date + "T" + two(Math.floor(target.minutes / 60)) + ":" + two(target.minutes % 60);
    var sameColumn = column === state.origin;
    if (!column || (sameColumn && state.block.querySelector("time").textContent.trim() === start.slice(11))) {
      putBack(state);
      return;
    }
    var body = new FormData();
    body.append("start", start);
    body.append("practitioner", column.dataset.practitioner);
    state.block.classList.add("pending");
    fetch(state.block.dataset.moveUrl, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": csrfToken() },
    }).then(function (response) {
      return response.json().catch(function () { return { error: response.statusText }; }).then(function (data) {
        state.block.classList.remove("pending");
        if (response.ok && data.ok) {
          toast(data.message, "success");
          state.block.querySelector("time").textContent = start.slice(11);
          document.body.dispatchEvent(new CustomEvent("agenda-changed"));
          return;
        }
        putBack(state);
        var text = data.error || "";
        toast(text, "error");
      });
    }).catch(function () {
      state.block.classList.remove("pending");
      putBack(state);
      var grid = document.getElementById("agenda-grid");
      toast(grid ? grid.dataset.offlineMessage : "", "error");
    });
  });

  document.addEventListener("pointercancel", function (event) {
    if (!dragging || event.pointerId !== dragging.pointerId) return;
    var state = dragging;
    dragging = null;
    endDrag();
    state.block.classList.remove("dragging");
    if (state.moved) putBack(state);
  });
})();
