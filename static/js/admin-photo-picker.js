// The lead-photo picker (Django's Select2 autocomplete) shows each photo's thumbnail and
// credit beside its alt text, so editors pick the right photo. The answers come from
// PhotoAutocompleteJsonView; only how an answer is drawn changes, not what is picked.
// A withdrawn photo comes greyed out (Select2 does not let a disabled answer be picked),
// with no thumbnail (its files are taken down) and the reason in words.
(function () {
  "use strict";

  function note(className, words) {
    var small = document.createElement("small");
    small.className = className;
    small.textContent = words;
    return small;
  }

  function photoOption(item) {
    if (item.loading || !(item.thumbnail || item.disabled)) { return item.text; }
    var option = document.createElement("span");
    option.className = "photo-option";
    var text = document.createElement("span");
    text.className = "photo-option__text";
    text.textContent = item.text;
    if (item.thumbnail) {
      var image = document.createElement("img");
      image.className = "photo-option__thumbnail";
      image.src = item.thumbnail;
      image.alt = "";  // the alt text is the option's own text
      option.append(image);
    } else {
      option.append(note("photo-option__thumbnail photo-option__no-image", "No image"));
    }
    option.append(text);
    if (item.credit) { text.append(note("photo-option__credit", item.credit)); }
    if (item.licence) {
      var licence = item.licence.charAt(0).toUpperCase() + item.licence.slice(1);
      text.append(note("photo-option__licence", item.disabled ?
        licence + ". Renew the licence on the photo to use it again." : licence + "."));
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
