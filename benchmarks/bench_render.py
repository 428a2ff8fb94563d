"""Milliseconds per slider update of the latent explorer (07), against drawing the same images
with a matplotlib figure (the usual notebook way), in the same invocation.

Usage: python benchmarks/bench_render.py [--repeats 30] [--n 8]
Prints the median and 90th percentile of: one explorer update (build the edited latents,
G forward on n images, PNG) by setting a slider of build_explorer_ui, the same through
render_explorer, the interpolation strip, and the matplotlib reference; then the ratio and
whether the median fits the 100 ms budget of a 2-core CPU.
"""
import argparse
import statistics
import time

import matplotlib

matplotlib.use("Agg")

import torch

import gan_course as gc


def timed(fn, repeats):
    fn()                                                        # warm-up
    times = []
    for i in range(repeats):
        t0 = time.perf_counter()
        fn(i)
        times.append(1000 * (time.perf_counter() - t0))
    times.sort()
    return statistics.median(times), times[int(0.9 * (len(times) - 1))]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--repeats", type=int, default=30)
    p.add_argument("--n", type=int, default=8)
    args = p.parse_args()
    G = gc.pretrained.load_generator("dcgan_fmnist")
    u, _ = gc.latent.pca_directions(G, k=10, n=2000)
    ui = gc.explorer.build_explorer_ui(G, u, [f"PC {k}" for k in range(10)], n=args.n)
    interp = gc.explorer.build_interpolation_ui(G)

    def slider(i=0):
        ui.controls["pc0"].value = float((i % 12) - 6) if i else 0.5

    def render(i=0):
        gc.explorer.render_explorer(G, i, {0: 1.0}, [1.0] + [0.0] * 9, u, 0.8, n=args.n)

    def strip(i=0):
        interp.controls["t"].value = (i % 20) / 20 + 0.025

    def reference(i=0):
        z = gc.explorer.edit(G, i, args.n, {0: 1.0}, [1.0] + [0.0] * 9, u, 0.8)
        ax = gc.viz.show_images(gc.latent.images(G, z), nrow=args.n)
        gc.widgets.figure_png(ax.figure)

    rows = {"explorer slider update (UI)": timed(slider, args.repeats),
            "render_explorer": timed(render, args.repeats),
            "interpolation slider update (UI)": timed(strip, args.repeats),
            "reference: matplotlib figure": timed(reference, args.repeats)}
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, n = {args.n} images per update")
    for name, (median, p90) in rows.items():
        print(f"{name:34} median {median:6.1f} ms   p90 {p90:6.1f} ms")
    ours, ref = rows["explorer slider update (UI)"][0], rows["reference: matplotlib figure"][0]
    print(f"ratio reference / explorer: {ref / ours:.1f}×   explorer within 100 ms: {ours <= 100}")
    assert ui.errors.outputs == () and interp.errors.outputs == ()


if __name__ == "__main__":
    main()
