// Autocomplete boxes typed into directly: type a name, then pick a match, an offer (an
// author who also takes pictures) or "Create “name”" — two actions, no popup window.
// The <select> behind each box stays the form's value, so backups, autosave and the form
// without JavaScript see an ordinary select. Names are checked and created on the server
// (create-from-autocomplete/), which never makes the same name twice.
(function () {
  "use strict";
  var DELAY = 200;

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function getJSON(url) {
    return fetch(url, {credentials: "same-origin", headers: {"X-Requested-With": "fetch"}})
      .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); });
  }

  function labelText(select, input) {
    var label = document.querySelector("label[for='" + input.id + "']");
    if (label && label.textContent.trim()) { return label.textContent.replace(/:\s*$/, "").trim(); }
    var cell = select.closest("td");
    var table = cell && cell.closest("table");
    if (table) {
      var heading = table.querySelectorAll("thead th")[Array.prototype.indexOf.call(cell.parentNode.children, cell)];
      if (heading) { return heading.textContent.trim(); }
    }
    return select.dataset.fieldName || "Name";
  }

  function enhance(select) {
    if (select.dataset.typeToPick || select.name.indexOf("__prefix__") !== -1) { return; }
    select.dataset.typeToPick = "ready";
    var input = document.createElement("input");
    var list = document.createElement("ul");
    var status = document.createElement("span");
    // The box takes the select's id, so the field's <label for> names the box.
    input.id = select.id;
    select.id = select.id + "-value";
    input.type = "text";
    input.className = "vTextField type-to-pick__input";
    input.autocomplete = "off";
    input.spellcheck = false;
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", input.id + "-options");
    input.placeholder = "Type a name";
    list.id = input.id + "-options";
    list.className = "type-to-pick__options";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    status.className = "type-to-pick__status";
    status.setAttribute("role", "status");
    select.hidden = true;
    select.tabIndex = -1;
    select.setAttribute("aria-hidden", "true");
    var wrapper = document.createElement("span");
    wrapper.className = "type-to-pick-box";
    select.parentNode.insertBefore(wrapper, select);
    wrapper.append(select, input, list, status);
    if (!document.querySelector("label[for='" + input.id + "']")) {
      input.setAttribute("aria-label", labelText(select, input));
    }
    list.setAttribute("aria-label", labelText(select, input) + " suggestions");

    var timer = null;
    var asked = 0;
    var active = -1;

    function chosenText() {
      var option = select.selectedOptions[0];
      return option && option.value ? option.text : "";
    }
    function showChosen() { input.value = chosenText(); }

    function close() {
      list.hidden = true;
      list.textContent = "";
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }

    function highlight(index) {
      var options = list.querySelectorAll("[role=option]");
      if (!options.length) { return; }
      active = (index + options.length) % options.length;
      options.forEach(function (option, i) { option.setAttribute("aria-selected", i === active ? "true" : "false"); });
      input.setAttribute("aria-activedescendant", options[active].id);
      options[active].scrollIntoView({block: "nearest"});
    }

    function setValue(id, text) {
      var option = Array.prototype.find.call(select.options, function (o) { return o.value === String(id); });
      if (!option) {
        option = new Option(text, id, false, false);
        select.add(option);
      }
      select.value = String(id);
      input.value = text;
      status.textContent = "";
      close();
      select.dispatchEvent(new Event("change", {bubbles: true}));
    }

    function create(item, button) {
      var data = new FormData();
      // An offer names what it stands for (author=…, creator=…); "Create" sends the name.
      Object.keys(item).forEach(function (key) { if (key !== "text") { data.append(key, item[key]); } });
      button.setAttribute("aria-busy", "true");
      fetch(select.dataset.createUrl, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: {"X-CSRFToken": csrfToken(), "X-Requested-With": "fetch"},
      })
        .then(function (response) {
          return response.json().then(function (body) { return response.ok ? body : Promise.reject(body); });
        })
        .then(function (created) { setValue(created.id, created.text); })
        .catch(function (problem) {
          button.removeAttribute("aria-busy");
          status.classList.add("is-error");
          status.textContent = (problem && problem.error) || "Could not create “" + (item.name || item.text) + "”.";
        });
    }

    function choose(element) {
      var item = element.item;
      if (item.id !== undefined) { setValue(item.id, item.text); } else { create(item, element); }
    }

    function render(term, results, offers) {
      list.textContent = "";
      var items = results.map(function (r) { return {id: r.id, text: r.text}; }).concat(offers);
      var exact = results.some(function (r) { return r.text.trim().toLowerCase() === term.toLowerCase(); });
      if (select.dataset.createUrl && !exact) { items.push({name: term, text: "Create “" + term + "”"}); }
      items.forEach(function (item, index) {
        var li = document.createElement("li");
        li.id = input.id + "-option-" + index;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.className = item.id !== undefined ? "type-to-pick__option" : "type-to-pick__option type-to-pick__create";
        li.textContent = item.text;
        li.item = item;
        li.addEventListener("mousedown", function (event) { event.preventDefault(); });
        li.addEventListener("click", function () { choose(li); });
        list.appendChild(li);
      });
      if (!items.length) {
        var none = document.createElement("li");
        none.className = "type-to-pick__none";
        none.textContent = "No matches.";
        list.appendChild(none);
      }
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      status.classList.remove("is-error");
      status.textContent = items.length + (items.length === 1 ? " suggestion" : " suggestions");
      if (items.length) { highlight(0); }
    }

    function search() {
      var term = input.value.trim();
      if (!term) { close(); return; }
      var ask = ++asked;
      var params = new URLSearchParams({
        term: term,
        app_label: select.dataset.appLabel,
        model_name: select.dataset.modelName,
        field_name: select.dataset.fieldName,
      });
      var found = getJSON(select.getAttribute("data-ajax--url") + "?" + params).then(function (body) { return body.results || []; });
      var offered = select.dataset.createUrl
        ? getJSON(select.dataset.createUrl + "?" + new URLSearchParams({term: term})).then(
          function (body) { return body.offers || []; }, function () { return []; })
        : Promise.resolve([]);
      Promise.all([found, offered]).then(function (answers) {
        if (ask === asked && document.activeElement === input) { render(term, answers[0], answers[1]); }
      }).catch(function () { status.textContent = "Suggestions could not be loaded."; });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(search, DELAY);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (list.hidden) { search(); return; }
        highlight(active + (event.key === "ArrowDown" ? 1 : -1));
      } else if (event.key === "Enter") {
        if (!list.hidden) {
          // Enter picks the highlighted suggestion; it never submits the form from here.
          event.preventDefault();
          var options = list.querySelectorAll("[role=option]");
          if (options[active]) { choose(options[active]); }
        }
      } else if (event.key === "Escape" && !list.hidden) {
        event.preventDefault();
        close();
        showChosen();
      }
    });
    input.addEventListener("blur", function () {
      setTimeout(function () {
        if (document.activeElement === input) { return; }
        close();
        if (!input.value.trim() && select.value) {
          // Emptying the box clears the choice.
          select.value = "";
          select.dispatchEvent(new Event("change", {bubbles: true}));
        }
        showChosen();
      }, 150);
    });
    // A restored backup (or another script) set the select: show its choice.
    select.addEventListener("change", function () { if (document.activeElement !== input) { showChosen(); } });
    showChosen();
    select.typeToPick = {refresh: showChosen, input: input};
  }

  function enhanceWithin(root) {
    root.querySelectorAll("select.type-to-pick").forEach(enhance);
  }

  document.addEventListener("DOMContentLoaded", function () { enhanceWithin(document); });
  // Rows added with "Add another …" in an inline.
  document.addEventListener("formset:added", function (event) { enhanceWithin(event.target); });
  // After a backup is restored the form says so with a change event of its own.
  document.addEventListener("change", function (event) {
    if (event.target.tagName !== "FORM") { return; }
    event.target.querySelectorAll("select.type-to-pick").forEach(function (select) {
      if (select.typeToPick) { select.typeToPick.refresh(); }
    });
  });
})();
