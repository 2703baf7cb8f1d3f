// Browser backup of the article form: every change is copied to localStorage (within a
// second), offered back as "Restore unsaved changes from hh:mm" when the page is opened
// again, and cleared after a successful save. Leaving with unsaved changes asks first.
//
// A change page has one backup (its address). Every "Add article" page has a slot of its
// own, so two new articles typed in two tabs never overwrite each other; "Add article"
// offers the new articles no open tab owns (a tab holds a Web Lock named after its slot
// until it is closed or killed), newest first, and keeps at most ADD_SLOTS of them.
(function () {
  "use strict";
  var PREFIX = "meridian:article-backup:";
  var SKIP = {csrfmiddlewaretoken: true, base_version: true, edit_tab: true};
  var ADD_SLOTS = 10;
  var ADD_MAX_AGE = 14 * 24 * 60 * 60 * 1000;  // two weeks
  var page = PREFIX + window.location.pathname;
  var adding = /\/add\/$/.test(window.location.pathname);

  function newSlot() {
    var id = window.crypto && crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2);
    return page + "@" + id;
  }

  // The slot stays this tab's until the tab goes: a killed tab's slot is free to offer.
  function hold(slot) {
    if (navigator.locks) { navigator.locks.request(slot, function () { return new Promise(function () {}); }); }
  }

  function heldSlots() {
    if (!navigator.locks) { return Promise.resolve({}); }
    return navigator.locks.query().then(function (state) {
      var held = {};
      state.held.forEach(function (lock) { held[lock.name] = true; });
      return held;
    }).catch(function () { return {}; });
  }

  function read(slot) {
    try { return JSON.parse(window.localStorage.getItem(slot)); } catch (error) { return null; }
  }

  // The kept backups of new articles (this page's own left out), newest first; old ones and
  // those past ADD_SLOTS are removed unless an open tab owns them.
  function newArticleBackups(own, held) {
    var found = [];
    for (var index = 0; index < window.localStorage.length; index++) {
      var slot = window.localStorage.key(index);
      if (slot && slot !== own && slot.indexOf(page) === 0) { found.push({slot: slot, backup: read(slot)}); }
    }
    found.sort(function (a, b) { return ((b.backup || {}).saved || 0) - ((a.backup || {}).saved || 0); });
    var kept = [];
    found.forEach(function (entry) {
      var backup = entry.backup;
      var usable = backup && backup.fields && Date.now() - (backup.saved || 0) < ADD_MAX_AGE;
      if (held[entry.slot]) { return; }
      if (usable && kept.length < ADD_SLOTS) { kept.push(entry); } else { window.localStorage.removeItem(entry.slot); }
    });
    return kept;
  }

  // {fields: {name: [values]}, labels: {name: {value: text}}} for every enabled field.
  function snapshot(form) {
    var fields = {};
    var labels = {};
    window.articleForm.data().forEach(function (value, name) {
      if (SKIP[name] || typeof value !== "string") { return; }
      (fields[name] = fields[name] || []).push(value);
    });
    form.querySelectorAll("select").forEach(function (select) {
      Array.prototype.forEach.call(select.selectedOptions, function (option) {
        (labels[select.name] = labels[select.name] || {})[option.value] = option.text;
      });
    });
    return {fields: fields, labels: labels};
  }

  function same(a, b) { return JSON.stringify(a.fields) === JSON.stringify(b.fields); }

  function addInlineRows(form, fields) {
    form.querySelectorAll("input[name$='-TOTAL_FORMS']").forEach(function (total) {
      var prefix = total.name.replace(/-TOTAL_FORMS$/, "");
      var wanted = parseInt((fields[total.name] || ["0"])[0], 10);
      var group = document.getElementById(prefix + "-group");
      var add = group && group.querySelector(".add-row a");
      var guard = 50;
      while (add && parseInt(total.value, 10) < wanted && guard--) { add.click(); }
    });
  }

  function restore(form, backup) {
    var fields = backup.fields;
    addInlineRows(form, fields);
    var seen = {};
    Array.prototype.forEach.call(form.elements, function (element) {
      var name = element.name;
      if (!name || SKIP[name] || element.type === "file" || element.disabled) { return; }
      var values = fields[name] || [];
      if (element.type === "checkbox" || element.type === "radio") {
        element.checked = values.indexOf(element.value) !== -1;
      } else if (element.tagName === "SELECT") {
        values.forEach(function (value) {
          var exists = Array.prototype.some.call(element.options, function (o) { return o.value === value; });
          if (!exists) {
            var text = ((backup.labels || {})[name] || {})[value] || value;
            element.add(new Option(text, value, false, false));
          }
        });
        Array.prototype.forEach.call(element.options, function (option) {
          option.selected = values.indexOf(option.value) !== -1;
        });
        if (window.django && django.jQuery) { django.jQuery(element).trigger("change"); }
      } else {
        var index = seen[name] || 0;
        seen[name] = index + 1;
        var value = values[index] !== undefined ? values[index] : "";
        var editor = window.articleForm.editor(element.id);
        if (editor) { editor.setData(value); }
        element.value = value;
        // Text restored into a folded fieldset ("Search and sharing") is put in sight, as
        // the server opens it for saved text (ArticleAdmin.get_fieldsets).
        var folded = value && element.type !== "hidden" && element.closest("details");
        if (folded) { folded.open = true; }
      }
    });
    form.dispatchEvent(new Event("change", {bubbles: true}));
  }

  // "09:05 (Europe/Berlin)", "Mon 30 Nov 09:05 (Europe/Berlin)" when not today: in the
  // site's zone, named, as every other time in the admin (the browser's own may be another).
  function timeOf(saved) {
    var zoneData = document.getElementById("admin-time-zone");
    var zone = zoneData ? JSON.parse(zoneData.textContent) : "";
    var date = new Date(saved);
    try {
      var format = function (options) {
        return new Intl.DateTimeFormat("en-GB", Object.assign({timeZone: zone}, options)).format(date);
      };
      var time = format({hour: "2-digit", minute: "2-digit", hourCycle: "h23"});
      var day = function (when) {
        return new Intl.DateTimeFormat("en-CA", {timeZone: zone}).format(when);
      };
      if (day(date) !== day(new Date())) {
        time = format({weekday: "short", day: "numeric", month: "short"}).replace(",", "") + " " + time;
      }
      return time + " (" + zone + ")";
    } catch (error) {  // no zone given, or one this browser does not know
      return String(date.getHours()).padStart(2, "0") + ":" + String(date.getMinutes()).padStart(2, "0");
    }
  }

  function headlineOf(backup) {
    var headline = ((backup.fields.headline || [""])[0] || "").trim();
    if (!headline) { return "an article without a headline"; }
    return "“" + (headline.length > 80 ? headline.slice(0, 79) + "…" : headline) + "”";
  }

  // choices: [{label, backup, slot}]; restore(choice) and discard() do the rest.
  function offer(form, message, choices, restoreChoice, discard) {
    var bar = document.createElement("div");
    bar.className = "backup-offer";
    bar.setAttribute("role", "status");
    var text = document.createElement("p");
    text.textContent = message;
    bar.append(text);
    var list = document.createElement("ul");
    list.className = "backup-offer__choices";
    choices.forEach(function (choice) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "button default";
      button.textContent = choice.label;
      button.addEventListener("click", function () {
        restoreChoice(choice);
        bar.remove();
      });
      var item = document.createElement("li");
      item.append(button);
      list.append(item);
    });
    var discardButton = document.createElement("button");
    discardButton.type = "button";
    discardButton.className = "button";
    discardButton.textContent = "Discard them";
    discardButton.addEventListener("click", function () {
      discard();
      bar.remove();
    });
    bar.append(list, discardButton);
    form.prepend(bar);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = window.articleForm && window.articleForm.form();
    if (!form || !window.localStorage) { return; }
    var key = adding ? newSlot() : page;
    // A save that came back without errors is done: forget the backup it was made from.
    // One that came back with errors is the same article: "Add article" keeps its slot.
    var pending = window.sessionStorage.getItem(PREFIX + "submitted");
    if (pending) {
      window.sessionStorage.removeItem(PREFIX + "submitted");
      if (!document.querySelector(".errornote")) {
        window.localStorage.removeItem(pending);
      } else if (adding && pending.indexOf(page + "@") === 0) {
        key = pending;
      }
    }
    if (adding) { hold(key); }
    // The form as it was when ready (every script started): what "unsaved changes" means.
    var baseline = null;
    var touchedEarly = false;
    var submitting = false;
    var timer = null;
    var api = {key: key, checked: false, snapshot: function () { return snapshot(form); }};

    function changed(current) { return touchedEarly || !same(current, baseline); }

    function save() {
      if (!baseline || form.classList.contains("is-locked")) { return; }
      var current = snapshot(form);
      if (!changed(current)) { window.localStorage.removeItem(key); return; }
      current.saved = Date.now();
      try { window.localStorage.setItem(key, JSON.stringify(current)); } catch (error) { /* full */ }
    }

    function schedule() {
      clearTimeout(timer);
      timer = setTimeout(save, 300);
    }

    function offerChangePage() {
      var backup = read(key);
      if (backup && same(backup, baseline)) { window.localStorage.removeItem(key); backup = null; }
      // The server's working copy (autosave) may be newer, e.g. from another computer.
      var server = document.getElementById("working-copy");
      var copy = server ? JSON.parse(server.textContent) : null;
      if (copy && !same(copy, baseline) && (!backup || copy.saved > backup.saved)) { backup = copy; }
      if (!backup) { return; }
      offer(form, "This browser kept changes you had not saved.",
        [{label: "Restore unsaved changes from " + timeOf(backup.saved), backup: backup}],
        function (choice) { restore(form, choice.backup); },
        function () { window.localStorage.removeItem(key); });
    }

    function offerNewArticles(held) {
      var choices = newArticleBackups(key, held).filter(function (entry) {
        if (!same(entry.backup, baseline)) { return true; }
        window.localStorage.removeItem(entry.slot);
        return false;
      }).map(function (entry) {
        var label = "Restore " + headlineOf(entry.backup) + " from " + timeOf(entry.backup.saved);
        return {label: label, backup: entry.backup, slot: entry.slot};
      });
      if (!choices.length) { return; }
      offer(form, "This browser kept new articles you had not saved.", choices,
        function (choice) {
          restore(form, choice.backup);
          // Now this page's article: its own slot holds it before the old one goes.
          save();
          window.localStorage.removeItem(choice.slot);
        },
        function () { choices.forEach(function (choice) { window.localStorage.removeItem(choice.slot); }); });
    }

    window.articleForm.ready(function (touched) {
      baseline = snapshot(form);
      // Typed before the form was ready: the baseline already holds the typing.
      touchedEarly = touched;
      if (touched) { schedule(); }
      if (!adding) { offerChangePage(); api.checked = true; return; }
      heldSlots().then(function (held) {
        offerNewArticles(held);
        api.checked = true;
      });
    });

    form.addEventListener("input", schedule);
    form.addEventListener("change", schedule);
    form.addEventListener("submit", function (event) {
      // Preview opens in a new tab: this page stays, unsaved.
      if (event.submitter && event.submitter.formTarget === "_blank") { return; }
      submitting = true;
      save();
      window.sessionStorage.setItem(PREFIX + "submitted", key);
    });
    window.addEventListener("beforeunload", function (event) {
      if (submitting || !baseline || form.classList.contains("is-locked")) { return; }
      if (changed(snapshot(form))) {
        event.preventDefault();
        event.returnValue = "";
      }
    });
    window.articleBackup = api;
  });
})();
