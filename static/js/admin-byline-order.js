// Co-authors in the order readers see them: drag a row by its handle, or use its Move up /
// Move down buttons (keyboard). The hidden order fields are numbered from the rows' places
// and a change event is sent, so the browser backup and autosave keep the order; when a
// backup is restored, the rows are put back in the order it had.
(function () {
  "use strict";
  var dragged = null;

  function group() { return document.getElementById("bylines-group"); }
  function rows(inline) {
    return Array.prototype.slice.call(inline.querySelectorAll("tbody > tr.form-row:not(.empty-form)"));
  }
  function orderInput(row) { return row.querySelector("input.byline-order"); }
  function authorName(row) {
    var select = row.querySelector("select[name$='-author']");
    var option = select && select.selectedOptions[0];
    return option && option.value ? option.text : "empty row";
  }

  function renumber(inline, announce) {
    var first = null;
    rows(inline).forEach(function (row, index) {
      var input = orderInput(row);
      if (!input) { return; }
      input.value = String(index);
      first = first || input;
    });
    if (first) { first.dispatchEvent(new Event("change", {bubbles: true})); }
    if (announce) { inline.querySelector(".byline-order-status").textContent = announce; }
  }

  function move(row, target, after) {
    var inline = group();
    if (!target || target === row) { return; }
    target.parentNode.insertBefore(row, after ? target.nextSibling : target);
    var list = rows(inline);
    renumber(inline, authorName(row) + " moved to place " + (list.indexOf(row) + 1) + " of " + list.length + ".");
  }

  function addControls(row) {
    if (row.querySelector(".byline-move")) { return; }
    var cell = document.createElement("td");
    cell.className = "byline-move";
    var handle = document.createElement("span");
    handle.className = "byline-handle";
    handle.draggable = true;
    handle.title = "Drag to reorder";
    handle.setAttribute("aria-hidden", "true");
    handle.textContent = "⠿";
    var up = document.createElement("button");
    up.type = "button";
    up.className = "byline-up";
    up.textContent = "↑";
    up.setAttribute("aria-label", "Move up");
    var down = document.createElement("button");
    down.type = "button";
    down.className = "byline-down";
    down.textContent = "↓";
    down.setAttribute("aria-label", "Move down");
    cell.append(handle, up, down);
    var original = row.querySelector("td.original");
    row.insertBefore(cell, original ? original.nextSibling : row.firstChild);
  }

  function enhance(inline) {
    var heading = inline.querySelector("thead th.original");
    if (heading && !inline.querySelector("thead th.byline-move")) {
      var th = document.createElement("th");
      th.className = "byline-move";
      th.textContent = "Order";
      heading.parentNode.insertBefore(th, heading.nextSibling);
    }
    inline.querySelectorAll("tbody > tr.form-row").forEach(addControls);
    var status = document.createElement("p");
    status.className = "byline-order-status visually-hidden";
    status.setAttribute("role", "status");
    inline.appendChild(status);

    inline.addEventListener("click", function (event) {
      var button = event.target.closest(".byline-up, .byline-down");
      if (!button) { return; }
      var row = button.closest("tr");
      var list = rows(inline);
      var index = list.indexOf(row);
      if (button.classList.contains("byline-up")) { move(row, list[index - 1], false); }
      else { move(row, list[index + 1], true); }
      button.focus();
    });
    inline.addEventListener("dragstart", function (event) {
      var handle = event.target.closest && event.target.closest(".byline-handle");
      if (!handle) { return; }
      dragged = handle.closest("tr");
      dragged.classList.add("is-dragged");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", authorName(dragged));
    });
    inline.addEventListener("dragover", function (event) {
      if (dragged && event.target.closest("tbody > tr.form-row")) { event.preventDefault(); }
    });
    inline.addEventListener("drop", function (event) {
      var target = event.target.closest("tbody > tr.form-row");
      if (!dragged || !target || target.classList.contains("empty-form")) { return; }
      event.preventDefault();
      var list = rows(inline);
      // Dropped on a row, the dragged row takes that row's place.
      move(dragged, target, list.indexOf(dragged) < list.indexOf(target));
    });
    inline.addEventListener("dragend", function () {
      if (dragged) { dragged.classList.remove("is-dragged"); }
      dragged = null;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var inline = group();
    if (!inline) { return; }
    enhance(inline);
    // A row added with "Add another" comes last, whatever order its template had.
    document.addEventListener("formset:added", function (event) {
      if (event.detail && event.detail.formsetName !== "bylines") { return; }
      addControls(event.target);
      renumber(inline);
    });
    // A restored backup (the form says so with a change event of its own): its order.
    inline.closest("form").addEventListener("change", function (event) {
      if (event.target.tagName !== "FORM") { return; }
      var list = rows(inline);
      var sorted = list.slice().sort(function (a, b) {
        return (parseInt(orderInput(a).value, 10) || 0) - (parseInt(orderInput(b).value, 10) || 0);
      });
      var template = inline.querySelector("tbody > tr.empty-form");
      sorted.forEach(function (row) { row.parentNode.insertBefore(row, template); });
    });
  });
})();
