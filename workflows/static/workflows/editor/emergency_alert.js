// On every admin page: while an emergency bulletin waits for the signed-in user, a banner says
// so. The server answers what waits (JSON, Vietnamese text included); asked on load and then
// every few seconds, so the banner appears and goes away without reloading the page.
(function () {
  "use strict";

  var script = document.currentScript;
  var url = script && script.dataset.url;
  var interval = (Number(script && script.dataset.interval) || 15) * 1000;
  var banner = null;
  var shown = "";

  function build(data) {
    var box = document.createElement("div");
    box.className = "ttcs-emergency-alert";
    box.setAttribute("role", "alert");
    box.setAttribute("data-emergency-alert", "");
    var message = document.createElement("strong");
    message.textContent = data.message;
    box.appendChild(message);
    var list = document.createElement("ul");
    data.items.forEach(function (item) {
      var entry = document.createElement("li");
      var link = document.createElement("a");
      link.href = item.url;
      link.textContent = item.title;
      entry.appendChild(link);
      entry.appendChild(document.createTextNode(" — " + item.waiting));
      list.appendChild(entry);
    });
    box.appendChild(list);
    var action = document.createElement("a");
    action.className = "button button-small";
    action.href = data.action_url;
    action.textContent = data.action_label;
    box.appendChild(action);
    return box;
  }

  function render(data) {
    var signature = data.count ? JSON.stringify(data.items) : "";
    if (signature === shown) {
      return;
    }
    shown = signature;
    if (banner) {
      banner.remove();
      banner = null;
    }
    if (!data.count) {
      return;
    }
    banner = build(data);
    var content = document.querySelector("#main .content") || document.body;
    content.insertBefore(banner, content.firstChild);
  }

  function poll() {
    if (document.hidden) {
      return;
    }
    fetch(url, {
      credentials: "same-origin",
      cache: "no-store",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        var type = response.headers.get("content-type") || "";
        // Signed out meanwhile: the admin answers with its login page, not JSON.
        return response.ok && type.indexOf("application/json") === 0 ? response.json() : null;
      })
      .then(function (data) {
        if (data) {
          render(data);
        }
      })
      .catch(function () {
        // Offline for a moment: the next round tries again.
      });
  }

  function start() {
    // Only pages of a signed-in user carry the admin sidebar (not the login page).
    if (!url || !document.querySelector("[data-wagtail-sidebar]")) {
      return;
    }
    poll();
    window.setInterval(poll, interval);
    document.addEventListener("visibilitychange", poll);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
