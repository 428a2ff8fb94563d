"""Fetch the site's JavaScript from the npm registry, so no page loads anything from a CDN.

Sphinx loads MathJax, and MyST-NB loads RequireJS and the ipywidgets embedder, from CDNs by
default; a page read offline (or by a browser test that refuses the network) would then show raw
TeX and no widgets. `make site` runs this once: `npm pack` downloads each pinned package below
from the npm registry (a package registry, like PyPI), and the files the pages need are unpacked
into build/site-vendor/, which docs/conf.py adds to the site's _static/ folder.

    python docs/vendor.py build/site-vendor      # needs `npm` (Debian: apt-get install -y npm)

MathJax 3 rather than Sphinx 9's default MathJax 4: version 3's package carries its fonts, while
version 4 fetches them from a CDN unless a font package is installed and configured beside it.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

# package@version -> {path inside the package's tarball: path under the output folder}
PACKAGES = {
    "mathjax@3.2.2": {"package/es5": "mathjax"},                              # tex-mml-chtml.js + fonts
    "requirejs@2.3.7": {"package/require.js": "require.js"},                 # the AMD loader the embedder needs
    "@jupyter-widgets/html-manager@1.0.15": {"package/dist": "html-manager"},  # ipywidgets 8's embed-amd.js
}
# left out (MathJax's other combined builds, the embedder's other bundles and source maps): 42 -> 16 MB
SKIP = shutil.ignore_patterns("tex-chtml*.js", "tex-svg*.js", "tex-mml-svg.js", "mml-*.js", "node-main.js",
                              "embed.js*", "libembed-amd.js", "*.map")


def vendor(out: Path) -> None:
    stamp = out / ".packages"
    wanted = "\n".join(PACKAGES) + "\n"
    if stamp.is_file() and stamp.read_text() == wanted:
        return                                                   # already there, same versions
    npm = shutil.which("npm")
    if npm is None:
        sys.exit("docs/vendor.py: `npm` is not installed; it fetches MathJax and the widget embedder "
                 "from the npm registry (Debian: apt-get install -y npm).")
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    with tempfile.TemporaryDirectory() as tmp:
        for spec, files in PACKAGES.items():
            done = subprocess.run([npm, "pack", "--silent", spec], cwd=tmp, capture_output=True, text=True)
            if done.returncode != 0:
                sys.exit(f"docs/vendor.py: `npm pack {spec}` failed: {done.stderr.strip()[-500:]}")
            with tarfile.open(Path(tmp) / done.stdout.strip().splitlines()[-1]) as tar:
                safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}   # Python < 3.10.12: no filters
                tar.extractall(Path(tmp) / "x", **safe)
            for src, dst in files.items():
                src, dst = Path(tmp) / "x" / src, out / dst
                shutil.copytree(src, dst, ignore=SKIP) if src.is_dir() else shutil.copy(src, dst)
            shutil.rmtree(Path(tmp) / "x")
    stamp.write_text(wanted)


if __name__ == "__main__":
    vendor(Path(sys.argv[1] if len(sys.argv) > 1 else "build/site-vendor"))
