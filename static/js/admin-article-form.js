// Shared plumbing for the article form's scripts: CKEditor changes its textarea without
// firing events, so this fires "input" on it; the other scripts then only listen to the form.
(function () {
  "use strict";
  function announce(editor, textarea) {
    editor.model.document.on("change:data", function () {
      textarea.value = editor.getData();
      textarea.dispatchEvent(new Event("input", {bubbles: true}));
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    // Select2 (autocomplete) reports changes through jQuery only; pass them on natively.
    if (window.django && django.jQuery) {
      django.jQuery(document).on("change", "#article_form select", function (event) {
        if (!event.originalEvent) { this.dispatchEvent(new Event("change", {bubbles: true})); }
      });
    }
    document.querySelectorAll("textarea.django_ckeditor_5").forEach(function (textarea) {
      if (window.ckeditorRegisterCallback) {
        window.ckeditorRegisterCallback(textarea.id, function (editor) { announce(editor, textarea); });
      }
    });
  });
  // Share links: copy the address, and revoke one in a click without leaving the form.
  document.addEventListener("click", function (event) {
    var copy = event.target.closest(".copy-button");
    if (copy && navigator.clipboard) {
      navigator.clipboard.writeText(copy.dataset.copy).then(function () { copy.textContent = "Copied"; });
    }
    var revoke = event.target.closest(".revoke-button");
    if (revoke) {
      event.preventDefault();
      var token = document.querySelector("input[name=csrfmiddlewaretoken]").value;
      fetch(revoke.formAction, {
        method: "POST",
        credentials: "same-origin",
        headers: {"X-CSRFToken": token, "X-Requested-With": "fetch"},
      }).then(function (response) {
        if (response.ok) { revoke.closest(".share-link").textContent = "Revoked"; }
      });
    }
  });
  window.articleForm = {
    form: function () { return document.getElementById("article_form"); },
    editor: function (id) { return (window.editors || {})[id] || null; },
    // Form data as the server would receive it, with the editors' latest text.
    data: function () {
      var form = window.articleForm.form();
      Object.keys(window.editors || {}).forEach(function (id) {
        var textarea = document.getElementById(id);
        if (textarea) { textarea.value = window.editors[id].getData(); }
      });
      var data = new FormData(form);
      form.querySelectorAll("input[type=file]").forEach(function (input) { data.delete(input.name); });
      return data;
    },
  };
})();
