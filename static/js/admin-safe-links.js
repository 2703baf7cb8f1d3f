// Links in the article editor may use only the protocols the page keeps (publication.html's
// URL_SCHEMES, given to CKEditor as link.allowedProtocols) or none (a relative address).
// A javascript:, data: or vbscript: link, pasted or typed into the link box, loses its
// address the moment it arrives and keeps its text: CKEditor only hides such an address
// in its own view, so it stayed in the editor's data (autosave, backup, the form) until
// the server's sanitizer dropped it on save.
(function () {
  "use strict";

  // The scheme a browser would read: it skips leading and trailing control characters and
  // spaces, and tabs and line breaks anywhere ("java\tscript:"); character references
  // ("&#106;avascript:") were decoded when the pasted HTML was parsed.
  function scheme(href) {
    var address = String(href)
      .replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, "")
      .replace(/[\t\n\r]/g, "");
    var found = /^([a-z][a-z0-9+.\-]*):/i.exec(address);
    return found ? found[1].toLowerCase() : null;
  }

  function isSafe(href, allowed) {
    var found = scheme(href);
    return found === null || allowed.indexOf(found) !== -1;
  }

  function guard(editor) {
    var allowed = (editor.config.get("link.allowedProtocols") || []).map(function (name) {
      return String(name).toLowerCase();
    });
    var model = editor.model;
    // A post-fixer runs inside every change, before anything (the textarea, autosave,
    // the undo step) sees the result.
    model.document.registerPostFixer(function (writer) {
      var unsafe = [];
      model.document.differ.getChanges().forEach(function (change) {
        var range = null;
        if (change.type === "insert") {
          range = writer.createRange(change.position, change.position.getShiftedBy(change.length));
        } else if (change.type === "attribute" && change.attributeKey === "linkHref") {
          range = change.range;
        }
        if (!range) { return; }
        for (var item of range.getItems()) {
          var href = item.getAttribute("linkHref");
          if (href !== undefined && !isSafe(href, allowed)) { unsafe.push(item); }
        }
      });
      unsafe.forEach(function (item) { writer.removeAttribute("linkHref", item); });
      return unsafe.length > 0;
    });
  }

  window.safeLinks = {guard: guard, isSafe: isSafe};
})();
