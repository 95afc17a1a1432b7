/* Beslutsregister: optional filters by deciding body and status.
   The register is a plain table per body and works without this script; the script only
   shows the (hidden by default) form and hides rows and groups that do not match. */
(function () {
  "use strict";
  function setup() {
    var form = document.querySelector("form[data-rapport-filter]");
    if (!form) { return; }
    var organ = form.querySelector("select[name=organ]");
    var status = form.querySelector("select[name=status]");
    var count = form.querySelector(".rapport-filter-antal");
    var rows = Array.prototype.slice.call(document.querySelectorAll("tr.rapport-register-rad"));
    var groups = Array.prototype.slice.call(document.querySelectorAll("section.rapport-organgrupp"));
    function apply() {
      var shown = 0;
      rows.forEach(function (row) {
        var ok = (!organ.value || row.classList.contains("rapport-organ-" + organ.value)) &&
                 (!status.value || row.classList.contains("rapport-status-" + status.value));
        row.hidden = !ok;
        if (ok) { shown += 1; }
      });
      groups.forEach(function (group) {
        group.hidden = !group.querySelector("tr.rapport-register-rad:not([hidden])");
      });
      count.textContent = "Visar " + shown + " av " + rows.length + " beslut.";
    }
    form.addEventListener("change", apply);
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    form.hidden = false;
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setup);
  } else {
    setup();
  }
})();
