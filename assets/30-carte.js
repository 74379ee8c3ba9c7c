/* Functions used by dashboard/components/map.py (dash-leaflet resolves {"variable": "mednumMap.…"} on window).
   dash-leaflet appends its context ({map, hideout, setProps, …}) as the last argument. */
window.mednumMap = Object.assign({}, window.mednumMap, {
    pointToLayer: function (feature, latlng) {
        const p = feature.properties || {};
        return L.circleMarker(latlng, {
            radius: p.radius || 7,
            color: "#ffffff",
            weight: 2,
            fillColor: p.color || "#1f4e79",
            fillOpacity: 0.95,
        });
    },
    clusterToLayer: function (feature, latlng) {
        const count = feature.properties.point_count;
        const size = count < 10 ? "small" : count < 100 ? "medium" : "large";
        const icon = L.divIcon({
            // A number only: no data text reaches this HTML.
            html: "<div><span>" + Number(count) + "</span></div>",
            className: "mednum-cluster mednum-cluster-" + size,
            iconSize: L.point(40, 40),
        });
        return L.marker(latlng, {icon: icon, title: count + " lieux : cliquer pour zoomer", alt: count + " lieux"});
    },
    onEachFeature: function (feature, layer) {
        const p = feature.properties || {};
        if (p.cluster || !p.label) {
            return;
        }
        // textContent, never innerHTML: a label typed by a user is shown as text.
        const tip = document.createElement("span");
        tip.textContent = p.label;
        layer.bindTooltip(tip, {direction: "top", offset: [0, -6]});
    },
});

/* The Carte's points: the filter callback sends only the matching `pk`s and colour codes; the collection of every
   place (position, id, label) is fetched once per version and kept here. */
window.mednumMap.collections = {};
window.mednumMap.matchedPoints = async function (match, mode) {
    const empty = {type: "FeatureCollection", features: []};
    if (!match || !match.pk) {
        return empty;
    }
    const url = "/api/carte/points.json?v=" + encodeURIComponent(match.v);
    let all = window.mednumMap.collections[url];
    if (!all) {
        const response = await fetch(url, {credentials: "same-origin"});
        if (!response.ok) {
            return empty;
        }
        all = await response.json();
        all.index = new Map(all.pk.map((pk, i) => [pk, i]));
        window.mednumMap.collections = {[url]: all};  // older versions are dropped
    }
    const key = match.codes[mode] ? mode : "ouverture";
    const codes = match.codes[key];
    const palette = match.palette[key];
    const features = [];
    match.pk.forEach(function (pk, i) {
        const j = all.index.get(pk);
        if (j === undefined) {
            return;  // a place without coordinates
        }
        features.push({
            type: "Feature",
            geometry: {type: "Point", coordinates: [all.lon[j], all.lat[j]]},
            properties: {id: all.id[j], label: all.label[j], color: palette[codes.charCodeAt(i) - 48]},
        });
    });
    return {type: "FeatureCollection", features: features};
};

// Clientside callbacks are looked up in window.dash_clientside.
window.dash_clientside = Object.assign({}, window.dash_clientside, {
    carte: {matchedPoints: window.mednumMap.matchedPoints},
});
