/* The zone editor (monitoring/maps/zones.html): Leaflet-Geoman's drawing tools on the zone map. A
 * polygon or circle drawn goes into the form last used (the new zone's by default) as GeoJSON, a
 * circle as a Point with its radius; editing a zone's corners on the map fills in that zone's change
 * form; removing a zone on the map opens its retire form (a zone is retired with a reason, never
 * just deleted). The week's curfew has a quick "every night" fill. Without this script the forms
 * work as they are, the shape typed as GeoJSON. */
(function () {
  "use strict";

  var element = document.getElementById("em-zone-map");
  var api = window.OpenProbationMap;
  if (!element || !element.emMap || !api || !element.emMap.map.pm) return;
  var map = element.emMap.map;
  var text = api.text;
  var active = "new";
  var drawn = null;

  var live = document.createElement("p");
  live.className = "usa-hint em-live";
  live.id = "em-editor-status";
  live.setAttribute("role", "status");
  element.insertAdjacentElement("afterend", live);

  function say(message) {
    live.textContent = message || "";
  }

  function formFor(target) {
    return document.querySelector('form[data-em-target="' + target + '"]');
  }

  function round(value) {
    return Math.round(value * 1e6) / 1e6;
  }

  function geometryOf(layer) {
    if (layer instanceof L.Circle) {
      var c = layer.getLatLng();
      return { geometry: { type: "Point", coordinates: [round(c.lng), round(c.lat)] }, radius: Math.round(layer.getRadius()) };
    }
    var geo = layer.toGeoJSON().geometry;
    if (geo.type === "Polygon") {
      geo.coordinates = geo.coordinates.map(function (ring) {
        return ring.map(function (p) {
          return [round(p[0]), round(p[1])];
        });
      });
    }
    return { geometry: geo, radius: null };
  }

  function fill(form, layer) {
    if (!form) return false;
    var shape = geometryOf(layer);
    var field = form.querySelector(".em-geometry");
    var radius = form.querySelector(".em-radius");
    if (field) field.value = JSON.stringify(shape.geometry);
    if (radius) radius.value = shape.radius == null ? "" : String(shape.radius);
    var details = form.closest("details");
    if (details) details.open = true;
    return true;
  }

  // Which form a drawn shape goes to: the one last focused.
  Array.prototype.forEach.call(document.querySelectorAll("form[data-em-target]"), function (form) {
    form.addEventListener("focusin", function () {
      active = form.getAttribute("data-em-target");
    });
  });

  var lang = (document.documentElement.lang || "ru").slice(0, 2);
  map.pm.setLang(
    "op",
    {
      buttonTitles: {
        drawPolyButton: text.drawPolygon,
        drawCircleButton: text.drawCircle,
        editButton: text.editShapes,
        deleteButton: text.removeShape,
      },
      tooltips: {
        firstVertex: text.firstVertex,
        continueLine: text.continueLine,
        finishLine: text.finishPoly,
        finishPoly: text.finishPoly,
        startCircle: text.startCircle,
        finishCircle: text.finishCircle,
      },
      actions: { finish: text.finish, cancel: text.cancel, removeLastVertex: text.removeLastVertex },
    },
    lang === "en" ? "en" : "ru"
  );
  map.pm.addControls({
    position: "topleft",
    drawMarker: false,
    drawCircleMarker: false,
    drawPolyline: false,
    drawRectangle: false,
    drawText: false,
    drawPolygon: true,
    drawCircle: true,
    editMode: true,
    dragMode: false,
    cutPolygon: false,
    rotateMode: false,
    removalMode: true,
  });
  // The toolbar's buttons carry their name on a wrapper's title: give the buttons themselves a name.
  Array.prototype.forEach.call(element.querySelectorAll(".leaflet-pm-toolbar .button-container"), function (box) {
    var button = box.querySelector("a.leaflet-buttons-control-button");
    if (button && box.title) button.setAttribute("aria-label", box.title);
  });
  map.pm.setGlobalOptions({ allowSelfIntersection: false, pathOptions: { color: "#1a4480", weight: 3 } });

  map.on("pm:create", function (event) {
    if (drawn && drawn !== event.layer) map.removeLayer(drawn);
    drawn = event.layer;
    var form = formFor(active) || formFor("new");
    if (fill(form, drawn)) say(text.drawn);
    drawn.on("pm:edit", function () {
      fill(formFor(active) || formFor("new"), drawn);
    });
  });

  Object.keys(element.emMap.zones).forEach(function (id) {
    var shape = element.emMap.zones[id].shape;
    shape.on("pm:edit", function () {
      if (fill(formFor(id), shape)) say(text.edited);
    });
  });

  map.on("pm:remove", function (event) {
    var zone = event.layer.emZone;
    if (!zone) {
      if (event.layer === drawn) drawn = null;
      return;
    }
    event.layer.addTo(map);
    var retire = document.getElementById("retire-" + zone.id);
    if (retire) {
      retire.open = true;
      var reason = retire.querySelector("textarea, input");
      if (reason) reason.focus();
    }
    say(text.removed);
  });

  // The week's curfew: quick fill and clear.
  Array.prototype.forEach.call(document.querySelectorAll(".em-curfew-form"), function (form) {
    var night = form.querySelector(".em-fill-night");
    var clear = form.querySelector(".em-clear-week");
    var days = form.querySelectorAll(".em-day");
    if (night) {
      night.hidden = false;
      night.addEventListener("click", function () {
        Array.prototype.forEach.call(days, function (input) {
          input.value = night.getAttribute("data-night");
        });
      });
    }
    if (clear) {
      clear.hidden = false;
      clear.addEventListener("click", function () {
        Array.prototype.forEach.call(days, function (input) {
          input.value = "";
        });
      });
    }
  });

  window.OpenProbationZoneEditor = { map: map, fill: fill, formFor: formFor, geometryOf: geometryOf };
})();
