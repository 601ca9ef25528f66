// The monitoring console's live queue: server-sent events from the console's event stream swap
// new and changed alerts into the table (no reload); if EventSource is missing or keeps failing,
// the page falls back to fetching the queue every 5 seconds. No inline script (CSP).
(function () {
  "use strict";

  var section = document.getElementById("console-queue");
  if (!section) { return; }
  var live = document.getElementById("console-live");
  var connection = document.getElementById("console-connection");
  var pollTimer = null;
  var failures = 0;

  function rows() { return document.getElementById("queue-rows"); }

  function setConnection(kind) {
    if (connection) { connection.textContent = connection.getAttribute("data-" + kind) || ""; }
  }

  function recount() {
    var body = rows();
    if (!body) { return; }
    var empty = document.getElementById("queue-empty");
    var all = body.querySelectorAll("tr[data-alert]");
    if (empty) { empty.classList.toggle("display-none", all.length > 0); }
    if (section.getAttribute("data-truncated") === "1") { return; }
    var counts = { total: all.length, overdue: 0, low: 0, medium: 0, high: 0, critical: 0 };
    all.forEach(function (tr) {
      var sev = tr.getAttribute("data-severity");
      if (sev in counts) { counts[sev] += 1; }
      if (tr.getAttribute("data-overdue") === "1") { counts.overdue += 1; }
    });
    Object.keys(counts).forEach(function (key) {
      var el = document.getElementById("count-" + key);
      if (el) { el.textContent = String(counts[key]); }
    });
  }

  // Keep "oldest waiting first": insert the row before the first row opened later.
  function place(tr) {
    var body = rows();
    var opened = tr.getAttribute("data-opened") || "";
    var others = body.querySelectorAll("tr[data-alert]");
    for (var i = 0; i < others.length; i += 1) {
      if ((others[i].getAttribute("data-opened") || "") > opened) {
        body.insertBefore(tr, others[i]);
        return;
      }
    }
    body.appendChild(tr);
  }

  function apply(change) {
    var body = rows();
    if (!body) { return; }
    var existing = document.getElementById("alert-row-" + change.id);
    if (!change.show) {
      if (existing) { existing.remove(); }
      return;
    }
    var holder = document.createElement("tbody");
    holder.innerHTML = change.html;
    var tr = holder.querySelector("tr");
    if (!tr) { return; }
    if (existing) {
      existing.replaceWith(tr);
    } else {
      place(tr);
      tr.classList.add("op-alert-new");
      if (live) { live.textContent = (section.getAttribute("data-new-alert") || "") + ": " + tr.cells[1].textContent.trim(); }
    }
    if (window.htmx) { window.htmx.process(tr); }
  }

  function refresh() {
    var url = window.location.pathname + window.location.search;
    fetch(url, { headers: { "HX-Request": "true" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        var holder = document.createElement("div");
        holder.innerHTML = html;
        var fresh = holder.querySelector("#console-queue");
        if (fresh) {
          section.replaceWith(fresh);
          section = fresh;
          if (window.htmx) { window.htmx.process(fresh); }
        }
      })
      .catch(function () { /* the next round tries again */ });
  }

  function startPolling() {
    if (pollTimer) { return; }
    setConnection("polling");
    pollTimer = window.setInterval(refresh, 5000);
  }

  function connect() {
    var base = section.getAttribute("data-events");
    var cursor = section.getAttribute("data-cursor") || "";
    if (!base || !window.EventSource) { startPolling(); return; }
    var url = base + (base.indexOf("?") >= 0 ? "&" : "?") + "since=" + encodeURIComponent(cursor);
    var source = new window.EventSource(url);
    source.addEventListener("open", function () {
      failures = 0;
      setConnection("connected");
    });
    source.addEventListener("alert", function (event) {
      try { apply(JSON.parse(event.data)); recount(); } catch (e) { /* a malformed event is skipped */ }
    });
    source.addEventListener("error", function () {
      failures += 1;
      if (failures >= 3 || source.readyState === window.EventSource.CLOSED) {
        source.close();
        startPolling();
      }
    });
  }

  // After an acknowledgement swapped its row in, keep the counts right.
  document.body.addEventListener("htmx:afterSwap", recount);

  connect();
}());
