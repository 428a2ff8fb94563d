import pytest
import torch
from torch import nn

from gan_course import nets, runtime


def linear(i, o, bias=True):
    return i * o + (o if bias else 0)


def conv(i, o, k):  # no bias: BatchNorm follows, or the layer is DCGAN's bias-free last layer
    return i * o * k * k


@pytest.mark.parametrize("arch, z_dim, width", [("mlp", 64, 128), ("mlp-bn", 64, 32), ("dcgan", 100, 32),
                                                ("dcgan-deep", 64, 16)])
@pytest.mark.parametrize("n", [1, 64])
def test_shapes_and_ranges(arch, z_dim, width, n):
    G, D = nets.build(arch, z_dim, width)
    G.eval(), D.eval()   # batch of 1 in train mode has no BatchNorm statistics
    x = G(torch.randn(n, z_dim))
    assert x.shape == (n, 1, 28, 28)
    assert x.min() >= -1 and x.max() <= 1                  # Tanh output
    assert D(x).shape == (n,)


@pytest.mark.parametrize("arch", ["mlp", "dcgan", "dcgan-deep"])
def test_discriminators_return_unbounded_logits_not_probabilities(arch):
    _, D = nets.build(arch, 16, 16)
    assert not any(isinstance(m, nn.Sigmoid) for m in D.modules())
    with torch.no_grad():
        for p in D.parameters():
            p.mul_(50)                                     # big weights → big logits
        D.eval()
        out = D(torch.rand(8, 1, 28, 28) * 2 - 1)
    assert out.abs().max() > 1


def test_mlp_parameter_counts():
    G, D = nets.build("mlp", 64, 128)                       # G: 64→128→256→784, D: 784→256→128→1
    assert nets.count_parameters(G) == linear(64, 128) + linear(128, 256) + linear(256, 784)
    assert nets.count_parameters(D) == linear(784, 256) + linear(256, 128) + linear(128, 1)


def test_dcgan_parameter_counts():
    w, z = 32, 100
    G, D = nets.build("dcgan", z, w)
    bn = lambda c: 2 * c
    assert nets.count_parameters(G) == (conv(z, 4 * w, 7) + bn(4 * w) + conv(4 * w, 2 * w, 4)
                                        + bn(2 * w) + conv(2 * w, 1, 4))
    assert nets.count_parameters(D) == conv(1, w, 4) + conv(w, 2 * w, 4) + bn(2 * w) + conv(2 * w, 1, 7)


def test_deep_dcgan_adds_one_3x3_conv_per_resolution_and_keeps_the_dcgan_keys():
    # 04b's dcgan-mnist: the DCGAN plus a size-keeping 3×3 conv at 7×7 and 14×14, in G and in D
    w, z = 32, 64
    (G0, D0), (G, D) = nets.build("dcgan", z, w), nets.build("dcgan-deep", z, w)
    bn = lambda c: 2 * c
    assert nets.count_parameters(G) - nets.count_parameters(G0) == conv(4 * w, 4 * w, 3) + bn(4 * w) + conv(2 * w, 2 * w, 3) + bn(2 * w)
    assert nets.count_parameters(D) - nets.count_parameters(D0) == conv(w, w, 3) + conv(2 * w, 2 * w, 3) + bn(2 * w)
    sides = []
    hook = lambda m, i, o: sides.append((m.kernel_size, tuple(i[0].shape[1:]), tuple(o.shape[1:])))
    for m in [*G.modules(), *D.modules()]:
        if isinstance(m, nn.Conv2d) and m.kernel_size == (3, 3):
            m.register_forward_hook(hook)
    D(G(torch.randn(2, z)))
    kinds = lambda net: [type(m).__name__ for m in net.net]
    assert kinds(G) == ["ConvTranspose2d", "BatchNorm2d", "ReLU", "Conv2d", "BatchNorm2d", "ReLU",
                        "ConvTranspose2d", "BatchNorm2d", "ReLU", "Conv2d", "BatchNorm2d", "ReLU", "ConvTranspose2d", "Tanh"]
    assert kinds(D) == ["Conv2d", "LeakyReLU", "Conv2d", "LeakyReLU", "Conv2d", "BatchNorm2d", "LeakyReLU",
                        "Conv2d", "BatchNorm2d", "LeakyReLU", "Conv2d"]
    assert sides == [((3, 3), (4 * w, 7, 7), (4 * w, 7, 7)), ((3, 3), (2 * w, 14, 14), (2 * w, 14, 14)),
                     ((3, 3), (w, 14, 14), (w, 14, 14)), ((3, 3), (2 * w, 7, 7), (2 * w, 7, 7))]
    # deep=False keeps the DCGAN's layer indices, so the shipped DCGAN weights still load
    bn_keys = lambda i: [f"net.{i}.{k}" for k in ("weight", "bias", "running_mean", "running_var", "num_batches_tracked")]
    assert list(G0.state_dict()) == ["net.0.weight", *bn_keys(1), "net.3.weight", *bn_keys(4), "net.6.weight"]
    assert list(D0.state_dict()) == ["net.0.weight", "net.2.weight", *bn_keys(3), "net.5.weight"]
    assert not nets.has_batchnorm(nets.DCGANDiscriminator(w, norm="none", deep=True))


