/* The fleet map: Leaflet from this app's own static files, markers from the page's JSON data
   island (#fleet-map-points). Without a tile URL the clusters sit on a plain background inside
   a dashed outline of their area, which works offline. No inline script (the admin's CSP). */
(function () {
  "use strict";
  function readJSON(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }
  function init() {
    var container = document.getElementById("fleet-map");
    var points = readJSON("fleet-map-points") || [];
    var options = readJSON("fleet-map-options") || {};
    if (!container || !window.L || points.length === 0) {
      return;
    }
    var map = L.map(container, { zoomControl: true, attributionControl: Boolean(options.tiles) });
    if (options.tiles) {
      L.tileLayer(options.tiles, { attribution: options.attribution || "", maxZoom: 19 }).addTo(map);
    }
    var bounds = L.latLngBounds(points.map(function (p) { return [p.lat, p.lon]; }));
    if (!options.tiles) {
      // A plain outline of the clusters' area stands in for the missing background map.
      L.rectangle(bounds.pad(0.25), { color: "#555", weight: 1, dashArray: "4 4", fill: false,
                                     interactive: false }).addTo(map);
    }
    points.forEach(function (p) {
      var marker = L.circleMarker([p.lat, p.lon], {
        radius: 9, color: "#222", weight: 1, fillColor: p.colour, fillOpacity: 0.9,
        className: "fleet-marker fleet-marker--" + p.state
      }).addTo(map);
      var text = document.createElement("div");
      var link = document.createElement("a");
      link.href = p.url;
      link.textContent = p.code + " · " + p.name;
      text.appendChild(link);
      text.appendChild(document.createElement("br"));
      text.appendChild(document.createTextNode((p.zone ? p.zone + " · " : "") + p.label));
      marker.bindPopup(text);
      marker.bindTooltip(p.code + " – " + p.label);
    });
    if (points.length === 1) {
      map.setView(bounds.getCenter(), 15);
    } else {
      map.fitBounds(bounds.pad(0.3));
    }
    container.setAttribute("data-markers", String(points.length));
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
