/* Track playback (monitoring/maps/track.html): a time slider over the track's fixes, play/pause and
 * a speed (1×, 10×, 60× real time); the current fix is marked on the map. Long gaps without fixes
 * are skipped. The table of fixes below the map is the same data without a script. */
(function () {
  "use strict";

  var player = document.getElementById("em-player");
  var api = window.OpenProbationMap;
  if (!player || !api) return;
  var element = document.getElementById(player.getAttribute("data-em-player"));
  if (!element || !element.emMap) return;
  var map = element.emMap.map;
  var fixes = element.emMap.data.fixes || [];
  if (!fixes.length) return;
  var text = api.text;

  var times = fixes.map(function (f) {
    return Date.parse(f.t);
  });
  var button = player.querySelector(".em-play");
  var speed = player.querySelector(".em-speed");
  var slider = player.querySelector(".em-time");
  var clock = player.querySelector(".em-clock");
  var TICK = 200;
  var GAP = 10 * 60 * 1000;
  var now = times[0];
  var index = 0;
  var timer = null;
  var marker = L.circleMarker([fixes[0].lat, fixes[0].lon], {
    radius: 8,
    color: "#005ea2",
    weight: 3,
    fillColor: "#ffffff",
    fillOpacity: 1,
    className: "em-current-fix",
  }).addTo(map);

  slider.max = String(fixes.length - 1);
  player.hidden = false;

  function show(i) {
    index = Math.max(0, Math.min(fixes.length - 1, i));
    var fix = fixes[index];
    marker.setLatLng([fix.lat, fix.lon]);
    slider.value = String(index);
    var label = api.formatTime(fix.t);
    clock.textContent = label;
    slider.setAttribute("aria-valuetext", label);
  }

  function stop() {
    if (timer) window.clearInterval(timer);
    timer = null;
    button.textContent = text.play;
    button.setAttribute("aria-pressed", "false");
  }

  function tick() {
    now += TICK * Number(speed.value || 1);
    var next = index + 1;
    if (next >= fixes.length) {
      stop();
      return;
    }
    if (times[next] - now > GAP) now = times[next] - 1000;
    var i = index;
    while (i + 1 < fixes.length && times[i + 1] <= now) i += 1;
    if (i !== index) show(i);
  }

  button.addEventListener("click", function () {
    if (timer) {
      stop();
      return;
    }
    if (index >= fixes.length - 1) show(0);
    now = times[index];
    timer = window.setInterval(tick, TICK);
    button.textContent = text.pause;
    button.setAttribute("aria-pressed", "true");
  });
  slider.addEventListener("input", function () {
    show(Number(slider.value));
    now = times[index];
  });
  show(0);
})();
