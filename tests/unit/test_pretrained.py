import pytest
import torch

from gan_course import data, metrics, pretrained, train


def test_shipped_generator_loads_and_draws_images():
    G = pretrained.load_generator("dcgan_fmnist")
    x = train.sample(G, 16, seed=0)
    assert x.shape == (16, 1, 28, 28) and x.min() >= -1 and x.max() <= 1
    assert not any(p.requires_grad for p in G.parameters())
    assert pretrained.load_config("dcgan_fmnist").arch == "dcgan"
    assert pretrained.info("dcgan_fmnist")["ema"] is True


def test_shipped_generator_beats_noise_and_covers_every_class():
    from gan_course import classifier

    images = metrics.generate(pretrained.load_generator("dcgan_fmnist"), 2000, seed=0)
    share = torch.bincount(classifier.load_classifier()(images).argmax(1), minlength=10) / 2000
    assert share.min() > 0.03 and share.max() < 0.2, share
    noise = torch.rand_like(images) * 2 - 1
    assert metrics.fid(images) < metrics.fid(noise) / 10


# What data/README.md records for the shipped generator (`python -m gan_course evaluate dcgan_fmnist`)
RECORDED = {"fid": 7.675, "kid": 1.232, "precision": 0.726, "recall": 0.857, "density": 0.549, "coverage": 0.686}


def test_shipped_dcgan_reproduces_the_metrics_recorded_in_data_readme():
    from gan_course.runtime import REPO_ROOT

    images = metrics.generate(pretrained.load_generator("dcgan_fmnist"), 10000, seed=0)
    got = metrics.evaluate(images, seed=0)
    for key, value in RECORDED.items():
        torch.testing.assert_close(round(got[key], 3), value, rtol=0.01, atol=0.002, msg=key)
    readme = (REPO_ROOT / "data" / "README.md").read_text()
    assert "FID **7.68**, KID 1.23, precision 0.726, recall 0.857, density 0.549, coverage 0.686" in readme


def test_corrupt_shipped_weights_name_the_file_and_the_fix(data_copy, monkeypatch):
    monkeypatch.setenv("GAN_COURSE_DATA", str(data_copy))
    (data_copy / "weights").mkdir(exist_ok=True)
    (data_copy / "weights/dcgan_fmnist.pt").write_bytes(b"truncated")
    with pytest.raises(data.DataFileError, match=r"weights/dcgan_fmnist.pt.*corrupt"):
        pretrained.load_generator("dcgan_fmnist")


def test_unknown_name_lists_the_shipped_ones():
    with pytest.raises(FileNotFoundError, match="dcgan_fmnist"):
        pretrained.load_generator("stylegan3")


# data/README.md: class accuracy of the shipped conditional generator (conditional-BatchNorm G, arch
# cdcgan-cbn-bnd, re-shipped 2026-11-23), 1 000 samples per class, seed 0
RECORDED_CLASS_ACCURACY = {"T-shirt/top": 0.862, "Trouser": 0.999, "Pullover": 0.775, "Dress": 0.925, "Coat": 0.856,
                           "Sandal": 0.992, "Shirt": 0.753, "Sneaker": 0.958, "Bag": 0.996, "Ankle boot": 0.993}


def test_shipped_cgan_meets_its_accuracy_target_as_recorded():
    from gan_course.runtime import REPO_ROOT

    G = pretrained.load_generator("cgan_fmnist")
    rows = metrics.per_class(G, 1000, seed=0)
    assert [r["label"] for r in rows] == list(range(10))
    got = {r["class"]: round(r["accuracy"], 3) for r in rows}
    torch.testing.assert_close(got, RECORDED_CLASS_ACCURACY, rtol=0, atol=0.005)
    assert sum(got.values()) / 10 >= 0.90                    # issue 12's mean target (met); every class ≥ 80 % is not
    readme = (REPO_ROOT / "data" / "README.md").read_text()
    assert "mean **91.1 %** — T-shirt/top 86.2, Trouser 99.9, Pullover 77.5, Dress 92.5, Coat 85.6, Sandal 99.2, " \
           "Shirt 75.3, Sneaker 95.8, Bag 99.6, Ankle boot 99.3 %" in readme


def test_shipped_cgan_was_made_by_the_preset_and_steps_data_readme_gives():
    """data/README.md's recipe: `train --preset cgan-cbn-bnd-fmnist --steps 31744`; the file's config must
    be exactly that preset's (the architecture the notebook 08 text describes: conditional BatchNorm in G)."""
    from gan_course import nets, presets

    assert pretrained.load_config("cgan_fmnist") == presets.config("cgan-cbn-bnd-fmnist", steps=31744)
    assert isinstance(pretrained.load_generator("cgan_fmnist"), nets.CBNGenerator)
    assert pretrained.info("cgan_fmnist")["step"] == 31744
