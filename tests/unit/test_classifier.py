import pytest
import torch

from gan_course import files as checkpoint, classifier, data


@pytest.fixture(scope="module")
def model():
    return classifier.load_classifier()


def test_features_module_is_what_torchmetrics_needs(model):
    f = classifier.Features(model)
    out = f(torch.rand(5, 1, 28, 28) * 2 - 1)
    assert out.shape == (5, f.num_features) == (5, 128)
    assert not any(p.requires_grad for p in f.parameters())


def test_training_a_few_steps_on_cpu_learns_something(monkeypatch):
    small = data.load_fashion_mnist("train")
    monkeypatch.setattr(data, "load_fashion_mnist",
                        lambda split="train", root=None: (small[0][:2560], small[1][:2560]) if split == "train" else
                        (small[0][:500], small[1][:500]))
    model, info = classifier.train_classifier(epochs=1, batch_size=128, progress=lambda *_: None)
    assert info["test_accuracy"] > 0.5          # 20 steps: far above chance (0.1), far below the shipped 0.91


def test_a_different_network_in_the_weights_file_is_named(tmp_path):
    path = checkpoint.save({"model": {"head.weight": torch.zeros(3, 3)}}, tmp_path / "c.pt")
    with pytest.raises(checkpoint.CheckpointError, match="classifier of a different architecture"):
        classifier.load_classifier(path)


@pytest.mark.parametrize("device", ["cpu", "cuda", "cuda:0", torch.device("cpu")])
def test_a_device_passed_where_the_path_goes_is_named(device):
    with pytest.raises(TypeError, match=r"first argument is a file path, not a device.*load_classifier\(device="):
        classifier.load_classifier(device)
    with pytest.raises(TypeError):
        classifier.load_classifier(None, "cpu")                       # device is keyword-only


def test_a_file_named_like_a_device_is_still_a_path(tmp_path, monkeypatch, model):
    classifier.save_classifier(model, {}, tmp_path / "cuda")
    monkeypatch.chdir(tmp_path)
    loaded = classifier.load_classifier("cuda")
    torch.testing.assert_close(loaded.state_dict(), model.state_dict())


def test_predict_takes_uint8_or_float_images_and_returns_labels_on_the_cpu(model):
    x, _ = data.load_fashion_mnist("test")
    x = x[:50]
    expected = model(data.to_unit_range(x)).argmax(1)
    assert torch.equal(classifier.predict(model, x, batch=16), expected)               # the dataset's uint8
    assert torch.equal(classifier.predict(model, data.to_unit_range(x), batch=16), expected)
    assert classifier.predict(model, x[:0]).shape == (0,)
