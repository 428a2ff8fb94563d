"""Why did the shipped cgan_fmnist collapse within classes (precision 0.985, recall 0.008)?

Measures, on data/weights/cgan_fmnist.pt (and dcgan_fmnist.pt for scale):
1. how much G listens to z: the norm of the first layer's weights that read z vs those that read the
   label embedding, and the spread of samples as z varies within a class (classifier features,
   mean distance to the class centroid) against the real class's spread;
2. whether the BatchNorm statistics are to blame: the same metrics with the shipped (EMA weights,
   raw G's copied statistics) generator, with statistics recomputed for the EMA weights
   (train.recompute_batchnorm), and in train mode (batch statistics).

    nice -n 5 python benchmarks/cgan_diagnosis.py --n 2000

With --generator NAME_OR_PATH (a shipped name, an export or a training checkpoint), measures only that
conditional generator as it is: metrics on n class-balanced samples and the within-class spread.
"""
from __future__ import annotations

import argparse
import copy
import json
import os

import torch

from gan_course import classifier, data, metrics, pretrained, train


def spread(features: torch.Tensor) -> float:
    """Mean distance of features to their centroid."""
    return (features - features.mean(0)).norm(dim=1).mean().item()


class TrainMode(torch.nn.Module):
    """G sampled with batch statistics (train mode) instead of running statistics."""

    def __init__(self, G):
        super().__init__()
        self.G, self.z_dim, self.num_classes = G, G.z_dim, G.num_classes

    def forward(self, z, y):
        self.G.train()
        try:
            return self.G(z, y)
        finally:
            self.G.eval()


def spreads(g, clf, per_class: int, real_f: dict) -> list[float]:
    """Within-class spread of g's samples (z varying, seed 0) over the real class's, classes 0–9."""
    ratio = []
    for c in range(10):
        f = metrics.features(metrics.generate(g, per_class, seed=0, labels=c), clf)
        ratio.append(round(spread(f) / spread(real_f[c]), 2))
    return ratio


def real_features_by_class(clf, per_class: int) -> dict:
    x_real, y_real = data.load_fashion_mnist("train")
    return {c: metrics.features(data.to_unit_range(x_real[y_real == c][:per_class]), clf) for c in range(10)}


def one(generator: str, n: int, per_class: int):
    """Metrics and within-class spread of one conditional generator, as it is."""
    clf = classifier.load_classifier()
    g = pretrained.load_generator(generator)
    scores = metrics.evaluate(metrics.generate(g, n, seed=0), clf) if n else {}    # --n 0: the spread alone
    print(json.dumps({"variant": str(generator), "n": n,
                      **{k: round(scores[k], 3) for k in ("fid", "precision", "recall", "coverage") if k in scores},
                      "within_class_spread_vs_real": spreads(g, clf, per_class, real_features_by_class(clf, per_class))}),
          flush=True)


def main(n: int, per_class: int, only_unconditional: bool = False):
    torch.set_num_threads(2)
    clf = classifier.load_classifier()
    G = pretrained.load_generator("cgan_fmnist")
    first = G.net[0].weight                                     # (z_dim + embed_dim, 4w, 7, 7)
    w_z, w_e = first[:G.z_dim], first[G.z_dim:]
    e = G.embed.weight
    z_part = (w_z.flatten(1).norm(dim=1) ** 2).sum().sqrt().item()
    e_part = (w_e.flatten(1).norm(dim=1) ** 2).sum().sqrt().item()
    print(json.dumps({"first_layer_weight_norm_z_rows": round(z_part, 3), "per_z_row": round(z_part / G.z_dim ** .5, 4),
                      "first_layer_weight_norm_embedding_rows": round(e_part, 3),
                      "per_embedding_row": round(e_part / e.shape[1] ** .5, 4),
                      "embedding_vector_norm_mean": round(e.norm(dim=1).mean().item(), 3),
                      "z_norm_expected": round(G.z_dim ** .5, 3)}))
    U = pretrained.load_generator("dcgan_fmnist")
    print(json.dumps({"unconditional_first_layer_per_z_row": round(U.net[0].weight.flatten(1).norm().item() / U.z_dim ** .5, 4)}))

    real_f = real_features_by_class(clf, per_class)
    x_u = metrics.generate(U, 10 * per_class, seed=0)          # the unconditional G, grouped by predicted class
    f_u, pred = metrics.features(x_u, clf), classifier.predict(clf, x_u)
    print(json.dumps({"variant": "unconditional dcgan_fmnist, by predicted class",
                      "within_class_spread_vs_real": [round(spread(f_u[pred == c]) / spread(real_f[c]), 2)
                                                      if (pred == c).sum() > 10 else None for c in range(10)]}), flush=True)
    if only_unconditional:
        return
    recomputed = train.recompute_batchnorm(copy.deepcopy(G).eval())
    for name, g in [("shipped (EMA weights, copied BN stats)", G), ("BN stats recomputed for EMA weights", recomputed),
                    ("train-mode BN (batch statistics)", TrainMode(G))]:
        scores = metrics.evaluate(metrics.generate(g, n, seed=0), clf)
        print(json.dumps({"variant": name, "n": n, **{k: round(scores[k], 3) for k in ("fid", "precision", "recall", "coverage")},
                          "within_class_spread_vs_real": spreads(g, clf, per_class, real_f)}), flush=True)


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--n", type=int, default=2000)
    p.add_argument("--per-class", type=int, default=200)
    p.add_argument("--only-unconditional", action="store_true", help="print the reference spread and stop")
    p.add_argument("--generator", default=None, help="measure this conditional generator alone, as it is")
    a = p.parse_args()
    if a.generator:
        torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "2")))
        one(a.generator, a.n, a.per_class)
    else:
        main(a.n, a.per_class, a.only_unconditional)
