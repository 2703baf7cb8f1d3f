// Re-runs the server's pre-publish checks on the form as typed, so what publishing still
// needs (and what deserves a second look) shows before the editor presses Save.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var panel = document.getElementById("publish-checks");
    var form = window.articleForm && window.articleForm.form();
    if (!panel || !form) { return; }
    var timer = null;
    var sequence = 0;
    function refresh() {
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
        })
        .catch(function () { /* offline: keep the last checks */ });
    }
    function schedule() {
      clearTimeout(timer);
      timer = setTimeout(refresh, 300);
    }
    form.addEventListener("input", schedule);
    form.addEventListener("change", schedule);
    refresh();
  });
})();
