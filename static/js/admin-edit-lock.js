// Edit locks: this page renews its editor's lock every few seconds. When someone else holds
// it, the form turns read-only with a Take over button; when someone takes it from us, our
// changes so far are sent to be kept as a revision and the form turns read-only.
(function () {
  "use strict";
  var INTERVAL = 5000;

  function csrfToken() {
    var input = document.querySelector("#article_form input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      body: body || new FormData(),
      credentials: "same-origin",
      headers: {"X-CSRFToken": csrfToken(), "X-Requested-With": "fetch"},
    }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.json();
    });
  }

  function setReadOnly(form, readOnly) {
    form.classList.toggle("is-locked", readOnly);
    form.querySelectorAll("input, select, textarea, button").forEach(function (field) {
      if (field.closest(".edit-lock") || field.type === "hidden") { return; }
      if (readOnly) {
        if (!field.disabled) { field.dataset.lockDisabled = "1"; field.disabled = true; }
      } else if (field.dataset.lockDisabled) {
        delete field.dataset.lockDisabled;
        field.disabled = false;
      }
    });
    Object.keys(window.editors || {}).forEach(function (id) {
      var editor = window.editors[id];
      if (readOnly) { editor.enableReadOnlyMode("edit-lock"); } else { editor.disableReadOnlyMode("edit-lock"); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var banner = document.querySelector(".edit-lock");
    var form = window.articleForm && window.articleForm.form();
    if (!banner || !form) { return; }
    var message = banner.querySelector(".edit-lock__message");
    var takeOver = banner.querySelector(".edit-lock__take-over");
    var mine = banner.dataset.mine === "true";
    var timer = null;

    function show(text, offerTakeOver) {
      message.textContent = text;
      banner.hidden = false;
      takeOver.hidden = !offerTakeOver;
    }

    function lost(state) {
      mine = false;
      var unsaved = window.articleForm.data();
      setReadOnly(form, true);
      show(state.holder + " took over editing at " + state.since + " (" + state.time_zone + "). Keeping your changes…", true);
      post(banner.dataset.keepUrl, unsaved)
        .then(function (result) {
          show(state.holder + " took over editing at " + state.since + " (" + state.time_zone + "). " +
            (result.kept ? "Your changes so far were kept as a revision: see History." : result.error), true);
        })
        .catch(function () {
          show(state.holder + " took over editing. Your changes could not be kept: copy them before leaving.", true);
        });
    }

    function beat() {
      post(banner.dataset.lockUrl)
        .then(function (state) {
          if (state.mine) {
            if (!mine) { setReadOnly(form, false); banner.hidden = true; }
            mine = true;
          } else if (mine && state.taken_from_me) {
            lost(state);
          } else {
            mine = false;
            setReadOnly(form, true);
            show(state.holder + " is editing (since " + state.since + ", " + state.time_zone + ").", true);
          }
        })
        .catch(function () { /* offline or signed out: try again on the next beat */ });
    }

    if (!mine) { setReadOnly(form, true); }
    // CKEditor starts after this script; keep a held form read-only once it is there.
    window.setTimeout(function () { if (!mine) { setReadOnly(form, true); } }, 1500);
    timer = window.setInterval(beat, INTERVAL);
    takeOver.addEventListener("click", function (event) {
      event.preventDefault();
      window.clearInterval(timer);
      post(banner.dataset.takeOverUrl).then(function () { window.location.reload(); });
    });
    window.addEventListener("pagehide", function () {
      if (mine && navigator.sendBeacon) {
        var data = new FormData();
        data.append("csrfmiddlewaretoken", csrfToken());
        navigator.sendBeacon(banner.dataset.releaseUrl, data);
      }
    });
    window.editLock = {stop: function () { window.clearInterval(timer); }};
  });
})();
