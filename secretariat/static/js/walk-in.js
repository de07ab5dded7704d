// Walk-in form: what was typed survives the trip to the triage runner (sessionStorage, never the
// URL); back with ?triage=, the fields come back and the triage's priority stays as the server set it.
(function () {
  "use strict";
  var form = document.querySelector("form.walk-in-form");
  if (!form) return;
  var key = "secretariat.walk-in-draft";
  var skipped = { csrfmiddlewaretoken: true, triage: true, priority: true, site: true };
  var link = form.querySelector("a[data-key='u']");
  if (link) {
    link.addEventListener("click", function () {
      var draft = {};
      new FormData(form).forEach(function (value, name) { if (!skipped[name]) draft[name] = value; });
      try { sessionStorage.setItem(key, JSON.stringify(draft)); } catch (error) { /* private mode */ }
    });
  }
  if (!/[?&]triage=/.test(window.location.search)) return;
  var raw = null;
  try { raw = sessionStorage.getItem(key); sessionStorage.removeItem(key); } catch (error) { return; }
  if (!raw) return;
  var draft = JSON.parse(raw);
  Object.keys(draft).forEach(function (name) {
    form.querySelectorAll('[name="' + name + '"]').forEach(function (field) {
      if (field.type === "radio" || field.type === "checkbox") field.checked = field.value === draft[name];
      else if (!field.value) field.value = draft[name];
    });
  });
})();
