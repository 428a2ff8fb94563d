// Inlined by Sphinx before MathJax (docs/conf.py: mathjax_config_path), after the mathjax3_config
// that myst-parser fills. ipywidgets' embedder typesets a widget's label with MathJax 2's API,
// MathJax.Hub.Queue(["Typeset", MathJax.Hub, element]); the site runs MathJax 3 (docs/vendor.py),
// so answer that call with MathJax 3's typesetPromise instead of a script error.
(function () {
  var Hub = {
    Queue: function (call) {
      var element = call && call[2], mj = window.MathJax;
      if (mj && mj.startup && mj.startup.promise) {
        mj.startup.promise.then(function () { return mj.typesetPromise(element ? [element] : undefined); });
      }   // before MathJax has started, its first pass over the page typesets the label anyway
    }
  };
  var config = window.MathJax || {};
  config.Hub = Hub;
  config.startup = Object.assign({}, config.startup, {
    ready: function () { MathJax.startup.defaultReady(); MathJax.Hub = Hub; }
  });
  window.MathJax = config;
})();
