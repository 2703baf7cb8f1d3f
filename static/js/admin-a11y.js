// Names for the admin controls that Django and Select2 render without one, so screen readers
// announce each field: autocomplete boxes, the split date and time inputs, and the cells of
// tabular inlines (whose only label is the column heading).
(function () {
  "use strict";
  function text(element) { return element ? element.textContent.replace(/[*:]/g, "").trim() : ""; }

  function labelFor(field) {
    var label = field.id && document.querySelector("label[for='" + field.id + "']");
    if (label && text(label)) { return text(label); }
    var row = field.closest("tr.form-row");
    var table = field.closest("table");
    var cell = field.closest("td");
    if (row && table && cell) {
      var headings = table.querySelectorAll("thead th");
      var heading = headings[Array.prototype.indexOf.call(row.children, cell)];
      var number = Array.prototype.indexOf.call(row.parentNode.children, row) + 1;
      var name = heading ? text(heading) : "";
      if (field.name && /-DELETE$/.test(field.name)) { name = "Delete"; }
      if (name) { return name + ", row " + number; }
    }
    var box = field.closest(".form-row, .fieldBox");
    var rowLabel = box && box.querySelector("label");
    return rowLabel ? text(rowLabel) : "";
  }

  // Django's tabular inlines head two columns with nothing: the saved row's (its hidden id
  // and, once saved, its name) and the delete column where rows cannot be deleted (share
  // links are revoked instead), which keeps only the "remove" cross of a row just added.
  // A header with no text names nothing (axe: empty-table-header); these are named for
  // screen readers only, and after the cells' own names above are worked out from them.
  function headings(root) {
    root.querySelectorAll(".tabular thead th").forEach(function (heading) {
      if (text(heading)) { return; }
      var words = document.createElement("span");
      words.className = "visually-hidden";
      words.textContent = heading.classList.contains("original") ? "Saved row" : "Remove";
      heading.append(words);
    });
  }

  function name(root) {
    root.querySelectorAll("input, select, textarea").forEach(function (field) {
      if (field.type === "hidden" || field.getAttribute("aria-label") || field.closest(".empty-form")) { return; }
      var own = field.id && document.querySelector("label[for='" + field.id + "']");
      if (own && text(own) && !/_[01]$/.test(field.id)) { return; }
      var label = labelFor(field);
      if (/_0$/.test(field.id) && field.closest(".datetime")) { label += " (date)"; }
      if (/_1$/.test(field.id) && field.closest(".datetime")) { label += " (time)"; }
      if (label) { field.setAttribute("aria-label", label); }
    });
    root.querySelectorAll(".select2-selection[role=combobox]").forEach(function (box) {
      var container = box.closest(".select2-container");
      var select = container && container.previousElementSibling;
      if (select && select.tagName === "SELECT") {
        var label = labelFor(select);
        box.setAttribute("aria-label", label);
        var shown = box.querySelector(".select2-selection__rendered[role=textbox]");
        if (shown) { shown.setAttribute("aria-label", label + ": " + shown.textContent.trim()); }
      }
    });
    root.querySelectorAll(".select2-search__field").forEach(function (search) {
      if (!search.getAttribute("aria-label")) { search.setAttribute("aria-label", "Search"); }
    });
  }

  // Select2 ties its open list to the box with aria-owns; a combobox names the list it
  // opens with aria-controls (ARIA 1.2), which axe requires: an open picker (the lead
  // photo's) was a critical violation. Set on open, dropped on close, as Select2's own.
  function controls(event) {
    var select2 = window.django.jQuery(event.target).data("select2");
    var box = select2 && select2.$selection && select2.$selection[0];
    if (!box) { return; }
    var list = box.getAttribute("aria-owns");
    if (list) { box.setAttribute("aria-controls", list); } else { box.removeAttribute("aria-controls"); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    // Django's jQuery may load after this file: looked up once the page is parsed.
    if (window.django && window.django.jQuery) {
      window.django.jQuery(document).on("select2:open select2:close", controls);
    }
    name(document);
    headings(document);
    // Select2 and "Add another" rows arrive later.
    var pending = null;
    new MutationObserver(function () {
      if (pending) { return; }
      pending = setTimeout(function () { pending = null; name(document); }, 100);
    }).observe(document.body, {childList: true, subtree: true});
  });
})();
