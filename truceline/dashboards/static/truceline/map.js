/* The operations map: Leaflet (served from the django-leaflet package), outlines and the
   border from /api/v1/map/outlines, no tiles unless the deployment configures a tile URL.
   Clusters when zoomed out, incidents when zoomed in; every marker's data also appears in
   the list under the map, which is what keyboard and screen-reader users work from. */
(function () {
  "use strict";
  var el = document.getElementById("map");
  if (!el || !window.L) return;
  var status = document.getElementById("map-status");
  var list = document.getElementById("in-view");
  var empty = document.getElementById("in-view-empty");
  var d = el.dataset;
  var pointsZoom = parseInt(d.pointsZoom, 10);
  var map = L.map(el, { preferCanvas: false, zoomSnap: 1 }).setView([32.5, 68.5], 6);
  if (d.tiles) {
    L.tileLayer(d.tiles, { attribution: d.tilesAttribution, maxZoom: 18 }).addTo(map);
  }
  var layer = L.layerGroup().addTo(map);
  var crossings = L.layerGroup().addTo(map);
  var pending = null;
  var seq = 0;

  function say(text) { status.textContent = text; }

  fetch(d.outlines).then(function (r) { return r.json(); }).then(function (geojson) {
    // Leaflet takes a path's class when it is made, so each kind is its own layer.
    ["country", "border"].forEach(function (kind) {
      var layerOf = L.geoJSON(geojson, {
        filter: function (f) { return f.properties.kind === kind; },
        className: kind,
        interactive: false
      }).addTo(map);
      layerOf.bringToBack();
    });
  });

  fetch(d.crossings).then(function (r) { return r.json(); }).then(function (body) {
    body.items.forEach(function (c) {
      var b = 0.03;
      L.rectangle([[c.lat - b, c.lon - b], [c.lat + b, c.lon + b]], { className: "crossing-" + c.status })
        .bindTooltip(c.name + ": " + c.status + (c.closed_days ? " (" + c.closed_days + " days)" : ""))
        .addTo(crossings);
    });
  });

  function query() {
    var b = map.getBounds();
    var params = new URLSearchParams(d.query);
    params.set("bbox", [b.getSouth(), b.getWest(), b.getNorth(), b.getEast()].map(function (x) {
      return Math.max(-180, Math.min(180, x)).toFixed(4);
    }).join(","));
    params.set("zoom", String(map.getZoom()));
    return d.api + "?" + params.toString();
  }

  function item(p) {
    var li = document.createElement("li");
    var a = document.createElement("a");
    a.href = d.incident + encodeURIComponent(p.id) + "/";
    a.textContent = p.id;
    li.appendChild(a);
    li.appendChild(document.createTextNode(" · " + p.occurred_on + " · " + p.category + " · " + p.state + (p.sector ? " · " + p.sector : "")));
    return li;
  }

  function draw(body) {
    layer.clearLayers();
    list.textContent = "";
    if (body.mode === "clusters") {
      empty.hidden = false;
      body.clusters.forEach(function (c) {
        var radius = Math.min(40, 8 + 4 * Math.log(c.n + 1));
        var m = L.circleMarker([c.lat, c.lon], { radius: radius, className: "cluster" })
          .bindTooltip(c.n + " incident" + (c.n === 1 ? "" : "s"), { permanent: false })
          .on("click", function () { map.setView([c.lat, c.lon], Math.min(map.getZoom() + 2, pointsZoom)); });
        layer.addLayer(m);
        if (body.clusters.length <= 120) {
          layer.addLayer(L.marker([c.lat, c.lon], {
            icon: L.divIcon({ className: "cluster-label", html: String(c.n), iconSize: [40, 32] }),
            interactive: false, keyboard: false
          }));
        }
      });
      say(body.total + " incidents in view, in " + body.clusters.length + " places" +
        (body.rounded_to_km ? "; places are grid squares, not exact points" : "") + ". Zoom in to see each incident.");
    } else {
      empty.hidden = body.points.length > 0;
      body.points.forEach(function (p) {
        var m = L.circleMarker([p.lat, p.lon], { radius: 7, className: "st-" + p.state })
          .bindPopup('<a href="' + d.incident + encodeURIComponent(p.id) + '/">' + p.id + "</a><br>" +
            p.occurred_on + " · " + p.category + " · " + p.state);
        layer.addLayer(m);
        list.appendChild(item(p));
      });
      say(body.points.length + " incidents in view" + (body.truncated ? " (the newest " + body.points.length + "; narrow the filters for the rest)" : "") +
        (body.rounded_to_km ? "; locations rounded to " + body.rounded_to_km + " km" : "") + ".");
    }
    el.dataset.loaded = String(++seq);
  }

  function load() {
    if (pending) pending.abort();
    pending = new AbortController();
    say("Loading incidents…");
    fetch(query(), { signal: pending.signal, headers: { Accept: "application/json" } })
      .then(function (r) {
        if (!r.ok) throw new Error("the server answered " + r.status);
        return r.json();
      })
      .then(draw)
      .catch(function (err) { if (err.name !== "AbortError") say("Could not load the incidents: " + err.message + ". Move the map to try again."); });
  }

  map.on("moveend", load);
  load();
})();
