/* dcc.Graph loads plotly.js from window._dashPlotlyJSURL, which dash-renderer sets to plotly's full bundle (4.8 MB):
   the page hands it the cartesian bundle named in its meta tag instead (dashboard.PLOTLY_BUNDLE), and keeps it. */
(function () {
    const meta = document.querySelector('meta[name="plotly-bundle"]');
    if (!meta) { return; }
    Object.defineProperty(window, "_dashPlotlyJSURL", {
        configurable: true,
        get: function () { return meta.content; },
        set: function () {},  // dash-renderer's own value: plotly's full bundle
    });
})();
