"""Sphinx configuration of the course website (`make site`; sources staged by docs/stage.py).

Nothing here loads from the network: MathJax, RequireJS and the ipywidgets embedder come from
build/site-vendor/ (docs/vendor.py fetches them from the npm registry), served from _static/.
tests/docs/test_site.py opens every page in chromium and fails on any request that leaves the site.
"""
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

project = "gan_course"
author = "the gan_course authors"
copyright = "the gan_course authors, MIT licence"
extensions = ["myst_nb"]
exclude_patterns = ["_build", "**.ipynb_checkpoints"]

# the notebooks are executed before Sphinx sees them (docs/stage.py): never again here
nb_execution_mode = "off"
nb_merge_streams = True                       # a cell's many print() lines read as one block
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3

html_theme = "sphinx_book_theme"
html_title = "GANs, properly"
# site-live/: the live widgets' data (docs/onnx_export.py, docs/playback.py), beside docs/static/gc-live.js
html_static_path = [str(ROOT / "build" / "site-vendor"), str(ROOT / "build" / "site-live"), "static"]
html_css_files = ["site.css"]                # docs/static/site.css
html_theme_options = {
    "show_navbar_depth": 1,
    "navigation_with_keys": False,
    "use_download_button": True,              # the executed .ipynb, from the site itself
    "use_fullscreen_button": False,
}
html_show_sourcelink = False
html_copy_source = False

# MathJax 3 from _static/ (docs/vendor.py), not Sphinx's CDN default
mathjax_path = "mathjax/tex-mml-chtml.js"
mathjax3_config = {"options": {}}             # myst-parser adds its processHtmlClass here
mathjax4_config = None
mathjax_config_path = "mathjax_config.js"    # MathJax 2's Hub.Queue, which the widget embedder calls

# ipywidgets' static state (saved by nbclient in the executed notebook) rendered by the embedder
nb_ipywidgets_js = {
    "require.js": {},
    "require-paths.js": {},                   # docs/static/: where the embedder's fonts are
    "html-manager/embed-amd.js": {},
}


FONT_SUFFIXES = {".woff", ".woff2", ".ttf", ".eot", ".svg"}


def _widget_fonts_beside_pages(app, exception):
    """Some widgets' stylesheets (e.g. Font Awesome icons in 00's outputs) ask for the embedder's font
    files at "@jupyter-widgets/<hash>.<ext>" relative to the page, not through require-paths.js; copy
    them from _static/html-manager/ to where every page folder will look, so no request fails."""
    import shutil

    if exception is not None:
        return
    out = Path(app.outdir)
    fonts = [p for p in (out / "_static" / "html-manager").glob("*") if p.suffix in FONT_SUFFIXES]
    for folder in {page.parent for page in out.rglob("*.html")} - {out / "_static"}:
        if "_static" in folder.relative_to(out).parts:
            continue
        target = folder / "@jupyter-widgets"
        target.mkdir(exist_ok=True)
        for font in fonts:
            shutil.copy2(font, target / font.name)


def setup(app):
    app.connect("build-finished", _widget_fonts_beside_pages)
