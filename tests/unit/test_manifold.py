import torch

from gan_course import manifold

GRID = torch.tensor([[x, y] for x in range(4) for y in range(4)], dtype=torch.float)    # 16 points, spacing 1


def test_knn_radii_on_a_unit_grid():
    r1 = manifold.knn_radii(GRID, k=1)
    torch.testing.assert_close(r1, torch.ones(16))             # every grid point has a neighbour at 1
    r4 = manifold.knn_radii(GRID, k=4)                           # interior: 4 at 1; corner: 1, 1, √2, 2
    assert r4[5].item() == 1.0 and r4[0].item() == 2.0


def test_identical_sets_score_one_everywhere_but_density():
    m = manifold.prdc(GRID, GRID + 0.01, k=3)
    torch.testing.assert_close([m["precision"], m["recall"], m["coverage"]], [1.0, 1.0, 1.0])


def test_mode_dropping_keeps_precision_and_loses_recall():
    g = torch.Generator().manual_seed(0)
    real = torch.cat([torch.randn(500, 2, generator=g) * 0.1 + c for c in (torch.tensor([0., 0.]), torch.tensor([5., 5.]))])
    fake = torch.randn(1000, 2, generator=g) * 0.1                # all at the first mode
    m = manifold.prdc(real, fake, k=5)
    torch.testing.assert_close(m["precision"], 1.0, rtol=0, atol=0.02)
    torch.testing.assert_close(m["recall"], 0.5, rtol=0, atol=0.02)
    torch.testing.assert_close(m["coverage"], 0.5, rtol=0, atol=0.02)


def test_hand_counted_precision_density_coverage():
    real = torch.tensor([[0.0, 0.0], [1.0, 0.0], [10.0, 0.0], [11.0, 0.0]])    # k=1 radius: 1 for each
    fake = torch.tensor([[0.5, 0.0], [20.0, 0.0]])
    m = manifold.prdc(real, fake, k=1)
    # fake 0 lies in the balls of reals 0 and 1 (distance 0.5 < 1); fake 1 in none
    torch.testing.assert_close(m["precision"], 0.5)
    torch.testing.assert_close(m["density"], (2 + 0) / 1 / 2)
    torch.testing.assert_close(m["coverage"], 2 / 4)              # reals 0 and 1 have a fake inside
    # fake radii (k=1): both 19.5; reals within 19.5 of a fake: all four
    torch.testing.assert_close(m["recall"], 1.0)


def test_nearest_finds_the_closest_reference():
    refs = torch.randn(300, 1, 28, 28, generator=torch.Generator().manual_seed(0))
    dist, idx = manifold.nearest(refs[[7, 42]] + 0.1, refs)
    assert idx.tolist() == [7, 42]
    torch.testing.assert_close(dist, torch.full((2,), 0.1 * 28), rtol=1e-4, atol=0)    # ‖0.1·1‖ over 784 pixels


def test_k_must_leave_a_neighbour():
    import pytest
    with pytest.raises(ValueError, match="k=16"):
        manifold.knn_radii(GRID, k=16)


def test_balls_containing_by_hand_and_as_prdc_counts():
    real = torch.tensor([[0.0], [1.0], [2.0], [10.0]])          # k=1 radii: 1, 1, 1, 8
    fake = torch.tensor([[0.5], [5.0], [30.0], [1.0]])
    count, smallest = manifold.balls_containing(real, fake, k=1)
    assert count.tolist() == [2, 1, 0, 1]      # 0.5 in the balls of 0 and 1; 5 only in 10's; 1.0 is on
    assert smallest.tolist() == [1.0, 8.0, float("inf"), 1.0]   # the rims of 0's and 2's: not inside
    g = torch.Generator().manual_seed(0)
    real, fake = torch.randn(300, 4, generator=g), torch.randn(200, 4, generator=g) * 1.3 + 0.2
    count, _ = manifold.balls_containing(real, fake, k=5)
    scores = manifold.prdc(real, fake, k=5)
    torch.testing.assert_close((count > 0).float().mean().item(), scores["precision"])
    torch.testing.assert_close(count.float().mean().item() / 5, scores["density"])


def test_coverage_between_two_samples_of_one_distribution_is_one_minus_two_to_the_minus_k():
    # Naeem et al. 2020: for N real and M fake from one distribution, E[coverage] = 1 − Π_{i=1..k} (N−i)/(N+M−i),
    # → 1 − 2⁻ᵏ when M = N (0.875 at k=3, 0.969 at k=5): the check 06 prints beside its floor row
    g = torch.Generator().manual_seed(0)
    n = 2000
    for k in (3, 5):
        covs = [manifold.prdc(torch.randn(n, 4, generator=g), torch.randn(n, 4, generator=g), k=k)["coverage"]
                for _ in range(3)]
        expected = 1 - torch.prod(torch.tensor([(n - i) / (2 * n - i) for i in range(1, k + 1)])).item()
        assert abs(expected - (1 - 2 ** -k)) < 1e-3
        torch.testing.assert_close(sum(covs) / 3, expected, atol=0.01, rtol=0)


def test_a_point_on_a_balls_edge_is_outside_it():
    # real 0 and 1 (k=1: both radii 1); the fake at 2 lies exactly on the edge of real 1's ball, and
    # real 1's nearest fake is exactly at real 1's radius: PRDC's balls are open (d < r)
    real = torch.tensor([[0.0], [1.0]])
    fake = torch.tensor([[2.0], [5.0]])
    got = manifold.prdc(real, fake, k=1)
    assert got["precision"] == 0.0 and got["density"] == 0.0 and got["coverage"] == 0.0


def test_density_is_about_one_between_two_samples_of_one_distribution_at_every_k():
    # density divides the ball count by k, so unlike coverage (1 − 2^-k) it does not rise with k:
    # its expectation is 1 between identical distributions (Naeem et al. 2020, §3)
    g = torch.Generator().manual_seed(0)
    real, fake = torch.randn(3000, 8, generator=g), torch.randn(3000, 8, generator=g)
    for k in (3, 5, 10):
        torch.testing.assert_close(manifold.prdc(real, fake, k=k)["density"], 1.0, rtol=0, atol=0.06)
