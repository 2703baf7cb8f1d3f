// Autocomplete boxes in the article list's filter sidebar: choosing an author or a topic
// opens the list filtered by it (the address comes from the server, with the id left open).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    if (!window.django || !django.jQuery) { return; }
    django.jQuery(document).on("change", "select[data-filter-url]", function () {
      if (this.value) {
        window.location.href = this.dataset.filterUrl.replace("__chosen__", encodeURIComponent(this.value));
      }
    });
  });
})();
