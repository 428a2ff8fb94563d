"""The shipped generators as ONNX, and what the site's in-page explorer (07, 08) needs beside them.

    python docs/onnx_export.py build/site-live       # `make site` runs it; writes explorer-<name>.js

For each shipped generator (`dcgan_fmnist`, `cgan_fmnist`; EMA weights with their BatchNorm
statistics, in eval mode) `export` writes ONNX with torch.onnx (batch size left free), and `half_weights`
stores its weights in float16 with a Cast back to float32 before use, so the page downloads half the bytes
while the browser still computes in float32. The page cannot read files next to it when opened from disk
(file://: no fetch), so each page's data is one classic script: `window.GC_LIVE[name] = {...}` holding the
model (base64), the latents of seeds 0…SEEDS−1 (float32, as `gc.latent.z_for` draws them: the browser
cannot reproduce torch's random numbers), and for 07 the GANSpace and SeFa directions computed by the
package exactly as 07 computes them in FAST. tests/test_onnx_export.py checks onnxruntime against torch.
"""
from __future__ import annotations

import base64
import hashlib
import json
import sys
import warnings
from pathlib import Path

import numpy as np
import onnx
import torch
from onnx import helper, numpy_helper

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
import gan_course as gc  # noqa: E402

MODELS = ("dcgan_fmnist", "cgan_fmnist")   # the shipped generators the pages explore (07, 08)
SEEDS = 100                                # latents shipped per model: the explorer's seeds 0…99
K = 10                                     # directions per family, as in 07
PCA_N = 2000                               # 07's FAST sample count for GANSpace (gc.pick(fast=2000, ...))
PARITY = 1e-4                              # float32 ONNX vs torch: max |difference| of pixels in [-1, 1]
HALF_PARITY = 1e-2                         # float16-weight ONNX vs torch (measured: tests/test_onnx_export.py)


def export(G: torch.nn.Module) -> onnx.ModelProto:
    """G (eval mode) as ONNX: inputs z (n, z_dim) float32 [and y (n,) int64 for a conditional G],
    output image (n, 1, 28, 28) in [-1, 1]; n is free."""
    G = G.eval()
    conditional = gc.nets.is_conditional(G)
    z = torch.randn(2, G.z_dim, generator=torch.Generator().manual_seed(0))
    args = (z, torch.arange(2)) if conditional else (z,)
    n = torch.export.Dim("n")
    with warnings.catch_warnings():        # z and y share n: the exporter says it keeps one name for both
        warnings.filterwarnings("ignore", message=".*shares the same shape constraints")
        program = torch.onnx.export(G, args, input_names=["z", "y"][:len(args)], output_names=["image"],
                                    dynamic_shapes=({0: n}, {0: n})[:len(args)], dynamo=True, optimize=True,
                                    verbose=False)
    return program.model_proto


def half_weights(model: onnx.ModelProto) -> onnx.ModelProto:
    """The same model with every float32 weight stored as float16 and cast back to float32 where it is
    read: half the file, float32 arithmetic (the wasm backend's fast path)."""
    model = onnx.ModelProto.FromString(model.SerializeToString())
    graph, casts, kept = model.graph, [], []
    for init in graph.initializer:
        if init.data_type != onnx.TensorProto.FLOAT or np.prod(init.dims, dtype=np.int64) < 16:
            kept.append(init)                                    # ints, and small float constants, as they are
            continue
        half = numpy_helper.from_array(numpy_helper.to_array(init).astype(np.float16), init.name + "_fp16")
        kept.append(half)
        casts.append(helper.make_node("Cast", [half.name], [init.name], to=onnx.TensorProto.FLOAT))
    del graph.initializer[:]
    graph.initializer.extend(kept)
    nodes = casts + list(graph.node)
    del graph.node[:]
    graph.node.extend(nodes)
    onnx.checker.check_model(model)
    return model


def run_onnx(model: onnx.ModelProto, z: torch.Tensor, y: torch.Tensor | None = None) -> np.ndarray:
    """onnxruntime (Python, CPU) on the model: images (n, 1, 28, 28) float32."""
    import onnxruntime as ort
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    feeds = {"z": z.numpy().astype(np.float32)}
    if y is not None:
        feeds["y"] = y.numpy().astype(np.int64)
    return session.run(None, feeds)[0]


def _f32(t: torch.Tensor) -> str:
    """A float32 tensor as base64 of its little-endian bytes (the page reads it as a Float32Array)."""
    return base64.b64encode(t.detach().float().cpu().contiguous().numpy().astype("<f4").tobytes()).decode()


