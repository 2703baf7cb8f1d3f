// Suggest existing topics while an editor types comma-separated tags.
// The datalist holds whole values ("earlier tags, suggestion") so the browser's own
// completion UI can be used; without JavaScript the field is a plain text input.
(function () {
  "use strict";
  function attach(input) {
    var list = document.createElement("datalist");
    list.id = input.id + "-suggestions";
    input.after(list);
    input.setAttribute("list", list.id);
    var timer = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var parts = input.value.split(",");
        var current = parts.pop().trim();
        if (current.length < 1) { list.replaceChildren(); return; }
        var prefix = parts.map(function (p) { return p.trim(); }).filter(Boolean);
        fetch(input.dataset.tagSuggestUrl + "?q=" + encodeURIComponent(current), {credentials: "same-origin"})
          .then(function (response) { return response.ok ? response.json() : {results: []}; })
          .then(function (data) {
            list.replaceChildren.apply(list, data.results.map(function (name) {
              var option = document.createElement("option");
              option.value = prefix.concat([name.indexOf(",") === -1 ? name : '"' + name + '"']).join(", ");
              return option;
            }));
          });
      }, 150);
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input[data-tag-suggest-url]").forEach(attach);
  });
})();
