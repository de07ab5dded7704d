// Phone log: show the callback fields only for "to call back", keep the half-typed call while the
// urgency triage runs (sessionStorage, never the URL), Ctrl+Enter records, "n" focuses the form.
(function () {
  "use strict";
  var form = document.getElementById("call-form");
  if (!form) return;
  var key = form.dataset.draftKey;
  var skipped = { csrfmiddlewaretoken: true, triage: true, q: true };

  function syncCallback() {
    var chosen = form.querySelector('input[name="outcome"]:checked');
    form.querySelectorAll("[data-show-for-outcome]").forEach(function (block) {
      block.hidden = !chosen || chosen.value !== block.dataset.showForOutcome;
    });
  }

  function saveDraft() {
    var draft = {};
    new FormData(form).forEach(function (value, name) { if (!skipped[name]) draft[name] = value; });
    try { sessionStorage.setItem(key, JSON.stringify(draft)); } catch (error) { /* private mode: nothing kept */ }
  }

  function restoreDraft() {
    var raw = null;
    try { raw = sessionStorage.getItem(key); sessionStorage.removeItem(key); } catch (error) { return; }
    if (!raw) return;
    var draft = JSON.parse(raw);
    Object.keys(draft).forEach(function (name) {
      if (name === "outcome" && form.querySelector('input[name="outcome"]:checked')) return;
      if (name === "patient") return;  // comes back with the triage
      form.querySelectorAll('[name="' + name + '"]').forEach(function (field) {
        if (field.type === "radio" || field.type === "checkbox") field.checked = field.value === draft[name];
        else field.value = draft[name];
      });
    });
  }

  if (form.hasAttribute("data-restore-draft")) restoreDraft();
  syncCallback();
  form.addEventListener("change", function (event) { if (event.target.name === "outcome") syncCallback(); });

  var triageLink = form.querySelector("[data-triage-link]");
  if (triageLink) {
    triageLink.addEventListener("click", function (event) {
      saveDraft();
      var patient = form.querySelector('input[name="patient"]:checked');
      if (patient) {
        event.preventDefault();
        window.location.assign(triageLink.href + "&patient=" + encodeURIComponent(patient.value));
      }
    });
  }

  form.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { event.preventDefault(); form.requestSubmit(); }
  });
  document.querySelectorAll("[data-focus]").forEach(function (button) {
    button.addEventListener("click", function () {
      var field = document.getElementById(button.dataset.focus);
      if (field) { field.focus(); field.select(); }
    });
  });
})();
