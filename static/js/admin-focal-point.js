// One click on the photo's preview sets its focal point (the part crops keep in view);
// the two number fields below stay for keyboard users and exact values.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var image = document.querySelector(".field-preview img");
    var across = document.getElementById("id_focal_x");
    var down = document.getElementById("id_focal_y");
    if (!image || !across || !down) { return; }
    var frame = document.createElement("span");
    frame.className = "focal-frame";
    image.parentNode.insertBefore(frame, image);
    frame.appendChild(image);
    var marker = document.createElement("span");
    marker.className = "focal-marker";
    marker.setAttribute("aria-hidden", "true");
    frame.appendChild(marker);
    var hint = document.createElement("p");
    hint.className = "help";
    hint.textContent = "Click the subject to set the focal point.";
    frame.after(hint);
    image.classList.add("focal-target");

    function show() {
      marker.style.left = (parseFloat(across.value) * 100) + "%";
      marker.style.top = (parseFloat(down.value) * 100) + "%";
    }
    image.addEventListener("click", function (event) {
      var box = image.getBoundingClientRect();
      var x = Math.min(1, Math.max(0, (event.clientX - box.left) / box.width));
      var y = Math.min(1, Math.max(0, (event.clientY - box.top) / box.height));
      across.value = x.toFixed(3);
      down.value = y.toFixed(3);
      across.dispatchEvent(new Event("change", {bubbles: true}));
      show();
    });
    across.addEventListener("input", show);
    down.addEventListener("input", show);
    show();
  });
})();
