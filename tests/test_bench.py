"""The benchmark's two trainers run and train the same architecture (figures are printed by
`python -m gan_course bench`, never asserted here)."""
import torch

from gan_course import bench, nets


def test_reference_dataset_matches_torchvision_normalisation():
    images = torch.tensor([[[0, 255], [128, 64]]], dtype=torch.uint8)
    x, _ = bench.ReferenceFashionMNIST(images)[0]
    torch.testing.assert_close(x, (images.float() / 255 - 0.5) / 0.5)   # ToTensor then Normalize(0.5, 0.5)


def test_both_trainers_run_on_cpu_with_the_same_generator_architecture():
    cpu = torch.device("cpu")
    G_ref, seen_ref, _ = bench.reference_train(1.0, 32, cpu)
    run, seen_ours, _ = bench.course_train(1.0, 32, cpu)
    assert seen_ref >= 32 and seen_ours >= 32
    assert type(G_ref) is type(run.G) is nets.DCGANGenerator
    assert nets.count_parameters(G_ref) == nets.count_parameters(run.G)
