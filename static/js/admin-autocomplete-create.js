// Autocomplete boxes that can create what they don't find: typing a new name offers
// "Create “name”", which adds the person on the server and picks them, without a popup.
(function () {
  "use strict";
  if (!window.django || !django.jQuery) { return; }
  var $ = django.jQuery;

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function offer(select, term) {
    var results = document.querySelector(".select2-container--open .select2-results__options");
    if (!results || results.querySelector(".select2-create")) { return; }
    var exact = Array.prototype.some.call(results.querySelectorAll(".select2-results__option"), function (li) {
      return li.textContent.trim().toLowerCase() === term.toLowerCase();
    });
    if (exact) { return; }
    var item = document.createElement("li");
    item.className = "select2-results__option select2-create";
    item.setAttribute("role", "option");
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button";
    button.textContent = "Create “" + term + "”";
    item.appendChild(button);
    results.appendChild(item);
    button.addEventListener("mousedown", function (event) { event.preventDefault(); });
    button.addEventListener("click", function () {
      var data = new FormData();
      data.append("name", term);
      fetch(select.dataset.createUrl, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: {"X-CSRFToken": csrfToken(), "X-Requested-With": "fetch"},
      })
        .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
        .then(function (created) {
          select.add(new Option(created.text, created.id, true, true));
          $(select).trigger("change");
          $(select).select2("close");
        })
        .catch(function () { button.textContent = "Could not create “" + term + "”"; });
    });
  }

  $(document).on("select2:open", "select[data-create-url]", function () {
    var select = this;
    var search = document.querySelector(".select2-container--open .select2-search__field");
    if (!search) { return; }
    var timer = null;
    var watch = function () {
      clearTimeout(timer);
      var term = search.value.trim();
      if (term.length < 2) { return; }
      // After Select2 has shown its own results for the term.
      timer = setTimeout(function () { offer(select, term); }, 600);
    };
    search.addEventListener("input", watch);
    $(select).one("select2:close", function () { search.removeEventListener("input", watch); });
  });
})();
