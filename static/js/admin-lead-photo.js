// The lead photo in the article form: drop an image on the drop zone (or choose a file), and
// type its alt text, caption and credit right there; picking a library photo instead fills
// those fields with its own, to edit in place. The server checks and stores the upload
// when the article is saved.
(function () {
  "use strict";
  function field(name) { return document.querySelector("[name=" + name + "]"); }

  function setChoice(select, choice) {
    if (!select) { return; }
    if (choice && !Array.prototype.some.call(select.options, function (o) { return o.value === choice.id; })) {
      select.add(new Option(choice.text, choice.id, false, false));
    }
    select.value = choice ? choice.id : "";
    select.dispatchEvent(new Event("change", {bubbles: true}));
  }

  function fill(values) {
    field("photo_for").value = values.photo_for || "";
    field("photo_alt_text").value = values.photo_alt_text || "";
    field("photo_caption").value = values.photo_caption || "";
    setChoice(field("photo_creator"), values.photo_creator);
    setChoice(field("photo_source"), values.photo_source);
    field("photo_credit_type").value = values.photo_credit_type || "photo";
    field("photo_alt_text").dispatchEvent(new Event("input", {bubbles: true}));
  }

  function showChosenFile(zone, input) {
    var file = input.files && input.files[0];
    field("photo_chosen").value = file ? file.name : "";
    var note = zone.querySelector(".photo-drop__file");
    var preview = zone.querySelector(".photo-drop__preview");
    note.textContent = file ? "Chosen: " + file.name + " (uploaded when you save)" : "";
    preview.hidden = true;
    if (file && /^image\//.test(file.type) && window.FileReader) {
      var reader = new FileReader();
      // A data: URL, which the admin's Content-Security-Policy allows for images.
      reader.onload = function () { preview.src = reader.result; preview.hidden = false; };
      reader.readAsDataURL(file);
    }
    if (file && field("photo_for").value) {
      // The fields described the library photo: they now describe the new one.
      fill({});
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var input = field("photo_image");
    var photoFor = field("photo_for");
    if (!input || !photoFor) { return; }
    var zone = document.createElement("div");
    zone.className = "photo-drop";
    var hint = document.createElement("p");
    hint.className = "photo-drop__hint";
    hint.textContent = "Drop an image here, or choose a file:";
    var note = document.createElement("p");
    note.className = "photo-drop__file";
    note.setAttribute("role", "status");
    var preview = document.createElement("img");
    preview.className = "photo-drop__preview";
    preview.alt = "";
    preview.hidden = true;
    input.parentNode.insertBefore(zone, input);
    zone.append(hint, input, note, preview);

    ["dragenter", "dragover"].forEach(function (type) {
      zone.addEventListener(type, function (event) {
        event.preventDefault();
        zone.classList.add("is-over");
      });
    });
    zone.addEventListener("dragleave", function () { zone.classList.remove("is-over"); });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      zone.classList.remove("is-over");
      var files = event.dataTransfer && event.dataTransfer.files;
      if (!files || !files.length) { return; }
      input.files = files;
      input.dispatchEvent(new Event("change", {bubbles: true}));
    });
    input.addEventListener("change", function () { showChosenFile(zone, input); });
    // A file input comes back empty (after an error, or a restored backup): nothing is chosen.
    var chosen = field("photo_chosen");
    chosen.value = "";
    zone.closest("form").addEventListener("change", function (event) {
      if (event.target.tagName === "FORM" && !(input.files && input.files.length)) { chosen.value = ""; }
    });

    // A library photo picked as the lead photo: its own alt text, caption and credit.
    var picker = field("lead_photo");
    if (picker) {
      picker.addEventListener("change", function () {
        if (input.files && input.files.length) { return; }  // the upload wins
        if (!picker.value) { fill({}); return; }
        if (picker.value === photoFor.value) { return; }
        var url = photoFor.dataset.fieldsUrl.replace(/\/0\/$/, "/" + encodeURIComponent(picker.value) + "/");
        fetch(url, {credentials: "same-origin", headers: {"X-Requested-With": "fetch"}})
          .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
          .then(fill)
          .catch(function () { note.textContent = "The photo's details could not be loaded; they stay as they were."; });
      });
    }
  });
})();
