// The lead-photo picker (Django's Select2 autocomplete) shows each photo's thumbnail and
// credit beside its alt text, so editors pick the right photo. The answers come from
// PhotoAutocompleteJsonView; only how an answer is drawn changes, not what is picked.
(function () {
  "use strict";

  function photoOption(item) {
    if (item.loading || !item.thumbnail) { return item.text; }
    var option = document.createElement("span");
    option.className = "photo-option";
    var image = document.createElement("img");
    image.className = "photo-option__thumbnail";
    image.src = item.thumbnail;
    image.alt = "";  // the alt text is the option's own text
    var text = document.createElement("span");
    text.className = "photo-option__text";
    text.textContent = item.text;
    option.append(image, text);
    if (item.credit) {
      var credit = document.createElement("small");
      credit.className = "photo-option__credit";
      credit.textContent = item.credit;
      text.append(credit);
    }
    return option;
  }

  // Django starts Select2 on page load; the template is read each time results are drawn,
  // so it is set just before the list opens, whichever script ran first. (This file may
  // load before Django's jQuery namespace exists: it is looked up once the page is parsed.)
  document.addEventListener("DOMContentLoaded", function () {
    var $ = window.django && window.django.jQuery;
    if (!$) { return; }
    $(document).on("select2:opening", "select.photo-autocomplete", function () {
      var select2 = $(this).data("select2");
      if (select2) { select2.options.set("templateResult", photoOption); }
    });
  });
})();