def test_dcgan_init_statistics():
    torch.manual_seed(0)
    G, _ = nets.build("dcgan", 100, 64)
    w = G.net[0].weight
    torch.testing.assert_close(w.std().item(), 0.02, rtol=0.02, atol=0)
    torch.testing.assert_close(w.mean().item(), 0.0, rtol=0, atol=1e-3)
    bn = G.net[1]
    torch.testing.assert_close(bn.weight.mean().item(), 1.0, rtol=0, atol=0.01)
    torch.testing.assert_close(bn.bias, torch.zeros_like(bn.bias))


def test_one_cpu_training_step_moves_every_parameter():
    for arch in ("mlp", "dcgan"):
        G, D = nets.build(arch, 16, 8)
        before = [p.detach().clone() for p in list(G.parameters()) + list(D.parameters())]
        opt = torch.optim.SGD(list(G.parameters()) + list(D.parameters()), lr=0.1)
        D(G(torch.randn(4, 16))).sum().backward()
        opt.step()
        after = list(G.parameters()) + list(D.parameters())
        assert all(not torch.equal(a, b) for a, b in zip(after, before)), arch


def test_unknown_arch_is_refused():
    with pytest.raises(ValueError, match="unknown architecture 'resnet'.*dcgan"):
        nets.build("resnet", 8, 8)


def test_mlp_bn_generator_has_batchnorm_and_the_counted_parameters():
    G, _ = nets.build("mlp-bn", 64, 128)
    bn = [m for m in G.modules() if isinstance(m, nn.BatchNorm1d)]
    assert [m.num_features for m in bn] == [128, 256]
    assert nets.count_parameters(G) == (linear(64, 128) + 2 * 128 + linear(128, 256) + 2 * 256
                                        + linear(256, 784))


def test_mlp2d_maps_to_points_without_tanh():
    G, D = nets.build("mlp2d", 2, 16)
    with torch.no_grad():
        for p in G.parameters():
            p.fill_(1.0)
        x = G(torch.ones(3, 2))
    assert x.shape == (3, 2) and x.max() > 1          # no Tanh squashing the plane
    assert D(x).shape == (3,)


def test_spectral_norm_discriminator_has_unit_top_singular_values():
    _, D = nets.build("dcgan-sn", 16, 8)
    assert not any(isinstance(m, torch.nn.BatchNorm2d) for m in D.modules())
    raw = D.net[0].parametrizations.weight.original
    torch.testing.assert_close(raw.std().item(), 0.02, rtol=0.15, atol=0)      # dcgan_init reached the raw weight
    x = torch.randn(4, 1, 28, 28)
    for _ in range(30):                                                        # power iteration runs in train mode
        D(x)
    for conv in (D.net[0], D.net[2], D.net[4]):
        top = torch.linalg.matrix_norm(conv.weight.detach().flatten(1), 2)
        torch.testing.assert_close(top.item(), 1.0, rtol=1e-3, atol=0)


def test_plain_critic_has_no_normalisation_and_bad_norm_is_named():
    _, D = nets.build("dcgan-nonorm", 16, 8)
    assert not any(isinstance(m, torch.nn.BatchNorm2d) for m in D.modules())
    with pytest.raises(ValueError, match="norm='layer'"):
        nets.DCGANDiscriminator(8, norm="layer")


def test_plain_critic_with_biases_starts_as_the_bias_free_one_and_learns_its_biases():
    # 09's biases check is read seed by seed against the bias-free critic: same seed, same initial weights
    torch.manual_seed(0)
    G0, D0 = nets.build("dcgan-nonorm", 16, 8)
    torch.manual_seed(0)
    G1, D1 = nets.build("dcgan-nonorm-bias", 16, 8)
    extra = set(D1.state_dict()) - set(D0.state_dict())
    assert extra == {"net.0.bias", "net.2.bias", "net.4.bias"} and not nets.has_batchnorm(D1)
    for a, b in [(G0, G1), (D0, D1)]:
        for k, v in a.state_dict().items():
            torch.testing.assert_close(b.state_dict()[k], v, rtol=0, atol=0)
    x = torch.randn(4, 1, 28, 28)
    torch.testing.assert_close(D1(x), D0(x), rtol=0, atol=0)
    D1(x).sum().backward()
    assert all(D1.net[i].bias.grad.abs().sum() > 0 for i in (0, 2, 4))


