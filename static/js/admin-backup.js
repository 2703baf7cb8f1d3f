// Browser backup of the article form: every change is copied to localStorage (within a
// second), offered back as "Restore unsaved changes from hh:mm" when the page is opened
// again, and cleared after a successful save. Leaving with unsaved changes asks first.
(function () {
  "use strict";
  var PREFIX = "meridian:article-backup:";
  var SKIP = {csrfmiddlewaretoken: true, base_version: true, edit_tab: true};
  var key = PREFIX + window.location.pathname;

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
            var text = (backup.labels[name] || {})[value] || value;
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
      }
    });
    form.dispatchEvent(new Event("change", {bubbles: true}));
  }

  // "09:05 (Europe/Berlin)": in the site's zone, named, as every other time in the admin
  // (the browser's own zone may be another).
  function timeOf(saved) {
    var zoneData = document.getElementById("admin-time-zone");
    var zone = zoneData ? JSON.parse(zoneData.textContent) : "";
    var date = new Date(saved);
    try {
      return new Intl.DateTimeFormat("en-GB", {
        hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: zone,
      }).format(date) + " (" + zone + ")";
    } catch (error) {  // no zone given, or one this browser does not know
      return String(date.getHours()).padStart(2, "0") + ":" + String(date.getMinutes()).padStart(2, "0");
    }
  }

  function offer(form, backup, baseline) {
    var bar = document.createElement("div");
    bar.className = "backup-offer";
    bar.setAttribute("role", "status");
    var text = document.createElement("p");
    text.textContent = "This browser kept changes you had not saved.";
    var restoreButton = document.createElement("button");
    restoreButton.type = "button";
    restoreButton.className = "button default";
    restoreButton.textContent = "Restore unsaved changes from " + timeOf(backup.saved);
    var discard = document.createElement("button");
    discard.type = "button";
    discard.className = "button";
    discard.textContent = "Discard them";
    bar.append(text, restoreButton, " ", discard);
    form.prepend(bar);
    restoreButton.addEventListener("click", function () {
      restore(form, backup);
      bar.remove();
    });
    discard.addEventListener("click", function () {
      window.localStorage.removeItem(key);
      bar.remove();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = window.articleForm && window.articleForm.form();
    if (!form || !window.localStorage) { return; }
    // A save that came back without errors is done: forget the backup it was made from.
    var pending = window.sessionStorage.getItem(PREFIX + "submitted");
    if (pending) {
      window.sessionStorage.removeItem(PREFIX + "submitted");
      if (!document.querySelector(".errornote")) { window.localStorage.removeItem(pending); }
    }
    // The form as it was when ready (every script started): what "unsaved changes" means.
    var baseline = null;
    var touchedEarly = false;
    var submitting = false;
    var timer = null;

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

    window.articleForm.ready(function (touched) {
      baseline = snapshot(form);
      // Typed before the form was ready: the baseline already holds the typing.
      touchedEarly = touched;
      if (touched) { schedule(); }
      var stored = window.localStorage.getItem(key);
      var backup = stored ? JSON.parse(stored) : null;
      if (backup && same(backup, baseline)) { window.localStorage.removeItem(key); backup = null; }
      // The server's working copy (autosave) may be newer, e.g. from another computer.
      var server = document.getElementById("working-copy");
      var copy = server ? JSON.parse(server.textContent) : null;
      if (copy && !same(copy, baseline) && (!backup || copy.saved > backup.saved)) { backup = copy; }
      if (backup) { offer(form, backup, baseline); }
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
    window.articleBackup = {key: key, snapshot: function () { return snapshot(form); }};
  });
})();
