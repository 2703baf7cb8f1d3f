// Edit locks: this page renews its editor's lock every few seconds. When someone else holds
// it, the form turns read-only with a Take over button; when someone takes it from us, our
// changes so far are sent to be kept as a revision and the form turns read-only.
// A lock belongs to a tab: the same editor's second tab is read-only too ("You are editing
// this in another tab"), so two tabs cannot overwrite each other's work.
// A tab of this browser that crashed or was killed keeps its lock until it lapses: when the
// lock's tab is one of this browser's and no open tab of it answers to that id, the page
// takes the lock over at once (the editor reopening the article is not locked out of it).
(function () {
  "use strict";
  var INTERVAL = 5000;
  var TAB_KEY = "meridian:edit-tab";
  var BROWSER_KEY = "meridian:edit-browser";
  // A live tab answers within milliseconds; a frozen one that cannot answer in time learns
  // on waking that its lock was taken, and keeps its changes as a revision.
  var ANSWER_WAIT = 400;
  var tabId = "";
  var channel = window.BroadcastChannel ? new BroadcastChannel(TAB_KEY) : null;
  var asking = true;
  var answered = {};

  function newId() {
    return window.crypto && crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2);
  }

  // "<browser>.<tab>": the browser part (localStorage, shared by this browser's tabs) tells
  // the editor's own crashed tab from one open in another browser or on another computer.
  function browserId() {
    var id = window.localStorage.getItem(BROWSER_KEY);
    if (!id) {
      id = newId().replace(/-/g, "").slice(0, 20);
      window.localStorage.setItem(BROWSER_KEY, id);
    }
    return id;
  }

  function newTabId() { return browserId() + "." + newId(); }

  function ofThisBrowser(tab) { return Boolean(tab) && tab.indexOf(browserId() + ".") === 0; }

  if (channel) {
    channel.onmessage = function (event) {
      if (event.data.ask === tabId && !asking) { channel.postMessage({taken: tabId}); }
      if (event.data.taken) { answered[event.data.taken] = true; }
      if (event.data.taken === tabId && asking) {
        tabId = newTabId();
        window.sessionStorage.setItem(TAB_KEY, tabId);
      }
    };
  }

  // Calls back with whether an open tab of this browser has this id.
  function tabIsOpen(tab, then) {
    if (!channel) { then(true); return; }
    delete answered[tab];
    channel.postMessage({ask: tab});
    setTimeout(function () { then(Boolean(answered[tab])); }, ANSWER_WAIT);
  }

  // sessionStorage keeps the id across reloads of this tab (so a reload is the same tab), but
  // "Duplicate tab" copies it too: a tab that answers to the same id makes this one pick anew.
  function chooseTabId(then) {
    var stored = window.sessionStorage.getItem(TAB_KEY);
    tabId = stored || newTabId();
    window.sessionStorage.setItem(TAB_KEY, tabId);
    if (!stored || !channel) { asking = false; then(); return; }
    channel.postMessage({ask: tabId});
    setTimeout(function () { asking = false; then(); }, 150);
  }

  function csrfToken() {
    var input = document.querySelector("#article_form input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  // The token this page load was rendered with: the lock remembers which page load holds it,
  // so this page's release cannot drop a lock the next page of this tab (after a save) holds.
  function pageToken() {
    var banner = document.querySelector(".edit-lock");
    return banner ? banner.dataset.page : "";
  }

  function post(url, body) {
    body = body || new FormData();
    body.set("edit_tab", tabId);
    body.set("edit_page", pageToken());
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
    // Whether a heartbeat has said the lock is this page's: only then can it be taken from it.
    var held = false;

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

    function answer(state) {
      if (stopped) { return Promise.resolve(); }
      if (state.mine) {
        if (!mine) { setReadOnly(form, false); banner.hidden = true; }
        mine = true;
        held = true;
        hasLost = false;
        return Promise.resolve();
      }
      if (mine && held && state.taken_from_me) {
        lost(state);
        return Promise.resolve();
      }
      mine = false;
      setReadOnly(form, true);
      if (!hasLost && ofThisBrowser(state.holder_tab)) {
        // Still read-only while the tab is asked after, but with nothing said yet: the
        // answer is there in a moment, and it is usually "gone".
        return new Promise(function (resolve) { tabIsOpen(state.holder_tab, resolve); })
          .then(function (open) {
            if (stopped) { return null; }
            if (open) { return state; }
            return post(banner.dataset.takeOverUrl).then(answer);
          })
          .then(function (holder) { if (holder) { showHolder(holder); } });
      }
      showHolder(state);
      return Promise.resolve();
    }

    function showHolder(state) {
      var who = state.other_tab ? "You are editing this in another tab" : state.holder + " is editing";
      // After a take-over, the message saying where our changes went stays up.
      if (!hasLost) { show(who + " (since " + state.since + ", " + state.time_zone + ").", true); }
    }

    function beat() {
      // One question at a time: a wake-up and the timer may ask together.
      if (beating) { return; }
      beating = true;
      post(banner.dataset.lockUrl)
        .then(function (state) {
          window.editLock.beats += 1;
          return answer(state);
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
        data.append("edit_page", pageToken());
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
