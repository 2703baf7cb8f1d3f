// Keeps the Schedule button's label in step with the publish time typed above it:
// "Schedule for Tue 14 Jan 09:00 (Europe/Berlin)". The server checks the time again.
(function () {
  "use strict";
  var DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  document.addEventListener("DOMContentLoaded", function () {
    var button = document.querySelector(".schedule-button");
    var date = document.getElementById("id_published_at_0");
    var time = document.getElementById("id_published_at_1");
    if (!button || !date || !time) { return; }
    function update() {
      var d = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(date.value.trim());
      var t = /^(\d{1,2}):(\d{2})(?::\d{2})?$/.exec(time.value.trim());
      // A calendar date, so UTC arithmetic gives its weekday whatever the browser's zone.
      var day = d && new Date(Date.UTC(+d[1], +d[2] - 1, +d[3]));
      // Date.UTC rolls 30 Feb over to 2 Mar: a label must never name a time the server
      // will read differently (or refuse), so an impossible date or time names none.
      var real = day && day.getUTCDate() === +d[3] && day.getUTCMonth() === +d[2] - 1 &&
        t && +t[1] < 24 && +t[2] < 60;
      if (!real) { button.textContent = "Schedule"; return; }
      button.textContent = "Schedule for " + DAYS[day.getUTCDay()] + " " + day.getUTCDate() + " " +
        MONTHS[day.getUTCMonth()] + " " + t[1].padStart(2, "0") + ":" + t[2] +
        " (" + button.dataset.timeZone + ")";
    }
    date.addEventListener("input", update);
    time.addEventListener("input", update);
    date.addEventListener("change", update);
    time.addEventListener("change", update);
  });
})();
