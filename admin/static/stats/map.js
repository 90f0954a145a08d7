/* The reclamos map: zones shaded by cases, points per case, the street axes when there are no
   tiles. Data comes embedded in the page (#datos-mapa); the axes from their own staff-only URL. */
(function () {
  "use strict";
  var element = document.getElementById("mapa");
  var source = document.getElementById("datos-mapa");
  if (!element || !source || typeof L === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var map = L.map(element, { preferCanvas: true, zoomSnap: 0.5 });
  map.attributionControl.setPrefix("Leaflet");
  var shades = ["#fee6ce", "#fdae6b", "#fd8d3c", "#e6550d", "#a63603"];
  var extent = L.latLngBounds([]);

  if (element.dataset.tiles) {
    L.tileLayer(element.dataset.tiles, {
      maxZoom: 19, attribution: element.dataset.attribution || ""
    }).addTo(map);
  }

  function shade(cases, most) {
    var step = Math.min(shades.length - 1, Math.floor((shades.length * cases) / (most + 1)));
    return shades[step];
  }

  function zoneText(zone) {
    var share = zone.on_time_pct === null ? "sin casos evaluables"
      : String(zone.on_time_pct).replace(".", ",") + " % en plazo";
    return "Zona " + zone.label + ": " + zone.cases + " casos, " + share;
  }

  var most = data.zones.reduce(function (top, zone) { return Math.max(top, zone.cases); }, 0);
  var zones = L.layerGroup().addTo(map);
  data.zones.forEach(function (zone) {
    var cell = L.rectangle(zone.bounds, {
      color: "#8a3b12", weight: 0.5, fillColor: shade(zone.cases, most), fillOpacity: 0.55
    });
    cell.bindTooltip(zoneText(zone));
    cell.addTo(zones);
    extent.extend(zone.bounds);
  });

  var labels = data.labels;

  function popup(point) {
    var folio = point[2], status = point[3], theme = point[4], precision = point[5];
    var box = document.createElement("div");
    box.className = "map-point-popup";
    var link = document.createElement("a");
    link.href = data.case_url.replace("FOLIO", encodeURIComponent(folio));
    link.textContent = folio;
    box.appendChild(link);
    [
      labels.theme[String(theme)] || "Sin tema",
      labels.status[status] || status,
      "Ubicación: " + (labels.precision[precision] || precision)
    ].forEach(function (text) {
      box.appendChild(document.createElement("br"));
      box.appendChild(document.createTextNode(text));
    });
    return box;
  }

  var points = L.layerGroup().addTo(map);
  data.points.forEach(function (point) {
    var approximate = labels.approximate.indexOf(point[5]) >= 0;
    var marker = L.circleMarker([point[0], point[1]], {
      radius: 4, color: "#08306b", weight: 1.5,
      fillColor: "#2171b5", fillOpacity: approximate ? 0 : 0.9
    });
    marker.bindPopup(function () { return popup(point); });
    marker.addTo(points);
    extent.extend([point[0], point[1]]);
  });

  L.control.layers(null, { "Zonas": zones, "Casos": points }, { collapsed: false }).addTo(map);

  function ready() {
    element.setAttribute("data-ready", "1");
  }

  function show(bounds) {
    if (bounds.isValid()) {
      map.fitBounds(bounds, { padding: [12, 12], maxZoom: 17 });
    } else {
      map.setView([-33.45, -70.66], 12);
    }
  }

  show(extent);
  if (element.dataset.tiles) {
    ready();
    return;
  }
  fetch(data.axes_url, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (response) { return response.ok ? response.json() : { lines: [] }; })
    .then(function (axes) {
      var streets = L.polyline(axes.lines, { color: "#777", weight: 1, opacity: 0.8 });
      streets.addTo(map);
      streets.bringToBack();
      map.attributionControl.addAttribution("Ejes de calles: © colaboradores de OpenStreetMap");
      if (axes.lines.length) { extent.extend(streets.getBounds()); }
    })
    .catch(function () { /* the zones and points are already drawn */ })
    .then(function () { show(extent); ready(); });
})();
