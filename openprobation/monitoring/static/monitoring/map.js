/* Monitoring maps: every element with data-em-map="<id of a JSON script>" is drawn with Leaflet
 * from the shape of monitoring/mapdata.py: zones (by kind: colour AND dash pattern, the buffer as
 * a faint outline, an earlier version in grey), fixes (a line and points; a fix without a valid
 * position is hollow), alerts (markers with a popup linking to the alert's page). With no tile
 * server configured the map is drawn on a plain background with a scale bar. */
(function () {
  "use strict";

  function readJson(id) {
    var node = document.getElementById(id);
    if (!node) return null;
    try {
      return JSON.parse(node.textContent);
    } catch (e) {
      return null;
    }
  }

  var config = readJson("em-map-config") || {};
  var text = config.text || {};
  var kinds = config.kinds || {};
  var KAZAKHSTAN = [48.0, 67.0];
  var STYLES = {
    home: { color: "#005ea2", dashArray: null, weight: 3 },
    inclusion: { color: "#008817", dashArray: "14 7", weight: 3 },
    exclusion: { color: "#d83933", dashArray: "5 5", weight: 3 },
    victim: { color: "#6b4fa3", dashArray: "1 7", weight: 5, lineCap: "round" },
  };
  var HISTORIC = { color: "#565c65", dashArray: "3 5", weight: 2, fillOpacity: 0.04 };
  var EARTH = 6371008.8;

  function zoneStyle(zone) {
    if (zone.historic) return Object.assign({}, HISTORIC);
    var style = STYLES[zone.kind] || STYLES.inclusion;
    return Object.assign({ fillColor: style.color, fillOpacity: 0.12 }, style);
  }

  function latLngs(ring) {
    return ring.map(function (p) {
      return [p[1], p[0]];
    });
  }

  // A polygon widened by ``metres`` (each corner moved away from the centre): a faint outline, not a
  // geodesic buffer — the engine does the exact test.
  function widened(rings, metres) {
    var outer = rings[0];
    var n = outer.length;
    var cx = 0;
    var cy = 0;
    outer.forEach(function (p) {
      cx += p[0] / n;
      cy += p[1] / n;
    });
    var kx = (Math.PI / 180) * EARTH * Math.cos((cy * Math.PI) / 180);
    var ky = (Math.PI / 180) * EARTH;
    return outer.map(function (p) {
      var dx = (p[0] - cx) * kx;
      var dy = (p[1] - cy) * ky;
      var d = Math.sqrt(dx * dx + dy * dy) || 1;
      var f = (d + metres) / d;
      return [cy + (dy * f) / ky, cx + (dx * f) / kx];
    });
  }

  function zoneLabel(zone) {
    var label = zone.name + " — " + (kinds[zone.kind] || zone.kind);
    if (zone.historic) label += " (" + (text.historic || "") + " " + zone.version + ")";
    return label;
  }

  function zoneLayers(zone) {
    var g = zone.geometry || {};
    var style = zoneStyle(zone);
    var shape = null;
    var buffer = null;
    var faint = { color: style.color, weight: 1, opacity: 0.45, fill: false, dashArray: "2 6", interactive: false, pmIgnore: true };
    if (g.type === "Point" && zone.radius_m) {
      var centre = [g.coordinates[1], g.coordinates[0]];
      shape = L.circle(centre, Object.assign({ radius: zone.radius_m }, style));
      if (zone.buffer_m > 0) buffer = L.circle(centre, Object.assign({ radius: zone.radius_m + zone.buffer_m }, faint));
    } else if (g.type === "Polygon") {
      shape = L.polygon(g.coordinates.map(latLngs), style);
      if (zone.buffer_m > 0) buffer = L.polygon(widened(g.coordinates, zone.buffer_m), faint);
    }
    if (!shape) return null;
    if (zone.historic) shape.options.pmIgnore = true;
    shape.emZone = zone;
    // Leaflet puts a string tooltip in as HTML: a zone's name is what someone typed.
    shape.bindTooltip(escapeHtml(zoneLabel(zone)));
    return { shape: shape, buffer: buffer };
  }

  function escapeHtml(value) {
    var div = document.createElement("div");
    div.textContent = value == null ? "" : String(value);
    return div.innerHTML;
  }

  function formatTime(iso) {
    var tz = config.timeZone;
    try {
      return new Date(iso).toLocaleString(document.documentElement.lang || undefined, tz ? { timeZone: tz } : {});
    } catch (e) {
      return iso;
    }
  }

  function draw(element) {
    var data = readJson(element.getAttribute("data-em-map")) || {};
    var map = L.map(element, { zoomControl: false, keyboard: true, attributionControl: Boolean(config.tiles) });
    L.control.zoom({ zoomInTitle: text.zoomIn || "+", zoomOutTitle: text.zoomOut || "−" }).addTo(map);
    if (config.tiles) L.tileLayer(config.tiles, { attribution: config.attribution || "", maxZoom: 19 }).addTo(map);
    L.control.scale({ imperial: false }).addTo(map);
    // A view first: a circle knows its bounds only on a map that has one.
    map.setView(KAZAKHSTAN, 5);

    var bounds = L.latLngBounds([]);
    var zones = {};
    (data.zones || []).forEach(function (zone) {
      var layers = zoneLayers(zone);
      if (!layers) return;
      if (layers.buffer) layers.buffer.addTo(map);
      layers.shape.addTo(map);
      if (!zone.historic) zones[zone.id] = layers;
      bounds.extend(layers.shape.getBounds());
      if (layers.buffer) bounds.extend(layers.buffer.getBounds());
    });

    var fixes = data.fixes || [];
    var track = null;
    if (fixes.length) {
      var valid = fixes.filter(function (f) {
        return f.valid;
      });
      track = L.polyline(
        valid.map(function (f) {
          return [f.lat, f.lon];
        }),
        { color: "#1b1b1b", weight: 2, opacity: 0.7, pmIgnore: true }
      ).addTo(map);
      fixes.forEach(function (f) {
        L.circleMarker([f.lat, f.lon], {
          radius: 3,
          color: "#1b1b1b",
          weight: 1,
          fillColor: "#1b1b1b",
          fillOpacity: f.valid ? 0.9 : 0,
          pmIgnore: true,
        })
          .bindTooltip(escapeHtml(formatTime(f.t) + (f.valid ? "" : " — " + (text.invalidFix || ""))))
          .addTo(map);
        bounds.extend([f.lat, f.lon]);
      });
    }

    (data.alerts || []).forEach(function (a) {
      if (a.lat == null || a.lon == null) return;
      var icon = L.divIcon({ className: "em-alert-marker em-alert-marker--" + a.severity, iconSize: [18, 18] });
      var html = "<strong>" + escapeHtml(a.label) + "</strong><br>" + escapeHtml(formatTime(a.t));
      if (a.url) html += '<br><a href="' + escapeHtml(a.url) + '">' + escapeHtml(text.openAlert || "") + "</a>";
      L.marker([a.lat, a.lon], { icon: icon, title: a.label + " " + formatTime(a.t), keyboard: true, pmIgnore: true })
        .bindPopup(html)
        .addTo(map);
      bounds.extend([a.lat, a.lon]);
    });

    // Everything drawn stays in view (an alert's point far from the home zone it broke, say); the
    // focus only centres a map with nothing else on it.
    if (data.focus) bounds.extend([data.focus.lat, data.focus.lon]);
    if (bounds.isValid() && !(data.focus && bounds.getNorthEast().equals(bounds.getSouthWest()))) {
      map.fitBounds(bounds, { padding: [24, 24], maxZoom: 17 });
    } else if (data.focus) {
      map.setView([data.focus.lat, data.focus.lon], 16);
    }
    element.emMap = { map: map, data: data, zones: zones, track: track };
    element.dispatchEvent(new CustomEvent("em-map:ready", { detail: element.emMap }));
    return element.emMap;
  }

  window.OpenProbationMap = { draw: draw, readJson: readJson, config: config, text: text, formatTime: formatTime };

  if (typeof L === "undefined") return;
  Array.prototype.forEach.call(document.querySelectorAll("[data-em-map]"), function (element) {
    if (!element.emMap) draw(element);
  });
})();
