// Saving never loses text to an expired session or a dropped connection: before the form is
// sent, the session is checked. Signed out, the editor signs in again in place and the save
// goes on; offline, the form stays as it is and the save is retried when the network returns.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var form = window.articleForm && window.articleForm.form();
    var panel = document.getElementById("reauth");
    if (!form || !panel) { return; }
    var checked = false;
    // A save on its way (the session check, the retries while offline, or the form sent):
    // pressing Save again meanwhile, or a double click, must not send the form twice
    // (twice on "Add article" made two articles).
    var saving = false;
    var pendingSubmitter = null;
    var status = panel.querySelector(".reauth__status");
    var signIn = panel.querySelector(".reauth__form");

    function submitAgain() {
      checked = true;
      form.requestSubmit(pendingSubmitter || undefined);
    }

    function useToken(token) {
      form.querySelectorAll("input[name=csrfmiddlewaretoken]").forEach(function (input) { input.value = token; });
    }

    function session() {
      return fetch(panel.dataset.sessionUrl, {credentials: "same-origin", redirect: "manual", cache: "no-store"})
        .then(function (response) {
          if (response.type === "opaqueredirect" || response.status === 401 || response.status === 403) { return null; }
          if (!response.ok) { throw new Error(String(response.status)); }
          return response.json();
        });
    }

    function offline() {
      saving = true;
      panel.hidden = false;
      signIn.hidden = true;
      status.textContent = "No connection: nothing was lost. Saving again as soon as the connection is back…";
      window.setTimeout(check, 3000);
    }

    function check() {
      session()
        .then(function (result) {
          if (result) { useToken(result.csrf); panel.hidden = true; submitAgain(); return; }
          saving = false;  // Save (or "Sign in and save") goes on after signing in
          panel.hidden = false;
          signIn.hidden = false;
          status.textContent = "Your session has expired. Sign in again to save: your changes are still here.";
          signIn.querySelector("#reauth-username").focus();
        })
        .catch(offline);
    }

    document.addEventListener("submit", function (event) {
      if (event.target !== form) { return; }
      var submitter = event.submitter;
      if (submitter && submitter.formTarget === "_blank") { return; }  // preview
      if (submitter && submitter.formAction && submitter.hasAttribute("formaction")) { return; }
      if (checked) { checked = false; return; }
      event.preventDefault();
      event.stopImmediatePropagation();
      if (saving) { return; }
      saving = true;
      pendingSubmitter = submitter || null;
      check();
    }, true);
    // Back to this page from the browser's cache: the save it sent is over.
    window.addEventListener("pageshow", function (event) { if (event.persisted) { saving = false; } });

    // Too many failed logins: trying again cannot work until the lockout ends, so the
    // sign-in fields go and the lockout page's own words say for how long.
    function lockedOut(response) {
      return response.text().then(function (html) {
        var reason = new DOMParser().parseFromString(html, "text/html").getElementById("lockout-reason");
        signIn.hidden = true;
        status.textContent = "Too many failed logins. " + (reason ? reason.textContent.trim() + " " : "") +
          "Reset your password by email or ask an administrator to unlock you, then press Save again: your changes are still here.";
      });
    }

    panel.querySelector(".reauth__submit").addEventListener("click", function () {
      var loginUrl = panel.dataset.loginUrl;
      fetch(loginUrl, {credentials: "same-origin", cache: "no-store"})
        .then(function (response) { return response.text(); })
        .then(function (html) {
          var page = new DOMParser().parseFromString(html, "text/html");
          var token = page.querySelector("input[name=csrfmiddlewaretoken]");
          var data = new FormData();
          data.append("csrfmiddlewaretoken", token ? token.value : "");
          data.append("username", signIn.querySelector("#reauth-username").value);
          data.append("password", signIn.querySelector("#reauth-password").value);
          data.append("next", panel.dataset.sessionUrl);
          return fetch(loginUrl, {method: "POST", body: data, credentials: "same-origin", redirect: "manual"});
        })
        .then(function (response) {
          if (response.status === 429) { return lockedOut(response); }
          if (response.type !== "opaqueredirect") {
            status.textContent = "Those details did not work. Try again; your changes are still here.";
            return;
          }
          signIn.querySelector("#reauth-password").value = "";
          check();
        })
        .catch(offline);
    });
  });
})();
