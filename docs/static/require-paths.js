// Loaded after require.js and before ipywidgets' embedder (docs/conf.py, nb_ipywidgets_js).
// The embedder finds its own files (the icon fonts of sliders and buttons) beside the AMD module it
// defines, "@jupyter-widgets/html-manager/dist/...", which RequireJS resolves against the page's
// folder; point that module path at _static/html-manager/ (docs/vendor.py), wherever the page is.
(function () {
  var here = document.currentScript.src.replace(/[^/]*$/, "");   // .../_static/
  require.config({paths: {"@jupyter-widgets/html-manager/dist": here + "html-manager"}});
})();
