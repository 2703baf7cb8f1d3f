// Re-runs the server's pre-publish checks on the form as typed, so what publishing still
// needs (and what deserves a second look) shows before the editor presses Save.
// From the first change until the checks for the latest form are shown, the panel is
// aria-busy: screen readers announce the settled result once, and whoever waits for the
// form below to stop moving (the panel's height changes with its text) can tell.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var panel = document.getElementById("publish-checks");
    var form = window.articleForm && window.articleForm.form();
    if (!panel || !form) { return; }
    var timer = null;
    var sequence = 0;
    function settle(mine) {
      if (mine === sequence && timer === null) { panel.removeAttribute("aria-busy"); }
    }
    function refresh() {
      timer = null;
      var mine = ++sequence;
      fetch(panel.dataset.checksUrl, {
        method: "POST",
        body: window.articleForm.data(),
        credentials: "same-origin",
        headers: {"X-Requested-With": "fetch"},
      })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (result) {
          if (result && mine === sequence) {
            panel.innerHTML = result.html;
            panel.dataset.checked = String(mine);
          }
          settle(mine);
        })
        .catch(function () { settle(mine); /* offline: keep the last checks */ });
    }
    function schedule() {
      panel.setAttribute("aria-busy", "true");
      clearTimeout(timer);
      timer = setTimeout(refresh, 300);
    }
    form.addEventListener("input", schedule);
    form.addEventListener("change", schedule);
    panel.setAttribute("aria-busy", "true");
    refresh();
  });
})();