def test_conditional_pair_takes_labels_and_the_label_changes_the_output():
    G, D = nets.build("cdcgan", 16, 8)
    assert nets.is_conditional(G) and nets.is_conditional(D) and not nets.is_conditional(nets.build("dcgan", 16, 8)[0])
    G.eval()
    z = torch.randn(1, 16).expand(10, 16)
    x = G(z, torch.arange(10))
    assert x.shape == (10, 1, 28, 28)
    assert (x[0] - x[1]).abs().max() > 0                 # same z, another class: another image
    assert D(x, torch.arange(10)).shape == (10,)


def test_projection_discriminator_is_unconditional_logit_plus_inner_product():
    _, D = nets.build("cdcgan", 16, 8)
    D.eval()
    x, y = torch.randn(5, 1, 28, 28), torch.tensor([0, 3, 3, 9, 1])
    h = D.net[:-1](x)
    expected = D.net[-1](h).flatten() + (D.embed(y) * h.sum(dim=(2, 3))).sum(1)
    torch.testing.assert_close(D(x, y), expected)
    unconditional = nets.DCGANDiscriminator(8)
    unconditional.load_state_dict({k: v for k, v in D.state_dict().items() if not k.startswith("embed")})
    with torch.no_grad():
        D.embed.weight.zero_()                            # no class embedding: exactly the DCGAN D
    torch.testing.assert_close(D(x, y), unconditional.eval()(x))


def test_device_of_and_to_device_of_follow_the_model():
    from fake_cuda import fake_cuda

    G, _ = nets.build("dcgan", 8, 8)
    assert runtime.device_of(G) == torch.device("cpu") == runtime.device_of(nn.ReLU())      # no parameters: the CPU
    assert runtime.to_device_of(G, None) is None
    with fake_cuda() as cuda:
        G.to(cuda)
        assert runtime.device_of(G) == cuda == runtime.device_of(torch.zeros(1).to(cuda))
        assert runtime.to_device_of(G, torch.zeros(2)).device == cuda
        assert runtime.to_device_of(torch.zeros(2), torch.zeros(2).to(cuda)).device.type == "cpu"


# ----------------------------------------------------------------------------- conditional BatchNorm (issue 12)
def test_conditional_batchnorm_is_class_scale_and_shift_of_the_normalised_input():
    cbn = nets.ConditionalBatchNorm2d(3, num_classes=4)
    with torch.no_grad():
        cbn.gain.weight.normal_()
        cbn.bias.weight.normal_()
    x, y = torch.randn(6, 3, 5, 5), torch.tensor([0, 1, 2, 3, 3, 1])
    mean = x.mean(dim=(0, 2, 3), keepdim=True)
    var = x.var(dim=(0, 2, 3), unbiased=False, keepdim=True)
    normalised = (x - mean) / torch.sqrt(var + 1e-5)                # BN in train mode, by hand
    expected = cbn.gain.weight[y][:, :, None, None] * normalised + cbn.bias.weight[y][:, :, None, None]
    torch.testing.assert_close(cbn(x, y), expected)


def test_cbn_pair_is_conditional_without_batchnorm_in_d_and_trains():
    from gan_course import train
    G, D = nets.build("cdcgan-cbn", 16, 8)
    assert nets.is_conditional(G) and nets.is_conditional(D)
    assert not nets.has_batchnorm(D) and nets.critic_has_batchnorm("cdcgan-cbn") is False
    parametrized = torch.nn.utils.parametrize.is_parametrized      # SN on every layer of D, class embedding too
    assert all(parametrized(m, "weight") for m in [*D.net[::2], D.embed])     # (Miyato & Koyama's SNEmbedID)
    D.train()
    for _ in range(30):                                              # power iteration converges on σ(E)
        D(torch.randn(2, 1, 28, 28), torch.tensor([0, 1]))
    torch.testing.assert_close(torch.linalg.matrix_norm(D.embed.weight.detach(), 2), torch.tensor(1.0), atol=0.02, rtol=0)
    G.eval()
    z = torch.randn(1, 16).expand(10, 16)
    x = G(z, torch.arange(10))
    assert x.shape == (10, 1, 28, 28) and x.abs().max() <= 1
    run = train.fit(train.TrainConfig(arch="cdcgan-cbn", dataset="fashion_mnist", loss="hinge", z_dim=16, width=8,
                                      batch_size=16, steps=2, log_every=1, ema_half_life=100), progress=False)
    assert torch.isfinite(train.sample(run.sampler, 10, labels=3)).all()   # BN statistics recomputed per class mix
