/* The report form's place finder: suggestions as one types (any spelling or script, from
   /api/v1/places/suggest), the nearest named place of the point as it is typed or picked
   (/api/v1/places/nearest), and, on request only (slow links), a map to pick the point on. */
(function () {
  "use strict";
  var box = document.getElementById("place-finder");
  if (!box) return;
  var d = box.dataset;
  var search = document.getElementById("place-search");
  var list = document.getElementById("place-suggestions");
  var nearest = document.getElementById("place-nearest");
  var lat = document.getElementById("id_lat");
  var lon = document.getElementById("id_lon");
  var placeSelect = document.getElementById("id_place");
  var timer = null;
  var marker = null;
  var map = null;

  function setPoint(la, lo, slug) {
    lat.value = la.toFixed(5);
    lon.value = lo.toFixed(5);
    if (placeSelect && slug) placeSelect.value = slug;
    if (map) {
      if (marker) marker.setLatLng([la, lo]); else marker = L.marker([la, lo]).addTo(map);
    }
    describe();
  }

  function describe() {
    var la = parseFloat(lat.value), lo = parseFloat(lon.value);
    if (isNaN(la) || isNaN(lo)) return;
    fetch(d.nearest + "?lat=" + la + "&lon=" + lo).then(function (r) { return r.ok ? r.json() : null; }).then(function (g) {
      if (!g) { nearest.textContent = "That point is not a valid latitude and longitude."; return; }
      var parts = [];
      if (g.nearest_place) parts.push(g.nearest_place_km + " km from " + g.nearest_place);
      parts.push(g.country ? "in " + g.country : "outside any country (at sea?)");
      if (g.distance_to_border_km !== null) parts.push(g.distance_to_border_km + " km from the border");
      nearest.textContent = "The point is " + parts.join(", ") + ".";
    });
  }

  search.addEventListener("input", function () {
    clearTimeout(timer);
    var q = search.value.trim();
    if (!q) { list.textContent = ""; return; }
    timer = setTimeout(function () {
      fetch(d.suggest + "?limit=8&q=" + encodeURIComponent(q)).then(function (r) { return r.ok ? r.json() : { items: [] }; }).then(function (body) {
        list.textContent = "";
        body.items.forEach(function (s) {
          var li = document.createElement("li");
          var b = document.createElement("button");
          b.type = "button";
          b.className = "link";
          b.textContent = s.name + (s.matched !== s.name ? " (" + s.matched + ")" : "") + (s.province ? ", " + s.province : "") + " · " + s.kind;
          b.addEventListener("click", function () { setPoint(s.lat, s.lon, s.slug); search.value = s.name; list.textContent = ""; lat.focus(); });
          li.appendChild(b);
          list.appendChild(li);
        });
        nearest.textContent = body.items.length ? body.items.length + " places match." : "No place matches.";
      });
    }, 250);
  });

  lat.addEventListener("change", describe);
  lon.addEventListener("change", describe);

  var show = document.getElementById("pick-map-show");
  show.addEventListener("click", function () {
    show.disabled = true;
    var css = document.createElement("link");
    css.rel = "stylesheet"; css.href = d.leafletCss;
    document.head.appendChild(css);
    var js = document.createElement("script");
    js.src = d.leafletJs;
    js.onload = function () {
      var el = document.getElementById("pick-map");
      el.hidden = false;
      var la = parseFloat(lat.value), lo = parseFloat(lon.value);
      map = L.map(el).setView(isNaN(la) ? [32.5, 69.5] : [la, lo], isNaN(la) ? 6 : 10);
      fetch(d.outlines).then(function (r) { return r.json(); }).then(function (g) {
        ["country", "border"].forEach(function (kind) {
          L.geoJSON(g, { filter: function (f) { return f.properties.kind === kind; }, className: kind, interactive: false }).addTo(map);
        });
      });
      if (!isNaN(la)) marker = L.marker([la, lo]).addTo(map);
      map.on("click", function (e) { setPoint(e.latlng.lat, e.latlng.lng, null); });
    };
    document.body.appendChild(js);
  });
})();
