import dataclasses

import pytest
import torch

from gan_course import data, metrics, pretrained, train


def test_shipped_generator_loads_and_draws_images():
    G = pretrained.load_generator("dcgan_fmnist")
    x = train.sample(G, 16, seed=0)
    assert x.shape == (16, 1, 28, 28) and x.min() >= -1 and x.max() <= 1
    assert not any(p.requires_grad for p in G.parameters())
    assert pretrained.load_config("dcgan_fmnist")["arch"] == "dcgan"
    assert pretrained.info("dcgan_fmnist")["ema"] is True


def test_shipped_generator_beats_noise_and_covers_every_class():
    from gan_course import classifier

    images = metrics.generate(pretrained.load_generator("dcgan_fmnist"), 2000, seed=0)
    share = torch.bincount(classifier.load_classifier()(images).argmax(1), minlength=10) / 2000
    assert share.min() > 0.03 and share.max() < 0.2, share
    noise = torch.rand_like(images) * 2 - 1
    assert metrics.fid(images) < metrics.fid(noise) / 10


def test_corrupt_shipped_weights_name_the_file_and_the_fix(data_copy, monkeypatch):
    monkeypatch.setenv("GAN_COURSE_DATA", str(data_copy))
    (data_copy / "weights").mkdir(exist_ok=True)
    (data_copy / "weights/dcgan_fmnist.pt").write_bytes(b"truncated")
    with pytest.raises(data.DataFileError, match=r"weights/dcgan_fmnist.pt.*corrupt"):
        pretrained.load_generator("dcgan_fmnist")


def test_unknown_name_lists_the_shipped_ones():
    with pytest.raises(FileNotFoundError, match="dcgan_fmnist"):
        pretrained.load_generator("stylegan3")


def test_shipped_cgan_was_made_by_the_preset_and_steps_data_readme_gives():
    """data/README.md's recipe: `train --preset cgan-cbn-bnd-fmnist --steps 31744`; the file's config must
    be exactly that preset's (the architecture the notebook 08 text describes: conditional BatchNorm in G)."""
    from gan_course import nets, presets

    assert pretrained.load_config("cgan_fmnist") == dataclasses.asdict(presets.config("cgan-cbn-bnd-fmnist", steps=31744))
    assert isinstance(pretrained.load_generator("cgan_fmnist"), nets.CBNGenerator)
    assert pretrained.info("cgan_fmnist")["step"] == 31744
