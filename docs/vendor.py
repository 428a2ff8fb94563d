"""Fetch the site's JavaScript from the npm registry, so no page loads anything from a CDN.

Sphinx loads MathJax, and MyST-NB loads RequireJS and the ipywidgets embedder, from CDNs by
default; a page read offline (or by a browser test that refuses the network) would then show raw
TeX and no widgets. `make site` runs this once: `npm pack` downloads each pinned package below
from the npm registry (a package registry, like PyPI), and the files the pages need are unpacked
into build/site-vendor/, which docs/conf.py adds to the site's _static/ folder.

    python docs/vendor.py build/site-vendor      # needs `npm` (Debian: apt-get install -y npm)

The in-page explorer and playback (07, 08, 03; docs/static/gc-live.js) run the generators with
onnxruntime-web's plain wasm build (no threads, no WebGPU: the smallest, 14 MB of wasm). A page opened
from disk cannot fetch() the .wasm nor import() an ES module beside it, so `ort_runtime` joins its three
files into one classic script, ort-runtime.js: the UMD API, the wasm as base64, and the Emscripten glue
as text handed to onnxruntime through a blob: URL. Only the pages with a live widget load it.

MathJax 3 rather than Sphinx 9's default MathJax 4: version 3's package carries its fonts, while
version 4 fetches them from a CDN unless a font package is installed and configured beside it.
"""
from __future__ import annotations

import base64
import hashlib
import inspect
import json
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
# onnxruntime-web: these three files of its dist/ become _static/ort-runtime.js (ort_runtime)
RUNTIME = "onnxruntime-web@1.30.0"
RUNTIME_FILES = ("ort.wasm.min.js", "ort-wasm-simd-threaded.mjs", "ort-wasm-simd-threaded.wasm")
# left out (MathJax's other combined builds, the embedder's other bundles and source maps): 42 -> 16 MB
SKIP = shutil.ignore_patterns("tex-chtml*.js", "tex-svg*.js", "tex-mml-svg.js", "mml-*.js", "node-main.js",
                              "embed.js*", "libembed-amd.js", "*.map")


def _unpack(npm: str, spec: str, tmp: Path) -> None:
    """`npm pack spec` in tmp, unpacked into tmp/x/."""
    done = subprocess.run([npm, "pack", "--silent", spec], cwd=tmp, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"docs/vendor.py: `npm pack {spec}` failed: {done.stderr.strip()[-500:]}")
    with tarfile.open(tmp / done.stdout.strip().splitlines()[-1]) as tar:
        safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}   # Python < 3.10.12: no filters
        tar.extractall(tmp / "x", **safe)


def ort_runtime(dist: Path) -> str:
    """onnxruntime-web's UMD build, wasm binary and glue module as one classic script (see above):
    single-threaded, no proxy worker, nothing fetched. `ort` is then a global, ready to use."""
    api, glue, wasm = (dist / f for f in RUNTIME_FILES)
    boot = f"""
/* gan_course: the wasm and its glue inlined, so that a page read from disk (file://) can run it */
(function () {{
  var glue = {json.dumps(glue.read_text())};
  var b64 = "{base64.b64encode(wasm.read_bytes()).decode()}";
  var text = atob(b64), bytes = new Uint8Array(text.length);
  for (var i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  ort.env.wasm.numThreads = 1;                 // no SharedArrayBuffer on a file:// page
  ort.env.wasm.proxy = false;
  ort.env.wasm.wasmBinary = bytes;
  ort.env.wasm.wasmPaths = {{mjs: URL.createObjectURL(new Blob([glue], {{type: "text/javascript"}}))}};
}})();
"""
    code = "\n".join(line for line in api.read_text().splitlines() if not line.startswith("//# sourceMappingURL="))
    return f"/* {RUNTIME} (MIT, Microsoft): dist/{RUNTIME_FILES[0]} */\n" + code + "\n" + boot


def vendor(out: Path) -> None:
    stamp = out / ".packages"
    bundler = hashlib.sha256(inspect.getsource(ort_runtime).encode()).hexdigest()[:12]   # a changed bundle re-vendors
    wanted = "\n".join([*PACKAGES, RUNTIME, f"ort-runtime.js {bundler}"]) + "\n"
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
            _unpack(npm, spec, Path(tmp))
            for src, dst in files.items():
                src, dst = Path(tmp) / "x" / src, out / dst
                shutil.copytree(src, dst, ignore=SKIP) if src.is_dir() else shutil.copy(src, dst)
            shutil.rmtree(Path(tmp) / "x")
        _unpack(npm, RUNTIME, Path(tmp))
        (out / "ort-runtime.js").write_text(ort_runtime(Path(tmp) / "x" / "package" / "dist"))
    stamp.write_text(wanted)


if __name__ == "__main__":
    vendor(Path(sys.argv[1] if len(sys.argv) > 1 else "build/site-vendor"))
