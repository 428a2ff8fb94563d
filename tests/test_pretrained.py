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
RECORDED = {"fid": 7.68, "kid": 1.23, "precision": 0.726, "recall": 0.857, "density": 0.549, "coverage": 0.686}


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


# data/README.md: class accuracy of the shipped conditional generator, 1 000 samples per class, seed 0
RECORDED_CLASS_ACCURACY = {"T-shirt/top": 0.986, "Trouser": 1.0, "Pullover": 0.994, "Dress": 0.793, "Coat": 0.845,
                           "Sandal": 0.673, "Shirt": 0.951, "Sneaker": 0.987, "Bag": 0.963, "Ankle boot": 1.0}


def test_shipped_cgan_meets_its_accuracy_target_as_recorded():
    G = pretrained.load_generator("cgan_fmnist")
    rows = metrics.per_class(G, 1000, seed=0)
    got = {r["class"]: round(r["accuracy"], 3) for r in rows}
    torch.testing.assert_close(got, RECORDED_CLASS_ACCURACY, rtol=0, atol=0.005)
    assert sum(got.values()) / 10 >= 0.85
