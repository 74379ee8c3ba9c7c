/* A page with a map needs dash-leaflet's script, which only that page's own index loads (dashboard.App): an in-app
   move to such a page from a page loaded without it reloads the page in full. */
(function () {
    function needsReload() {
        const meta = document.querySelector('meta[name="map-pages"]');
        const pages = meta ? meta.content.split(" ") : [];
        return !window.dash_leaflet && pages.includes(window.location.pathname);
    }
    function check() {
        if (needsReload()) {
            window.location.reload();
        }
    }
    window.addEventListener("_dashprivate_pushstate", check);
    window.addEventListener("popstate", check);
})();
