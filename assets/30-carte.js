/* Functions used by dashboard/components/map.py (dash-leaflet resolves {"variable": "mednumMap.…"} on window).
   dash-leaflet appends its context ({map, hideout, setProps, …}) as the last argument. */
window.mednumMap = Object.assign({}, window.mednumMap, {
    pointToLayer: function (feature, latlng, context) {
        const p = feature.properties || {};
        const hideout = (context && context.hideout) || {};
        return L.circleMarker(latlng, {
            radius: p.radius || hideout.radius || 7,
            color: "#ffffff",
            weight: 2,
            fillColor: p.color || "#1f4e79",
            fillOpacity: 0.95,
        });
    },
    areaStyle: function (feature) {
        const p = feature.properties || {};
        return {color: "#ffffff", weight: 1, fillColor: p.color || "#dbe7f3", fillOpacity: 0.75};
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

/* The Carte's points: the collection of every place (position, id, label, by pk) is fetched once per version and
   kept here; each filter sends only a bitmap of the matching places over that collection and one colour code per
   matching place (see match_payload in dashboard/callbacks/carte.py). */
window.mednumMap.collections = {};
window.mednumMap.matchedPoints = async function (match, mode) {
    const empty = {type: "FeatureCollection", features: []};
    if (!match || match.sel === undefined) {
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
        if (all.v !== match.v) {
            // A place changed between the filter and this fetch: the next filter brings the matching bitmap.
            console.warn("Carte : la liste des lieux a changé, relancez le filtre.");
            return empty;
        }
        window.mednumMap.collections = {[url]: all};  // older versions are dropped
    }
    const bits = atob(match.sel);
    const codes = match.codes;
    const fresh = mode === "fraicheur";
    const palette = match.palette[fresh ? "fraicheur" : "ouverture"];
    const features = [];
    let k = 0;
    for (let i = 0; i < all.pk.length && (i >> 3) < bits.length; i++) {
        if (bits.charCodeAt(i >> 3) & (128 >> (i & 7))) {
            const code = codes.charCodeAt(k++) - 48;  // 4 × open state + freshness band
            features.push({
                type: "Feature",
                geometry: {type: "Point", coordinates: [all.lon[i], all.lat[i]]},
                properties: {id: all.id[i], label: all.label[i], color: palette[fresh ? code & 3 : code >> 2]},
            });
        }
    }
    return {type: "FeatureCollection", features: features};
};

// Clientside callbacks are looked up in window.dash_clientside.
window.dash_clientside = Object.assign({}, window.dash_clientside, {
    carte: {matchedPoints: window.mednumMap.matchedPoints},
});