def directions(G: torch.nn.Module) -> dict:
    """07's directions, by the package's own code: GANSpace (PCA after the first block, FAST's sample
    count) named by `describe`, and SeFa with its free sign aligned to GANSpace's k-th direction."""
    clf = gc.classifier.load_classifier()
    pcs, variance = gc.latent.pca_directions(G, k=K, n=PCA_N)
    names = [gc.latent.describe(G, u, clf, gc.data.FASHION_CLASSES) for u in pcs]
    sefa, sigma = gc.latent.sefa_directions(G, k=K)
    sign = torch.sign((sefa * pcs).sum(1))
    sign[sign == 0] = 1
    return {"ganspace": {"u": _f32(pcs), "labels": [f"PC {k}: {n} ({v:.1%})" for k, (n, v) in enumerate(zip(names, variance))]},
            "sefa": {"u": _f32(sign[:, None] * sefa), "labels": [f"SeFa {k} (σ {s:.1f})" for k, s in enumerate(sigma)]}}


def page_data(name: str) -> tuple[dict, dict]:
    """What the page's explorer reads (the model in base64, seeds' latents, directions, classes) and
    the parity figures of its models (max |ONNX − torch| for fp32 and fp16 weights, same z)."""
    G = gc.pretrained.load_generator(name)
    conditional = gc.nets.is_conditional(G)
    model = export(G)
    small = half_weights(model)
    z = torch.stack([gc.latent.z_for(s, G.z_dim) for s in range(SEEDS)])            # (SEEDS, z_dim)
    y = torch.arange(SEEDS) % G.num_classes if conditional else None
    ref = gc.latent.images(G, z, y).numpy()
    parity = {"fp32": float(np.abs(run_onnx(model, z, y) - ref).max()),
              "fp16_weights": float(np.abs(run_onnx(small, z, y) - ref).max())}
    blob = small.SerializeToString()
    data = {"name": name, "z_dim": G.z_dim, "seeds": SEEDS, "z": _f32(z),
            "model": base64.b64encode(blob).decode(), "model_sha256": hashlib.sha256(blob).hexdigest(),
            "classes": list(gc.data.FASHION_CLASSES) if conditional else None, "parity": parity}
    if not conditional:
        data["directions"] = directions(G)
    return data, parity


def stamp(name: str) -> str:
    """What a page's data depends on: the weights, this file, the package code that computes the
    directions and loads G, and the exporter's versions."""
    import inspect
    import onnxscript
    weights = gc.data.verified_path(gc.pretrained.SHIPPED[name], gc.runtime.data_root())
    parts = [Path(__file__).read_text(), torch.__version__, onnx.__version__, onnxscript.__version__,
             hashlib.sha256(weights.read_bytes()).hexdigest()]
    parts += [inspect.getsource(m) for m in (gc.latent, gc.nets, gc.pretrained)]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def write(out: Path) -> dict:
    """explorer-<name>.js for every model in MODELS, in `out` (skipped while its stamp is current);
    returns each model's parity figures."""
    out.mkdir(parents=True, exist_ok=True)
    report = {}
    for name in MODELS:
        target, key = out / f"explorer-{name}.js", stamp(name)
        if target.is_file() and key in target.read_text()[:300]:
            print(f"  {target.name}: current (stamp {key[:12]})")
            continue
        data, parity = page_data(name)
        if parity["fp32"] > PARITY or parity["fp16_weights"] > HALF_PARITY:
            sys.exit(f"docs/onnx_export.py: {name}'s ONNX export differs from torch by {parity} "
                     f"(allowed: fp32 {PARITY}, fp16 weights {HALF_PARITY}); the page would not show this generator.")
        text = (f"// written by docs/onnx_export.py (make site): the page's generator and its latents; stamp {key}\n"
                "window.GC_LIVE = window.GC_LIVE || {};\n"
                f"window.GC_LIVE[{json.dumps(name)}] = {json.dumps(data)};\n")
        target.write_text(text)
        report[name] = {**parity, "bytes": len(text)}
        print(f"  {name}: explorer-{name}.js {len(text) / 1e6:.2f} MB; max |ONNX − torch| fp32 {parity['fp32']:.1e}, "
              f"fp16 weights {parity['fp16_weights']:.1e}")
    return report


if __name__ == "__main__":
    write(Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "build" / "site-live"))
