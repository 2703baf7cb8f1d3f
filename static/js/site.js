// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // Reveal "edit" links for staff; the cookie is set by the admin, see StaffHintMiddleware.
  if (document.cookie.split("; ").indexOf("staff_hint=1") !== -1) {
    document.querySelectorAll(".staff-edit[hidden]").forEach(function (link) {
      link.hidden = false;
    });
  }
})();
