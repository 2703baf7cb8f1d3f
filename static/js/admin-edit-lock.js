// Edit locks: this page renews its editor's lock every few seconds. When someone else holds
// it, the form turns read-only with a Take over button; when someone takes it from us, our
// changes so far are sent to be kept as a revision and the form turns read-only.
// A lock belongs to a tab: the same editor's second tab is read-only too ("You are editing
// this in another tab"), so two tabs cannot overwrite each other's work.
(function () {
  "use strict";
  var INTERVAL = 5000;
  var TAB_KEY = "meridian:edit-tab";
  var tabId = "";

  function newTabId() {
    return window.crypto && crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2);
  }

  // sessionStorage keeps the id across reloads of this tab (so a reload is the same tab), but
  // "Duplicate tab" copies it too: a tab that answers to the same id makes this one pick anew.
  function chooseTabId(then) {
    var stored = window.sessionStorage.getItem(TAB_KEY);
    tabId = stored || newTabId();
    window.sessionStorage.setItem(TAB_KEY, tabId);
    if (!stored || !window.BroadcastChannel) { then(); return; }
    var channel = new BroadcastChannel(TAB_KEY);
    var asking = true;
    channel.onmessage = function (event) {
      if (event.data.ask === tabId && !asking) { channel.postMessage({taken: tabId}); }
      if (event.data.taken === tabId && asking) {
        tabId = newTabId();
        window.sessionStorage.setItem(TAB_KEY, tabId);
      }
    };
    channel.postMessage({ask: tabId});
    setTimeout(function () { asking = false; then(); }, 150);
  }

  function csrfToken() {
    var input = document.querySelector("#article_form input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function post(url, body) {
    body = body || new FormData();
    body.set("edit_tab", tabId);
    return fetch(url, {
      method: "POST",
      body: body,
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

    var hasLost = false;

    function lost(state) {
      mine = false;
      hasLost = true;
      var unsaved = window.articleForm.data();
      setReadOnly(form, true);
      var who = state.other_tab ? "You took over editing in another tab" : state.holder + " took over editing";
      var when = who + " at " + state.since + " (" + state.time_zone + "). ";
      show(when + "Keeping your changes…", true);
      post(banner.dataset.keepUrl, unsaved)
        .then(function (result) {
          show(when + (result.kept ? "Your changes so far were kept as a revision: see History." : result.error), true);
        })
        .catch(function () {
          show(who + ". Your changes could not be kept: copy them before leaving.", true);
        });
    }

    var beating = false;
    var retry = null;

    function beat() {
      // One question at a time: a wake-up and the timer may ask together.
      if (beating) { return; }
      beating = true;
      post(banner.dataset.lockUrl)
        .then(function (state) {
          window.editLock.beats += 1;
          if (stopped) { return; }
          if (state.mine) {
            if (!mine) { setReadOnly(form, false); banner.hidden = true; }
            mine = true;
            hasLost = false;
          } else if (mine && state.taken_from_me) {
            lost(state);
          } else {
            mine = false;
            setReadOnly(form, true);
            var who = state.other_tab ? "You are editing this in another tab" : state.holder + " is editing";
            // After a take-over, the message saying where our changes went stays up.
            if (!hasLost) { show(who + " (since " + state.since + ", " + state.time_zone + ").", true); }
          }
        })
        .catch(function () {
          // Offline, asleep or signed out: ask again soon rather than a whole interval later.
          if (!stopped && retry === null) {
            retry = window.setTimeout(function () { retry = null; beat(); }, 1000);
          }
        })
        .finally(function () { beating = false; });
    }

    // A page that slept (laptop lid closed, a background tab the browser froze) sent no
    // heartbeats, so its lock may have lapsed and passed to someone else. Ask the moment it
    // is back rather than at the next beat: then it turns read-only and keeps its changes.
    function wake() {
      if (started && !stopped && document.visibilityState !== "hidden") { beat(); }
    }
    document.addEventListener("visibilitychange", wake);
    window.addEventListener("focus", wake);
    window.addEventListener("online", wake);
    window.addEventListener("pageshow", function (event) { if (event.persisted) { wake(); } });

    if (!mine) { setReadOnly(form, true); }
    // CKEditor starts after this script; keep a held form read-only once it is there.
    window.setTimeout(function () { if (!mine) { setReadOnly(form, true); } }, 1500);
    // Saves say which tab they come from; the server refuses one from a tab without the lock.
    var tabField = document.createElement("input");
    tabField.type = "hidden";
    tabField.name = "edit_tab";
    form.appendChild(tabField);
    var stopped = false;
    var started = false;
    chooseTabId(function () {
      tabField.value = tabId;
      if (stopped) { return; }
      started = true;
      // At once: the page was drawn before anyone knew which tab this is.
      beat();
      timer = window.setInterval(beat, INTERVAL);
    });
    tabField.value = tabId;
    takeOver.addEventListener("click", function (event) {
      event.preventDefault();
      stopped = true;
      window.clearInterval(timer);
      post(banner.dataset.takeOverUrl).then(function () { window.location.reload(); });
    });
    window.addEventListener("pagehide", function () {
      if (mine && !stopped && navigator.sendBeacon) {
        var data = new FormData();
        data.append("csrfmiddlewaretoken", csrfToken());
        data.append("edit_tab", tabId);
        navigator.sendBeacon(banner.dataset.releaseUrl, data);
      }
    });
    // beats: answers received so far; busy: a question is on its way (tests simulating a
    // sleep wait for the first answer and for no question to be pending).
    window.editLock = {
      beats: 0,
      busy: function () { return beating; },
      stop: function () { stopped = true; window.clearInterval(timer); },
    };
  });
})();
