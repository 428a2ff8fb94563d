import time

import pytest
import torch

from gan_course import data, metrics, presets, train


def test_fast_ring_run_covers_at_least_six_of_eight_modes_with_the_committed_seed():
    # the FAST run of notebook 03 (issue: ≥ 6/8 within 60 s on CPU; measured ≈ 10 s on 2 cores)
    t0 = time.perf_counter()
    run = train.fit(presets.config("ring-2d", device="cpu"), progress=False)
    ring = data.MIXTURES["ring"]
    cov = metrics.mode_coverage(train.sample(run.G, 2000, seed=1), ring.modes, ring.std)
    print(f"ring-2d: {cov['modes']}/8 modes, quality {cov['quality']:.2f}, {time.perf_counter() - t0:.1f} s")
    assert cov["modes"] >= 6


def test_unknown_preset():
    with pytest.raises(ValueError, match="unknown preset 'nope'"):
        presets.config("nope")


def test_dcgan_mnist_is_the_deeper_dcgan_on_the_4000_training_digits():
    # notebook 04b's working conv GAN: 05's DCGAN with a 3×3 conv more per resolution, on mnist5k's train split;
    # the shallow one it replaced differs in the architecture and the length (benchmarks/digits_sweep.md, round 2)
    cfg = presets.config("dcgan-mnist", device="cpu")
    assert (cfg.arch, cfg.dataset, cfg.loss, cfg.batch_size) == ("dcgan-deep", "mnist5k", "ns", 64)
    shallow = presets.config("dcgan-mnist-shallow", device="cpu")
    assert {k: v for k, v in vars(shallow).items() if getattr(cfg, k) != v} == {"arch": "dcgan", "name": "dcgan-mnist-shallow",
                                                                                     "steps": 30 * 62}
    assert presets.config("dcgan-mnist-64").arch == "dcgan"          # gpu_models.md's width-64 run of the shallow one
    assert cfg.steps == 50 * (4000 // 64) == presets.steps_per_epoch("mnist5k", 64) * 50
    assert presets.config("dcgan-mnist", epochs=2).steps == 2 * 62


def test_dcgan_mnist_trains_a_few_steps_and_draws_28x28_digits(tmp_path):
    cfg = presets.config("dcgan-mnist", device="cpu", width=8, steps=3, log_every=1)
    run = train.fit(cfg, out=tmp_path, progress=False)
    assert run.step == 3 and len(run.history) == 3 and (tmp_path / "checkpoint.pt").exists()
    x = train.sample(run.sampler, 4)
    assert x.shape == (4, 1, 28, 28) and x.abs().max() <= 1


def test_cgan_cbn_fmnist_is_conditional_batchnorm_and_sn_projection_with_hinge_and_sagan_ttur(tmp_path):
    # the first pairing tried as 08's fix (it stalls: benchmarks/cgan_diagnosis.md §4): SAGAN's recipe, one D step
    cfg = presets.config("cgan-cbn-fmnist", device="cpu")
    assert (cfg.arch, cfg.loss, cfg.k_d, cfg.lr_g, cfg.lr_d, cfg.betas) == ("cdcgan-cbn", "hinge", 1, 1e-4, 4e-4, (0.0, 0.9))
    assert cfg.steps == 10 * presets.steps_per_epoch("fashion_mnist", 128) and cfg.seed == 0
    small = presets.config("cgan-cbn-fmnist", device="cpu", width=8, steps=2, log_every=1, amp="off")
    train.fit(small, out=tmp_path, progress=False)
    run = train.fit(presets.config("cgan-cbn-fmnist", device="cpu", width=8, steps=3, log_every=1, amp="off"),
                    out=tmp_path, progress=False)                    # resumes: D's spectral-norm state loads back
    assert run.step == 3
    assert torch.isfinite(train.sample(run.sampler, 10)).all()
