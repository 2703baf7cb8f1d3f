// Shared plumbing for the article form's scripts: CKEditor changes its textarea without
// firing events, so this fires "input" on it; the other scripts then only listen to the form.
(function () {
  "use strict";
  // The form is "ready" once every CKEditor has started and the admin's own start-up code
  // has run (Django's related-widget script fires "change" on every select to set up its
  // links). Events before then are not edits; the form as it is then is the baseline that
  // autosave and the browser backup compare with.
  var ready = false;
  var touched = false;
  var waiting = [];

  function editorsStarted(form) {
    var wanted = form.querySelectorAll("textarea.django_ckeditor_5").length;
    return Object.keys(window.editors || {}).length >= wanted;
  }

  function whenReady(callback) {
    if (ready) { callback(touched); } else { waiting.push(callback); }
  }

  function startWatching(form) {
    // A person who types before the form is ready has made an edit all the same.
    ["input", "change"].forEach(function (type) {
      form.addEventListener(type, function (event) {
        if (!ready && event.isTrusted) { touched = true; }
      }, true);
    });
    var tries = 0;
    function check() {
      if (!editorsStarted(form) && tries++ < 100) { setTimeout(check, 100); return; }
      // After whatever the ready handlers queued in the same turn.
      setTimeout(function () {
        ready = true;
        waiting.splice(0).forEach(function (callback) { callback(touched); });
      }, 0);
    }
    if (window.django && django.jQuery) { django.jQuery(check); } else { check(); }
  }

  function announce(editor, textarea) {
    window.safeLinks.guard(editor);
    editor.model.document.on("change:data", function () {
      textarea.value = editor.getData();
      textarea.dispatchEvent(new Event("input", {bubbles: true}));
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var form = window.articleForm.form();
    if (form) { startWatching(form); }
    // Select2 (autocomplete) reports changes through jQuery only; pass them on natively,
    // but not the admin's start-up "change" on every select, which is no edit.
    if (window.django && django.jQuery) {
      django.jQuery(document).on("change", "#article_form select", function (event) {
        if (ready && !event.originalEvent) { this.dispatchEvent(new Event("change", {bubbles: true})); }
      });
    }
    document.querySelectorAll("textarea.django_ckeditor_5").forEach(function (textarea) {
      // The editor may have started already: its start-up settles between the
      // DOMContentLoaded handlers, and a callback registered after that is never called.
      var started = (window.editors || {})[textarea.id];
      if (started) {
        announce(started, textarea);
      } else if (window.ckeditorRegisterCallback) {
        window.ckeditorRegisterCallback(textarea.id, function (editor) { announce(editor, textarea); });
      }
    });
    // Django's calendar and clock (Today, Now, a picked day or hour) set the publish date
    // and time without an event: report the change, so the backup, autosave, the checks
    // and the Schedule button see it as they see typing.
    if (form) {
      var shown = {};
      var dateTimes = form.querySelectorAll(".vDateField, .vTimeField");
      dateTimes.forEach(function (input) { shown[input.name] = input.value; });
      document.addEventListener("click", function () {
        dateTimes.forEach(function (input) {
          if (input.value === shown[input.name]) { return; }
          shown[input.name] = input.value;
          input.dispatchEvent(new Event("change", {bubbles: true}));
        });
      });
      form.addEventListener("input", function (event) {
        if (event.target.name in shown) { shown[event.target.name] = event.target.value; }
      });
    }
  });
  function csrfToken() {
    return document.querySelector("input[name=csrfmiddlewaretoken]").value;
  }

  // "Create share link": the new link's full address with Copy and Revoke, in one click.
  function createShareLink(button) {
    var shown = button.parentNode.querySelector(".share-created");
    button.disabled = true;
    fetch(button.dataset.url, {
      method: "POST",
      credentials: "same-origin",
      headers: {"X-CSRFToken": csrfToken(), "X-Requested-With": "fetch"},
    })
      .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
      .then(function (link) {
        var row = document.createElement("span");
        row.className = "share-link";
        var anchor = document.createElement("a");
        anchor.href = link.url;
        anchor.rel = "noreferrer";
        anchor.textContent = link.url;
        var copy = document.createElement("button");
        copy.type = "button";
        copy.className = "button copy-button";
        copy.dataset.copy = link.url;
        copy.textContent = "Copy";
        row.append(anchor, " ", copy, " ");
        // Only for editors who may revoke links (the server leaves the address out otherwise).
        if (link.revoke_url) {
          var revoke = document.createElement("button");
          revoke.type = "submit";
          revoke.className = "button revoke-button";
          revoke.formAction = link.revoke_url;
          revoke.formNoValidate = true;
          revoke.textContent = "Revoke";
          row.append(revoke, " ");
        }
        row.append("(works until " + link.expires + ")");
        shown.replaceChildren(row);
      })
      .catch(function () { shown.textContent = "The link could not be created; try again."; })
      .finally(function () { button.disabled = false; });
  }

  function revokeFailed(revoke) {
    var note = revoke.parentNode.querySelector(".revoke-failed");
    if (!note) {
      note = document.createElement("strong");
      note.className = "revoke-failed";
      note.setAttribute("role", "alert");
      revoke.after(" ", note);
    }
    note.textContent = "Not revoked: the link still works. Sign in again if your session has " +
      "ended (Save asks you), or check the connection, then press Revoke again.";
  }

  // Share links: create one, copy the address, and revoke one in a click without leaving the form.
  document.addEventListener("click", function (event) {
    var create = event.target.closest(".share-create-button");
    if (create) { createShareLink(create); }
    var copy = event.target.closest(".copy-button");
    if (copy && navigator.clipboard) {
      navigator.clipboard.writeText(copy.dataset.copy).then(function () { copy.textContent = "Copied"; });
    }
    var revoke = event.target.closest(".revoke-button");
    if (revoke) {
      event.preventDefault();
      // Not following redirects: a signed-out editor is sent to the login page, which
      // answers 200 and must not read as "Revoked" while the link still works.
      fetch(revoke.formAction, {
        method: "POST",
        credentials: "same-origin",
        redirect: "manual",
        headers: {"X-CSRFToken": csrfToken(), "X-Requested-With": "fetch"},
      })
        .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
        .then(function (result) {
          if (!result.revoked) { return Promise.reject(result); }
          revoke.closest(".share-link").textContent = "Revoked";
        })
        .catch(function () { revokeFailed(revoke); });
    }
  });
  window.articleForm = {
    form: function () { return document.getElementById("article_form"); },
    // Calls back (with whether the editor typed before then) once the form is ready.
    ready: whenReady,
    editor: function (id) { return (window.editors || {})[id] || null; },
    // Form data as the server would receive it, with the editors' latest text. Fields the
    // edit lock made read-only still hold the editor's text and count (a disabled field is
    // left out of FormData): the backup must not offer back what the form already shows.
    data: function () {
      var form = window.articleForm.form();
      Object.keys(window.editors || {}).forEach(function (id) {
        var textarea = document.getElementById(id);
        if (textarea) { textarea.value = window.editors[id].getData(); }
      });
      var locked = form.querySelectorAll("[data-lock-disabled]");
      locked.forEach(function (field) { field.disabled = false; });
      var data = new FormData(form);
      locked.forEach(function (field) { field.disabled = true; });
      form.querySelectorAll("input[type=file]").forEach(function (input) { data.delete(input.name); });
      return data;
    },
  };
})();
