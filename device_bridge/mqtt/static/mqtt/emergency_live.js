// Refreshes the emergency acknowledgement panel every 2 s while the emergency is active
// (a static file: the admin's Content-Security-Policy allows no inline script).
(function () {
  "use strict";
  var INTERVAL_MS = 2000;

  function refresh() {
    var panel = document.getElementById("emergency-panel");
    if (!panel || panel.dataset.active !== "true") {
      return;
    }
    fetch(panel.dataset.liveUrl, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.text();
      })
      .then(function (html) {
        var holder = document.createElement("div");
        holder.innerHTML = html;
        var fresh = holder.querySelector("#emergency-panel");
        if (fresh) {
          panel.replaceWith(fresh);
        }
      })
      .catch(function () {
        // A missed refresh is retried at the next tick.
      })
      .finally(function () {
        window.setTimeout(refresh, INTERVAL_MS);
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    window.setTimeout(refresh, INTERVAL_MS);
  });
})();
