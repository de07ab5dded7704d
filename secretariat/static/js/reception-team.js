// Messages, incidents: pick a patient from the search results without leaving the form, and
// Ctrl+Enter sends the form being typed. Without JavaScript the links and buttons still work.
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var pick = event.target.closest("[data-pick-patient]");
    if (pick) {
      var input = document.querySelector('form[method="post"] input[name="patient"]');
      var chosen = document.getElementById("chosen-patient");
      if (!input || !chosen) { return; }
      event.preventDefault();
      input.value = pick.dataset.pickPatient;
      chosen.querySelector("[data-chosen-label]").textContent = pick.dataset.label;
      chosen.hidden = false;
      document.getElementById("patient-search").hidden = true;
      document.getElementById("patient-hits").innerHTML = "";
      var next = document.querySelector('form[method="post"] select, form[method="post"] input:not([type=hidden])');
      if (next) { next.focus(); }
      return;
    }
    var clear = event.target.closest("[data-clear-patient]");
    if (clear) {
      var field = document.querySelector('form[method="post"] input[name="patient"]');
      if (!field) { return; }
      event.preventDefault();
      field.value = "";
      document.getElementById("chosen-patient").hidden = true;
      var search = document.getElementById("patient-search");
      search.hidden = false;
      var box = search.querySelector("input[type=search]");
      if (box) { box.value = ""; box.focus(); }
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && event.target.form &&
        event.target.form.method === "post") {
      event.preventDefault();
      event.target.form.requestSubmit();
    }
  });
})();

// The poster's print button.
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) { window.print(); }
});
