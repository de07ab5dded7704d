// Keyboard shortcuts, search-result navigation and small enhancements of the shell.
// No inline handlers anywhere (strict CSP): everything is wired here.
(function () {
  "use strict";

  function isTyping(target) {
    return target.closest("input, textarea, select, [contenteditable=true]") !== null;
  }

  // "/" or Ctrl+K focuses the global search; "g" then a letter opens an area.
  var pendingG = false;
  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.altKey || event.metaKey) return;
    var search = document.getElementById("global-search");
    if ((event.key === "k" && event.ctrlKey) || (event.key === "/" && !isTyping(event.target))) {
      if (search) { event.preventDefault(); search.focus(); search.select(); }
      return;
    }
    if (event.ctrlKey || isTyping(event.target)) return;
    if (pendingG) {
      pendingG = false;
      var link = document.querySelector('.sidebar a[data-shortcut="' + event.key + '"]');
      if (link) { event.preventDefault(); window.location.assign(link.href); }
      return;
    }
    if (event.key === "g") { pendingG = true; setTimeout(function () { pendingG = false; }, 1200); return; }
    var action = document.querySelector('[data-key="' + event.key + '"]');
    if (action) { event.preventDefault(); action.click(); }
  });

  // Arrow keys move through the search results; Escape closes them.
  document.addEventListener("keydown", function (event) {
    var box = document.getElementById("search-results");
    var search = document.getElementById("global-search");
    if (!box || !search) return;
    var links = Array.prototype.slice.call(box.querySelectorAll("a"));
    var inside = event.target === search || box.contains(event.target);
    if (!inside) return;
    if (event.key === "Escape") { box.innerHTML = ""; search.focus(); return; }
    if (!links.length || (event.key !== "ArrowDown" && event.key !== "ArrowUp")) return;
    event.preventDefault();
    var index = links.indexOf(document.activeElement);
    var next = event.key === "ArrowDown" ? index + 1 : index - 1;
    if (next < 0) { search.focus(); return; }
    links[Math.min(next, links.length - 1)].focus();
  });

  // Selects marked data-autosubmit submit their form on change (language switch).
  document.addEventListener("change", function (event) {
    if (event.target.matches("select[data-autosubmit]")) event.target.form.submit();
  });

  // Confirmation for destructive buttons, text given by the server in data-confirm.
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    var message = (button && button.dataset.confirm) || event.target.dataset.confirm;
    if (message && !window.confirm(message)) event.preventDefault();
  });

  // Toasts sent by the server through the HX-Trigger header.
  document.body.addEventListener("toast", function (event) {
    var box = document.getElementById("toasts");
    if (!box) return;
    var item = document.createElement("p");
    item.className = "message " + (event.detail.level || "success");
    item.textContent = event.detail.text;
    box.appendChild(item);
    setTimeout(function () { item.remove(); }, 5000);
  });

  // Leave a page open past the inactivity limit: go to the login page (the server already logged out).
  var seconds = parseInt(document.body.dataset.inactivitySeconds || "0", 10);
  if (seconds > 0) {
    var timer;
    var reset = function () {
      clearTimeout(timer);
      timer = setTimeout(function () { window.location.assign(document.body.dataset.loginUrl); }, (seconds + 5) * 1000);
    };
    ["keydown", "mousedown", "touchstart"].forEach(function (name) { document.addEventListener(name, reset, { passive: true }); });
    reset();
  }
})();
