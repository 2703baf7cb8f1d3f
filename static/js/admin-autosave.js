// Server autosave: 1.5 s after typing stops, the form as typed goes to this editor's working
// copy (never to the article, never a revision), without reloading or moving the page.
(function () {
  "use strict";
  var DELAY = 1500;
  var SIGNED_OUT = "signed out";
  document.addEventListener("DOMContentLoaded", function () {
    var banner = document.querySelector(".edit-lock");
    var status = document.querySelector(".autosave-status");
    var form = window.articleForm && window.articleForm.form();
    if (!banner || !status || !form || !banner.dataset.autosaveUrl) { return; }
    var timer = null;
    // The form as last sent, or as it was when ready: only a difference is worth sending.
    var last = null;
    var started = false;

    function send() {
      if (form.classList.contains("is-locked")) { return; }
      var data = window.articleForm.data();
      var body = new URLSearchParams(data).toString();
      if (body === last) { return; }
      // A signed-out editor is redirected to the login page: say so, rather than "failed".
      fetch(banner.dataset.autosaveUrl, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        redirect: "manual",
        headers: {"X-Requested-With": "fetch"},
      })
        .then(function (response) {
          if (response.type === "opaqueredirect") { return Promise.reject(SIGNED_OUT); }
          return response.ok ? response.json() : Promise.reject(response.status);
        })
        .then(function (result) {
          last = body;
          status.textContent = "Autosaved to your working copy at " + result.saved_at + " (" +
            result.time_zone + "); not published.";
        })
        .catch(function (reason) {
          status.textContent = reason === SIGNED_OUT
            ? "Autosave paused: you are signed out. Your changes are kept in this browser; " +
              "Save signs you in again."
            : "Autosave failed; your changes are kept in this browser.";
        });
    }

    function schedule(event) {
      if (!started) { return; }
      if (event.target && event.target.closest && event.target.closest(".edit-lock")) { return; }
      clearTimeout(timer);
      timer = setTimeout(send, DELAY);
    }
    window.articleForm.ready(function (touched) {
      if (!touched) { last = new URLSearchParams(window.articleForm.data()).toString(); }
      started = true;
      if (touched) { schedule({}); }
    });
    form.addEventListener("input", schedule);
    form.addEventListener("change", schedule);
    form.addEventListener("submit", function () { clearTimeout(timer); });
  });
})();
